/** Batched matmul on the SIMD GEMM, split across threads by batch item, then column or row blocks. */
import type { TensorInfo } from '../../backend.js';
import { PARALLEL_MIN_MACS, type WasmContext } from '../context.js';
import type { FastKernels } from './shared.js';

export function matmul(ctx: WasmContext, a: TensorInfo, b: TensorInfo, transA: boolean, transB: boolean): TensorInfo {
  const [batch, aR, aC] = a.shape;
  const [, bR, bC] = b.shape;
  const M = transA ? aC : aR;
  const K = transA ? aR : aC;
  const N = transB ? bR : bC;
  const out = ctx.output([batch, M, N]);
  const T = batch * M * N * K < PARALLEL_MIN_MACS ? 1 : ctx.threads;
  // One part per thread: more parts would repack operands (a part packs its own A and B blocks).
  let mBlocks = 1;
  let nBlocks = 1;
  if (batch < T) {
    const want = Math.ceil(T / batch);
    if (N >= M) nBlocks = Math.min(want, Math.max(1, Math.floor(N / 8)));
    else mBlocks = Math.min(want, Math.max(1, Math.floor(M / 4)));
  }
  const colsPer = roundUp(Math.ceil(N / nBlocks), 8);
  const rowsPer = roundUp(Math.ceil(M / mBlocks), 4);
  nBlocks = Math.ceil(N / colsPer);
  mBlocks = Math.ceil(M / rowsPer);
  const scratch = ctx.temp(ctx.gemmScratchBytes * ctx.threads);
  // A broadcast operand (batch stride 0) is never passed here: the op expands batches before the kernel.
  ctx.task(
    'matmul',
    {
      batch,
      m: M,
      n: N,
      k: K,
      a: ctx.ptr(a),
      lda: aC,
      strideA: aR * aC,
      transA,
      b: ctx.ptr(b),
      ldb: bC,
      strideB: bR * bC,
      transB,
      c: ctx.ptr(out),
      ldc: N,
      strideC: M * N,
      accumulate: false,
      mBlocks,
      nBlocks,
      rowsPer,
      colsPer,
      scratch: scratch.ptr,
      scratchBytes: ctx.gemmScratchBytes,
    },
    batch * mBlocks * nBlocks,
  );
  scratch.done();
  return out;
}

function roundUp(x: number, m: number): number {
  return Math.ceil(x / m) * m;
}

/** This family's fast kernels. */
export function matmulKernels(ctx: WasmContext): FastKernels {
  return { matmul: (a, b, transA, transB) => (a.dtype === 'float32' && b.dtype === 'float32' ? matmul(ctx, a, b, transA, transB) : null) };
}
