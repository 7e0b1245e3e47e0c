/** Max and average pooling (forward and backward) over ranges of planes. */
import type { TensorInfo } from '../../backend.js';
import type { Pool2dInfo } from '../../geometry.js';
import { sizeOf } from '../../shape.js';
import { TASK, type WasmContext } from '../context.js';

function words(p: Pool2dInfo): number[] {
  return [
    p.batch,
    p.channels,
    p.inH,
    p.inW,
    p.kH,
    p.kW,
    p.strideH,
    p.strideW,
    p.padH,
    p.padW,
    p.dilationH,
    p.dilationW,
    p.outH,
    p.outW,
    p.countIncludePad ? 1 : 0,
    p.divisorOverride ?? 0,
  ];
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
  ctx.args([...words(p), ctx.ptr(x), ctx.ptr(values), ctx.ptr(indices), per]);
  ctx.run(TASK.maxPool, parts);
  return { values, indices };
}

export function maxPool2dBackward(ctx: WasmContext, dy: TensorInfo, indices: TensorInfo, inputShape: readonly number[]): TensorInfo {
  const dx = ctx.output(inputShape);
  const planes = inputShape[0] * inputShape[1];
  const planeIn = inputShape[2] * inputShape[3];
  const planeOut = dy.shape[2] * dy.shape[3];
  const { parts, per } = planeParts(ctx, planes, planes * planeIn);
  ctx.args([planes, planeIn, planeOut, ctx.ptr(dy), ctx.ptr(indices), ctx.ptr(dx), per]);
  ctx.run(TASK.maxPoolBackward, parts);
  return dx;
}

export function avgPool2d(ctx: WasmContext, x: TensorInfo, p: Pool2dInfo): TensorInfo {
  const shape = [p.batch, p.channels, p.outH, p.outW];
  const out = ctx.output(shape);
  const planes = p.batch * p.channels;
  const { parts, per } = planeParts(ctx, planes, sizeOf(shape) * p.kH * p.kW);
  ctx.args([...words(p), ctx.ptr(x), ctx.ptr(out), 0, per]);
  ctx.run(TASK.avgPool, parts);
  return out;
}

export function avgPool2dBackward(ctx: WasmContext, dy: TensorInfo, p: Pool2dInfo): TensorInfo {
  const dx = ctx.output([p.batch, p.channels, p.inH, p.inW]);
  const planes = p.batch * p.channels;
  const { parts, per } = planeParts(ctx, planes, planes * p.inH * p.inW);
  ctx.args([...words(p), ctx.ptr(dy), ctx.ptr(dx), 0, per]);
  ctx.run(TASK.avgPoolBackward, parts);
  return dx;
}
