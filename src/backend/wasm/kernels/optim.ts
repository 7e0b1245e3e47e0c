/** SGD and Adam/AdamW updates in wasm (bit-identical to js/optim.ts); the other rules run the js kernel. */
import type { TensorInfo } from '../../backend.js';
import type { OptimizerHyper, OptimizerRule } from '../../kernels.js';
import { sizeOf } from '../../shape.js';
import { TASK, type WasmContext } from '../context.js';

type Result = { param: TensorInfo; state: Record<string, TensorInfo> };
const fr = Math.fround;

export function optimizerStep(
  ctx: WasmContext,
  rule: OptimizerRule,
  param: TensorInfo,
  grad: TensorInfo,
  state: Readonly<Record<string, TensorInfo | undefined>>,
  h: OptimizerHyper,
): Result | null {
  if (param.dtype !== 'float32' || grad.dtype !== 'float32') return null;
  const n = sizeOf(param.shape);
  const parts = ctx.partsFor(n, 1 << 16);
  const per = Math.max(1, Math.ceil(n / parts));
  const nparts = n === 0 ? 0 : Math.ceil(n / per);
  const ptrOr0 = (t: TensorInfo | undefined) => (t ? ctx.ptr(t) : 0);
  const p = ctx.output(param.shape);
  if (rule === 'sgd') {
    const m = h.momentum ?? 0;
    const buf = m !== 0 ? ctx.output(param.shape) : null;
    ctx.args(
      [n, per, ctx.ptr(param), ctx.ptr(grad), ptrOr0(state.momentum_buffer), ctx.ptr(p), buf ? ctx.ptr(buf) : 0, h.nesterov ? 1 : 0, h.maximize ? 1 : 0],
      { 10: fr(h.weightDecay), 12: fr(1 - (h.dampening ?? 0)), 14: fr(m), 16: fr(-h.lr), 18: m, 20: h.weightDecay },
    );
    ctx.run(TASK.sgd, nparts);
    return { param: p, state: buf ? { momentum_buffer: buf } : {} };
  }
  if (rule === 'adam') {
    const b1 = h.beta1!;
    const b2 = h.beta2!;
    const step = h.step!;
    const m = ctx.output(param.shape);
    const v = ctx.output(param.shape);
    const vmax = h.amsgrad ? ctx.output(param.shape) : null;
    ctx.args(
      [
        n,
        per,
        ctx.ptr(param),
        ctx.ptr(grad),
        ptrOr0(state.exp_avg),
        ptrOr0(state.exp_avg_sq),
        ptrOr0(state.max_exp_avg_sq),
        ctx.ptr(p),
        ctx.ptr(m),
        ctx.ptr(v),
        vmax ? ctx.ptr(vmax) : 0,
        h.decoupled ? 1 : 0,
        h.maximize ? 1 : 0,
      ],
      {
        14: h.decoupled ? 0 : fr(h.weightDecay),
        16: fr(1 - h.lr * h.weightDecay),
        18: fr(b1),
        20: fr(1 - b1),
        22: fr(b2),
        24: fr(1 - b2),
        26: fr(Math.sqrt(1 - b2 ** step)),
        28: fr(h.eps!),
        30: fr(-(h.lr / (1 - b1 ** step))),
      },
    );
    ctx.run(TASK.adam, nparts);
    const out: Record<string, TensorInfo> = { exp_avg: m, exp_avg_sq: v };
    if (vmax) out.max_exp_avg_sq = vmax;
    return { param: p, state: out };
  }
  return null;
}
