// Pooling over planes (image, channel); parts are ranges of planes. Sums accumulate in f64 as the js reference.
// The geometry arrives in the 'pool' block of interface.json (divisorOverride 0: none).
import { AdaptiveAvgPoolBackwardArgs, AdaptivePoolArgs, AvgPoolArgs, AvgPoolBackwardArgs, MaxPoolArgs, MaxPoolBackwardArgs } from './args.generated';

/**
 * Max pooling with first-maximum indices. Interior windows (no clipping) of rows with unit dilation along the
 * width and stride 1 or 2 are computed 4 outputs at a time; the borders, and other strides, one at a time.
 */
export function maxPoolPart(args: usize, part: i32, thread: i32): void {
  const g = changetype<MaxPoolArgs>(args);
  const planes = g.batch * g.channels;
  const inH = g.inH, inW = g.inW, kH = g.kH, kW = g.kW;
  const sH = g.sH, sW = g.sW, pH = g.pH, pW = g.pW, dH = g.dH, dW = g.dW;
  const outH = g.outH, outW = g.outW;
  const x = g.x, out = g.out, ind = g.indices, per = g.per;
  const p0 = part * per, p1 = min(planes, p0 + per);
  // Outputs [owLo, owHi) have windows inside the image along the width.
  const vectorizable = dW == 1 && (sW == 1 || sW == 2);
  const owLo = min(outW, (pW + sW - 1) / sW);
  const owHi = max(owLo, min(outW, inW - kW + pW >= 0 ? (inW - kW + pW) / sW + 1 : 0));
  for (let pl = p0; pl < p1; pl++) {
    const base = x + (<usize>(pl * inH * inW) << 2);
    const oPlane = <usize>(pl * outH * outW) << 2;
    for (let oh = 0; oh < outH; oh++) {
      const h0 = oh * sH - pH;
      // The window's rows inside the image, once per output row: first ki with h0 + ki·dH >= 0, last with < inH.
      const kiLo = h0 >= 0 ? 0 : dH == 1 ? -h0 : (-h0 + dH - 1) / dH;
      const kiHi = min(kH, inH - h0 > 0 ? (dH == 1 ? inH - h0 : (inH - 1 - h0) / dH + 1) : 0);
      const oRow = oPlane + (<usize>(oh * outW) << 2);
      let ow = 0;
      if (vectorizable && kiLo < kiHi) {
        for (; ow < owLo; ow++) maxPoolOne(base, inH, inW, kW, dH, dW, sW, pW, h0, kiLo, kiHi, ow, out + oRow, ind + oRow);
        for (; ow + 4 <= owHi; ow += 4) {
          const w0 = ow * sW - pW;
          let best = f32x4.splat(0);
          let bestIdx = i32x4.splat(0);
          for (let ki = kiLo; ki < kiHi; ki++) {
            const rowIdx = (h0 + ki * dH) * inW;
            for (let kj = 0; kj < kW; kj++) {
              const at = rowIdx + w0 + kj;
              const ptr = base + (<usize>at << 2);
              // Stride 2: elements 0, 2, 4, 6 from two loads that stay inside the window's last column.
              const v = sW == 1 ? v128.load(ptr) : i32x4.shuffle(v128.load(ptr), v128.load(ptr, 12), 0, 2, 5, 7);
              const idx = i32x4.add(i32x4.splat(at), sW == 1 ? i32x4(0, 1, 2, 3) : i32x4(0, 2, 4, 6));
              if (ki == kiLo && kj == 0) {
                best = v;
                bestIdx = idx;
              } else {
                // As the scalar path: the first maximum wins, and the first NaN stays.
                const take = v128.andnot(f32x4.eq(best, best), f32x4.le(v, best));
                best = v128.bitselect(v, best, take);
                bestIdx = v128.bitselect(idx, bestIdx, take);
              }
            }
          }
          v128.store(out + oRow + (<usize>ow << 2), best);
          v128.store(ind + oRow + (<usize>ow << 2), bestIdx);
        }
      }
      for (; ow < outW; ow++) maxPoolOne(base, inH, inW, kW, dH, dW, sW, pW, h0, kiLo, kiHi, ow, out + oRow, ind + oRow);
    }
  }
}

/** One output of max pooling (any window, clipped to the image), written at out/ind + ow. */
// @ts-ignore: decorator
@inline function maxPoolOne(
  base: usize, inH: i32, inW: i32, kW: i32, dH: i32, dW: i32, sW: i32, pW: i32,
  h0: i32, kiLo: i32, kiHi: i32, ow: i32, out: usize, ind: usize,
): void {
  const w0 = ow * sW - pW;
  // Without dilation (the common case) the bounds need no division.
  const kjLo = w0 >= 0 ? 0 : dW == 1 ? -w0 : (-w0 + dW - 1) / dW;
  const kjHi = min(kW, inW - w0 > 0 ? (dW == 1 ? inW - w0 : (inW - 1 - w0) / dW + 1) : 0);
  let best: f32 = -Infinity;
  let bestIdx = -1;
  if (kiLo < kiHi && kjLo < kjHi) {
    bestIdx = (h0 + kiLo * dH) * inW + w0 + kjLo * dW;
    best = load<f32>(base + (<usize>bestIdx << 2));
  }
  // Branch-free: the first maximum wins, and so does the first NaN (once best is NaN nothing replaces it),
  // as PyTorch and the js kernel.
  for (let ki = kiLo; ki < kiHi; ki++) {
    const rowIdx = (h0 + ki * dH) * inW;
    const rowPtr = base + (<usize>rowIdx << 2);
    for (let kj = kjLo; kj < kjHi; kj++) {
      const iw = w0 + kj * dW;
      const v = load<f32>(rowPtr + (<usize>iw << 2));
      const take = !(v <= best) && best == best;
      best = select<f32>(v, best, take);
      bestIdx = select<i32>(rowIdx + iw, bestIdx, take);
    }
  }
  store<f32>(out + (<usize>ow << 2), best);
  store<i32>(ind + (<usize>ow << 2), bestIdx);
}

/** dx[indices] += dy per plane (planeIn, planeOut: plane sizes), `per` planes per part. */
export function maxPoolBackwardPart(args: usize, part: i32, thread: i32): void {
  const g = changetype<MaxPoolBackwardArgs>(args);
  const planes = g.planes, planeIn = g.planeIn, planeOut = g.planeOut;
  const dy = g.dy, ind = g.indices, dx = g.dx, per = g.per;
  const p0 = part * per, p1 = min(planes, p0 + per);
  if (p0 >= p1) return;
  memory.fill(dx + (<usize>(p0 * planeIn) << 2), 0, <usize>((p1 - p0) * planeIn) << 2);
  for (let pl = p0; pl < p1; pl++) {
    const base = dx + (<usize>(pl * planeIn) << 2);
    const o0 = pl * planeOut;
    for (let o = o0; o < o0 + planeOut; o++) {
      const a = base + (<usize>load<i32>(ind + (<usize>o << 2)) << 2);
      store<f32>(a, load<f32>(a) + load<f32>(dy + (<usize>o << 2)));
    }
  }
}


export function avgPoolPart(args: usize, part: i32, thread: i32): void {
  const g = changetype<AvgPoolArgs>(args);
  const planes = g.batch * g.channels;
  const inH = g.inH, inW = g.inW, kH = g.kH, kW = g.kW;
  const sH = g.sH, sW = g.sW, pH = g.pH, pW = g.pW;
  const outH = g.outH, outW = g.outW, includePad = g.includePad, divOverride = g.divisorOverride;
  const x = g.x, out = g.out, per = g.per;
  const p0 = part * per, p1 = min(planes, p0 + per);
  for (let pl = p0; pl < p1; pl++) {
    const base = x + (<usize>(pl * inH * inW) << 2);
    let o = out + (<usize>(pl * outH * outW) << 2);
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        let h0 = oh * sH - pH, w0 = ow * sW - pW;
        let h1 = min(h0 + kH, inH + pH), w1 = min(w0 + kW, inW + pW);
        const poolSize = (h1 - h0) * (w1 - w0);
        h0 = max(h0, 0); w0 = max(w0, 0); h1 = min(h1, inH); w1 = min(w1, inW);
        const divisor: f64 = divOverride != 0 ? <f64>divOverride : includePad ? <f64>poolSize : <f64>((h1 - h0) * (w1 - w0));
        if (h0 < h1 && w0 < w1) {
          let s: f64 = 0;
          for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) s += <f64>load<f32>(base + (<usize>(ih * inW + iw) << 2));
          store<f32>(o, <f32>(s / divisor));
        } else store<f32>(o, 0);
        o += 4;
      }
    }
  }
}

export function avgPoolBackwardPart(args: usize, part: i32, thread: i32): void {
  const g = changetype<AvgPoolBackwardArgs>(args);
  const planes = g.batch * g.channels;
  const inH = g.inH, inW = g.inW, kH = g.kH, kW = g.kW;
  const sH = g.sH, sW = g.sW, pH = g.pH, pW = g.pW;
  const outH = g.outH, outW = g.outW, includePad = g.includePad, divOverride = g.divisorOverride;
  const dy = g.dy, dx = g.dx, per = g.per;
  const p0 = part * per, p1 = min(planes, p0 + per);
  if (p0 >= p1) return;
  memory.fill(dx + (<usize>(p0 * inH * inW) << 2), 0, <usize>((p1 - p0) * inH * inW) << 2);
  for (let pl = p0; pl < p1; pl++) {
    const base = dx + (<usize>(pl * inH * inW) << 2);
    let o = dy + (<usize>(pl * outH * outW) << 2);
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        let h0 = oh * sH - pH, w0 = ow * sW - pW;
        let h1 = min(h0 + kH, inH + pH), w1 = min(w0 + kW, inW + pW);
        const poolSize = (h1 - h0) * (w1 - w0);
        h0 = max(h0, 0); w0 = max(w0, 0); h1 = min(h1, inH); w1 = min(w1, inW);
        const divisor: f64 = divOverride != 0 ? <f64>divOverride : includePad ? <f64>poolSize : <f64>((h1 - h0) * (w1 - w0));
        const g = <f64>load<f32>(o) / divisor;
        for (let ih = h0; ih < h1; ih++) {
          for (let iw = w0; iw < w1; iw++) {
            const a = base + (<usize>(ih * inW + iw) << 2);
            store<f32>(a, <f32>(<f64>load<f32>(a) + g));
          }
        }
        o += 4;
      }
    }
  }
}

// Adaptive pooling with uneven windows (even ones are plain average pooling), as the js kernels compute it.

// @ts-ignore: decorator
@inline function windowStart(o: i32, outSize: i32, inSize: i32): i32 {
  return <i32>((<i64>o * inSize) / outSize);
}

// @ts-ignore: decorator
@inline function windowEnd(o: i32, outSize: i32, inSize: i32): i32 {
  return <i32>((<i64>(o + 1) * inSize + outSize - 1) / outSize);
}

/** Adaptive average (max: maximum and its flat plane index) pooling, windows [⌊o·In/Out⌋, ⌈(o+1)·In/Out⌉); parts over planes. */
export function adaptivePoolPart(args: usize, part: i32, thread: i32): void {
  const a = changetype<AdaptivePoolArgs>(args);
  const inH = a.inH, inW = a.inW, outH = a.outH, outW = a.outW, isMax = a.max;
  const p0 = part * a.per, p1 = min(a.planes, p0 + a.per);
  for (let pl = p0; pl < p1; pl++) {
    const x = a.x + (<usize>(pl * inH * inW) << 2);
    let o = pl * outH * outW;
    for (let oh = 0; oh < outH; oh++) {
      const h0 = windowStart(oh, outH, inH), h1 = windowEnd(oh, outH, inH);
      for (let ow = 0; ow < outW; ow++, o++) {
        const w0 = windowStart(ow, outW, inW), w1 = windowEnd(ow, outW, inW);
        if (isMax) {
          let best: f32 = -Infinity;
          let bestIdx = -1;
          for (let ih = h0; ih < h1; ih++) {
            for (let iw = w0; iw < w1; iw++) {
              const v = load<f32>(x + (<usize>(ih * inW + iw) << 2));
              if (bestIdx < 0 || v > best || (v != v && best == best)) {
                best = v;
                bestIdx = ih * inW + iw;
              }
            }
          }
          store<f32>(a.out + (<usize>o << 2), best);
          store<i32>(a.indices + (<usize>o << 2), bestIdx);
        } else {
          let s: f64 = 0;
          for (let ih = h0; ih < h1; ih++) {
            for (let iw = w0; iw < w1; iw++) s += <f64>load<f32>(x + (<usize>(ih * inW + iw) << 2));
          }
          store<f32>(a.out + (<usize>o << 2), <f32>(s / <f64>((h1 - h0) * (w1 - w0))));
        }
      }
    }
  }
}

/** Gradient of adaptive average pooling: each window's dy / its size added over it, in the js kernel's order. */
export function adaptiveAvgPoolBackwardPart(args: usize, part: i32, thread: i32): void {
  const a = changetype<AdaptiveAvgPoolBackwardArgs>(args);
  const inH = a.inH, inW = a.inW, outH = a.outH, outW = a.outW;
  const p0 = part * a.per, p1 = min(a.planes, p0 + a.per);
  for (let pl = p0; pl < p1; pl++) {
    const dx = a.dx + (<usize>(pl * inH * inW) << 2);
    memory.fill(dx, 0, <usize>(inH * inW) << 2);
    let o = pl * outH * outW;
    for (let oh = 0; oh < outH; oh++) {
      const h0 = windowStart(oh, outH, inH), h1 = windowEnd(oh, outH, inH);
      for (let ow = 0; ow < outW; ow++, o++) {
        const w0 = windowStart(ow, outW, inW), w1 = windowEnd(ow, outW, inW);
        const g = <f64>load<f32>(a.dy + (<usize>o << 2)) / <f64>((h1 - h0) * (w1 - w0));
        for (let ih = h0; ih < h1; ih++) {
          for (let iw = w0; iw < w1; iw++) {
            const q = dx + (<usize>(ih * inW + iw) << 2);
            store<f32>(q, <f32>(<f64>load<f32>(q) + g));
          }
        }
      }
    }
  }
}
