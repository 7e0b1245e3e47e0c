// Direct convolution for thin layers (few channels: LeNet's 1→6 and 6→16, a CIFAR net's first layer), stride 1,
// dilation 1, one group: no column matrix. im2col + GEMM spends as long unfolding such layers as multiplying them,
// and a GEMM with M = 6 rows wastes half its 4×8 register tile. Here each part owns an image and a block of 4 output
// channels; for each output row, the input rows it reads are copied once into zero-padded buffers, and 4 channels ×
// 8 pixels of output accumulate in registers over (input channel, kernel row, kernel column).
import { madd } from './gemm';
import { DirectConvArgs, DirectConvWeightArgs, Geo } from './args.generated';

/** Weights of output channels [o0, o0+4) as [ic][kh][kw][4] (zeros past outC); `flip`: the input gradient's. */
function packWeights(a: DirectConvArgs, g: Geo, o0: usize, dst: usize): void {
  const kH = g.kH, kW = g.kW, inC = g.inC, outC = g.outC;
  const taps = kH * kW;
  for (let ic = 0; ic < inC; ic++) {
    for (let t = 0; t < taps; t++) {
      for (let o = 0; o < 4; o++) {
        const oc = <i32>o0 + o;
        let v: f32 = 0;
        // flip: w is the forward conv's [inC of this conv][outC of this conv][kH][kW], rotated by 180°.
        if (oc < outC) v = a.flip ? load<f32>(a.w + (<usize>((ic * outC + oc) * taps + taps - 1 - t) << 2)) : load<f32>(a.w + (<usize>((oc * inC + ic) * taps + t) << 2));
        store<f32>(dst + (<usize>((ic * taps + t) * 4 + o) << 2), v);
      }
    }
  }
}

/**
 * y = conv(x, w) + bias, parts over (image, block of 4 output channels). Scratch per thread: packed weights, then
 * inC·kH padded rows of `rowW` floats.
 */
export function directConvPart(args: usize, part: i32, thread: i32): void {
  const g = changetype<Geo>(args);
  const a = changetype<DirectConvArgs>(args);
  const inC = g.inC, inH = g.inH, inW = g.inW, outC = g.outC, outH = g.outH, outW = g.outW, kH = g.kH, kW = g.kW;
  const blocks = (outC + 3) >> 2;
  const n = part / blocks;
  const o0 = (part - n * blocks) * 4;
  if (n >= g.batch) return;
  const scratch = a.scratch + <usize>thread * <usize>a.scratchStride;
  const wp = scratch;
  const rows = wp + (<usize>(inC * kH * kW * 4) << 2);
  const rowW = a.rowW;
  packWeights(a, g, o0, wp);
  const outW8 = (outW + 7) & ~7;
  const width = outW8 + kW; // padded row floats the 8-pixel groups read
  const oc = min(4, outC - o0);
  const b0: f32 = a.bias != 0 && 0 < oc ? load<f32>(a.bias + (<usize>o0 << 2)) : 0;
  const b1: f32 = a.bias != 0 && 1 < oc ? load<f32>(a.bias + (<usize>(o0 + 1) << 2)) : 0;
  const b2: f32 = a.bias != 0 && 2 < oc ? load<f32>(a.bias + (<usize>(o0 + 2) << 2)) : 0;
  const b3: f32 = a.bias != 0 && 3 < oc ? load<f32>(a.bias + (<usize>(o0 + 3) << 2)) : 0;
  const planeIn = <usize>(inH * inW) << 2;
  const planeOut = <usize>(outH * outW) << 2;
  const xImage = a.x + <usize>(n * inC) * planeIn;
  const yBase = a.y + <usize>(n * outC + o0) * planeOut;
  const tmp = rows + (<usize>(inC * kH * rowW) << 2); // 4 output rows of outW8, before clipping
  for (let oh = 0; oh < outH; oh++) {
    // The rows this output row reads, zero-padded: rows[ic][kh][0..width).
    for (let ic = 0; ic < inC; ic++) {
      for (let kh = 0; kh < kH; kh++) {
        const ih = oh - g.pT + kh;
        const d = rows + (<usize>((ic * kH + kh) * rowW) << 2);
        if (<u32>ih >= <u32>inH) {
          memory.fill(d, 0, <usize>width << 2);
          continue;
        }
        const src = xImage + <usize>ic * planeIn + (<usize>(ih * inW) << 2);
        const lead = min(width, g.pL);
        const inside = max(0, min(width - lead, inW));
        memory.fill(d, 0, <usize>lead << 2);
        memory.copy(d + (<usize>lead << 2), src, <usize>inside << 2);
        memory.fill(d + (<usize>(lead + inside) << 2), 0, <usize>(width - lead - inside) << 2);
      }
    }
    for (let ow = 0; ow < outW8; ow += 8) {
      let a0 = f32x4.splat(b0), a1 = a0, c0 = f32x4.splat(b1), c1 = c0;
      let e0 = f32x4.splat(b2), e1 = e0, h0 = f32x4.splat(b3), h1 = h0;
      let wPtr = wp;
      for (let r = 0; r < inC * kH; r++) {
        let p = rows + (<usize>(r * rowW + ow) << 2);
        for (let kw = 0; kw < kW; kw++) {
          const v0 = v128.load(p), v1 = v128.load(p, 16);
          let w = v128.load32_splat(wPtr);
          a0 = madd(v0, w, a0);
          a1 = madd(v1, w, a1);
          w = v128.load32_splat(wPtr, 4);
          c0 = madd(v0, w, c0);
          c1 = madd(v1, w, c1);
          w = v128.load32_splat(wPtr, 8);
          e0 = madd(v0, w, e0);
          e1 = madd(v1, w, e1);
          w = v128.load32_splat(wPtr, 12);
          h0 = madd(v0, w, h0);
          h1 = madd(v1, w, h1);
          wPtr += 16;
          p += 4;
        }
      }
      const t = tmp + (<usize>ow << 2);
      const stride = <usize>outW8 << 2;
      v128.store(t, a0);
      v128.store(t, a1, 16);
      v128.store(t + stride, c0);
      v128.store(t + stride, c1, 16);
      v128.store(t + 2 * stride, e0);
      v128.store(t + 2 * stride, e1, 16);
      v128.store(t + 3 * stride, h0);
      v128.store(t + 3 * stride, h1, 16);
    }
    for (let o = 0; o < oc; o++) {
      memory.copy(yBase + <usize>o * planeOut + (<usize>(oh * outW) << 2), tmp + (<usize>(o * outW8) << 2), <usize>outW << 2);
    }
  }
}

/**
 * dW[oc] (all input channels and taps) = Σ over images and positions of dy[n, oc] · the shifted input, one part
 * per output channel (so no two parts write the same weights). Each image's input is copied once into a
 * zero-padded plane per channel; each tap is a dot product of dy's plane with the shifted padded plane, in f32x4
 * partial sums, then added in f64 to the tap's total.
 */
export function directConvWeightPart(args: usize, part: i32, thread: i32): void {
  const g = changetype<Geo>(args);
  const a = changetype<DirectConvWeightArgs>(args);
  const inC = g.inC, inH = g.inH, inW = g.inW, outC = g.outC, outH = g.outH, outW = g.outW, kH = g.kH, kW = g.kW;
  const oc = part;
  if (oc >= outC) return;
  const taps = kH * kW;
  const scratch = a.scratch + <usize>thread * <usize>a.scratchStride;
  const pH = outH + kH - 1, pW = a.padW; // padded plane: every shifted window of outH × outW stays inside
  const sums = scratch; // f64 per (ic, tap)
  const planes = sums + (<usize>(inC * taps) << 3);
  memory.fill(sums, 0, <usize>(inC * taps) << 3);
  const outW4 = outW & ~3;
  for (let n = 0; n < g.batch; n++) {
    for (let ic = 0; ic < inC; ic++) {
      const dst = planes + (<usize>(ic * pH * pW) << 2);
      const src = a.x + (<usize>((n * inC + ic) * inH * inW) << 2);
      for (let r = 0; r < pH; r++) {
        const ih = r - g.pT;
        const d = dst + (<usize>(r * pW) << 2);
        if (<u32>ih >= <u32>inH) {
          memory.fill(d, 0, <usize>pW << 2);
          continue;
        }
        const lead = min(pW, g.pL);
        const inside = max(0, min(pW - lead, inW));
        memory.fill(d, 0, <usize>lead << 2);
        memory.copy(d + (<usize>lead << 2), src + (<usize>(ih * inW) << 2), <usize>inside << 2);
        memory.fill(d + (<usize>(lead + inside) << 2), 0, <usize>(pW - lead - inside) << 2);
      }
    }
    const dyPlane = a.dy + (<usize>((n * outC + oc) * outH * outW) << 2);
    for (let ic = 0; ic < inC; ic++) {
      const plane = planes + (<usize>(ic * pH * pW) << 2);
      for (let kh = 0; kh < kH; kh++) {
        for (let kw = 0; kw < kW; kw++) {
          let acc = f32x4.splat(0);
          let tail: f64 = 0;
          for (let oh = 0; oh < outH; oh++) {
            const dr = dyPlane + (<usize>(oh * outW) << 2);
            const xr = plane + (<usize>((oh + kh) * pW + kw) << 2);
            let ow = 0;
            for (; ow < outW4; ow += 4) acc = madd(v128.load(dr + (<usize>ow << 2)), v128.load(xr + (<usize>ow << 2)), acc);
            for (; ow < outW; ow++) tail += <f64>load<f32>(dr + (<usize>ow << 2)) * <f64>load<f32>(xr + (<usize>ow << 2));
          }
          const s = sums + (<usize>(ic * taps + kh * kW + kw) << 3);
          const lanes = <f64>f32x4.extract_lane(acc, 0) + <f64>f32x4.extract_lane(acc, 1) + <f64>f32x4.extract_lane(acc, 2) + <f64>f32x4.extract_lane(acc, 3);
          store<f64>(s, load<f64>(s) + lanes + tail);
        }
      }
    }
  }
  const dw = a.dw + (<usize>(oc * inC * taps) << 2);
  for (let i = 0; i < inC * taps; i++) store<f32>(dw + (<usize>i << 2), <f32>load<f64>(sums + (<usize>i << 3)));
}
