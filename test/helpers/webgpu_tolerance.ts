/** The webgpu backend's parity tolerances, per op (shared by the Node and browser suites). */
import type { FixtureCase } from './fixture_codec.js';

/** Ops whose values or gradients go through exp, log, tanh or pow, which WGSL allows a few ulps more error than the host's. */
const TRANSCENDENTAL = new Set([
  'exp',
  'log',
  'pow',
  'powScalar',
  'sigmoid',
  'tanh',
  'elu',
  'selu',
  'gelu',
  'geluTanh',
  'silu',
  'softplus',
  'logsumexp',
  'softmax',
  'logSoftmax',
  'crossEntropy',
  'nllLoss',
  'bceWithLogits',
  'localResponseNorm',
]);

/**
 * Tolerances on this backend, per op, relative to the tensor's scale as the parity suite measures: the same as the
 * host backends' (1e-5; 1e-4 for large reductions) even though GPU sums run in another order, except 1e-4 for the
 * transcendental ops (measured on SwiftShader: geluTanh's gradient and bceWithLogits' are 5e-5 off at 1e-5).
 */
export function webgpuRtol(c: FixtureCase, base: number): number {
  return TRANSCENDENTAL.has(c.op) ? Math.max(base, 1e-4) : base;
}
