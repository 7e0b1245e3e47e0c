// Winograd F(m×m, 3×3) convolution (Lavin & Gray 2016) for 3×3, stride-1, dilation-1, ungrouped convs, m = 2 or 4.
// Each output tile of m×m pixels comes from an α×α input patch (α = m + 2): V = Bᵀ d B per (channel, tile),
// M[ξ] = U[ξ] · V[ξ] for each of the α² points ξ (U = G g Gᵀ, the transformed weights), Y = Aᵀ M A per tile.
// The α² products are ordinary GEMMs (outC × inC by inC × tiles), so a 3×3 conv costs α²/(9m²) of the direct
// method's multiplications: 0.44× for F(2×2), 0.25× for F(4×4). A part owns a range of tiles (spanning images and
// tile rows, like the im2col columns) and runs it `chunk` tiles at a time: transform the inputs straight into the
// GEMM's packed-B layout, α² GEMMs into M, transform M into the outputs. Transforms run on 4 tiles at once (one
// tile per f32x4 lane): tile rows are first copied into zero-padded row buffers, so borders need no branches.
import { gemm, GEMM_SCRATCH_BYTES } from './gemm';
import { Geo, WinogradBackwardWeightArgs, WinogradForwardArgs, WinogradWeightGradArgs, WinogradWeightsArgs } from './args.generated';

// ---- 1-D transforms over 4 tiles (one per lane); s/d step by ss/ds bytes between the α (or m) vectors ----

// @ts-ignore: decorator
@inline function inputT2(s: usize, ss: usize, d: usize, ds: usize): void {
  const d0 = v128.load(s), d1 = v128.load(s + ss), d2 = v128.load(s + 2 * ss), d3 = v128.load(s + 3 * ss);
  v128.store(d, f32x4.sub(d0, d2));
  v128.store(d + ds, f32x4.add(d1, d2));
  v128.store(d + 2 * ds, f32x4.sub(d2, d1));
  v128.store(d + 3 * ds, f32x4.sub(d1, d3));
}

// @ts-ignore: decorator
@inline function outputT2(s: usize, ss: usize, d: usize, ds: usize): void {
  const m0 = v128.load(s), m1 = v128.load(s + ss), m2 = v128.load(s + 2 * ss), m3 = v128.load(s + 3 * ss);
  v128.store(d, f32x4.add(f32x4.add(m0, m1), m2));
  v128.store(d + ds, f32x4.sub(f32x4.sub(m1, m2), m3));
}

// @ts-ignore: decorator
@inline function inputT4(s: usize, ss: usize, d: usize, ds: usize): void {
  const d0 = v128.load(s), d1 = v128.load(s + ss), d2 = v128.load(s + 2 * ss);
  const d3 = v128.load(s + 3 * ss), d4 = v128.load(s + 4 * ss), d5 = v128.load(s + 5 * ss);
  const four = f32x4.splat(4), five = f32x4.splat(5), two = f32x4.splat(2);
  const t12 = f32x4.sub(d4, d2); // d4 − d2
  const t34 = f32x4.sub(d4, d3);
  const t43 = f32x4.add(d4, d3);
  v128.store(d, f32x4.add(f32x4.sub(f32x4.mul(four, d0), f32x4.mul(five, d2)), d4));
  v128.store(d + ds, f32x4.sub(t43, f32x4.mul(four, f32x4.add(d1, d2))));
  v128.store(d + 2 * ds, f32x4.add(t34, f32x4.mul(four, f32x4.sub(d1, d2))));
  v128.store(d + 3 * ds, f32x4.add(t12, f32x4.mul(two, f32x4.sub(d3, d1))));
  v128.store(d + 4 * ds, f32x4.add(t12, f32x4.mul(two, f32x4.sub(d1, d3))));
  v128.store(d + 5 * ds, f32x4.add(f32x4.sub(f32x4.mul(four, d1), f32x4.mul(five, d3)), d5));
}

// @ts-ignore: decorator
@inline function outputT4(s: usize, ss: usize, d: usize, ds: usize): void {
  const m0 = v128.load(s), m1 = v128.load(s + ss), m2 = v128.load(s + 2 * ss);
  const m3 = v128.load(s + 3 * ss), m4 = v128.load(s + 4 * ss), m5 = v128.load(s + 5 * ss);
  const a = f32x4.add(m1, m2), b = f32x4.sub(m1, m2);
  const c = f32x4.add(m3, m4), e = f32x4.sub(m3, m4);
  v128.store(d, f32x4.add(f32x4.add(m0, a), c));
  v128.store(d + ds, f32x4.add(b, f32x4.mul(f32x4.splat(2), e)));
  v128.store(d + 2 * ds, f32x4.add(a, f32x4.mul(f32x4.splat(4), c)));
  v128.store(d + 3 * ds, f32x4.add(f32x4.add(b, f32x4.mul(f32x4.splat(8), e)), m5));
}

/** G·g for 4 kernels at once (one per lane): one column of 3 taps into α vectors at out (16 bytes apart). */
// @ts-ignore: decorator
@inline function weightT(m: i32, g0: v128, g1: v128, g2: v128, out: usize): void {
  if (m == 2) {
    const half = f32x4.splat(0.5);
    const s = f32x4.add(g0, g2);
    v128.store(out, g0);
    v128.store(out, f32x4.mul(f32x4.add(s, g1), half), 16);
    v128.store(out, f32x4.mul(f32x4.sub(s, g1), half), 32);
    v128.store(out, g2, 48);
  } else {
    const s = f32x4.add(g0, g2);
    const q = f32x4.add(g0, f32x4.mul(f32x4.splat(4), g2));
    const g12 = f32x4.add(g1, g1);
    const sixth = f32x4.splat(<f32>(-1.0 / 6)), twentyFourth = f32x4.splat(<f32>(1.0 / 24));
    v128.store(out, f32x4.mul(g0, f32x4.splat(0.25)));
    v128.store(out, f32x4.mul(f32x4.add(s, g1), sixth), 16);
    v128.store(out, f32x4.mul(f32x4.sub(s, g1), sixth), 32);
    v128.store(out, f32x4.mul(f32x4.add(q, g12), twentyFourth), 48);
    v128.store(out, f32x4.mul(f32x4.sub(q, g12), twentyFourth), 64);
    v128.store(out, g2, 80);
  }
}

/** Tap `tap` (0..8, row-major) of the kernels of lanes k..k+3 (zeros past `depth`), rotated by 180° with `flip`. */
// @ts-ignore: decorator
@inline function gatherTap(w: usize, r: i32, k: i32, rows: i32, depth: i32, flip: bool, tap: i32): v128 {
  const t = flip ? 8 - tap : tap;
  // Lane l's kernel: w[k + l][r] (flip) or w[r][k + l], 9 floats each.
  const step: usize = flip ? <usize>(rows * 9) << 2 : 36;
  const g = w + (flip ? <usize>((k * rows + r) * 9 + t) << 2 : <usize>((r * depth + k) * 9 + t) << 2);
  let v = f32x4.splat(load<f32>(g));
  v = f32x4.replace_lane(v, 1, k + 1 < depth ? load<f32>(g + step) : 0);
  v = f32x4.replace_lane(v, 2, k + 2 < depth ? load<f32>(g + 2 * step) : 0);
  return f32x4.replace_lane(v, 3, k + 3 < depth ? load<f32>(g + 3 * step) : 0);
}

/**
 * U[ξ][r][k] = (G g Gᵀ)[ξ] for the kernel g of output row r and input column k, rows [part·per, +per). With `flip`
 * the kernel is that of the input gradient (a stride-1 conv of dy): g = w[k][r] rotated by 180°. Four kernels
 * (consecutive k) at a time, one per lane.
 */
export function winogradWeightsPart(args: usize, part: i32, thread: i32): void {
  const a = changetype<WinogradWeightsArgs>(args);
  const w = a.w, u = a.u, rows = a.rows, depth = a.depth, m = a.m, flip = a.flip;
  const alpha = m + 2;
  const r0 = part * a.per, r1 = min(rows, r0 + a.per);
  const t = a.scratch + <usize>thread * <usize>WEIGHT_SCRATCH_BYTES; // G·g: α×3 vectors
  const col = t + 16 * 18; // α vectors
  const block = col + 16 * 6; // [ξ][KB] floats: a block of k for every ξ, copied out as contiguous runs
  const plane = <usize>rows * <usize>depth;
  for (let r = r0; r < r1; r++) {
    for (let k0 = 0; k0 < depth; k0 += KB) {
      const kn = min(KB, depth - k0);
      for (let kk = 0; kk < kn; kk += 4) {
        const k = k0 + kk;
        // t = G·g, one kernel column (taps j, 3 + j, 6 + j) at a time.
        for (let j = 0; j < 3; j++) {
          const g0 = gatherTap(w, r, k, rows, depth, flip, j);
          const g1 = gatherTap(w, r, k, rows, depth, flip, 3 + j);
          const g2 = gatherTap(w, r, k, rows, depth, flip, 6 + j);
          weightT(m, g0, g1, g2, col);
          for (let i = 0; i < alpha; i++) v128.store(t + (<usize>(i * 3 + j) << 4), v128.load(col + (<usize>i << 4)));
        }
        // U = t·Gᵀ: each row of t through the same transform, straight into the block.
        for (let i = 0; i < alpha; i++) {
          const ti = t + (<usize>(i * 3) << 4);
          weightT(m, v128.load(ti), v128.load(ti, 16), v128.load(ti, 32), col);
          for (let j = 0; j < alpha; j++) {
            v128.store(block + (<usize>((i * alpha + j) * KB + kk) << 2), v128.load(col + (<usize>j << 4)));
          }
        }
      }
      // The α² destination rows are 1 plane apart (a power-of-two stride that thrashes one cache set when written
      // element by element), so each gets one contiguous copy.
      for (let xi = 0; xi < alpha * alpha; xi++) {
        memory.copy(u + ((<usize>xi * plane + <usize>r * <usize>depth + <usize>k0) << 2), block + (<usize>(xi * KB) << 2), <usize>kn << 2);
      }
    }
  }
}

/** Columns k per block of the weight transform, and one thread's scratch for it (t, col, then the block). */
const KB: i32 = 64;
export const WEIGHT_SCRATCH_BYTES: i32 = 16 * 24 + 4 * 36 * KB;

// ---- the forward pass ----

/** Floats in one zero-padded input or output row buffer of a segment of up to `chunk` tiles. */
// @ts-ignore: decorator
@inline function rowFloats(chunk: i32, m: i32): i32 {
  return (((chunk + 3) & ~3) + 2) * m + 8;
}

/** Copies row `ih` of channel plane `src` (width inW) at columns [iw0, iw0+width) into d, zeros outside the image. */
// @ts-ignore: decorator
@inline function paddedRow(src: usize, ih: i32, inH: i32, inW: i32, iw0: i32, width: i32, d: usize): void {
  if (<u32>ih >= <u32>inH) {
    memory.fill(d, 0, <usize>width << 2);
    return;
  }
  const row = src + (<usize>(ih * inW) << 2);
  const lead = min(width, max(0, -iw0));
  const inside = max(0, min(width - lead, inW - (iw0 + lead)));
  if (lead > 0) memory.fill(d, 0, <usize>lead << 2);
  if (inside > 0) memory.copy(d + (<usize>lead << 2), row + (<usize>(iw0 + lead) << 2), <usize>inside << 2);
  const tail = width - lead - inside;
  if (tail > 0) memory.fill(d + (<usize>(lead + inside) << 2), 0, <usize>tail << 2);
}

/** Loads the α vectors (element j of 4 consecutive tiles) of one padded input row starting at tile base b into d. */
// @ts-ignore: decorator
@inline function gatherTiles(m: i32, b: usize, d: usize): void {
  if (m == 2) {
    const v0 = v128.load(b), v1 = v128.load(b, 16), w0 = v128.load(b, 8), w1 = v128.load(b, 24);
    v128.store(d, i32x4.shuffle(v0, v1, 0, 2, 4, 6));
    v128.store(d, i32x4.shuffle(v0, v1, 1, 3, 5, 7), 16);
    v128.store(d, i32x4.shuffle(w0, w1, 0, 2, 4, 6), 32);
    v128.store(d, i32x4.shuffle(w0, w1, 1, 3, 5, 7), 48);
  } else {
    const l0 = v128.load(b), l1 = v128.load(b, 16), l2 = v128.load(b, 32), l3 = v128.load(b, 48), l4 = v128.load(b, 64);
    const p0 = i32x4.shuffle(l0, l1, 0, 4, 1, 5), p1 = i32x4.shuffle(l2, l3, 0, 4, 1, 5);
    const p2 = i32x4.shuffle(l0, l1, 2, 6, 3, 7), p3 = i32x4.shuffle(l2, l3, 2, 6, 3, 7);
    v128.store(d, i32x4.shuffle(p0, p1, 0, 1, 4, 5));
    v128.store(d, i32x4.shuffle(p0, p1, 2, 3, 6, 7), 16);
    v128.store(d, i32x4.shuffle(p2, p3, 0, 1, 4, 5), 32);
    v128.store(d, i32x4.shuffle(p2, p3, 2, 3, 6, 7), 48);
    const q0 = i32x4.shuffle(l1, l2, 0, 1, 4, 5), q1 = i32x4.shuffle(l3, l4, 0, 1, 4, 5);
    v128.store(d, i32x4.shuffle(q0, q1, 0, 2, 4, 6), 64);
    v128.store(d, i32x4.shuffle(q0, q1, 1, 3, 5, 7), 80);
  }
}

/**
 * Bᵀ d B for every input channel of tiles [b0, b0+cols) into V[ξ][channel][tile]: the GEMM's packed-B panels
 * (`packed`: panels of 8 tiles, [channel][8] inside) or plain rows of `pad` tiles. Each channel's segments (runs of
 * tiles along one tile row) go through zero-padded row buffers and the staging rows, 4 tiles at a time.
 */
function inputBlock(
  g: Geo, x: usize, m: i32, tilesW: i32, b0: i32, cols: i32, vBuf: usize, packed: bool,
  stage: usize, sRow: i32, rows: usize, rowW: i32, t0: usize, t1: usize,
): void {
  const alpha = m + 2, a2 = alpha * alpha;
  const inC = g.inC, inH = g.inH, inW = g.inW;
  const perImage = g.outH > 0 ? ((g.outH + m - 1) / m) * tilesW : 0;
  const pad = (cols + 7) & ~7;
  const vXi = <usize>(inC * pad) << 2; // bytes of one ξ's V
  const vec = <usize>16;
  const planeIn = <usize>(inH * inW) << 2;
  for (let ic = 0; ic < inC; ic++) {
    let t = b0;
    let c0 = 0;
    while (c0 < cols) {
      const n = t / perImage;
      const rem = t - n * perImage;
      const th = rem / tilesW;
      const tw = rem - th * tilesW;
      const cnt = min(tilesW - tw, cols - c0);
      const src = x + <usize>(n * inC + ic) * planeIn;
      const width = (((cnt + 3) & ~3) + 2) * m + 4;
      const ih0 = th * m - g.pT, iw0 = tw * m - g.pL;
      for (let i = 0; i < alpha; i++) paddedRow(src, ih0 + i, inH, inW, iw0, width, rows + (<usize>(i * rowW) << 2));
      for (let q = 0; q < cnt; q += 4) {
        const base = rows + (<usize>(q * m) << 2);
        for (let i = 0; i < alpha; i++) gatherTiles(m, base + (<usize>(i * rowW) << 2), t0 + <usize>(i * alpha) * vec);
        // Rows then columns: t1 = d·B, then Bᵀ·t1 into the staging rows (ξ = l·α + k at column c0 + q).
        const dst = stage + (<usize>(c0 + q) << 2);
        if (m == 2) {
          for (let i = 0; i < 4; i++) inputT2(t0 + <usize>(i * 4) * vec, vec, t1 + <usize>(i * 4) * vec, vec);
          for (let k = 0; k < 4; k++) inputT2(t1 + <usize>k * vec, 4 * vec, dst + (<usize>(k * sRow) << 2), <usize>(4 * sRow) << 2);
        } else {
          for (let i = 0; i < 6; i++) inputT4(t0 + <usize>(i * 6) * vec, vec, t1 + <usize>(i * 6) * vec, vec);
          for (let k = 0; k < 6; k++) inputT4(t1 + <usize>k * vec, 6 * vec, dst + (<usize>(k * sRow) << 2), <usize>(6 * sRow) << 2);
        }
      }
      t += cnt;
      c0 += cnt;
    }
    for (let xi = 0; xi < a2; xi++) {
      const s = stage + (<usize>(xi * sRow) << 2);
      if (packed) {
        // Staging row ξ, panel p (8 tiles) → V[ξ] row ic of panel p.
        let d = vBuf + <usize>xi * vXi + (<usize>(ic * 8) << 2);
        for (let p = 0; p < pad; p += 8) {
          v128.store(d, v128.load(s + (<usize>p << 2)));
          v128.store(d, v128.load(s + (<usize>p << 2), 16), 16);
          d += <usize>(inC * 8) << 2;
        }
      } else {
        memory.copy(vBuf + <usize>xi * vXi + (<usize>(ic * pad) << 2), s, <usize>cols << 2);
      }
    }
  }
}

/**
 * y = act(conv3×3(x, w) + bias + res) (res 0: none; act ReLU or none) for tiles [part·perPart, +perPart), `chunk` tiles per block; u holds the transformed
 * weights (winogradWeightsPart). Stride 1, dilation 1, groups 1; any padding (outH/outW give the bottom/right).
 */
export function winogradForwardPart(args: usize, part: i32, thread: i32): void {
  const g = changetype<Geo>(args);
  const a = changetype<WinogradForwardArgs>(args);
  const m = a.m, chunk = a.chunk, tilesH = a.tilesH, tilesW = a.tilesW;
  const alpha = m + 2, a2 = alpha * alpha;
  const inC = g.inC, outC = g.outC, inH = g.inH, inW = g.inW, outH = g.outH, outW = g.outW;
  const perImage = tilesH * tilesW;
  const total = g.batch * perImage;
  const start = part * a.perPart;
  const end = min(total, start + a.perPart);
  if (start >= end) return;
  const cp = (chunk + 7) & ~7;
  const rowW = rowFloats(chunk, m);
  const scratch = a.scratch + <usize>thread * <usize>a.scratchStride;
  const vBuf = scratch + <usize>GEMM_SCRATCH_BYTES;
  const mBuf = vBuf + (<usize>(a2 * inC * cp) << 2);
  const stage = mBuf + (<usize>(a2 * outC * cp) << 2);
  const sRow = cp + 8;
  const rows = stage + (<usize>(a2 * sRow) << 2);
  const t0 = rows + (<usize>(alpha * rowW) << 2);
  const t1 = t0 + (<usize>(a2 * 4) << 2);
  const t2 = t1 + (<usize>(a2 * 4) << 2);
  const vec = <usize>16;
  const planeOut = <usize>(outH * outW) << 2;

  for (let b0 = start; b0 < end; b0 += chunk) {
    const cols = min(chunk, end - b0);
    const pad = (cols + 7) & ~7;
    const vXi = <usize>(inC * pad) << 2; // bytes of one ξ's packed V
    const mXi = <usize>(outC * pad) << 2;
    // 1. Inputs, transformed straight into the GEMM's packed-B panels.
    inputBlock(g, a.x, m, tilesW, b0, cols, vBuf, true, stage, sRow, rows, rowW, t0, t1);
    // 2. The α² products M[ξ] = U[ξ] · V[ξ] (outC × cols).
    const uXi = <usize>(outC * inC) << 2;
    for (let xi = 0; xi < a2; xi++) {
      gemm(outC, cols, inC, a.u + <usize>xi * uXi, inC, false, vBuf + <usize>xi * vXi, pad, false, mBuf + <usize>xi * mXi, pad, false, scratch, true);
    }
    // 3. Outputs: per channel and segment, Aᵀ M A for 4 tiles at a time into m padded rows, then bias and clip.
    for (let oc = 0; oc < outC; oc++) {
      const bv: f32 = a.bias != 0 ? load<f32>(a.bias + (<usize>oc << 2)) : 0;
      let t = b0;
      let c0 = 0;
      while (c0 < cols) {
        const n = t / perImage;
        const rem = t - n * perImage;
        const th = rem / tilesW;
        const tw = rem - th * tilesW;
        const cnt = min(tilesW - tw, cols - c0);
        for (let q = 0; q < cnt; q += 4) {
          const src = mBuf + (<usize>(oc * pad + c0 + q) << 2);
          for (let xi = 0; xi < a2; xi++) v128.store(t0 + <usize>xi * vec, v128.load(src + <usize>xi * mXi));
          const out = rows + (<usize>(q * m) << 2);
          if (m == 2) {
            for (let i = 0; i < 4; i++) outputT2(t0 + <usize>(i * 4) * vec, vec, t1 + <usize>(i * 2) * vec, vec);
            for (let s = 0; s < 2; s++) outputT2(t1 + <usize>s * vec, 2 * vec, t2 + <usize>s * vec, 2 * vec);
            for (let r = 0; r < 2; r++) {
              const y0 = v128.load(t2 + <usize>(r * 2) * vec), y1 = v128.load(t2 + <usize>(r * 2 + 1) * vec);
              const o = out + (<usize>(r * rowW) << 2);
              v128.store(o, i32x4.shuffle(y0, y1, 0, 4, 1, 5));
              v128.store(o, i32x4.shuffle(y0, y1, 2, 6, 3, 7), 16);
            }
          } else {
            for (let i = 0; i < 6; i++) outputT4(t0 + <usize>(i * 6) * vec, vec, t1 + <usize>(i * 4) * vec, vec);
            for (let s = 0; s < 4; s++) outputT4(t1 + <usize>s * vec, 4 * vec, t2 + <usize>s * vec, 4 * vec);
            for (let r = 0; r < 4; r++) {
              const l0 = v128.load(t2 + <usize>(r * 4) * vec), l1 = v128.load(t2 + <usize>(r * 4 + 1) * vec);
              const l2 = v128.load(t2 + <usize>(r * 4 + 2) * vec), l3 = v128.load(t2 + <usize>(r * 4 + 3) * vec);
              const p0 = i32x4.shuffle(l0, l1, 0, 4, 1, 5), p1 = i32x4.shuffle(l2, l3, 0, 4, 1, 5);
              const p2 = i32x4.shuffle(l0, l1, 2, 6, 3, 7), p3 = i32x4.shuffle(l2, l3, 2, 6, 3, 7);
              const o = out + (<usize>(r * rowW) << 2);
              v128.store(o, i32x4.shuffle(p0, p1, 0, 1, 4, 5));
              v128.store(o, i32x4.shuffle(p0, p1, 2, 3, 6, 7), 16);
              v128.store(o, i32x4.shuffle(p2, p3, 0, 1, 4, 5), 32);
              v128.store(o, i32x4.shuffle(p2, p3, 2, 3, 6, 7), 48);
            }
          }
        }
        // The segment's m output rows, clipped to the image, plus the bias.
        const ow0 = tw * m;
        const valid = min(cnt * m, outW - ow0);
        const planeAt = <usize>(n * outC + oc) * planeOut;
        const dstPlane = a.y + planeAt;
        const resPlane = a.res + planeAt;
        const bias4 = f32x4.splat(bv);
        const zero = f32x4.splat(0);
        const res = a.res != 0, relu = a.relu;
        for (let r = 0; r < m; r++) {
          const oh = th * m + r;
          if (oh >= outH) break;
          const s = rows + (<usize>(r * rowW) << 2);
          const at = <usize>(oh * outW + ow0) << 2;
          const d = dstPlane + at;
          const rp = resPlane + at;
          let j = 0;
          for (; j + 4 <= valid; j += 4) {
            const o = <usize>j << 2;
            let v = f32x4.add(v128.load(s + o), bias4);
            if (res) v = f32x4.add(v, v128.load(rp + o));
            if (relu) v = v128.and(v, v128.or(f32x4.gt(v, zero), f32x4.ne(v, v))); // as the relu kernel
            v128.store(d + o, v);
          }
          for (; j < valid; j++) {
            const o = <usize>j << 2;
            let v = load<f32>(s + o) + bv;
            if (res) v += load<f32>(rp + o);
            if (relu) v = v > 0 || v != v ? v : 0;
            store<f32>(d + o, v);
          }
        }
        t += cnt;
        c0 += cnt;
      }
    }
  }
}

// ---- the weight gradient: dW = Gᵀ [Σ over tiles (A dY Aᵀ) ⊙ (Bᵀ d B)] G ----
// From y = Aᵀ (U ⊙ V) A per tile: ∂L/∂U = (A dY Aᵀ) ⊙ V, and ∂L/∂g = Gᵀ (∂L/∂U) G. The sum over tiles is, for each
// point ξ, a GEMM Z[ξ] (outC × inC) += Ã[ξ] (outC × tiles) · V[ξ]ᵀ (tiles × inC) with the tiles as the inner dimension.

/** A·y for 4 tiles: m values (s, ss apart) to α (d, ds apart); A = (Aᵀ)ᵀ of the output transform. */
// @ts-ignore: decorator
@inline function gradT(m: i32, s: usize, ss: usize, d: usize, ds: usize): void {
  if (m == 2) {
    const y0 = v128.load(s), y1 = v128.load(s + ss);
    v128.store(d, y0);
    v128.store(d + ds, f32x4.add(y0, y1));
    v128.store(d + 2 * ds, f32x4.sub(y0, y1));
    v128.store(d + 3 * ds, f32x4.neg(y1));
  } else {
    const y0 = v128.load(s), y1 = v128.load(s + ss), y2 = v128.load(s + 2 * ss), y3 = v128.load(s + 3 * ss);
    const e = f32x4.add(y0, y2), o = f32x4.add(y1, y3);
    const e4 = f32x4.add(y0, f32x4.mul(f32x4.splat(4), y2)), o4 = f32x4.add(f32x4.add(y1, y1), f32x4.mul(f32x4.splat(8), y3));
    v128.store(d, y0);
    v128.store(d + ds, f32x4.add(e, o));
    v128.store(d + 2 * ds, f32x4.sub(e, o));
    v128.store(d + 3 * ds, f32x4.add(e4, o4));
    v128.store(d + 4 * ds, f32x4.sub(e4, o4));
    v128.store(d + 5 * ds, y3);
  }
}

/**
 * Z partial sums for tiles [part·perPart, +perPart): one α²·outC·inC block per part at `acc` (summed in part
 * order by winogradWeightGradPart, so results do not depend on timing).
 */
export function winogradBackwardWeightPart(args: usize, part: i32, thread: i32): void {
  const g = changetype<Geo>(args);
  const a = changetype<WinogradBackwardWeightArgs>(args);
  const m = a.m, chunk = a.chunk, tilesH = a.tilesH, tilesW = a.tilesW;
  const alpha = m + 2, a2 = alpha * alpha;
  const inC = g.inC, outC = g.outC, outH = g.outH, outW = g.outW;
  const perImage = tilesH * tilesW;
  const total = g.batch * perImage;
  const acc = a.acc + (<usize>(part * a2 * outC * inC) << 2);
  const start = part * a.perPart;
  const end = min(total, start + a.perPart);
  if (start >= end) {
    memory.fill(acc, 0, <usize>(a2 * outC * inC) << 2);
    return;
  }
  const cp = (chunk + 7) & ~7;
  const rowW = rowFloats(chunk, m);
  const scratch = a.scratch + <usize>thread * <usize>a.scratchStride;
  const vBuf = scratch + <usize>GEMM_SCRATCH_BYTES;
  const dBuf = vBuf + (<usize>(a2 * inC * cp) << 2);
  const stage = dBuf + (<usize>(a2 * outC * cp) << 2);
  const sRow = cp + 8;
  const rows = stage + (<usize>(a2 * sRow) << 2);
  const t0 = rows + (<usize>(alpha * rowW) << 2);
  const t1 = t0 + (<usize>(a2 * 4) << 2);
  const vec = <usize>16;
  const planeOut = <usize>(outH * outW) << 2;
  const zXi = <usize>(outC * inC) << 2;

  for (let b0 = start; b0 < end; b0 += chunk) {
    const cols = min(chunk, end - b0);
    const pad = (cols + 7) & ~7;
    const vXi = <usize>(inC * pad) << 2;
    const dXi = <usize>(outC * pad) << 2;
    inputBlock(g, a.x, m, tilesW, b0, cols, vBuf, false, stage, sRow, rows, rowW, t0, t1);
    // Ã = A dY Aᵀ per output channel and tile (dY zero past the image's bottom and right edges).
    for (let oc = 0; oc < outC; oc++) {
      let t = b0;
      let c0 = 0;
      while (c0 < cols) {
        const n = t / perImage;
        const rem = t - n * perImage;
        const th = rem / tilesW;
        const tw = rem - th * tilesW;
        const cnt = min(tilesW - tw, cols - c0);
        const src = a.dy + <usize>(n * outC + oc) * planeOut;
        const width = ((cnt + 3) & ~3) * m;
        for (let r = 0; r < m; r++) paddedRow(src, th * m + r, outH, outW, tw * m, width, rows + (<usize>(r * rowW) << 2));
        for (let q = 0; q < cnt; q += 4) {
          // dY[r][s] of 4 tiles into t0 (m×m vectors).
          for (let r = 0; r < m; r++) {
            const b = rows + (<usize>(r * rowW + q * m) << 2);
            const d = t0 + <usize>(r * m) * vec;
            if (m == 2) {
              const v0 = v128.load(b), v1 = v128.load(b, 16);
              v128.store(d, i32x4.shuffle(v0, v1, 0, 2, 4, 6));
              v128.store(d, i32x4.shuffle(v0, v1, 1, 3, 5, 7), 16);
            } else {
              const l0 = v128.load(b), l1 = v128.load(b, 16), l2 = v128.load(b, 32), l3 = v128.load(b, 48);
              const p0 = i32x4.shuffle(l0, l1, 0, 4, 1, 5), p1 = i32x4.shuffle(l2, l3, 0, 4, 1, 5);
              const p2 = i32x4.shuffle(l0, l1, 2, 6, 3, 7), p3 = i32x4.shuffle(l2, l3, 2, 6, 3, 7);
              v128.store(d, i32x4.shuffle(p0, p1, 0, 1, 4, 5));
              v128.store(d, i32x4.shuffle(p0, p1, 2, 3, 6, 7), 16);
              v128.store(d, i32x4.shuffle(p2, p3, 0, 1, 4, 5), 32);
              v128.store(d, i32x4.shuffle(p2, p3, 2, 3, 6, 7), 48);
            }
          }
          // Rows (t1[r][k] = A·dY[r][:]) then columns (Ã[l][k] = A·t1[:][k]) into the staging rows.
          for (let r = 0; r < m; r++) gradT(m, t0 + <usize>(r * m) * vec, vec, t1 + <usize>(r * alpha) * vec, vec);
          const dst = stage + (<usize>(c0 + q) << 2);
          for (let k = 0; k < alpha; k++) gradT(m, t1 + <usize>k * vec, <usize>alpha * vec, dst + (<usize>(k * sRow) << 2), <usize>(alpha * sRow) << 2);
        }
        t += cnt;
        c0 += cnt;
      }
      for (let xi = 0; xi < a2; xi++) memory.copy(dBuf + <usize>xi * dXi + (<usize>(oc * pad) << 2), stage + (<usize>(xi * sRow) << 2), <usize>cols << 2);
    }
    // Z[ξ] (+)= Ã[ξ] · V[ξ]ᵀ, the tiles as the inner dimension.
    for (let xi = 0; xi < a2; xi++) {
      gemm(outC, inC, cols, dBuf + <usize>xi * dXi, pad, false, vBuf + <usize>xi * vXi, pad, true, acc + <usize>xi * zXi, inC, b0 > start, scratch);
    }
  }
}

/** Gᵀ·z for one line of α values (f64): 3 values at out. */
// @ts-ignore: decorator
@inline function weightGradT(m: i32, z: usize, zs: usize, out: usize, os: usize): void {
  const z0 = load<f64>(z), z1 = load<f64>(z + zs), z2 = load<f64>(z + 2 * zs), z3 = load<f64>(z + 3 * zs);
  if (m == 2) {
    const h = (z1 + z2) * 0.5;
    store<f64>(out, z0 + h);
    store<f64>(out + os, (z1 - z2) * 0.5);
    store<f64>(out + 2 * os, h + z3);
  } else {
    const z4 = load<f64>(z + 4 * zs), z5 = load<f64>(z + 5 * zs);
    const s12 = (z1 + z2) * (1.0 / 6), s34 = z3 + z4;
    store<f64>(out, z0 * 0.25 - s12 + s34 * (1.0 / 24));
    store<f64>(out + os, (z2 - z1) * (1.0 / 6) + (z3 - z4) * (1.0 / 12));
    store<f64>(out + 2 * os, s34 * (1.0 / 6) - s12 + z5);
  }
}

/** dW[o][c] = Gᵀ (Σ_parts Z[·][o][c]) G for output channels [part·per, +per), the parts summed in order. */
export function winogradWeightGradPart(args: usize, part: i32, thread: i32): void {
  const a = changetype<WinogradWeightGradArgs>(args);
  const m = a.m, outC = a.outC, inC = a.inC, nparts = a.nparts;
  const alpha = m + 2, a2 = alpha * alpha;
  const plane = <usize>outC * <usize>inC;
  const block = <usize>a2 * plane;
  const z = a.scratch + <usize>thread * 512; // α² f64 sums, then α×3
  const t = z + 8 * 36;
  const o0 = part * a.per, o1 = min(outC, o0 + a.per);
  for (let o = o0; o < o1; o++) {
    for (let c = 0; c < inC; c++) {
      const at = <usize>o * <usize>inC + <usize>c;
      for (let xi = 0; xi < a2; xi++) {
        let sum: f64 = 0;
        for (let q = 0; q < nparts; q++) sum += <f64>load<f32>(a.z + ((<usize>q * block + <usize>xi * plane + at) << 2));
        store<f64>(z + (<usize>xi << 3), sum);
      }
      // Rows (t[k][j] = Gᵀ·Z[k][:]) then columns (dW[i][j] = Gᵀ·t[:][j]).
      for (let k = 0; k < alpha; k++) weightGradT(m, z + (<usize>(k * alpha) << 3), 8, t + (<usize>(k * 3) << 3), 8);
      const dw = a.dw + (<usize>(at * 9) << 2);
      for (let j = 0; j < 3; j++) {
        weightGradT(m, t + (<usize>j << 3), 24, z, 8);
        for (let i = 0; i < 3; i++) store<f32>(dw + (<usize>(i * 3 + j) << 2), <f32>load<f64>(z + (<usize>i << 3)));
      }
    }
  }
}
