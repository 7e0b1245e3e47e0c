/** Activation functions (torch.nn.functional names in camelCase) and the lectures' maxout. */
import type { Tensor } from '../tensor/tensor.js';
import { shapeToString } from '../backend/shape.js';
import { unary } from './elementwise.js';
import { amax } from './reduce.js';
import { reshape } from './shape.js';
import { normalizeDim } from '../backend/shape.js';

/** max(0, x) */
export const relu = (x: Tensor): Tensor => unary('relu', x);
/** min(max(0, x), 6) — MobileNet's activation. */
export const relu6 = (x: Tensor): Tensor => unary('relu6', x);
/** x for x > 0, negativeSlope·x otherwise (default slope 0.01). */
export const leakyRelu = (x: Tensor, negativeSlope = 0.01): Tensor => unary('leakyRelu', x, { alpha: negativeSlope });
/** x for x > 0, alpha·(eˣ − 1) otherwise. */
export const elu = (x: Tensor, alpha = 1): Tensor => unary('elu', x, { alpha });
/** Self-normalizing ELU with the fixed scale 1.0507 and alpha 1.6733. */
export const selu = (x: Tensor): Tensor => unary('selu', x);
/** x·Φ(x); approximate: 'tanh' uses the tanh formula. */
export const gelu = (x: Tensor, opts: { approximate?: 'none' | 'tanh' } = {}): Tensor => unary(opts.approximate === 'tanh' ? 'geluTanh' : 'gelu', x);
/** 1 / (1 + e⁻ˣ) */
export const sigmoid = (x: Tensor): Tensor => unary('sigmoid', x);
export const tanh = (x: Tensor): Tensor => unary('tanh', x);
/** log(1 + e^(βx)) / β, linear above threshold/β. */
export const softplus = (x: Tensor, beta = 1, threshold = 20): Tensor => unary('softplus', x, { beta, threshold });
/** x·σ(x) (a.k.a. swish). */
export const silu = (x: Tensor): Tensor => unary('silu', x);
/** x·relu6(x + 3)/6 — MobileNetV3. */
export const hardswish = (x: Tensor): Tensor => unary('hardswish', x);
/** relu6(x + 3)/6 */
export const hardsigmoid = (x: Tensor): Tensor => unary('hardsigmoid', x);

/**
 * Maxout (Goodfellow et al.): splits `dim` into groups of `pieces` consecutive channels and keeps the max of each,
 * i.e. max(w1·x + b1, w2·x + b2, ...) when the input is a linear/conv layer with pieces × units outputs.
 * Shape: [N, units·pieces, ...] → [N, units, ...].
 */
export function maxout(x: Tensor, pieces: number, dim = 1): Tensor {
  const d = normalizeDim(dim, x.ndim, 'maxout');
  if (!Number.isInteger(pieces) || pieces < 1) throw new Error(`maxout: pieces must be a positive integer, got ${pieces}`);
  const c = x.shape[d];
  if (c % pieces !== 0) throw new Error(`maxout: dim ${d} has ${c} features, which is not divisible by ${pieces} pieces (input ${shapeToString(x.shape)})`);
  const grouped = reshape(x, [...x.shape.slice(0, d), c / pieces, pieces, ...x.shape.slice(d + 1)]);
  return amax(grouped, d + 1);
}
