// Batched matmul as a parallel run: part = (batch item, row block, column block) of C.
import { gemm, MR, NR } from './gemm';
import { MatmulArgs } from './args.generated';

/** C = op(A)·op(B) per batch item, split into parts of (batch item, row block, column block); strides in elements. */
export function matmulPart(args: usize, part: i32, thread: i32): void {
  const g = changetype<MatmulArgs>(args);
  const m = g.m, n = g.n, k = g.k;
  const mBlocks = g.mBlocks, nBlocks = g.nBlocks, rowsPer = g.rowsPer, colsPer = g.colsPer;
  const perItem = mBlocks * nBlocks;
  const bi = part / perItem;
  const r = part - bi * perItem;
  const mi = r / nBlocks;
  const ni = r - mi * nBlocks;
  const i0 = mi * rowsPer, j0 = ni * colsPer;
  const rows = min(rowsPer, m - i0), cols = min(colsPer, n - j0);
  if (rows <= 0 || cols <= 0) return;
  const lda = g.lda, ldb = g.ldb, ldc = g.ldc;
  const transA = g.transA, transB = g.transB;
  // Offsets of the block's first row of op(A) and first column of op(B).
  const a = g.a + ((<usize>bi * <usize>g.strideA + <usize>(transA ? i0 : i0 * lda)) << 2);
  const b = g.b + ((<usize>bi * <usize>g.strideB + <usize>(transB ? j0 * ldb : j0)) << 2);
  const c = g.c + ((<usize>bi * <usize>g.strideC + <usize>(i0 * ldc + j0)) << 2);
  const scratch = g.scratch + <usize>thread * <usize>g.scratchBytes;
  gemm(rows, cols, k, a, lda, transA, b, ldb, transB, c, ldc, g.accumulate, scratch);
}

export { MR, NR };
