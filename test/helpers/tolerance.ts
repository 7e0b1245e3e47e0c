/**
 * The one place tolerances live. Parity with PyTorch: relative error ≤ 1e-5 per element (1e-4 for reductions over
 * large inputs), measured against max(|expected|, 1% of the tensor's largest magnitude) so that entries that cancel
 * to nearly zero are judged at the tensor's scale rather than their own.
 */
import type { Tensor } from '../../src/index.js';

export const PARITY_RTOL = 1e-5;
export const LARGE_REDUCTION_RTOL = 1e-4;

export interface Mismatch {
  index: number;
  actual: number;
  expected: number;
}

export function firstMismatch(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number): Mismatch | null {
  let scale = 0;
  for (let i = 0; i < expected.length; i++) if (Number.isFinite(expected[i])) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e) ? !Number.isNaN(a) : !Number.isFinite(e) ? a !== e : !(Math.abs(a - e) <= rtol * Math.max(Math.abs(e), 0.01 * scale) + 1e-12)) {
      return { index: i, actual: a, expected: e };
    }
  }
  return null;
}

/** Throws a readable error when two tensors differ in shape or values. */
export function assertClose(actual: Tensor, expected: { shape: readonly number[]; data: ArrayLike<number> }, rtol = PARITY_RTOL, what = 'value'): void {
  if (actual.shape.join() !== expected.shape.join()) {
    throw new Error(`${what}: shape [${actual.shape}] differs from expected [${expected.shape}]`);
  }
  const m = firstMismatch(actual.data(), expected.data, rtol);
  if (m) throw new Error(`${what}: element ${m.index} is ${m.actual}, expected ${m.expected} (rtol ${rtol})`);
}

/**
 * Norm-wise relative error ‖actual − expected‖ / ‖expected‖. Used where elementwise comparison is meaningless:
 * parameters after several optimizer steps, where an element that crosses zero turns float32 rounding noise in the
 * gradients into a large relative error of that one element.
 */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < expected.length; i++) {
    num += (actual[i] - expected[i]) ** 2;
    den += expected[i] ** 2;
  }
  return Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-30);
}

/** The largest |actual − expected| relative to expected's largest magnitude (how model outputs are compared). */
export function relativeToMax(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / scale);
  return worst;
}
