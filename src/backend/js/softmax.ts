/** softmax / log_softmax along one dim (max-subtracted for stability) and their gradients. */
import type { CoreKernels } from '../kernels.js';
import type { TensorInfo } from '../backend.js';
import { sizeOf } from '../shape.js';
import { f32, info } from './handle.js';

function layout(shape: readonly number[], dim: number): [number, number, number] {
  return [sizeOf(shape.slice(0, dim)), shape[dim], sizeOf(shape.slice(dim + 1))];
}

function softmaxImpl(x: TensorInfo, dim: number, log: boolean): TensorInfo {
  const X = f32(x);
  const [outer, n, inner] = layout(x.shape, dim);
  const out = new Float32Array(X.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let m = -Infinity;
      for (let k = 0; k < n; k++) m = Math.max(m, X[base + k * inner]);
      if (m === -Infinity) m = 0;
      let s = 0;
      for (let k = 0; k < n; k++) s += Math.exp(X[base + k * inner] - m);
      if (log) {
        const lse = m + Math.log(s);
        for (let k = 0; k < n; k++) out[base + k * inner] = X[base + k * inner] - lse;
      } else {
        for (let k = 0; k < n; k++) out[base + k * inner] = Math.exp(X[base + k * inner] - m) / s;
      }
    }
  }
  return info(x.shape, out);
}

export const softmax = (x: TensorInfo, dim: number) => softmaxImpl(x, dim, false);
export const logSoftmax = (x: TensorInfo, dim: number) => softmaxImpl(x, dim, true);

/** dx = y ⊙ (dy − Σ dy⊙y) */
export function softmaxBackward(y: TensorInfo, dy: TensorInfo, dim: number): TensorInfo {
  const Y = f32(y);
  const D = f32(dy);
  const [outer, n, inner] = layout(y.shape, dim);
  const out = new Float32Array(Y.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let s = 0;
      for (let k = 0; k < n; k++) s += D[base + k * inner] * Y[base + k * inner];
      for (let k = 0; k < n; k++) out[base + k * inner] = Y[base + k * inner] * (D[base + k * inner] - s);
    }
  }
  return info(y.shape, out);
}

/** dx = dy − exp(y) · Σ dy */
export function logSoftmaxBackward(y: TensorInfo, dy: TensorInfo, dim: number): TensorInfo {
  const Y = f32(y);
  const D = f32(dy);
  const [outer, n, inner] = layout(y.shape, dim);
  const out = new Float32Array(Y.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let s = 0;
      for (let k = 0; k < n; k++) s += D[base + k * inner];
      for (let k = 0; k < n; k++) out[base + k * inner] = D[base + k * inner] - Math.exp(Y[base + k * inner]) * s;
    }
  }
  return info(y.shape, out);
}

/** This family's kernels, collected into the js backend's table (index.ts). */
export const SOFTMAX_KERNELS = { softmax, softmaxBackward, logSoftmax, logSoftmaxBackward } satisfies Partial<CoreKernels>;
