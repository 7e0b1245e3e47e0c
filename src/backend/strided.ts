/**
 * The one odometer over strided layouts: visits a shape row by row (the last dim is a row) with, for each of
 * several stride sets, the offset of the row's first element. Broadcasting binary ops, reductions, strided copies
 * and the .pth reader's views all walk memory this way.
 */

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
