/** Fused training-mode batch norm (forward and backward), optionally with + residual and ReLU; parts over channels. */
import type { TensorInfo } from '../../backend.js';
import { sizeOf } from '../../shape.js';
import type { WasmContext } from '../context.js';
import type { FastKernels } from './shared.js';

function layout(shape: readonly number[]): [number, number, number] {
  return [shape[0], shape[1], sizeOf(shape.slice(2))];
}

function channelParts(ctx: WasmContext, C: number, total: number): { parts: number; per: number } {
  const parts = Math.min(C, ctx.partsFor(total));
  const per = Math.ceil(C / Math.max(1, parts));
  return { parts: C === 0 ? 0 : Math.ceil(C / per), per };
}

export function batchNormTrain(
  ctx: WasmContext,
  x: TensorInfo,
  weight: TensorInfo | null,
  bias: TensorInfo | null,
  eps: number,
  residual: TensorInfo | null = null,
  relu = false,
): { y: TensorInfo; mean: TensorInfo; var: TensorInfo } | null {
  if (x.dtype !== 'float32') return null;
  if (residual && (residual.dtype !== 'float32' || residual.shape.join() !== x.shape.join())) return null;
  const [N, C, S] = layout(x.shape);
  const y = ctx.output(x.shape);
  const mean = ctx.output([C]);
  const variance = ctx.output([C]);
  const { parts, per } = channelParts(ctx, C, N * C * S);
  const [w, b] = [weight ? ctx.ptr(weight) : 0, bias ? ctx.ptr(bias) : 0];
  const io = {
    x: ctx.ptr(x),
    y: ctx.ptr(y),
    weight: w,
    bias: b,
    meanOut: ctx.ptr(mean),
    varOut: ctx.ptr(variance),
    res: residual ? ctx.ptr(residual) : 0,
    relu,
  };
  ctx.task('batchNormForward', { ...io, n: N, c: C, s: S, per, eps }, parts);
  return { y, mean, var: variance };
}

export function batchNormTrainBackward(
  ctx: WasmContext,
  x: TensorInfo,
  dy: TensorInfo,
  mean: TensorInfo,
  variance: TensorInfo,
  weight: TensorInfo | null,
  eps: number,
  y: TensorInfo | null = null,
  wantResidual = false,
): { dx: TensorInfo; dweight: TensorInfo; dbias: TensorInfo; dres: TensorInfo | null } | null {
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') return null;
  const [N, C, S] = layout(x.shape);
  const dx = ctx.output(x.shape);
  const dres = wantResidual ? ctx.output(x.shape) : null;
  const dweight = ctx.output([C]);
  const dbias = ctx.output([C]);
  const { parts, per } = channelParts(ctx, C, N * C * S);
  const inputs = { x: ctx.ptr(x), dy: ctx.ptr(dy), mean: ctx.ptr(mean), variance: ctx.ptr(variance), weight: weight ? ctx.ptr(weight) : 0 };
  const outputs = { dx: ctx.ptr(dx), dweightOut: ctx.ptr(dweight), dbiasOut: ctx.ptr(dbias), dres: dres ? ctx.ptr(dres) : 0 };
  ctx.task('batchNormBackward', { ...inputs, y: y ? ctx.ptr(y) : 0, ...outputs, n: N, c: C, s: S, per, eps }, parts);
  return { dx, dweight, dbias, dres };
}

/** This family's fast kernels. */
export function normKernels(ctx: WasmContext): FastKernels {
  return {
    batchNormTrain: (x, w, b, eps) => batchNormTrain(ctx, x, w, b, eps),
    batchNormTrainBackward: (x, dy, m, v, w, eps) => batchNormTrainBackward(ctx, x, dy, m, v, w, eps),
    batchNormTrainAct: (x, w, b, residual, eps, relu) => batchNormTrain(ctx, x, w, b, eps, residual, relu),
    batchNormTrainActBackward: (x, y, dy, m, v, w, eps, wantResidual) => batchNormTrainBackward(ctx, x, dy, m, v, w, eps, y, wantResidual),
  };
}
