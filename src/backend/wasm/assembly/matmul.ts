// Batched matmul as a parallel run: part = (batch item, row block, column block) of C.
import { gemm, MR, NR } from './gemm';
import { arg } from './geometry';

/**
 * args: 0 batch, 1 m, 2 n, 3 k, 4 a, 5 lda, 6 batch stride A, 7 transA, 8 b, 9 ldb, 10 batch stride B, 11 transB,
 * 12 c, 13 ldc, 14 batch stride C, 15 accumulate, 16 row blocks, 17 column blocks, 18 rows per block,
 * 19 columns per block, 20 scratch, 21 scratch stride. Strides in elements.
 */
export function matmulPart(args: usize, part: i32, thread: i32): void {
  const m = arg(args, 1), n = arg(args, 2), k = arg(args, 3);
  const mBlocks = arg(args, 16), nBlocks = arg(args, 17), rowsPer = arg(args, 18), colsPer = arg(args, 19);
  const perItem = mBlocks * nBlocks;
  const bi = part / perItem;
  const r = part - bi * perItem;
  const mi = r / nBlocks;
  const ni = r - mi * nBlocks;
  const i0 = mi * rowsPer, j0 = ni * colsPer;
  const rows = min(rowsPer, m - i0), cols = min(colsPer, n - j0);
  if (rows <= 0 || cols <= 0) return;
  const lda = arg(args, 5), ldb = arg(args, 9), ldc = arg(args, 13);
  const transA = arg(args, 7) != 0, transB = arg(args, 11) != 0;
  // Offsets of the block's first row of op(A) and first column of op(B).
  const a = <usize>arg(args, 4) + ((<usize>bi * <usize>arg(args, 6) + <usize>(transA ? i0 : i0 * lda)) << 2);
  const b = <usize>arg(args, 8) + ((<usize>bi * <usize>arg(args, 10) + <usize>(transB ? j0 * ldb : j0)) << 2);
  const c = <usize>arg(args, 12) + ((<usize>bi * <usize>arg(args, 14) + <usize>(i0 * ldc + j0)) << 2);
  const scratch = <usize>arg(args, 20) + <usize>thread * <usize>arg(args, 21);
  gemm(rows, cols, k, a, lda, transA, b, ldb, transB, c, ldc, arg(args, 15) != 0, scratch);
}

export { MR, NR };
