// Kernels that move or pick values: pad and its adjoint, and argmax/argmin along a dim. Each computes exactly what
// the js kernel computes, in its order.
import { ArgReduceArgs, PadArgs, PadBackwardArgs } from './args.generated';

const CONSTANT = 0, REFLECT = 1, REPLICATE = 2;

/** Source index along one dim of size n for output index o (before elements added in front); -1: the fill value. */
// @ts-ignore: decorator
@inline function padSource(o: i32, before: i32, n: i32, mode: i32): i32 {
  const i = o - before;
  if (i >= 0 && i < n) return i;
  if (mode == CONSTANT) return -1;
  if (mode == REFLECT) return i < 0 ? -i : 2 * (n - 1) - i;
  if (mode == REPLICATE) return i < 0 ? 0 : n - 1;
  return ((i % n) + n) % n; // circular
}

/** Element offset of output row r's source row in x (rows: every dim but the last), or -1 when it is padding. */
// @ts-ignore: decorator
@inline function sourceRow(r: i32, rank: i32, a: PadArgs): i32 {
  let rem = r;
  let off = 0;
  let stride = a.inShape(rank - 1);
  for (let d = rank - 2; d >= 0; d--) {
    const len = a.outShape(d);
    const o = rem % len;
    rem /= len;
    const s = padSource(o, a.before(d), a.inShape(d), a.mode);
    if (s < 0) return -1;
    off += s * stride;
    stride *= a.inShape(d);
  }
  return off;
}

/** out = pad(x): `per` output rows per part; a row inside x is copied as one block, its padded ends element-wise. */
export function padPart(args: usize, part: i32, thread: i32): void {
  const a = changetype<PadArgs>(args);
  const rank = a.rank, mode = a.mode, bits = a.bits;
  const L = a.outShape(rank - 1), n = a.inShape(rank - 1), b = a.before(rank - 1);
  const rows = a.rows;
  const j0 = max(0, b), j1 = min(L, b + n); // the output columns that read x directly
  const r0 = part * a.per, r1 = min(rows, r0 + a.per);
  for (let r = r0; r < r1; r++) {
    const out = a.out + (<usize>(r * L) << 2);
    const src = sourceRow(r, rank, a);
    if (src < 0) {
      for (let j = 0; j < L; j++) store<i32>(out + (<usize>j << 2), bits);
      continue;
    }
    const row = a.x + (<usize>src << 2);
    for (let j = 0; j < min(j0, L); j++) {
      const s = padSource(j, b, n, mode);
      store<i32>(out + (<usize>j << 2), s < 0 ? bits : load<i32>(row + (<usize>s << 2)));
    }
    if (j1 > j0) memory.copy(out + (<usize>j0 << 2), row + (<usize>(j0 - b) << 2), <usize>(j1 - j0) << 2);
    for (let j = max(j0, j1); j < L; j++) {
      const s = padSource(j, b, n, mode);
      store<i32>(out + (<usize>j << 2), s < 0 ? bits : load<i32>(row + (<usize>s << 2)));
    }
  }
}

/**
 * dx[src] += dy over dy's rows in order (float32). With `zero` one part first zeroes dx and walks everything, so
 * folded sums (reflect, replicate, circular) add in the js kernel's order; otherwise (constant padding, no
 * cropping) each dx element receives exactly one value and parts split the rows.
 */
export function padBackwardPart(args: usize, part: i32, thread: i32): void {
  const a = changetype<PadBackwardArgs>(args);
  const p = changetype<PadArgs>(args); // the same layout up to rows (interface.json), for sourceRow
  const rank = a.rank, mode = a.mode;
  const L = a.outShape(rank - 1), n = a.inShape(rank - 1), b = a.before(rank - 1);
  if (a.zero) memory.fill(a.dx, 0, <usize>a.dxSize << 2);
  const r0 = part * a.per, r1 = min(a.rows, r0 + a.per);
  for (let r = r0; r < r1; r++) {
    const src = sourceRow(r, rank, p);
    if (src < 0) continue;
    const dy = a.dy + (<usize>(r * L) << 2);
    const row = a.dx + (<usize>src << 2);
    for (let j = 0; j < L; j++) {
      const s = padSource(j, b, n, mode);
      if (s < 0) continue;
      const q = row + (<usize>s << 2);
      // 0 + dy as the js kernel's zeroed accumulator gives (−0 becomes +0)
      store<f32>(q, (a.zero ? load<f32>(q) : 0) + load<f32>(dy + (<usize>j << 2)));
    }
  }
}

/** values/indices of the max (or min) along the middle dim of x viewed as [outer, n, inner]; NaN wins and sticks. */
export function argReducePart(args: usize, part: i32, thread: i32): void {
  const a = changetype<ArgReduceArgs>(args);
  const n = a.n, inner = a.inner, isMax = a.max;
  const i0 = part * a.per, i1 = min(a.outer * inner, i0 + a.per);
  for (let i = i0; i < i1; i++) {
    const o = i / inner, k0 = i % inner;
    const base = a.x + (<usize>(o * n * inner + k0) << 2);
    let best = load<f32>(base);
    let bestIdx = 0;
    if (best == best) {
      for (let k = 1; k < n; k++) {
        const v = load<f32>(base + (<usize>(k * inner) << 2));
        if (v != v) {
          best = v;
          bestIdx = k;
          break;
        }
        if (isMax ? v > best : v < best) {
          best = v;
          bestIdx = k;
        }
      }
    }
    store<f32>(a.values + (<usize>i << 2), best);
    store<i32>(a.indices + (<usize>i << 2), bestIdx);
  }
}
