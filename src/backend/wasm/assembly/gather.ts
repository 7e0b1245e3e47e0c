// gather and scatterAdd along one dim (torch.gather / Tensor.scatter_add_): element i of the index (shape ishape)
// addresses x at its own coordinates with `dim` replaced by the index value. Words are copied as 32 bits, so float32
// and int32 take the same gather. Out-of-range indices (the op checks them first) read 0 and add nothing here.
import { GatherArgs, ScatterAddArgs } from './args.generated';

/** Offset into x (strides xs) of index element i (index shape ish, rank dims), or -1 when its index is out of range. */
// @ts-ignore: decorator
@inline function offsetOf(i: i32, idx: i32, rank: i32, dim: i32, size: i32, a: GatherArgs): i32 {
  if (<u32>idx >= <u32>size) return -1;
  let rem = i;
  let off = 0;
  for (let d = rank - 1; d >= 0; d--) {
    const n = a.ishape(d);
    const q = rem % n;
    rem /= n;
    off += (d == dim ? idx : q) * a.xstrides(d);
  }
  return off;
}

/** out[i] = x[offset(i)], `per` outputs per part. */
export function gatherPart(args: usize, part: i32, thread: i32): void {
  const a = changetype<GatherArgs>(args);
  const rank = a.rank, dim = a.dim, size = a.size;
  const i0 = part * a.per, i1 = min(a.n, i0 + a.per);
  for (let i = i0; i < i1; i++) {
    const off = offsetOf(i, load<i32>(a.index + (<usize>i << 2)), rank, dim, size, a);
    store<i32>(a.out + (<usize>i << 2), off < 0 ? 0 : load<i32>(a.x + (<usize>off << 2)));
  }
}

/** out (zeroed by the caller) [offset(i)] += src[i] for every i in order: one part, so sums keep the js order. */
export function scatterAddPart(args: usize, part: i32, thread: i32): void {
  const a = changetype<ScatterAddArgs>(args);
  const g = changetype<GatherArgs>(args); // the same layout up to xstrides (interface.json), for offsetOf
  const rank = a.rank, dim = a.dim, size = a.size;
  for (let i = 0; i < a.n; i++) {
    const off = offsetOf(i, load<i32>(a.index + (<usize>i << 2)), rank, dim, size, g);
    if (off < 0) continue;
    const p = a.out + (<usize>off << 2);
    const s = a.src + (<usize>i << 2);
    if (a.int) store<i32>(p, load<i32>(p) + load<i32>(s));
    else store<f32>(p, load<f32>(p) + load<f32>(s));
  }
}
