/** Max and average pooling (forward and backward) over ranges of planes. */
import type { TensorInfo } from '../../backend.js';
import { computePool2dInfo, type Pool2dInfo } from '../../geometry.js';
import { sizeOf } from '../../shape.js';
import type { WasmContext } from '../context.js';
import type { FastKernels } from './shared.js';

/** The 'pool' argument block of the pooling tasks (interface.json). */
function block(p: Pool2dInfo) {
  return {
    batch: p.batch,
    channels: p.channels,
    inH: p.inH,
    inW: p.inW,
    kH: p.kH,
    kW: p.kW,
    sH: p.strideH,
    sW: p.strideW,
    pH: p.padH,
    pW: p.padW,
    dH: p.dilationH,
    dW: p.dilationW,
    outH: p.outH,
    outW: p.outW,
    includePad: p.countIncludePad,
    divisorOverride: p.divisorOverride ?? 0,
  };
}

function planeParts(ctx: WasmContext, planes: number, work: number): { parts: number; per: number } {
  const parts = Math.min(planes, ctx.partsFor(work));
  const per = Math.ceil(planes / Math.max(1, parts));
  return { parts: planes === 0 ? 0 : Math.ceil(planes / per), per };
}

export function maxPool2d(ctx: WasmContext, x: TensorInfo, p: Pool2dInfo): { values: TensorInfo; indices: TensorInfo } {
  const shape = [p.batch, p.channels, p.outH, p.outW];
  const values = ctx.output(shape);
  const indices = ctx.output(shape, 'int32');
  const planes = p.batch * p.channels;
  const { parts, per } = planeParts(ctx, planes, sizeOf(shape) * p.kH * p.kW);
  ctx.task('maxPool', { ...block(p), x: ctx.ptr(x), out: ctx.ptr(values), indices: ctx.ptr(indices), per }, parts);
  return { values, indices };
}

export function maxPool2dBackward(ctx: WasmContext, dy: TensorInfo, indices: TensorInfo, inputShape: readonly number[]): TensorInfo {
  const dx = ctx.output(inputShape);
  const planes = inputShape[0] * inputShape[1];
  const planeIn = inputShape[2] * inputShape[3];
  const planeOut = dy.shape[2] * dy.shape[3];
  const { parts, per } = planeParts(ctx, planes, planes * planeIn);
  ctx.task('maxPoolBackward', { planes, planeIn, planeOut, dy: ctx.ptr(dy), indices: ctx.ptr(indices), dx: ctx.ptr(dx), per }, parts);
  return dx;
}

export function avgPool2d(ctx: WasmContext, x: TensorInfo, p: Pool2dInfo): TensorInfo {
  const shape = [p.batch, p.channels, p.outH, p.outW];
  const out = ctx.output(shape);
  const planes = p.batch * p.channels;
  const { parts, per } = planeParts(ctx, planes, sizeOf(shape) * p.kH * p.kW);
  ctx.task('avgPool', { ...block(p), x: ctx.ptr(x), out: ctx.ptr(out), per }, parts);
  return out;
}

export function avgPool2dBackward(ctx: WasmContext, dy: TensorInfo, p: Pool2dInfo): TensorInfo {
  const dx = ctx.output([p.batch, p.channels, p.inH, p.inW]);
  const planes = p.batch * p.channels;
  const { parts, per } = planeParts(ctx, planes, planes * p.inH * p.inW);
  ctx.task('avgPoolBackward', { ...block(p), dy: ctx.ptr(dy), dx: ctx.ptr(dx), per }, parts);
  return dx;
}

/**
 * Adaptive average pooling whose windows tile the input exactly (H and W multiples of the output's, as global pooling
 * always is) is average pooling with kernel = stride = H/outH × W/outW; null (the js kernel) for uneven windows.
 */
export function evenAdaptiveWindow(inputShape: readonly number[], outH: number, outW: number): Pool2dInfo | null {
  const [, , inH, inW] = inputShape;
  if (outH < 1 || outW < 1 || inH % outH !== 0 || inW % outW !== 0) return null;
  return computePool2dInfo(inputShape, [inH / outH, inW / outW], {}, 'adaptiveAvgPool2d');
}

/** Adaptive pooling with any windows (uneven ones overlap): average, or max with flat per-plane indices. */
export function adaptivePool2d(ctx: WasmContext, x: TensorInfo, outH: number, outW: number, max: boolean): { values: TensorInfo; indices: TensorInfo | null } {
  const [batch, channels, inH, inW] = x.shape;
  const shape = [batch, channels, outH, outW];
  const values = ctx.output(shape);
  const indices = max ? ctx.output(shape, 'int32') : null;
  const planes = batch * channels;
  const { parts, per } = planeParts(ctx, planes, planes * Math.max(inH * inW, outH * outW));
  const io = { x: ctx.ptr(x), out: ctx.ptr(values), indices: indices ? ctx.ptr(indices) : 0 };
  if (parts > 0) ctx.task('adaptivePool', { ...io, planes, inH, inW, outH, outW, per, max }, parts);
  return { values, indices };
}

export function adaptiveAvgPool2dBackward(ctx: WasmContext, dy: TensorInfo, inputShape: readonly number[]): TensorInfo {
  const [batch, channels, inH, inW] = inputShape;
  const [, , outH, outW] = dy.shape;
  const dx = ctx.output(inputShape);
  const planes = batch * channels;
  const { parts, per } = planeParts(ctx, planes, planes * Math.max(inH * inW, outH * outW));
  if (parts > 0) ctx.task('adaptiveAvgPoolBackward', { dy: ctx.ptr(dy), dx: ctx.ptr(dx), planes, inH, inW, outH, outW, per }, parts);
  return dx;
}

/** This family's fast kernels (float32; the js kernels take other dtypes). */
export function poolKernels(ctx: WasmContext): FastKernels {
  return {
    maxPool2d: (x, p) => (x.dtype === 'float32' ? maxPool2d(ctx, x, p) : null),
    maxPool2dBackward: (dy, ind, shape) => maxPool2dBackward(ctx, dy, ind, shape),
    avgPool2d: (x, p) => (x.dtype === 'float32' ? avgPool2d(ctx, x, p) : null),
    avgPool2dBackward: (dy, p) => avgPool2dBackward(ctx, dy, p),
    adaptiveAvgPool2d: (x, outH, outW) => {
      if (x.dtype !== 'float32') return null;
      const p = evenAdaptiveWindow(x.shape, outH, outW);
      return p ? avgPool2d(ctx, x, p) : adaptivePool2d(ctx, x, outH, outW, false).values;
    },
    adaptiveAvgPool2dBackward: (dy, inputShape) => {
      if (dy.dtype !== 'float32') return null;
      const p = evenAdaptiveWindow(inputShape, dy.shape[2], dy.shape[3]);
      return p ? avgPool2dBackward(ctx, dy, p) : adaptiveAvgPool2dBackward(ctx, dy, inputShape);
    },
    adaptiveMaxPool2d: (x, outH, outW) => {
      if (x.dtype !== 'float32') return null;
      const { values, indices } = adaptivePool2d(ctx, x, outH, outW, true);
      return { values, indices: indices! };
    },
  };
}
