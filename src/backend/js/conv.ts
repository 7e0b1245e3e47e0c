/**
 * conv2d forward and both backward passes as im2col + GEMM over chunks of images.
 * The column matrix of a chunk has shape [C_in/groups · kH · kW, images · outH · outW], so one GEMM covers many
 * images: small layers (LeNet's 5×5 → 1×1 conv has one output pixel per image) still get wide, efficient products.
 * Chunks are sized so the column buffer stays under COL_BUDGET floats.
 */
import type { CoreKernels } from '../kernels.js';
import type { TensorInfo } from '../backend.js';
import type { Conv2dInfo } from '../geometry.js';
import { f32, info } from './handle.js';
import { gemm } from './gemm.js';
import { depthwiseBackwardInput, depthwiseBackwardWeight, depthwiseForward, isDepthwise } from './depthwise.js';

/** Largest column buffer (floats) a chunk may use: 16 MB. */
const COL_BUDGET = 4 * 1024 * 1024;

interface Plan {
  cg: number;
  og: number;
  Kc: number;
  P: number;
  chunk: number;
}

function plan(c: Conv2dInfo): Plan {
  const cg = c.inChannels / c.groups;
  const og = c.outChannels / c.groups;
  const Kc = cg * c.kH * c.kW;
  const P = c.outH * c.outW;
  const chunk = Math.max(1, Math.min(c.batch, Math.floor(COL_BUDGET / Math.max(1, Kc * P))));
  return { cg, og, Kc, P, chunk };
}

/** Unfolds channels [c0, c0+cg) of images [n0, n0+nb) into col [Kc, nb·P]. */
function im2col(X: Float32Array, c: Conv2dInfo, n0: number, nb: number, c0: number, cg: number, col: Float32Array): void {
  const { inH, inW, kH, kW, outH, outW, strideH, strideW, padTop, padLeft, dilationH, dilationW } = c;
  const P = outH * outW;
  const rowLen = nb * P;
  for (let ch = 0; ch < cg; ch++) {
    for (let ki = 0; ki < kH; ki++) {
      for (let kj = 0; kj < kW; kj++) {
        const row = ((ch * kH + ki) * kW + kj) * rowLen;
        for (let b = 0; b < nb; b++) {
          const plane = ((n0 + b) * c.inChannels + c0 + ch) * inH * inW;
          let dst = row + b * P;
          for (let oh = 0; oh < outH; oh++) {
            const ih = oh * strideH - padTop + ki * dilationH;
            if (ih < 0 || ih >= inH) {
              col.fill(0, dst, dst + outW);
              dst += outW;
              continue;
            }
            const src = plane + ih * inW;
            let iw = kj * dilationW - padLeft;
            for (let ow = 0; ow < outW; ow++, iw += strideW) col[dst++] = iw >= 0 && iw < inW ? X[src + iw] : 0;
          }
        }
      }
    }
  }
}

/** Folds col [Kc, nb·P] back, accumulating into channels [c0, c0+cg) of images [n0, n0+nb) of dX. */
function col2im(col: Float32Array, c: Conv2dInfo, n0: number, nb: number, c0: number, cg: number, dX: Float32Array): void {
  const { inH, inW, kH, kW, outH, outW, strideH, strideW, padTop, padLeft, dilationH, dilationW } = c;
  const P = outH * outW;
  const rowLen = nb * P;
  for (let ch = 0; ch < cg; ch++) {
    for (let ki = 0; ki < kH; ki++) {
      for (let kj = 0; kj < kW; kj++) {
        const row = ((ch * kH + ki) * kW + kj) * rowLen;
        for (let b = 0; b < nb; b++) {
          const plane = ((n0 + b) * c.inChannels + c0 + ch) * inH * inW;
          let src = row + b * P;
          for (let oh = 0; oh < outH; oh++) {
            const ih = oh * strideH - padTop + ki * dilationH;
            if (ih < 0 || ih >= inH) {
              src += outW;
              continue;
            }
            const dst = plane + ih * inW;
            let iw = kj * dilationW - padLeft;
            for (let ow = 0; ow < outW; ow++, iw += strideW, src++) if (iw >= 0 && iw < inW) dX[dst + iw] += col[src];
          }
        }
      }
    }
  }
}

/** Copies rows [o0, o0+og) of images [n0, n0+nb) of a [N, O, P] tensor into mat [og, nb·P] (or back, with `back`). */
function gatherRows(T: Float32Array, O: number, P: number, n0: number, nb: number, o0: number, og: number, mat: Float32Array, back: boolean): void {
  const rowLen = nb * P;
  for (let o = 0; o < og; o++) {
    for (let b = 0; b < nb; b++) {
      const t = ((n0 + b) * O + o0 + o) * P;
      const m = o * rowLen + b * P;
      if (back) T.set(mat.subarray(m, m + P), t);
      else mat.set(T.subarray(t, t + P), m);
    }
  }
}

export function conv2d(x: TensorInfo, w: TensorInfo, bias: TensorInfo | null, c: Conv2dInfo): TensorInfo {
  const X = f32(x);
  const W = f32(w);
  const { batch, groups, outChannels } = c;
  const { cg, og, Kc, P, chunk } = plan(c);
  const depthwise = isDepthwise(c);
  const out = depthwise ? depthwiseForward(X, W, c) : new Float32Array(batch * outChannels * P);
  const col = new Float32Array(depthwise ? 0 : Kc * chunk * P);
  const tmp = new Float32Array(depthwise ? 0 : og * chunk * P);
  for (let n0 = 0; n0 < batch && !depthwise; n0 += chunk) {
    const nb = Math.min(chunk, batch - n0);
    for (let g = 0; g < groups; g++) {
      im2col(X, c, n0, nb, g * cg, cg, col);
      gemm(
        og,
        nb * P,
        Kc,
        { data: W, offset: g * og * Kc, rowStride: Kc, colStride: 1 },
        { data: col, offset: 0, rowStride: nb * P, colStride: 1 },
        tmp,
        0,
        nb * P,
        false,
      );
      gatherRows(out, outChannels, P, n0, nb, g * og, og, tmp, true);
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
  return info([batch, outChannels, c.outH, c.outW], out);
}

export function conv2dBackwardInput(dy: TensorInfo, w: TensorInfo, c: Conv2dInfo): TensorInfo {
  const DY = f32(dy);
  const W = f32(w);
  const { batch, groups, outChannels, inChannels, inH, inW } = c;
  if (isDepthwise(c)) return info([batch, inChannels, inH, inW], depthwiseBackwardInput(DY, W, c));
  const { cg, og, Kc, P, chunk } = plan(c);
  const dX = new Float32Array(batch * inChannels * inH * inW);
  const col = new Float32Array(Kc * chunk * P);
  const dyMat = new Float32Array(og * chunk * P);
  for (let n0 = 0; n0 < batch; n0 += chunk) {
    const nb = Math.min(chunk, batch - n0);
    for (let g = 0; g < groups; g++) {
      gatherRows(DY, outChannels, P, n0, nb, g * og, og, dyMat, false);
      // dcol = W_gᵀ · dy_g
      gemm(
        Kc,
        nb * P,
        og,
        { data: W, offset: g * og * Kc, rowStride: 1, colStride: Kc },
        { data: dyMat, offset: 0, rowStride: nb * P, colStride: 1 },
        col,
        0,
        nb * P,
        false,
      );
      col2im(col, c, n0, nb, g * cg, cg, dX);
    }
  }
  return info([batch, inChannels, inH, inW], dX);
}

export function conv2dBackwardWeight(x: TensorInfo, dy: TensorInfo, c: Conv2dInfo): TensorInfo {
  const X = f32(x);
  const DY = f32(dy);
  const { batch, groups, outChannels, kH, kW } = c;
  if (isDepthwise(c)) return info([outChannels, 1, kH, kW], depthwiseBackwardWeight(X, DY, c));
  const { cg, og, Kc, P, chunk } = plan(c);
  const dW = new Float32Array(outChannels * Kc);
  const col = new Float32Array(Kc * chunk * P);
  const dyMat = new Float32Array(og * chunk * P);
  for (let n0 = 0; n0 < batch; n0 += chunk) {
    const nb = Math.min(chunk, batch - n0);
    for (let g = 0; g < groups; g++) {
      im2col(X, c, n0, nb, g * cg, cg, col);
      gatherRows(DY, outChannels, P, n0, nb, g * og, og, dyMat, false);
      // dW_g += dy_g · colᵀ
      gemm(
        og,
        Kc,
        nb * P,
        { data: dyMat, offset: 0, rowStride: nb * P, colStride: 1 },
        { data: col, offset: 0, rowStride: 1, colStride: nb * P },
        dW,
        g * og * Kc,
        Kc,
        n0 > 0,
      );
    }
  }
  return info([outChannels, cg, kH, kW], dW);
}

/** This family's kernels, collected into the js backend's table (index.ts). */
export const CONV_KERNELS = { conv2d, conv2dBackwardInput, conv2dBackwardWeight } satisfies Partial<CoreKernels>;
