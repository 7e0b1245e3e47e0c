/** SGD with momentum, dampening, Nesterov and L2 weight decay — torch.optim.SGD's update rule. */
import type { Tensor } from '../tensor/tensor.js';
import { Optimizer, runUpdate, type ParamGroup, type Params, type ParamState } from './optimizer.js';

export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

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
    runUpdate('sgd', p, grad, s, {
      lr: g.lr,
      weightDecay: g.weightDecay,
      maximize: g.maximize,
      momentum: g.momentum,
      dampening: g.dampening,
      nesterov: g.nesterov,
    });
  }
}
