/**
 * The one odometer over strided layouts: visits a shape row by row (the last dim is a row) with, for each of
 * several stride sets, the offset of the row's first element. Broadcasting binary ops, reductions, strided copies
 * and the .pth reader's views all walk memory this way.
 */
import { stridesOf } from './shape.js';

/** Strides of `shape` seen through broadcasting to `outShape` (0 on broadcast dims). */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const strides = stridesOf(shape);
  const off = outShape.length - shape.length;
  return outShape.map((d, i) => (i < off || shape[i - off] === 1 ? 0 : strides[i - off]));
}

/**
 * Merges adjacent output dims whose elements are contiguous in both inputs (same broadcast pattern), so the inner
 * loop runs over long stretches: [N,C,H,W] ⊙ [1,C,1,1] becomes [N,C,H·W] with a scalar per stretch.
 */
export function collapse(outShape: readonly number[], sa: number[], sb: number[]): { shape: number[]; sa: number[]; sb: number[] } {
  const shape: number[] = [];
  const ra: number[] = [];
  const rb: number[] = [];
  for (let d = 0; d < outShape.length; d++) {
    if (outShape[d] === 1) continue;
    const k = shape.length - 1;
    if (k >= 0 && ra[k] === sa[d] * outShape[d] && rb[k] === sb[d] * outShape[d]) {
      shape[k] *= outShape[d];
      ra[k] = sa[d];
      rb[k] = sb[d];
    } else {
      shape.push(outShape[d]);
      ra.push(sa[d]);
      rb.push(sb[d]);
    }
  }
  return { shape, sa: ra, sb: rb };
}

/**
 * Calls `row(offsets, r)` for each row r of `shape` in row-major order; `offsets[k]` is `bases[k]` plus the row's
 * index dotted with `strides[k]` (the last dim excluded: the caller steps along the row itself). A rank-0 shape
 * has one row.
 */
export function forEachRow(
  shape: readonly number[],
  strides: readonly (readonly number[])[],
  bases: readonly number[],
  row: (offsets: readonly number[], r: number) => void,
): void {
  const rank = shape.length;
  const offsets = [...bases];
  let rows = 1;
  for (let d = 0; d < rank - 1; d++) rows *= shape[d];
  if (rows === 0 || (rank > 0 && shape[rank - 1] === 0)) return;
  const idx = new Array<number>(Math.max(rank - 1, 0)).fill(0);
  for (let r = 0; r < rows; r++) {
    row(offsets, r);
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++;
      for (let k = 0; k < offsets.length; k++) offsets[k] += strides[k][d];
      if (idx[d] < shape[d]) break;
      for (let k = 0; k < offsets.length; k++) offsets[k] -= strides[k][d] * shape[d];
      idx[d] = 0;
    }
  }
}
