/** Every optimizer's update in wasm (SGD, Adam/AdamW, RMSprop, Adagrad, Adadelta), bit-identical to the reference loops in src/optim/. */
import type { TensorInfo } from '../../backend.js';
import type { AdadeltaHyper, AdagradHyper, AdamHyper, RmspropHyper, SgdHyper, UpdateKernels } from '../../kernels.js';
import { sizeOf } from '../../shape.js';
import type { WasmContext } from '../context.js';
import type { FastKernels } from './shared.js';

const fr = Math.fround;

/** Elements per thread part, and the number of parts, for an update over `n` values. */
function split(ctx: WasmContext, param: TensorInfo, grad: TensorInfo, op: string): { n: number; per: number; nparts: number } {
  if (param.dtype !== 'float32' || grad.dtype !== 'float32')
    throw new Error(`${op}: expected float32 parameter and gradient, got ${param.dtype} and ${grad.dtype}`);
  const n = sizeOf(param.shape);
  const per = Math.max(1, Math.ceil(n / ctx.partsFor(n, 1 << 16)));
  return { n, per, nparts: n === 0 ? 0 : Math.ceil(n / per) };
}

export function sgdUpdate(
  ctx: WasmContext,
  param: TensorInfo,
  grad: TensorInfo,
  state: Parameters<UpdateKernels['sgdUpdate']>[2],
  h: SgdHyper,
): ReturnType<UpdateKernels['sgdUpdate']> {
  const { n, per, nparts } = split(ctx, param, grad, 'sgdUpdate');
  const ptrOr0 = (t: TensorInfo | undefined) => (t ? ctx.ptr(t) : 0);
  const p = ctx.output(param.shape);
  const m = h.momentum;
  const buf = m !== 0 ? ctx.output(param.shape) : null;
  const io = { param: ctx.ptr(param), grad: ctx.ptr(grad), buf: ptrOr0(state.momentum_buffer), paramOut: ctx.ptr(p), bufOut: buf ? ctx.ptr(buf) : 0 };
  const scalars = { wdF: fr(h.weightDecay), dampF: fr(1 - h.dampening), momentumF: fr(m), negLr: fr(-h.lr), momentum: m, wd: h.weightDecay };
  ctx.task('sgd', { n, per, ...io, nesterov: h.nesterov, maximize: h.maximize, ...scalars }, nparts);
  return { param: p, state: buf ? { momentum_buffer: buf } : {} };
}

export function adamUpdate(
  ctx: WasmContext,
  param: TensorInfo,
  grad: TensorInfo,
  state: Parameters<UpdateKernels['adamUpdate']>[2],
  h: AdamHyper,
): ReturnType<UpdateKernels['adamUpdate']> {
  const { n, per, nparts } = split(ctx, param, grad, 'adamUpdate');
  const ptrOr0 = (t: TensorInfo | undefined) => (t ? ctx.ptr(t) : 0);
  const p = ctx.output(param.shape);
  const b1 = h.beta1;
  const b2 = h.beta2;
  const step = h.step;
  const m = ctx.output(param.shape);
  const v = ctx.output(param.shape);
  const vmax = h.amsgrad ? ctx.output(param.shape) : null;
  const inputs = {
    param: ctx.ptr(param),
    grad: ctx.ptr(grad),
    expAvg: ptrOr0(state.exp_avg),
    expAvgSq: ptrOr0(state.exp_avg_sq),
    maxExpAvgSq: ptrOr0(state.max_exp_avg_sq),
  };
  const outputs = { paramOut: ctx.ptr(p), expAvgOut: ctx.ptr(m), expAvgSqOut: ctx.ptr(v), maxExpAvgSqOut: vmax ? ctx.ptr(vmax) : 0 };
  const scalars = {
    wdF: h.decoupled ? 0 : fr(h.weightDecay),
    shrink: fr(1 - h.lr * h.weightDecay),
    beta1: fr(b1),
    oneMinusBeta1: fr(1 - b1),
    beta2: fr(b2),
    oneMinusBeta2: fr(1 - b2),
    bc2Sqrt: fr(Math.sqrt(1 - b2 ** step)),
    eps: fr(h.eps),
    negStepSize: fr(-(h.lr / (1 - b1 ** step))),
  };
  ctx.task('adam', { n, per, ...inputs, ...outputs, decoupled: h.decoupled, maximize: h.maximize, ...scalars }, nparts);
  return { param: p, state: vmax ? { exp_avg: m, exp_avg_sq: v, max_exp_avg_sq: vmax } : { exp_avg: m, exp_avg_sq: v } };
}

export function rmspropUpdate(
  ctx: WasmContext,
  param: TensorInfo,
  grad: TensorInfo,
  state: Parameters<UpdateKernels['rmspropUpdate']>[2],
  h: RmspropHyper,
): ReturnType<UpdateKernels['rmspropUpdate']> {
  const { n, per, nparts } = split(ctx, param, grad, 'rmspropUpdate');
  const ptrOr0 = (t: TensorInfo | null | undefined) => (t ? ctx.ptr(t) : 0);
  const p = ctx.output(param.shape);
  const sq = ctx.output(param.shape);
  const ga = h.centered ? ctx.output(param.shape) : null;
  const buf = h.momentum > 0 ? ctx.output(param.shape) : null;
  ctx.task(
    'rmsprop',
    {
      n,
      per,
      param: ctx.ptr(param),
      grad: ctx.ptr(grad),
      squareAvg: ptrOr0(state.square_avg),
      gradAvg: ptrOr0(state.grad_avg),
      momentumBuffer: ptrOr0(state.momentum_buffer),
      paramOut: ctx.ptr(p),
      squareAvgOut: ctx.ptr(sq),
      gradAvgOut: ptrOr0(ga),
      momentumOut: ptrOr0(buf),
      maximize: h.maximize,
      alpha: h.alpha,
      eps: h.eps,
      wd: h.weightDecay,
      momentum: h.momentum,
      lr: h.lr,
    },
    nparts,
  );
  return { param: p, state: { square_avg: sq, ...(ga ? { grad_avg: ga } : {}), ...(buf ? { momentum_buffer: buf } : {}) } };
}

export function adagradUpdate(
  ctx: WasmContext,
  param: TensorInfo,
  grad: TensorInfo,
  state: Parameters<UpdateKernels['adagradUpdate']>[2],
  h: AdagradHyper,
): ReturnType<UpdateKernels['adagradUpdate']> {
  const { n, per, nparts } = split(ctx, param, grad, 'adagradUpdate');
  const p = ctx.output(param.shape);
  const sum = ctx.output(param.shape);
  const clr = h.lr / (1 + (h.step - 1) * h.lrDecay);
  const io = { param: ctx.ptr(param), grad: ctx.ptr(grad), sum: state.sum ? ctx.ptr(state.sum) : 0, paramOut: ctx.ptr(p), sumOut: ctx.ptr(sum) };
  ctx.task('adagrad', { n, per, ...io, maximize: h.maximize, clr, eps: h.eps, wd: h.weightDecay }, nparts);
  return { param: p, state: { sum } };
}

export function adadeltaUpdate(
  ctx: WasmContext,
  param: TensorInfo,
  grad: TensorInfo,
  state: Parameters<UpdateKernels['adadeltaUpdate']>[2],
  h: AdadeltaHyper,
): ReturnType<UpdateKernels['adadeltaUpdate']> {
  const { n, per, nparts } = split(ctx, param, grad, 'adadeltaUpdate');
  const ptrOr0 = (t: TensorInfo | undefined) => (t ? ctx.ptr(t) : 0);
  const p = ctx.output(param.shape);
  const sq = ctx.output(param.shape);
  const acc = ctx.output(param.shape);
  const io = {
    param: ctx.ptr(param),
    grad: ctx.ptr(grad),
    squareAvg: ptrOr0(state.square_avg),
    accDelta: ptrOr0(state.acc_delta),
    paramOut: ctx.ptr(p),
    squareAvgOut: ctx.ptr(sq),
    accDeltaOut: ctx.ptr(acc),
  };
  ctx.task('adadelta', { n, per, ...io, maximize: h.maximize, rho: h.rho, eps: h.eps, wd: h.weightDecay, lr: h.lr }, nparts);
  return { param: p, state: { square_avg: sq, acc_delta: acc } };
}

/** This family's fast kernels: the optional typed updates (parameters are float32; the optimizers check). */
export function optimKernels(ctx: WasmContext): FastKernels {
  return {
    sgdUpdate: (param, grad, state, h) => sgdUpdate(ctx, param, grad, state, h),
    adamUpdate: (param, grad, state, h) => adamUpdate(ctx, param, grad, state, h),
    rmspropUpdate: (param, grad, state, h) => rmspropUpdate(ctx, param, grad, state, h),
    adagradUpdate: (param, grad, state, h) => adagradUpdate(ctx, param, grad, state, h),
    adadeltaUpdate: (param, grad, state, h) => adadeltaUpdate(ctx, param, grad, state, h),
  };
}
