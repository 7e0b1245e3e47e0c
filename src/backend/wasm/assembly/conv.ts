// conv2d forward and both backward passes as im2col + GEMM over ranges of the flattened (image, output pixel)
// column space J = batch·outH·outW. A range may span images, so small outputs (LeNet's late layers) still give
// wide products. Parts of a parallel run own disjoint column ranges (forward, weight gradient into per-part
// accumulators) or whole images (input gradient, whose col2im scatters across a receptive field).
import { gemm, GEMM_SCRATCH_BYTES } from './gemm';
import { ConvBackwardInputArgs, ConvBackwardWeightArgs, ConvForwardArgs, FlipWeightsArgs, Geo, SumBlocksArgs } from './args.generated';

/**
 * The column matrix (channels [c0, c0+cg) at columns [j0, j0+cols), rows cg·kH·kW) written in the GEMM's packed-B layout (panels of 8 columns, [row][8] inside a panel, the last panel
 * zero-padded), so the GEMM skips packing. Each row is first unfolded into `rowTmp` (contiguous: memory.copy for
 * interior runs), then dealt into the panels 8 floats at a time, all in L1.
 */
function im2colPacked(x: usize, g: Geo, c0: i32, cg: i32, j0: i32, cols: i32, dst: usize, rowTmp: usize): void {
  const Kc = cg * g.kH * g.kW;
  const panelBytes = <usize>Kc << 5; // Kc rows × 8 floats
  const padded = (cols + 7) & ~7;
  memory.fill(rowTmp + (<usize>cols << 2), 0, <usize>(padded - cols) << 2);
  for (let r = 0; r < Kc; r++) {
    const ch = r / (g.kH * g.kW);
    const tap = r - ch * g.kH * g.kW;
    const ki = tap / g.kW, kj = tap - ki * g.kW;
    unfoldRow(x, g, c0 + ch, ki, kj, j0, cols, rowTmp);
    let d = dst + (<usize>r << 5);
    for (let q = 0; q < padded; q += 8) {
      const src = rowTmp + (<usize>q << 2);
      v128.store(d, v128.load(src));
      v128.store(d, v128.load(src, 16), 16);
      d += panelBytes;
    }
  }
}

/**
 * The column matrix transposed and packed for the weight gradient dW = dy · colᵀ, whose B operand is colᵀ
 * (K = columns, N = Kc rows): panel p holds rows [8p, 8p+8) of col as [column][8]. Eight rows are unfolded into
 * `tmp` (8 × cols) and transposed 4×4 at a time with shuffles.
 */
function im2colPackedT(x: usize, g: Geo, c0: i32, cg: i32, j0: i32, cols: i32, dst: usize, tmp: usize): void {
  const Kc = cg * g.kH * g.kW;
  const taps = g.kH * g.kW;
  const stride = <usize>cols << 2; // bytes per tmp row
  const cols4 = cols & ~3;
  for (let r0 = 0; r0 < Kc; r0 += 8) {
    for (let i = 0; i < 8; i++) {
      const r = r0 + i;
      const row = tmp + <usize>i * stride;
      if (r < Kc) {
        const ch = r / taps;
        const tap = r - ch * taps;
        const ki = tap / g.kW;
        unfoldRow(x, g, c0 + ch, ki, tap - ki * g.kW, j0, cols, row);
      } else {
        memory.fill(row, 0, stride);
      }
    }
    const panel = dst + (<usize>(r0 >> 3) * <usize>cols << 5);
    for (let j = 0; j < cols4; j += 4) {
      const o = <usize>j << 2;
      const a = v128.load(tmp + o), b = v128.load(tmp + stride + o);
      const c = v128.load(tmp + 2 * stride + o), d = v128.load(tmp + 3 * stride + o);
      const e = v128.load(tmp + 4 * stride + o), f = v128.load(tmp + 5 * stride + o);
      const gg = v128.load(tmp + 6 * stride + o), h = v128.load(tmp + 7 * stride + o);
      const t0 = i32x4.shuffle(a, b, 0, 4, 1, 5), t1 = i32x4.shuffle(c, d, 0, 4, 1, 5);
      const t2 = i32x4.shuffle(a, b, 2, 6, 3, 7), t3 = i32x4.shuffle(c, d, 2, 6, 3, 7);
      const u0 = i32x4.shuffle(e, f, 0, 4, 1, 5), u1 = i32x4.shuffle(gg, h, 0, 4, 1, 5);
      const u2 = i32x4.shuffle(e, f, 2, 6, 3, 7), u3 = i32x4.shuffle(gg, h, 2, 6, 3, 7);
      const out = panel + (<usize>j << 5);
      v128.store(out, i32x4.shuffle(t0, t1, 0, 1, 4, 5));
      v128.store(out, i32x4.shuffle(u0, u1, 0, 1, 4, 5), 16);
      v128.store(out, i32x4.shuffle(t0, t1, 2, 3, 6, 7), 32);
      v128.store(out, i32x4.shuffle(u0, u1, 2, 3, 6, 7), 48);
      v128.store(out, i32x4.shuffle(t2, t3, 0, 1, 4, 5), 64);
      v128.store(out, i32x4.shuffle(u2, u3, 0, 1, 4, 5), 80);
      v128.store(out, i32x4.shuffle(t2, t3, 2, 3, 6, 7), 96);
      v128.store(out, i32x4.shuffle(u2, u3, 2, 3, 6, 7), 112);
    }
    for (let j = cols4; j < cols; j++) {
      const out = panel + (<usize>j << 5);
      for (let i = 0; i < 8; i++) store<f32>(out + (<usize>i << 2), load<f32>(tmp + <usize>i * stride + (<usize>j << 2)));
    }
  }
}

/** One row of the column matrix: tap (ki, kj) of channel ch at columns [j0, j0+cols), into d. */
function unfoldRow(x: usize, g: Geo, ch: i32, ki: i32, kj: i32, j0: i32, cols: i32, d: usize): void {
  const P = g.outH * g.outW;
  let j = j0;
  let t = 0;
  while (t < cols) {
    const n = j / P;
    const rem = j - n * P;
    const oh = rem / g.outW;
    const ow = rem - oh * g.outW;
    const seg = min(g.outW - ow, cols - t);
    const ih = oh * g.sH - g.pT + ki * g.dH;
    if (<u32>ih >= <u32>g.inH) {
      memory.fill(d, 0, <usize>seg << 2);
    } else {
      const row = x + (<usize>(((n * g.inC + ch) * g.inH + ih) * g.inW) << 2);
      let iw = ow * g.sW - g.pL + kj * g.dW;
      if (g.sW == 1) {
        // Zeros left of the image, one copy for the inside, zeros right of it.
        const lead = min(seg, max(0, -iw));
        const inside = max(0, min(seg - lead, g.inW - (iw + lead)));
        if (lead > 0) memory.fill(d, 0, <usize>lead << 2);
        if (inside > 0) memory.copy(d + (<usize>lead << 2), row + (<usize>(iw + lead) << 2), <usize>inside << 2);
        const tail = seg - lead - inside;
        if (tail > 0) memory.fill(d + (<usize>(lead + inside) << 2), 0, <usize>tail << 2);
      } else {
        for (let s = 0; s < seg; s++) {
          store<f32>(d + (<usize>s << 2), <u32>iw < <u32>g.inW ? load<f32>(row + (<usize>iw << 2)) : 0);
          iw += g.sW;
        }
      }
    }
    d += <usize>seg << 2;
    j += seg;
    t += seg;
  }
}

/** Folds src [cg·kH·kW, cols] back, accumulating into channels [c0, c0+cg) of dx at columns [j0, j0+cols). */
function col2imRange(src: usize, g: Geo, c0: i32, cg: i32, j0: i32, cols: i32, dx: usize): void {
  const P = g.outH * g.outW;
  for (let ch = 0; ch < cg; ch++) {
    for (let ki = 0; ki < g.kH; ki++) {
      for (let kj = 0; kj < g.kW; kj++) {
        let s = src + (<usize>(((ch * g.kH + ki) * g.kW + kj) * cols) << 2);
        let j = j0;
        let t = 0;
        while (t < cols) {
          const n = j / P;
          const rem = j - n * P;
          const oh = rem / g.outW;
          const ow = rem - oh * g.outW;
          const seg = min(g.outW - ow, cols - t);
          const ih = oh * g.sH - g.pT + ki * g.dH;
          if (<u32>ih < <u32>g.inH) {
            const row = dx + (<usize>(((n * g.inC + c0 + ch) * g.inH + ih) * g.inW) << 2);
            let iw = ow * g.sW - g.pL + kj * g.dW;
            for (let q = 0; q < seg; q++) {
              if (<u32>iw < <u32>g.inW) {
                const p = row + (<usize>iw << 2);
                store<f32>(p, load<f32>(p) + load<f32>(s + (<usize>q << 2)));
              }
              iw += g.sW;
            }
          }
          s += <usize>seg << 2;
          j += seg;
          t += seg;
        }
      }
    }
  }
}

/** Copies rows [o0, o0+og) of a [N, O, P] tensor at columns [j0, j0+cols) into mat [og, cols], or back. */
function gatherCols(t: usize, O: i32, P: i32, o0: i32, og: i32, j0: i32, cols: i32, mat: usize, back: bool): void {
  let j = j0;
  let c = 0;
  while (c < cols) {
    const n = j / P;
    const p = j - n * P;
    const seg = min(P - p, cols - c);
    for (let o = 0; o < og; o++) {
      const tp = t + (<usize>((n * O + o0 + o) * P + p) << 2);
      const mp = mat + (<usize>(o * cols + c) << 2);
      if (back) memory.copy(tp, mp, <usize>seg << 2);
      else memory.copy(mp, tp, <usize>seg << 2);
    }
    j += seg;
    c += seg;
  }
}

function isPointwise(g: Geo): bool {
  return g.kH == 1 && g.kW == 1 && g.sH == 1 && g.sW == 1 && g.pT == 0 && g.pL == 0 && g.inH == g.outH && g.inW == g.outW;
}

// Scratch of one thread: [gemm packing | col: (Kc rounded up to 8)·chunk | mat: max(og, cg)·chunk | 8 rows: 8·chunk].
// @ts-ignore: decorator
@inline function colBuffer(scratch: usize): usize {
  return scratch + <usize>GEMM_SCRATCH_BYTES;
}

/**
 * y = conv(x, w) + bias (bias 0: none) by im2col + GEMM, `chunk` columns at a time; ocPer output channels per block
 * (a multiple of 4). Part p covers column range p / blocks and output channels block p % blocks: few columns (late
 * layers, batch 1) split over channels instead, so each part packs only its rows of the weights.
 */
export function convForwardPart(args: usize, part: i32, thread: i32): void {
  const geo = changetype<Geo>(args);
  const a = changetype<ConvForwardArgs>(args);
  const x = a.x, w = a.w, bias = a.bias, y = a.y;
  const chunk = a.chunk, perPart = a.perPart;
  const scratch = a.scratch + <usize>thread * <usize>a.scratchStride;
  const blocks = a.blocks, ocPer = a.ocPer;
  const colPart = part / blocks;
  const P = geo.outH * geo.outW;
  const J = geo.batch * P;
  const cg = geo.inC / geo.groups, og = geo.outC / geo.groups;
  const Kc = cg * geo.kH * geo.kW;
  const o0 = (part - colPart * blocks) * ocPer;
  const rows = min(ocPer, og - o0);
  if (rows <= 0) return;
  const col = colBuffer(scratch);
  const mat = col + (<usize>(((Kc + 7) & ~7) * chunk) << 2);
  const rowTmp = mat + (<usize>(max(og, cg) * chunk) << 2);
  const pointwise = isPointwise(geo);
  const end = min(J, (colPart + 1) * perPart);
  for (let j0 = colPart * perPart; j0 < end; j0 += chunk) {
    const n = j0 / P;
    const p0 = j0 - n * P;
    const cols = min(chunk, end - j0);
    const single = p0 + cols <= P; // the range lies inside one image: read and write it in place
    for (let gi = 0; gi < geo.groups; gi++) {
      const wg = w + (<usize>((gi * og + o0) * Kc) << 2);
      let b: usize, ldb: i32;
      const direct = pointwise && single;
      if (direct) {
        b = x + (<usize>((n * geo.inC + gi * cg) * P + p0) << 2);
        ldb = P;
      } else {
        im2colPacked(x, geo, gi * cg, cg, j0, cols, col, rowTmp);
        b = col;
        ldb = cols;
      }
      if (single) {
        gemm(rows, cols, Kc, wg, Kc, false, b, ldb, false, y + (<usize>((n * geo.outC + gi * og + o0) * P + p0) << 2), P, false, scratch, !direct);
      } else {
        gemm(rows, cols, Kc, wg, Kc, false, b, ldb, false, mat, cols, false, scratch, !direct);
        gatherCols(y, geo.outC, P, gi * og + o0, rows, j0, cols, mat, true);
      }
    }
    if (bias != 0 || a.res != 0 || a.relu) {
      // The epilogue on the block just written (still in cache): + bias, + residual, ReLU.
      const res = a.res, relu = a.relu;
      const zero = f32x4.splat(0);
      let j = j0;
      let c = 0;
      while (c < cols) {
        const nn = j / P;
        const p = j - nn * P;
        const seg = min(P - p, cols - c);
        for (let gi = 0; gi < geo.groups; gi++) {
          for (let o = gi * og + o0; o < gi * og + o0 + rows; o++) {
            const bs: f32 = bias != 0 ? load<f32>(bias + (<usize>o << 2)) : 0;
            const bv = f32x4.splat(bs);
            const off = <usize>((nn * geo.outC + o) * P + p) << 2;
            const row = y + off;
            const rrow = res + off;
            let q = 0;
            for (; q + 4 <= seg; q += 4) {
              const at = <usize>q << 2;
              let v = f32x4.add(v128.load(row + at), bv);
              if (res != 0) v = f32x4.add(v, v128.load(rrow + at));
              if (relu) v = v128.and(v, v128.or(f32x4.gt(v, zero), f32x4.ne(v, v))); // as the relu kernel
              v128.store(row + at, v);
            }
            for (; q < seg; q++) {
              const at = <usize>q << 2;
              let v = load<f32>(row + at) + bs;
              if (res != 0) v += load<f32>(rrow + at);
              if (relu) v = v > 0 || v != v ? v : 0;
              store<f32>(row + at, v);
            }
          }
        }
        j += seg;
        c += seg;
      }
    }
  }
}

/** dx by GEMM + col2im, `perPart` images per part. */
export function convBackwardInputPart(args: usize, part: i32, thread: i32): void {
  const geo = changetype<Geo>(args);
  const a = changetype<ConvBackwardInputArgs>(args);
  const dy = a.dy, w = a.w, dx = a.dx;
  const chunk = a.chunk, perPart = a.perPart;
  const scratch = a.scratch + <usize>thread * <usize>a.scratchStride;
  const P = geo.outH * geo.outW;
  const cg = geo.inC / geo.groups, og = geo.outC / geo.groups;
  const Kc = cg * geo.kH * geo.kW;
  const col = colBuffer(scratch);
  const mat = col + (<usize>(((Kc + 7) & ~7) * chunk) << 2);
  const pointwise = isPointwise(geo);
  const n0 = part * perPart;
  const n1 = min(geo.batch, n0 + perPart);
  if (n0 >= n1) return;
  const planeIn = geo.inC * geo.inH * geo.inW;
  if (!pointwise) memory.fill(dx + (<usize>(n0 * planeIn) << 2), 0, <usize>((n1 - n0) * planeIn) << 2);
  const end = n1 * P;
  for (let j0 = n0 * P; j0 < end; j0 += chunk) {
    const n = j0 / P;
    const p0 = j0 - n * P;
    const cols = min(chunk, end - j0);
    const single = p0 + cols <= P;
    for (let gi = 0; gi < geo.groups; gi++) {
      const wg = w + (<usize>(gi * og * Kc) << 2);
      let b: usize, ldb: i32;
      if (single) {
        b = dy + (<usize>((n * geo.outC + gi * og) * P + p0) << 2);
        ldb = P;
      } else {
        gatherCols(dy, geo.outC, P, gi * og, og, j0, cols, mat, false);
        b = mat;
        ldb = cols;
      }
      if (pointwise && single) {
        // dx_g = W_gᵀ · dy_g written straight into dx.
        gemm(Kc, cols, og, wg, Kc, true, b, ldb, false, dx + (<usize>((n * geo.inC + gi * cg) * P + p0) << 2), P, false, scratch);
      } else {
        gemm(Kc, cols, og, wg, Kc, true, b, ldb, false, col, cols, false, scratch);
        if (pointwise) gatherCols(dx, geo.inC, P, gi * cg, cg, j0, cols, col, true);
        else col2imRange(col, geo, gi * cg, cg, j0, cols, dx);
      }
    }
  }
}

/** dw partial sums, one [outC, Kc] accumulator block per part at `acc`, over `perPart` columns per part. */
export function convBackwardWeightPart(args: usize, part: i32, thread: i32): void {
  const geo = changetype<Geo>(args);
  const a = changetype<ConvBackwardWeightArgs>(args);
  const x = a.x, dy = a.dy, accBase = a.acc;
  const chunk = a.chunk, perPart = a.perPart;
  const scratch = a.scratch + <usize>thread * <usize>a.scratchStride;
  const P = geo.outH * geo.outW;
  const J = geo.batch * P;
  const cg = geo.inC / geo.groups, og = geo.outC / geo.groups;
  const Kc = cg * geo.kH * geo.kW;
  const col = colBuffer(scratch);
  const mat = col + (<usize>(((Kc + 7) & ~7) * chunk) << 2);
  const pointwise = isPointwise(geo);
  const rowTmp = mat + (<usize>(max(og, cg) * chunk) << 2);
  const acc = accBase + (<usize>(part * geo.outC * Kc) << 2);
  const start = part * perPart;
  const end = min(J, start + perPart);
  if (start >= end) {
    memory.fill(acc, 0, <usize>(geo.outC * Kc) << 2);
    return;
  }
  for (let j0 = start; j0 < end; j0 += chunk) {
    const n = j0 / P;
    const p0 = j0 - n * P;
    const cols = min(chunk, end - j0);
    const single = p0 + cols <= P;
    for (let gi = 0; gi < geo.groups; gi++) {
      let a: usize, lda: i32, b: usize, ldb: i32;
      if (single) {
        a = dy + (<usize>((n * geo.outC + gi * og) * P + p0) << 2);
        lda = P;
      } else {
        gatherCols(dy, geo.outC, P, gi * og, og, j0, cols, mat, false);
        a = mat;
        lda = cols;
      }
      const direct = pointwise && single;
      if (direct) {
        b = x + (<usize>((n * geo.inC + gi * cg) * P + p0) << 2);
        ldb = P;
      } else {
        im2colPackedT(x, geo, gi * cg, cg, j0, cols, col, rowTmp);
        b = col;
        ldb = cols;
      }
      // dW_g (+)= dy_g · colᵀ
      gemm(og, Kc, cols, a, lda, false, b, ldb, true, acc + (<usize>(gi * og * Kc) << 2), Kc, j0 > start, scratch, !direct);
    }
  }
}

/** dst = Σ of the nparts blocks of `count` floats at src, in block order; `per` elements per part. */
export function sumBlocksPart(args: usize, part: i32, thread: i32): void {
  const a = changetype<SumBlocksArgs>(args);
  const dst = a.dst, src = a.src, count = a.count, nparts = a.nparts, per = a.per;
  const i0 = part * per;
  const i1 = min(count, i0 + per);
  for (let i = i0; i < i1; i++) {
    let s: f32 = 0;
    for (let q = 0; q < nparts; q++) s += load<f32>(src + (<usize>(q * count + i) << 2));
    store<f32>(dst + (<usize>i << 2), s);
  }
}

/**
 * W' for the input gradient of a stride-1 conv computed as a convolution of dy: W'[g·cg + ci, co, kh, kw] =
 * W[g·og + co, ci, kH−1−kh, kW−1−kw]. args: 0 w, 1 out, 2 outC, 3 cg, 4 kH, 5 kW, 6 groups, 7 rows of W' per part.
 */
export function flipWeightsPart(args: usize, part: i32, thread: i32): void {
  const a = changetype<FlipWeightsArgs>(args);
  const w = a.w, out = a.out;
  const outC = a.outC, cg = a.cg, kH = a.kH, kW = a.kW, groups = a.groups, per = a.per;
  const og = outC / groups;
  const taps = kH * kW;
  const r0 = part * per, r1 = min(cg * groups, r0 + per);
  for (let r = r0; r < r1; r++) {
    const gi = r / cg, ci = r - gi * cg;
    for (let co = 0; co < og; co++) {
      const src = w + (<usize>(((gi * og + co) * cg + ci) * taps) << 2);
      const dst = out + (<usize>((r * og + co) * taps) << 2);
      for (let t = 0; t < taps; t++) store<f32>(dst + (<usize>t << 2), load<f32>(src + (<usize>(taps - 1 - t) << 2)));
    }
  }
}
