// Depthwise convolution (groups = in_channels, `mult` outputs per input channel) as direct loops over taps: a
// GEMM per channel would be a one-row product. The valid output columns of each tap are computed once per row,
// and stride-1 rows run in f32x4. Forward and input gradient accumulate k·k terms in f32; the weight gradient
// (a sum over the batch and every pixel) accumulates in f64.
import { DepthwiseBackwardInputArgs, DepthwiseBackwardWeightArgs, DepthwiseForwardArgs, Geo } from './args.generated';

// @ts-ignore: decorator
@inline function owStart(off: i32, s: i32): i32 {
  // first ow with ow·s + off >= 0
  return off >= 0 ? 0 : (-off + s - 1) / s;
}

// @ts-ignore: decorator
@inline function owEnd(off: i32, s: i32, inW: i32, outW: i32): i32 {
  // one past the last ow with ow·s + off <= inW − 1
  const lim = inW - 1 - off;
  return lim < 0 ? 0 : min(outW, lim / s + 1);
}

/** Depthwise conv (bias 0: none), `per` planes (n, oc) per part. */
export function depthwiseForwardPart(args: usize, part: i32, thread: i32): void {
  const g = changetype<Geo>(args);
  const a = changetype<DepthwiseForwardArgs>(args);
  const x = a.x, w = a.w, bias = a.bias, y = a.y, per = a.per;
  const planes = g.batch * g.outC;
  const mult = g.outC / g.inC;
  const p0 = part * per, p1 = min(planes, p0 + per);
  const planeOut = g.outH * g.outW;
  for (let pl = p0; pl < p1; pl++) {
    const n = pl / g.outC, oc = pl - n * g.outC, ic = oc / mult;
    const xin = x + (<usize>((n * g.inC + ic) * g.inH * g.inW) << 2);
    const out = y + (<usize>(pl * planeOut) << 2);
    const b: f32 = bias != 0 ? load<f32>(bias + (<usize>oc << 2)) : 0;
    for (let i = 0; i < planeOut; i++) store<f32>(out + (<usize>i << 2), b);
    for (let ki = 0; ki < g.kH; ki++) {
      for (let kj = 0; kj < g.kW; kj++) {
        const wv = load<f32>(w + (<usize>((oc * g.kH + ki) * g.kW + kj) << 2));
        const wvv = f32x4.splat(wv);
        const off = kj * g.dW - g.pL;
        const o0 = owStart(off, g.sW), o1 = owEnd(off, g.sW, g.inW, g.outW);
        for (let oh = 0; oh < g.outH; oh++) {
          const ih = oh * g.sH - g.pT + ki * g.dH;
          if (<u32>ih >= <u32>g.inH) continue;
          const rowIn = xin + (<usize>(ih * g.inW) << 2);
          const rowOut = out + (<usize>(oh * g.outW) << 2);
          let ow = o0;
          if (g.sW == 1) {
            for (; ow + 4 <= o1; ow += 4) {
              const po = rowOut + (<usize>ow << 2);
              v128.store(po, f32x4.add(v128.load(po), f32x4.mul(v128.load(rowIn + (<usize>(ow + off) << 2)), wvv)));
            }
          }
          for (; ow < o1; ow++) {
            const po = rowOut + (<usize>ow << 2);
            store<f32>(po, load<f32>(po) + load<f32>(rowIn + (<usize>(ow * g.sW + off) << 2)) * wv);
          }
        }
      }
    }
  }
}

/** dx of the depthwise conv, `per` planes (n, ic) per part. */
export function depthwiseBackwardInputPart(args: usize, part: i32, thread: i32): void {
  const g = changetype<Geo>(args);
  const a = changetype<DepthwiseBackwardInputArgs>(args);
  const dy = a.dy, w = a.w, dx = a.dx, per = a.per;
  const planes = g.batch * g.inC;
  const mult = g.outC / g.inC;
  const p0 = part * per, p1 = min(planes, p0 + per);
  const planeIn = g.inH * g.inW, planeOut = g.outH * g.outW;
  for (let pl = p0; pl < p1; pl++) {
    const n = pl / g.inC, ic = pl - n * g.inC;
    const din = dx + (<usize>(pl * planeIn) << 2);
    memory.fill(din, 0, <usize>planeIn << 2);
    for (let oc = ic * mult; oc < (ic + 1) * mult; oc++) {
      const dout = dy + (<usize>((n * g.outC + oc) * planeOut) << 2);
      for (let ki = 0; ki < g.kH; ki++) {
        for (let kj = 0; kj < g.kW; kj++) {
          const wv = load<f32>(w + (<usize>((oc * g.kH + ki) * g.kW + kj) << 2));
          const wvv = f32x4.splat(wv);
          const off = kj * g.dW - g.pL;
          const o0 = owStart(off, g.sW), o1 = owEnd(off, g.sW, g.inW, g.outW);
          for (let oh = 0; oh < g.outH; oh++) {
            const ih = oh * g.sH - g.pT + ki * g.dH;
            if (<u32>ih >= <u32>g.inH) continue;
            const rowIn = din + (<usize>(ih * g.inW) << 2);
            const rowOut = dout + (<usize>(oh * g.outW) << 2);
            let ow = o0;
            if (g.sW == 1) {
              for (; ow + 4 <= o1; ow += 4) {
                const pi = rowIn + (<usize>(ow + off) << 2);
                v128.store(pi, f32x4.add(v128.load(pi), f32x4.mul(v128.load(rowOut + (<usize>ow << 2)), wvv)));
              }
            }
            for (; ow < o1; ow++) {
              const pi = rowIn + (<usize>(ow * g.sW + off) << 2);
              store<f32>(pi, load<f32>(pi) + load<f32>(rowOut + (<usize>ow << 2)) * wv);
            }
          }
        }
      }
    }
  }
}

/** dw of the depthwise conv, `per` output channels per part. */
export function depthwiseBackwardWeightPart(args: usize, part: i32, thread: i32): void {
  const g = changetype<Geo>(args);
  const a = changetype<DepthwiseBackwardWeightArgs>(args);
  const x = a.x, dy = a.dy, dw = a.dw, per = a.per;
  const mult = g.outC / g.inC;
  const c0 = part * per, c1 = min(g.outC, c0 + per);
  const planeIn = g.inH * g.inW, planeOut = g.outH * g.outW;
  for (let oc = c0; oc < c1; oc++) {
    const ic = oc / mult;
    for (let ki = 0; ki < g.kH; ki++) {
      for (let kj = 0; kj < g.kW; kj++) {
        const off = kj * g.dW - g.pL;
        const o0 = owStart(off, g.sW), o1 = owEnd(off, g.sW, g.inW, g.outW);
        let s: f64 = 0;
        for (let n = 0; n < g.batch; n++) {
          const xin = x + (<usize>((n * g.inC + ic) * planeIn) << 2);
          const dout = dy + (<usize>((n * g.outC + oc) * planeOut) << 2);
          for (let oh = 0; oh < g.outH; oh++) {
            const ih = oh * g.sH - g.pT + ki * g.dH;
            if (<u32>ih >= <u32>g.inH) continue;
            const rowIn = xin + (<usize>(ih * g.inW) << 2);
            const rowOut = dout + (<usize>(oh * g.outW) << 2);
            for (let ow = o0; ow < o1; ow++) {
              s += <f64>load<f32>(rowOut + (<usize>ow << 2)) * <f64>load<f32>(rowIn + (<usize>(ow * g.sW + off) << 2));
            }
          }
        }
        store<f32>(dw + (<usize>((oc * g.kH + ki) * g.kW + kj) << 2), <f32>s);
      }
    }
  }
}
