/** Reductions: sum over any set of dims (float64 accumulation), and max/min with indices along one dim. */
import type { CoreKernels } from '../kernels.js';
import { forEachRow } from '../strided.js';
import type { TensorInfo } from '../backend.js';
import { sizeOf, stridesOf } from '../shape.js';
import { alloc, dataOf, info } from './handle.js';

export function sum(x: TensorInfo, dims: readonly number[]): TensorInfo {
  const X = dataOf(x);
  const shape = x.shape;
  const outShape = shape.map((d, i) => (dims.includes(i) ? 1 : d));
  const acc = new Float64Array(sizeOf(outShape));
  // Output stride per input dim (0 on reduced dims); walk the input with an odometer.
  const outStrides = stridesOf(outShape).map((s, i) => (dims.includes(i) ? 0 : s));
  const last = shape.length - 1;
  const lastLen = last >= 0 ? shape[last] : 1;
  const lastStride = last >= 0 ? outStrides[last] : 0;
  forEachRow(shape, [outStrides], [0], ([o], r) => {
    for (let j = 0, i = r * lastLen; j < lastLen; j++, i++) acc[o + j * lastStride] += X[i];
  });
  const out = alloc(outShape, x.dtype);
  for (let i = 0; i < acc.length; i++) out[i] = acc[i];
  return info(outShape, out);
}

export function argReduce(x: TensorInfo, dim: number, mode: 'max' | 'min'): { values: TensorInfo; indices: TensorInfo } {
  const X = dataOf(x);
  const shape = x.shape;
  const outer = sizeOf(shape.slice(0, dim));
  const n = shape[dim];
  const inner = sizeOf(shape.slice(dim + 1));
  const outShape = shape.map((d, i) => (i === dim ? 1 : d));
  const values = alloc(outShape, x.dtype);
  const indices = new Int32Array(outer * inner);
  const better = mode === 'max' ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let best = X[base];
      let bestIdx = 0;
      // NaN wins and sticks, as torch.max propagates NaN.
      if (best === best) {
        for (let k = 1; k < n; k++) {
          const v = X[base + k * inner];
          if (v !== v) {
            best = v;
            bestIdx = k;
            break;
          }
          if (better(v, best)) {
            best = v;
            bestIdx = k;
          }
        }
      }
      values[o * inner + i] = best;
      indices[o * inner + i] = bestIdx;
    }
  }
  return { values: info(outShape, values), indices: info(outShape, indices) };
}

/** This family's kernels, collected into the js backend's table (index.ts). */
export const REDUCE_KERNELS = { sum, argReduce } satisfies Partial<CoreKernels>;
