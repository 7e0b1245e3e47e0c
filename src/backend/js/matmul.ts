/** Batched matmul on top of the blocked GEMM; transposed operands are read through strides, never copied. */
import type { CoreKernels } from '../kernels.js';
import type { TensorInfo } from '../backend.js';
import { f32, info } from './handle.js';
import { gemm } from './gemm.js';

export function matmul(a: TensorInfo, b: TensorInfo, transA: boolean, transB: boolean): TensorInfo {
  const [batch, aR, aC] = a.shape;
  const [, bR, bC] = b.shape;
  const M = transA ? aC : aR;
  const K = transA ? aR : aC;
  const N = transB ? bR : bC;
  const A = f32(a);
  const B = f32(b);
  const out = new Float32Array(batch * M * N);
  for (let i = 0; i < batch; i++) {
    gemm(
      M,
      N,
      K,
      { data: A, offset: i * aR * aC, rowStride: transA ? 1 : aC, colStride: transA ? aC : 1 },
      { data: B, offset: i * bR * bC, rowStride: transB ? 1 : bC, colStride: transB ? bC : 1 },
      out,
      i * M * N,
      N,
      false,
    );
  }
  return info([batch, M, N], out);
}

/** This family's kernels, collected into the js backend's table (index.ts). */
export const MATMUL_KERNELS = { matmul } satisfies Partial<CoreKernels>;
