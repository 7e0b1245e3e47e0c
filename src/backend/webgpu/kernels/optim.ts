/**
 * Optimizer updates on the GPU, in PyTorch's order of operations (float32 arithmetic as each GPU rounds it; the
 * reference loops in src/optim/ are the definition). Inputs are not modified: new parameter and state tensors return.
 * Adam and RMSprop run as two passes (state, then the parameter) so no shader needs more than eight storage buffers.
 */
import type { TensorInfo } from '../../backend.js';
import type { AdadeltaHyper, AdagradHyper, AdamHyper, RmspropHyper, SgdHyper, UpdateResult } from '../../kernels.js';
import { sizeOf } from '../../shape.js';
import { slot, type GpuContext } from '../context.js';
import { Params } from '../runner.js';
import { declare, groupsFor, PARAMS, perElement } from '../wgsl.js';

type TI = TensorInfo;

export function optimKernels(ctx: GpuContext) {
  const run = ctx.runner;
  const read = (t: TI) => ({ slot: slot(t), access: 'read' as const });
  const write = (t: TI) => ({ slot: slot(t), access: 'write' as const });

  function sgdUpdate(param: TI, grad: TI, state: Readonly<{ momentum_buffer?: TI }>, h: SgdHyper): UpdateResult<'momentum_buffer'> {
    const n = sizeOf(param.shape);
    const out = ctx.alloc(param.shape, 'float32');
    const useMomentum = h.momentum !== 0;
    const had = state.momentum_buffer !== undefined;
    const buf = useMomentum ? ctx.alloc(param.shape, 'float32') : null;
    if (n === 0) return { param: out, state: buf ? { momentum_buffer: buf } : {} };
    const key = `sgd:${useMomentum}:${had}:${h.nesterov}:${h.maximize}:${h.weightDecay !== 0}`;
    run.run({
      key,
      code: () =>
        declare([
          { name: 'P', access: 'read' },
          { name: 'G', access: 'read' },
          ...(useMomentum && had ? [{ name: 'B', access: 'read' as const }] : []),
          { name: 'PO', access: 'write' },
          ...(useMomentum ? [{ name: 'BO', access: 'write' as const }] : []),
        ]) +
        PARAMS +
        perElement(
          'pu(0u)',
          `  let lr = pf(1u); let wd = pf(2u); let m = pf(3u); let damp = pf(4u);
  var d = ${h.maximize ? '-G[i]' : 'G[i]'};
  ${h.weightDecay !== 0 ? 'd = d + wd * P[i];' : ''}
  ${useMomentum ? `let b = ${had ? 'B[i] * m + (1.0 - damp) * d' : 'd'};\n  BO[i] = b;\n  d = ${h.nesterov ? 'd + m * b' : 'b'};` : ''}
  PO[i] = P[i] - lr * d;`,
        ),
      buffers: [read(param), read(grad), ...(useMomentum && had ? [read(state.momentum_buffer!)] : []), write(out), ...(buf ? [write(buf)] : [])],
      params: new Params().u(n).f(h.lr, h.weightDecay, h.momentum, h.dampening).done(),
      groups: groupsFor(n),
    });
    return { param: out, state: buf ? { momentum_buffer: buf } : {} };
  }

  function adamUpdate(
    param: TI,
    grad: TI,
    state: Readonly<{ exp_avg?: TI; exp_avg_sq?: TI; max_exp_avg_sq?: TI }>,
    h: AdamHyper,
  ): UpdateResult<'exp_avg' | 'exp_avg_sq' | 'max_exp_avg_sq'> {
    const n = sizeOf(param.shape);
    const zeros = () => ctx.zeros(param.shape, 'float32');
    const m0 = state.exp_avg ?? zeros();
    const v0 = state.exp_avg_sq ?? zeros();
    const vmax0 = h.amsgrad ? (state.max_exp_avg_sq ?? zeros()) : null;
    const m = ctx.alloc(param.shape, 'float32');
    const v = ctx.alloc(param.shape, 'float32');
    const vmax = h.amsgrad ? ctx.alloc(param.shape, 'float32') : null;
    const out = ctx.alloc(param.shape, 'float32');
    const newState = vmax ? { exp_avg: m, exp_avg_sq: v, max_exp_avg_sq: vmax } : { exp_avg: m, exp_avg_sq: v };
    if (n === 0) return { param: out, state: newState };
    const stepSize = h.lr / (1 - h.beta1 ** h.step);
    const bc2Sqrt = Math.sqrt(1 - h.beta2 ** h.step);
    const shrink = 1 - h.lr * h.weightDecay;
    const params = new Params().u(n).f(h.beta1, h.beta2, h.weightDecay, stepSize, bc2Sqrt, h.eps, shrink).done();
    const decay = !h.decoupled && h.weightDecay !== 0;
    run.run({
      key: `adamMoments:${h.amsgrad}:${decay}:${h.maximize}`,
      code: () =>
        declare([
          { name: 'P', access: 'read' },
          { name: 'G', access: 'read' },
          { name: 'M', access: 'read' },
          { name: 'V', access: 'read' },
          ...(h.amsgrad ? [{ name: 'VM', access: 'read' as const }] : []),
          { name: 'MO', access: 'write' },
          { name: 'VO', access: 'write' },
          ...(h.amsgrad ? [{ name: 'VMO', access: 'write' as const }] : []),
        ]) +
        PARAMS +
        perElement(
          'pu(0u)',
          `  let b1 = pf(1u); let b2 = pf(2u);
  var d = ${h.maximize ? '-G[i]' : 'G[i]'};
  ${decay ? 'd = d + pf(3u) * P[i];' : ''}
  MO[i] = M[i] * b1 + (1.0 - b1) * d;
  let v = V[i] * b2 + (1.0 - b2) * d * d;
  VO[i] = v;
  ${h.amsgrad ? 'VMO[i] = max(VM[i], v);' : ''}`,
        ),
      buffers: [read(param), read(grad), read(m0), read(v0), ...(vmax0 ? [read(vmax0)] : []), write(m), write(v), ...(vmax ? [write(vmax)] : [])],
      params,
      groups: groupsFor(n),
    });
    run.run({
      key: `adamParam:${h.decoupled && h.weightDecay !== 0}`,
      code: () =>
        declare([
          { name: 'P', access: 'read' },
          { name: 'M', access: 'read' },
          { name: 'S', access: 'read' },
          { name: 'PO', access: 'write' },
        ]) +
        PARAMS +
        perElement(
          'pu(0u)',
          `  var p = P[i];
  ${h.decoupled && h.weightDecay !== 0 ? 'p = p * pf(7u);' : ''}
  let denom = sqrt(S[i]) / pf(5u) + pf(6u);
  PO[i] = p - pf(4u) * M[i] / denom;`,
        ),
      buffers: [read(param), read(m), read(vmax ?? v), write(out)],
      params,
      groups: groupsFor(n),
    });
    return { param: out, state: newState };
  }

  /** The gradient the rules step along, in WGSL: negated when maximizing, plus decay·p (L2) when decay ≠ 0. */
  const effective = (maximize: boolean, decay: boolean, wd: string) => `${maximize ? '-G[i]' : 'G[i]'}${decay ? ` + ${wd} * P[i]` : ''}`;

  function rmspropUpdate(
    param: TI,
    grad: TI,
    state: Readonly<{ square_avg?: TI; grad_avg?: TI; momentum_buffer?: TI }>,
    h: RmspropHyper,
  ): UpdateResult<'square_avg' | 'grad_avg' | 'momentum_buffer'> {
    const n = sizeOf(param.shape);
    const zeros = () => ctx.zeros(param.shape, 'float32');
    const useMomentum = h.momentum > 0;
    const sq0 = state.square_avg ?? zeros();
    const ga0 = h.centered ? (state.grad_avg ?? zeros()) : null;
    const buf0 = useMomentum ? (state.momentum_buffer ?? zeros()) : null;
    const sq = ctx.alloc(param.shape, 'float32');
    const ga = h.centered ? ctx.alloc(param.shape, 'float32') : null;
    const buf = useMomentum ? ctx.alloc(param.shape, 'float32') : null;
    const out = ctx.alloc(param.shape, 'float32');
    const newState: Partial<Record<'square_avg' | 'grad_avg' | 'momentum_buffer', TI>> = { square_avg: sq };
    if (ga) newState.grad_avg = ga;
    if (buf) newState.momentum_buffer = buf;
    if (n === 0) return { param: out, state: newState };
    const params = new Params().u(n).f(h.lr, h.alpha, h.eps, h.weightDecay, h.momentum).done();
    const d = effective(h.maximize, h.weightDecay !== 0, 'pf(4u)');
    run.run({
      key: `rmspropState:${h.centered}:${h.maximize}:${h.weightDecay !== 0}`,
      code: () =>
        declare([
          { name: 'P', access: 'read' },
          { name: 'G', access: 'read' },
          { name: 'SQ', access: 'read' },
          ...(h.centered ? [{ name: 'GA', access: 'read' as const }] : []),
          { name: 'SQO', access: 'write' },
          ...(h.centered ? [{ name: 'GAO', access: 'write' as const }] : []),
        ]) +
        PARAMS +
        perElement(
          'pu(0u)',
          `  let a = pf(2u);
  let d = ${d};
  SQO[i] = SQ[i] * a + (1.0 - a) * d * d;
  ${h.centered ? 'GAO[i] = GA[i] * a + (1.0 - a) * d;' : ''}`,
        ),
      buffers: [read(param), read(grad), read(sq0), ...(ga0 ? [read(ga0)] : []), write(sq), ...(ga ? [write(ga)] : [])],
      params,
      groups: groupsFor(n),
    });
    run.run({
      key: `rmspropParam:${h.centered}:${useMomentum}:${h.maximize}:${h.weightDecay !== 0}`,
      code: () =>
        declare([
          { name: 'P', access: 'read' },
          { name: 'G', access: 'read' },
          { name: 'SQ', access: 'read' },
          ...(h.centered ? [{ name: 'GA', access: 'read' as const }] : []),
          ...(useMomentum ? [{ name: 'B', access: 'read' as const }] : []),
          { name: 'PO', access: 'write' },
          ...(useMomentum ? [{ name: 'BO', access: 'write' as const }] : []),
        ]) +
        PARAMS +
        perElement(
          'pu(0u)',
          `  let d = ${d};
  let avg = ${h.centered ? 'sqrt(SQ[i] - GA[i] * GA[i])' : 'sqrt(SQ[i])'} + pf(3u);
  ${useMomentum ? 'let b = B[i] * pf(5u) + d / avg; BO[i] = b; PO[i] = P[i] - pf(1u) * b;' : 'PO[i] = P[i] - pf(1u) * d / avg;'}`,
        ),
      buffers: [read(param), read(grad), read(sq), ...(ga ? [read(ga)] : []), ...(buf0 ? [read(buf0)] : []), write(out), ...(buf ? [write(buf)] : [])],
      params,
      groups: groupsFor(n),
    });
    return { param: out, state: newState };
  }

  function adagradUpdate(param: TI, grad: TI, state: Readonly<{ sum?: TI }>, h: AdagradHyper): UpdateResult<'sum'> {
    const n = sizeOf(param.shape);
    const sum0 = state.sum ?? ctx.zeros(param.shape, 'float32');
    const sum = ctx.alloc(param.shape, 'float32');
    const out = ctx.alloc(param.shape, 'float32');
    if (n === 0) return { param: out, state: { sum } };
    const clr = h.lr / (1 + (h.step - 1) * h.lrDecay);
    run.run({
      key: `adagrad:${h.maximize}:${h.weightDecay !== 0}`,
      code: () =>
        declare([
          { name: 'P', access: 'read' },
          { name: 'G', access: 'read' },
          { name: 'S', access: 'read' },
          { name: 'PO', access: 'write' },
          { name: 'SO', access: 'write' },
        ]) +
        PARAMS +
        perElement(
          'pu(0u)',
          `  let d = ${effective(h.maximize, h.weightDecay !== 0, 'pf(3u)')};
  let s = S[i] + d * d;
  SO[i] = s;
  PO[i] = P[i] - pf(1u) * d / (sqrt(s) + pf(2u));`,
        ),
      buffers: [read(param), read(grad), read(sum0), write(out), write(sum)],
      params: new Params().u(n).f(clr, h.eps, h.weightDecay).done(),
      groups: groupsFor(n),
    });
    return { param: out, state: { sum } };
  }

  function adadeltaUpdate(
    param: TI,
    grad: TI,
    state: Readonly<{ square_avg?: TI; acc_delta?: TI }>,
    h: AdadeltaHyper,
  ): UpdateResult<'square_avg' | 'acc_delta'> {
    const n = sizeOf(param.shape);
    const zeros = () => ctx.zeros(param.shape, 'float32');
    const sq0 = state.square_avg ?? zeros();
    const acc0 = state.acc_delta ?? zeros();
    const sq = ctx.alloc(param.shape, 'float32');
    const acc = ctx.alloc(param.shape, 'float32');
    const out = ctx.alloc(param.shape, 'float32');
    if (n === 0) return { param: out, state: { square_avg: sq, acc_delta: acc } };
    run.run({
      key: `adadelta:${h.maximize}:${h.weightDecay !== 0}`,
      code: () =>
        declare([
          { name: 'P', access: 'read' },
          { name: 'G', access: 'read' },
          { name: 'SQ', access: 'read' },
          { name: 'A', access: 'read' },
          { name: 'PO', access: 'write' },
          { name: 'SQO', access: 'write' },
          { name: 'AO', access: 'write' },
        ]) +
        PARAMS +
        perElement(
          'pu(0u)',
          `  let rho = pf(2u); let eps = pf(3u);
  let d = ${effective(h.maximize, h.weightDecay !== 0, 'pf(4u)')};
  let s = SQ[i] * rho + (1.0 - rho) * d * d;
  SQO[i] = s;
  let delta = sqrt(A[i] + eps) / sqrt(s + eps) * d;
  AO[i] = A[i] * rho + (1.0 - rho) * delta * delta;
  PO[i] = P[i] - pf(1u) * delta;`,
        ),
      buffers: [read(param), read(grad), read(sq0), read(acc0), write(out), write(sq), write(acc)],
      params: new Params().u(n).f(h.lr, h.rho, h.eps, h.weightDecay).done(),
      groups: groupsFor(n),
    });
    return { param: out, state: { square_avg: sq, acc_delta: acc } };
  }

  return { sgdUpdate, adamUpdate, rmspropUpdate, adagradUpdate, adadeltaUpdate };
}
