/**
 * conv2d forward and both backward passes as im2col + GEMM, per image and group.
 * col has shape [C_in/groups · kH · kW, outH · outW]; a 1×1, stride-1, unpadded conv uses the input directly.
 */
import type { TensorInfo } from '../backend.js';
import type { Conv2dInfo } from '../geometry.js';
import { f32, info } from './handle.js';
import { gemm } from './gemm.js';

function isPointwise(c: Conv2dInfo): boolean {
  return c.kH === 1 && c.kW === 1 && c.strideH === 1 && c.strideW === 1 && c.padTop === 0 && c.padLeft === 0 && c.padBottom === 0 && c.padRight === 0;
}

/** Unfolds channels [c0, c0+cg) of image `n` into col. */
function im2col(X: Float32Array, c: Conv2dInfo, n: number, c0: number, cg: number, col: Float32Array): void {
  const { inH, inW, kH, kW, outH, outW, strideH, strideW, padTop, padLeft, dilationH, dilationW } = c;
  const P = outH * outW;
  for (let ch = 0; ch < cg; ch++) {
    const plane = (n * c.inChannels + c0 + ch) * inH * inW;
    for (let ki = 0; ki < kH; ki++) {
      for (let kj = 0; kj < kW; kj++) {
        let dst = ((ch * kH + ki) * kW + kj) * P;
        for (let oh = 0; oh < outH; oh++) {
          const ih = oh * strideH - padTop + ki * dilationH;
          if (ih < 0 || ih >= inH) {
            col.fill(0, dst, dst + outW);
            dst += outW;
            continue;
          }
          const row = plane + ih * inW;
          let iw = kj * dilationW - padLeft;
          for (let ow = 0; ow < outW; ow++, iw += strideW) col[dst++] = iw >= 0 && iw < inW ? X[row + iw] : 0;
        }
      }
    }
  }
}

/** Folds col back, accumulating into channels [c0, c0+cg) of image `n` of dX. */
function col2im(col: Float32Array, c: Conv2dInfo, n: number, c0: number, cg: number, dX: Float32Array): void {
  const { inH, inW, kH, kW, outH, outW, strideH, strideW, padTop, padLeft, dilationH, dilationW } = c;
  const P = outH * outW;
  for (let ch = 0; ch < cg; ch++) {
    const plane = (n * c.inChannels + c0 + ch) * inH * inW;
    for (let ki = 0; ki < kH; ki++) {
      for (let kj = 0; kj < kW; kj++) {
        let src = ((ch * kH + ki) * kW + kj) * P;
        for (let oh = 0; oh < outH; oh++) {
          const ih = oh * strideH - padTop + ki * dilationH;
          if (ih < 0 || ih >= inH) {
            src += outW;
            continue;
          }
          const row = plane + ih * inW;
          let iw = kj * dilationW - padLeft;
          for (let ow = 0; ow < outW; ow++, iw += strideW, src++) if (iw >= 0 && iw < inW) dX[row + iw] += col[src];
        }
      }
    }
  }
}

export function conv2d(x: TensorInfo, w: TensorInfo, bias: TensorInfo | null, c: Conv2dInfo): TensorInfo {
  const X = f32(x);
  const W = f32(w);
  const { batch, groups, outChannels, outH, outW, kH, kW } = c;
  const cg = c.inChannels / groups;
  const og = outChannels / groups;
  const Kc = cg * kH * kW;
  const P = outH * outW;
  const out = new Float32Array(batch * outChannels * P);
  const pointwise = isPointwise(c);
  const col = pointwise ? X : new Float32Array(Kc * P);
  for (let n = 0; n < batch; n++) {
    for (let g = 0; g < groups; g++) {
      if (!pointwise) im2col(X, c, n, g * cg, cg, col);
      const colOff = pointwise ? (n * c.inChannels + g * cg) * P : 0;
      gemm(
        og, P, Kc,
        { data: W, offset: g * og * Kc, rowStride: Kc, colStride: 1 },
        { data: col, offset: colOff, rowStride: P, colStride: 1 },
        out, (n * outChannels + g * og) * P, P, false,
      );
    }
  }
  if (bias) {
    const B = f32(bias);
    for (let n = 0; n < batch; n++) {
      for (let o = 0; o < outChannels; o++) {
        const base = (n * outChannels + o) * P;
        const b = B[o];
        for (let p = 0; p < P; p++) out[base + p] += b;
      }
    }
  }
  return info([batch, outChannels, outH, outW], out);
}

export function conv2dBackwardInput(dy: TensorInfo, w: TensorInfo, c: Conv2dInfo): TensorInfo {
  const DY = f32(dy);
  const W = f32(w);
  const { batch, groups, outChannels, outH, outW, kH, kW, inChannels, inH, inW } = c;
  const cg = inChannels / groups;
  const og = outChannels / groups;
  const Kc = cg * kH * kW;
  const P = outH * outW;
  const dX = new Float32Array(batch * inChannels * inH * inW);
  const pointwise = isPointwise(c);
  const col = pointwise ? dX : new Float32Array(Kc * P);
  for (let n = 0; n < batch; n++) {
    for (let g = 0; g < groups; g++) {
      // dcol = W_gᵀ · dy[n, g]
      gemm(
        Kc, P, og,
        { data: W, offset: g * og * Kc, rowStride: 1, colStride: Kc },
        { data: DY, offset: (n * outChannels + g * og) * P, rowStride: P, colStride: 1 },
        col, pointwise ? (n * inChannels + g * cg) * P : 0, P, false,
      );
      if (!pointwise) col2im(col, c, n, g * cg, cg, dX);
    }
  }
  return info([batch, inChannels, inH, inW], dX);
}

export function conv2dBackwardWeight(x: TensorInfo, dy: TensorInfo, c: Conv2dInfo): TensorInfo {
  const X = f32(x);
  const DY = f32(dy);
  const { batch, groups, outChannels, outH, outW, kH, kW, inChannels } = c;
  const cg = inChannels / groups;
  const og = outChannels / groups;
  const Kc = cg * kH * kW;
  const P = outH * outW;
  const dW = new Float32Array(outChannels * Kc);
  const pointwise = isPointwise(c);
  const col = pointwise ? X : new Float32Array(Kc * P);
  for (let n = 0; n < batch; n++) {
    for (let g = 0; g < groups; g++) {
      if (!pointwise) im2col(X, c, n, g * cg, cg, col);
      // dW_g += dy[n, g] · colᵀ
      gemm(
        og, Kc, P,
        { data: DY, offset: (n * outChannels + g * og) * P, rowStride: P, colStride: 1 },
        { data: col, offset: pointwise ? (n * inChannels + g * cg) * P : 0, rowStride: 1, colStride: P },
        dW, g * og * Kc, Kc, n > 0,
      );
    }
  }
  return info([outChannels, cg, kH, kW], dW);
}
