/** SGD with momentum, dampening, Nesterov and L2 weight decay — torch.optim.SGD's update rule. */
import type { SgdHyper } from '../backend/kernels.js';
import type { Tensor } from '../tensor/tensor.js';
import { effectiveGrad, fma, fr } from './float32.js';
import { Optimizer, type ParamGroup, type Params } from './optimizer.js';
import { runUpdate, type ParamState, type UpdateRule } from './update.js';

export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

/** The update, element by element in PyTorch's float32 order; the wasm backend's sgdUpdate matches it bit for bit. */
export const SGD_RULE: UpdateRule<SgdHyper, 'momentum_buffer'> = {
  state: ['momentum_buffer'],
  fast: 'sgdUpdate',
  reference(P, G, { momentum_buffer: buf }, had, h) {
    const m = h.momentum;
    for (let i = 0; i < P.length; i++) {
      let d = effectiveGrad(G[i], P[i], h.weightDecay, h.maximize);
      if (m !== 0) {
        buf[i] = had.momentum_buffer ? fma(d, 1 - h.dampening, fr(buf[i] * fr(m))) : d;
        d = h.nesterov ? fma(buf[i], m, d) : buf[i];
      }
      P[i] = fma(d, -h.lr, P[i]);
    }
    return m !== 0 ? ['momentum_buffer'] : [];
  },
};

/**
 * v ← μ·v + (1 − dampening)·g (v = g on the first step);  p ← p − lr·(nesterov ? g + μ·v : v),  with g += weightDecay·p.
 * Example: new SGD(model.parameters(), { lr: 0.01, momentum: 0.9 })
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: Params<SGDOptions>, opts: Partial<SGDOptions> & { lr?: number } = {}) {
    super(params, { lr: 0.001, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, ...opts });
  }

  protected override validate(h: Partial<SGDOptions>, where: string): void {
    super.validate(h, where);
    if (h.momentum !== undefined && !(h.momentum >= 0)) throw new Error(`SGD: invalid momentum ${h.momentum} in ${where}`);
    if (h.weightDecay !== undefined && !(h.weightDecay >= 0)) throw new Error(`SGD: invalid weightDecay ${h.weightDecay} in ${where}`);
    if (h.nesterov && (!(h.momentum! > 0) || h.dampening !== 0)) throw new Error('SGD: Nesterov momentum requires a momentum and zero dampening');
  }

  protected update(p: Tensor, grad: Tensor, g: ParamGroup<SGDOptions>, s: ParamState): void {
    runUpdate(SGD_RULE, p, grad, s, {
      lr: g.lr,
      weightDecay: g.weightDecay,
      maximize: g.maximize,
      momentum: g.momentum,
      dampening: g.dampening,
      nesterov: g.nesterov,
    });
  }
}
