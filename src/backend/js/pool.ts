/** Pooling kernels: max (with flat per-plane indices, as PyTorch returns), average, adaptive average/max. */
import type { CoreKernels } from '../kernels.js';
import type { TensorInfo } from '../backend.js';
import type { Pool2dInfo } from '../geometry.js';
import { sizeOf } from '../shape.js';
import { dataOf, f32, info } from './handle.js';

export function maxPool2d(x: TensorInfo, p: Pool2dInfo): { values: TensorInfo; indices: TensorInfo } {
  const X = f32(x);
  const { batch, channels, inH, inW, kH, kW, strideH, strideW, padH, padW, dilationH, dilationW, outH, outW } = p;
  const planes = batch * channels;
  const out = new Float32Array(planes * outH * outW);
  const idx = new Int32Array(out.length);
  let o = 0;
  for (let pl = 0; pl < planes; pl++) {
    const base = pl * inH * inW;
    for (let oh = 0; oh < outH; oh++) {
      const h0 = oh * strideH - padH;
      for (let ow = 0; ow < outW; ow++, o++) {
        const w0 = ow * strideW - padW;
        let best = -Infinity;
        let bestIdx = -1;
        for (let ki = 0; ki < kH; ki++) {
          const ih = h0 + ki * dilationH;
          if (ih < 0 || ih >= inH) continue;
          for (let kj = 0; kj < kW; kj++) {
            const iw = w0 + kj * dilationW;
            if (iw < 0 || iw >= inW) continue;
            const v = X[base + ih * inW + iw];
            if (bestIdx < 0 || v > best || v !== v) {
              best = v;
              bestIdx = ih * inW + iw;
              if (v !== v) break;
            }
          }
          if (best !== best) break;
        }
        out[o] = best;
        idx[o] = bestIdx;
      }
    }
  }
  const shape = [batch, channels, outH, outW];
  return { values: info(shape, out), indices: info(shape, idx) };
}

export function maxPool2dBackward(dy: TensorInfo, indices: TensorInfo, inputShape: readonly number[]): TensorInfo {
  const D = f32(dy);
  const I = dataOf(indices);
  const [, , outH, outW] = dy.shape;
  const planeIn = inputShape[2] * inputShape[3];
  const planeOut = outH * outW;
  const dX = new Float32Array(sizeOf(inputShape));
  for (let i = 0; i < D.length; i++) {
    const pl = Math.floor(i / planeOut);
    dX[pl * planeIn + I[i]] += D[i];
  }
  return info(inputShape, dX);
}

/** Window bounds and divisor of avg pooling output (oh, ow), following PyTorch's padding/ceil_mode rules. */
function avgWindow(p: Pool2dInfo, oh: number, ow: number): [number, number, number, number, number] {
  let h0 = oh * p.strideH - p.padH;
  let w0 = ow * p.strideW - p.padW;
  let h1 = Math.min(h0 + p.kH, p.inH + p.padH);
  let w1 = Math.min(w0 + p.kW, p.inW + p.padW);
  const poolSize = (h1 - h0) * (w1 - w0);
  h0 = Math.max(h0, 0);
  w0 = Math.max(w0, 0);
  h1 = Math.min(h1, p.inH);
  w1 = Math.min(w1, p.inW);
  const divisor = p.divisorOverride ?? (p.countIncludePad ? poolSize : (h1 - h0) * (w1 - w0));
  return [h0, h1, w0, w1, divisor];
}

export function avgPool2d(x: TensorInfo, p: Pool2dInfo): TensorInfo {
  const X = f32(x);
  const { batch, channels, inH, inW, outH, outW } = p;
  const planes = batch * channels;
  const out = new Float32Array(planes * outH * outW);
  let o = 0;
  for (let pl = 0; pl < planes; pl++) {
    const base = pl * inH * inW;
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++, o++) {
        const [h0, h1, w0, w1, divisor] = avgWindow(p, oh, ow);
        if (h0 >= h1 || w0 >= w1) continue;
        let s = 0;
        for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) s += X[base + ih * inW + iw];
        out[o] = s / divisor;
      }
    }
  }
  return info([batch, channels, outH, outW], out);
}

export function avgPool2dBackward(dy: TensorInfo, p: Pool2dInfo): TensorInfo {
  const D = f32(dy);
  const { batch, channels, inH, inW, outH, outW } = p;
  const planes = batch * channels;
  const dX = new Float32Array(planes * inH * inW);
  let o = 0;
  for (let pl = 0; pl < planes; pl++) {
    const base = pl * inH * inW;
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++, o++) {
        const [h0, h1, w0, w1, divisor] = avgWindow(p, oh, ow);
        const g = D[o] / divisor;
        for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) dX[base + ih * inW + iw] += g;
      }
    }
  }
  return info([batch, channels, inH, inW], dX);
}

/** Adaptive window [floor(o·In/Out), ceil((o+1)·In/Out)). */
const start = (o: number, outSize: number, inSize: number) => Math.floor((o * inSize) / outSize);
const end = (o: number, outSize: number, inSize: number) => Math.ceil(((o + 1) * inSize) / outSize);

export function adaptiveAvgPool2d(x: TensorInfo, outH: number, outW: number): TensorInfo {
  const X = f32(x);
  const [batch, channels, inH, inW] = x.shape;
  const out = new Float32Array(batch * channels * outH * outW);
  let o = 0;
  for (let pl = 0; pl < batch * channels; pl++) {
    const base = pl * inH * inW;
    for (let oh = 0; oh < outH; oh++) {
      const h0 = start(oh, outH, inH),
        h1 = end(oh, outH, inH);
      for (let ow = 0; ow < outW; ow++, o++) {
        const w0 = start(ow, outW, inW),
          w1 = end(ow, outW, inW);
        let s = 0;
        for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) s += X[base + ih * inW + iw];
        out[o] = s / ((h1 - h0) * (w1 - w0));
      }
    }
  }
  return info([batch, channels, outH, outW], out);
}

export function adaptiveAvgPool2dBackward(dy: TensorInfo, inputShape: readonly number[]): TensorInfo {
  const D = f32(dy);
  const [batch, channels, inH, inW] = inputShape;
  const [, , outH, outW] = dy.shape;
  const dX = new Float32Array(sizeOf(inputShape));
  let o = 0;
  for (let pl = 0; pl < batch * channels; pl++) {
    const base = pl * inH * inW;
    for (let oh = 0; oh < outH; oh++) {
      const h0 = start(oh, outH, inH),
        h1 = end(oh, outH, inH);
      for (let ow = 0; ow < outW; ow++, o++) {
        const w0 = start(ow, outW, inW),
          w1 = end(ow, outW, inW);
        const g = D[o] / ((h1 - h0) * (w1 - w0));
        for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) dX[base + ih * inW + iw] += g;
      }
    }
  }
  return info(inputShape, dX);
}

export function adaptiveMaxPool2d(x: TensorInfo, outH: number, outW: number): { values: TensorInfo; indices: TensorInfo } {
  const X = f32(x);
  const [batch, channels, inH, inW] = x.shape;
  const out = new Float32Array(batch * channels * outH * outW);
  const idx = new Int32Array(out.length);
  let o = 0;
  for (let pl = 0; pl < batch * channels; pl++) {
    const base = pl * inH * inW;
    for (let oh = 0; oh < outH; oh++) {
      const h0 = start(oh, outH, inH),
        h1 = end(oh, outH, inH);
      for (let ow = 0; ow < outW; ow++, o++) {
        const w0 = start(ow, outW, inW),
          w1 = end(ow, outW, inW);
        let best = -Infinity;
        let bestIdx = -1;
        for (let ih = h0; ih < h1; ih++) {
          for (let iw = w0; iw < w1; iw++) {
            const v = X[base + ih * inW + iw];
            if (bestIdx < 0 || v > best || (v !== v && best === best)) {
              best = v;
              bestIdx = ih * inW + iw;
            }
          }
        }
        out[o] = best;
        idx[o] = bestIdx;
      }
    }
  }
  const shape = [batch, channels, outH, outW];
  return { values: info(shape, out), indices: info(shape, idx) };
}

/** This family's kernels, collected into the js backend's table (index.ts). */
export const POOL_KERNELS = {
  maxPool2d,
  maxPool2dBackward,
  avgPool2d,
  avgPool2dBackward,
  adaptiveAvgPool2d,
  adaptiveAvgPool2dBackward,
  adaptiveMaxPool2d,
} satisfies Partial<CoreKernels>;
