/**
 * Conv and pooling geometry, computed once by the op (which validates) and handed to every backend's kernels.
 * Output size: floor((H + padBefore + padAfter − D·(K−1) − 1) / S) + 1.
 */
import { shapeToString } from './shape.js';

export interface Conv2dInfo {
  batch: number;
  inChannels: number;
  inH: number;
  inW: number;
  outChannels: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  /** Top/left padding; bottom/right padding is implied by outH/outW ('same' may pad asymmetrically). */
  padTop: number;
  padLeft: number;
  padBottom: number;
  padRight: number;
  dilationH: number;
  dilationW: number;
  groups: number;
  outH: number;
  outW: number;
}

export type Pair = number | readonly [number, number];

export function pair(v: Pair, name: string, op: string, min: number): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if ((typeof v !== 'number' && (!Array.isArray(v) || v.length !== 2)) || !p.every((x) => Number.isInteger(x) && x >= min)) {
    throw new Error(`${op}: ${name} must be an integer >= ${min} or a pair of them, got ${JSON.stringify(v)}`);
  }
  return p;
}

export interface Conv2dOptions {
  stride?: Pair;
  padding?: Pair | 'same' | 'valid';
  dilation?: Pair;
  groups?: number;
}

export function computeConv2dInfo(xShape: readonly number[], wShape: readonly number[], opts: Conv2dOptions, op = 'conv2d'): Conv2dInfo {
  if (xShape.length !== 4) throw new Error(`${op}: expected a 4-D input [N,C,H,W], got shape ${shapeToString(xShape)}`);
  if (wShape.length !== 4) throw new Error(`${op}: expected a 4-D weight [C_out,C_in/groups,kH,kW], got shape ${shapeToString(wShape)}`);
  const groups = opts.groups ?? 1;
  const [batch, inChannels, inH, inW] = xShape;
  const [outChannels, wIn, kH, kW] = wShape;
  const desc = `(input ${shapeToString(xShape)}, weight ${shapeToString(wShape)}, groups ${groups})`;
  if (!Number.isInteger(groups) || groups < 1) throw new Error(`${op}: groups must be a positive integer, got ${groups}`);
  if (inChannels % groups !== 0) throw new Error(`${op}: input channels ${inChannels} must be divisible by groups ${groups} ${desc}`);
  if (outChannels % groups !== 0) throw new Error(`${op}: output channels ${outChannels} must be divisible by groups ${groups} ${desc}`);
  if (wIn * groups !== inChannels) {
    throw new Error(`${op}: input has ${inChannels} channels but weight expects ${wIn * groups} ${desc}`);
  }
  const [strideH, strideW] = pair(opts.stride ?? 1, 'stride', op, 1);
  const [dilationH, dilationW] = pair(opts.dilation ?? 1, 'dilation', op, 1);
  const effKH = dilationH * (kH - 1) + 1;
  const effKW = dilationW * (kW - 1) + 1;
  let padTop: number, padBottom: number, padLeft: number, padRight: number;
  const padding = opts.padding ?? 0;
  if (padding === 'valid') {
    padTop = padBottom = padLeft = padRight = 0;
  } else if (padding === 'same') {
    if (strideH !== 1 || strideW !== 1) throw new Error(`${op}: padding='same' is not supported for strided convolutions (stride ${strideH},${strideW})`);
    // PyTorch puts the extra pixel of an even kernel on the bottom/right.
    padTop = Math.floor((effKH - 1) / 2);
    padBottom = effKH - 1 - padTop;
    padLeft = Math.floor((effKW - 1) / 2);
    padRight = effKW - 1 - padLeft;
  } else {
    [padTop, padLeft] = pair(padding, 'padding', op, 0);
    padBottom = padTop;
    padRight = padLeft;
  }
  const paddedH = inH + padTop + padBottom;
  const paddedW = inW + padLeft + padRight;
  if (effKH > paddedH || effKW > paddedW) {
    throw new Error(`${op}: kernel size ${kH}x${kW} (dilated ${effKH}x${effKW}) is larger than the padded input ${paddedH}x${paddedW} ${desc}`);
  }
  const outH = Math.floor((paddedH - effKH) / strideH) + 1;
  const outW = Math.floor((paddedW - effKW) / strideW) + 1;
  return {
    batch,
    inChannels,
    inH,
    inW,
    outChannels,
    kH,
    kW,
    strideH,
    strideW,
    padTop,
    padLeft,
    padBottom,
    padRight,
    dilationH,
    dilationW,
    groups,
    outH,
    outW,
  };
}

export interface Pool2dInfo {
  batch: number;
  channels: number;
  inH: number;
  inW: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  dilationH: number;
  dilationW: number;
  outH: number;
  outW: number;
  countIncludePad: boolean;
  divisorOverride: number | null;
}

export interface Pool2dOptions {
  stride?: Pair | null;
  padding?: Pair;
  dilation?: Pair;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

/** PyTorch's pooling output size, including its ceil_mode rule (the last window must start inside input+left pad). */
function poolOutSize(inSize: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  const num = inSize + 2 * p - d * (k - 1) - 1;
  let out = (ceil ? Math.ceil(num / s) : Math.floor(num / s)) + 1;
  if (ceil && (out - 1) * s >= inSize + p) out--;
  return out;
}

export function computePool2dInfo(xShape: readonly number[], kernelSize: Pair, opts: Pool2dOptions, op: string): Pool2dInfo {
  if (xShape.length !== 4) throw new Error(`${op}: expected a 4-D input [N,C,H,W], got shape ${shapeToString(xShape)}`);
  const [batch, channels, inH, inW] = xShape;
  const [kH, kW] = pair(kernelSize, 'kernelSize', op, 1);
  const [strideH, strideW] = pair(opts.stride ?? kernelSize, 'stride', op, 1);
  const [padH, padW] = pair(opts.padding ?? 0, 'padding', op, 0);
  const [dilationH, dilationW] = pair(opts.dilation ?? 1, 'dilation', op, 1);
  if (padH > Math.floor(kH / 2) || padW > Math.floor(kW / 2)) {
    throw new Error(`${op}: padding ${padH},${padW} must be at most half of the kernel size ${kH}x${kW}`);
  }
  const ceil = opts.ceilMode ?? false;
  const outH = poolOutSize(inH, kH, strideH, padH, dilationH, ceil);
  const outW = poolOutSize(inW, kW, strideW, padW, dilationW, ceil);
  if (outH < 1 || outW < 1) {
    throw new Error(
      `${op}: kernel ${kH}x${kW} (dilation ${dilationH},${dilationW}, padding ${padH},${padW}) is larger than the input ${inH}x${inW} (input ${shapeToString(xShape)})`,
    );
  }
  const divisorOverride = opts.divisorOverride ?? null;
  if (divisorOverride !== null && (!Number.isInteger(divisorOverride) || divisorOverride <= 0)) {
    throw new Error(`${op}: divisorOverride must be a positive integer, got ${divisorOverride}`);
  }
  return {
    batch,
    channels,
    inH,
    inW,
    kH,
    kW,
    strideH,
    strideW,
    padH,
    padW,
    dilationH,
    dilationW,
    outH,
    outW,
    countIncludePad: opts.countIncludePad ?? true,
    divisorOverride,
  };
}
