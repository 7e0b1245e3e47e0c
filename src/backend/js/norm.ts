/**
 * Training-mode batch normalization, fused: two passes for the statistics and one for the output, two passes for
 * the gradients, instead of the dozen elementwise passes of the composite formula. f64 accumulation.
 * Layout [N, C, S] with S the product of the dims after the channel dim (1 for [N, C]).
 */
import type { CoreKernels } from '../kernels.js';
import type { TensorInfo } from '../backend.js';
import { sizeOf } from '../shape.js';
import { f32, info } from './handle.js';

function layout(shape: readonly number[]): [number, number, number] {
  return [shape[0], shape[1], sizeOf(shape.slice(2))];
}

export function batchNormTrain(
  x: TensorInfo,
  weight: TensorInfo | null,
  bias: TensorInfo | null,
  eps: number,
): { y: TensorInfo; mean: TensorInfo; var: TensorInfo } {
  const X = f32(x);
  const W = weight ? f32(weight) : null;
  const B = bias ? f32(bias) : null;
  const [N, C, S] = layout(x.shape);
  const count = N * S;
  const Y = new Float32Array(X.length);
  const mean = new Float32Array(C);
  const variance = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let n = 0; n < N; n++) for (let i = (n * C + c) * S, e = i + S; i < e; i++) s += X[i];
    const m = s / count;
    let q = 0;
    for (let n = 0; n < N; n++) {
      for (let i = (n * C + c) * S, e = i + S; i < e; i++) {
        const d = X[i] - m;
        q += d * d;
      }
    }
    const v = q / count;
    mean[c] = m;
    variance[c] = v;
    const invStd = 1 / Math.sqrt(v + eps);
    const scale = W ? W[c] * invStd : invStd;
    const shift = (B ? B[c] : 0) - m * scale;
    for (let n = 0; n < N; n++) for (let i = (n * C + c) * S, e = i + S; i < e; i++) Y[i] = X[i] * scale + shift;
  }
  return { y: info(x.shape, Y), mean: info([C], mean), var: info([C], variance) };
}

export function batchNormTrainBackward(
  x: TensorInfo,
  dy: TensorInfo,
  mean: TensorInfo,
  variance: TensorInfo,
  weight: TensorInfo | null,
  eps: number,
): { dx: TensorInfo; dweight: TensorInfo; dbias: TensorInfo } {
  const X = f32(x);
  const D = f32(dy);
  const M = f32(mean);
  const V = f32(variance);
  const W = weight ? f32(weight) : null;
  const [N, C, S] = layout(x.shape);
  const count = N * S;
  const DX = new Float32Array(X.length);
  const dweight = new Float32Array(C);
  const dbias = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    const m = M[c];
    const invStd = 1 / Math.sqrt(V[c] + eps);
    let sdy = 0;
    let sdyx = 0;
    for (let n = 0; n < N; n++) {
      for (let i = (n * C + c) * S, e = i + S; i < e; i++) {
        sdy += D[i];
        sdyx += D[i] * (X[i] - m);
      }
    }
    dbias[c] = sdy;
    dweight[c] = sdyx * invStd;
    // dx = w·invStd·(dy − mean(dy) − x̂·mean(dy·x̂))
    const k = (W ? W[c] : 1) * invStd;
    const meanDy = sdy / count;
    const proj = (sdyx * invStd * invStd) / count;
    for (let n = 0; n < N; n++) {
      for (let i = (n * C + c) * S, e = i + S; i < e; i++) DX[i] = k * (D[i] - meanDy - (X[i] - m) * proj);
    }
  }
  return { dx: info(x.shape, DX), dweight: info([C], dweight), dbias: info([C], dbias) };
}

/** This family's kernels, collected into the js backend's table (index.ts). */
export const NORM_KERNELS = { batchNormTrain, batchNormTrainBackward } satisfies Partial<CoreKernels>;
