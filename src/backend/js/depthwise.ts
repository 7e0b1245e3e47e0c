/**
 * Depthwise convolution (groups = in_channels, each input channel feeding `multiplier` output channels) as direct
 * loops: a GEMM per channel would be a 1-row product, dominated by call and packing overhead (MobileNet, EfficientNet).
 */
import type { Conv2dInfo } from '../geometry.js';

export function isDepthwise(c: Conv2dInfo): boolean {
  return c.groups > 1 && c.groups === c.inChannels && c.outChannels % c.inChannels === 0;
}

/** Visits every (output position, kernel tap) pair inside the input: fn(outIndex, inIndex, weightIndex). */
function forEachTap(c: Conv2dInfo, fn: (o: number, i: number, w: number) => void): void {
  const { batch, inChannels, inH, inW, outChannels, kH, kW, outH, outW, strideH, strideW, padTop, padLeft, dilationH, dilationW } = c;
  const mult = outChannels / inChannels;
  for (let n = 0; n < batch; n++) {
    for (let oc = 0; oc < outChannels; oc++) {
      const ic = Math.floor(oc / mult);
      const inBase = (n * inChannels + ic) * inH * inW;
      const outBase = (n * outChannels + oc) * outH * outW;
      const wBase = oc * kH * kW;
      for (let ki = 0; ki < kH; ki++) {
        for (let kj = 0; kj < kW; kj++) {
          const wi = wBase + ki * kW + kj;
          for (let oh = 0; oh < outH; oh++) {
            const ih = oh * strideH - padTop + ki * dilationH;
            if (ih < 0 || ih >= inH) continue;
            const rowIn = inBase + ih * inW;
            const rowOut = outBase + oh * outW;
            // The range of ow whose input column is inside the image, computed once per row.
            const off = kj * dilationW - padLeft;
            const owStart = Math.max(0, Math.ceil(-off / strideW));
            const owEnd = Math.min(outW, Math.floor((inW - 1 - off) / strideW) + 1);
            for (let ow = owStart; ow < owEnd; ow++) fn(rowOut + ow, rowIn + ow * strideW + off, wi);
          }
        }
      }
    }
  }
}

export function depthwiseForward(X: Float32Array, W: Float32Array, c: Conv2dInfo): Float32Array {
  const out = new Float64Array(c.batch * c.outChannels * c.outH * c.outW);
  forEachTap(c, (o, i, w) => {
    out[o] += X[i] * W[w];
  });
  return Float32Array.from(out);
}

export function depthwiseBackwardInput(DY: Float32Array, W: Float32Array, c: Conv2dInfo): Float32Array {
  const dX = new Float64Array(c.batch * c.inChannels * c.inH * c.inW);
  forEachTap(c, (o, i, w) => {
    dX[i] += DY[o] * W[w];
  });
  return Float32Array.from(dX);
}

export function depthwiseBackwardWeight(X: Float32Array, DY: Float32Array, c: Conv2dInfo): Float32Array {
  const dW = new Float64Array(c.outChannels * c.kH * c.kW);
  forEachTap(c, (o, i, w) => {
    dW[w] += DY[o] * X[i];
  });
  return Float32Array.from(dW);
}
