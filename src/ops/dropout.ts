/** Dropout with inverted scaling: kept units are divided by (1 − p) in training, identity in eval. */
import { shapeToString } from '../backend/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { rand } from '../tensor/creation.js';
import type { Generator } from '../tensor/random.js';
import { div, lt, mul } from './elementwise.js';
import { assertTensor } from './util.js';

export interface DropoutOptions {
  training?: boolean;
  generator?: Generator;
}

function checkP(p: number, op: string): void {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new Error(`${op}: dropout probability must be in [0, 1], got ${p}`);
}

function applyMask(x: Tensor, p: number, maskShape: readonly number[], opts: DropoutOptions): Tensor {
  if (p === 1) return mul(x, 0);
  const keep = lt(rand(maskShape, { generator: opts.generator }), 1 - p);
  return mul(x, div(keep, 1 - p));
}

/** Zeroes each element with probability p (seeded by manualSeed) and scales the rest by 1/(1 − p). */
export function dropout(x: Tensor, p = 0.5, opts: DropoutOptions = {}): Tensor {
  assertTensor(x, 'dropout', 'input');
  checkP(p, 'dropout');
  if (!(opts.training ?? true) || p === 0) return x;
  return applyMask(x, p, x.shape, opts);
}

/** Zeroes whole channels (feature maps) with probability p. Shape: [N, C, H, W] or [C, H, W]. */
export function dropout2d(x: Tensor, p = 0.5, opts: DropoutOptions = {}): Tensor {
  assertTensor(x, 'dropout2d', 'input');
  checkP(p, 'dropout2d');
  if (x.ndim !== 3 && x.ndim !== 4) throw new Error(`dropout2d: expected a 3-D or 4-D input, got shape ${shapeToString(x.shape)}`);
  if (!(opts.training ?? true) || p === 0) return x;
  const maskShape = x.ndim === 4 ? [x.shape[0], x.shape[1], 1, 1] : [x.shape[0], 1, 1];
  return applyMask(x, p, maskShape, opts);
}
