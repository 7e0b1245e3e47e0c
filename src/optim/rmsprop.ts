/** RMSprop (Hinton), with optional momentum and centering — torch.optim.RMSprop's update rule. */
import type { Tensor } from '../tensor/tensor.js';
import { Optimizer, runUpdate, type ParamGroup, type Params, type ParamState } from './optimizer.js';

export interface RMSpropOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

/**
 * s ← α·s + (1 − α)·g²;  avg = √(s − ḡ²) (centered) or √s, plus eps;  p ← p − lr·g/avg (or through a momentum buffer).
 * Example: new RMSprop(model.parameters(), { lr: 0.001 })
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: Params<RMSpropOptions>, opts: Partial<RMSpropOptions> = {}) {
    super(params, { lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false, ...opts });
  }

  protected override validate(h: Partial<RMSpropOptions>, where: string): void {
    super.validate(h, where);
    if (h.alpha !== undefined && !(h.alpha >= 0)) throw new Error(`RMSprop: invalid alpha ${h.alpha} in ${where}`);
    if (h.eps !== undefined && !(h.eps >= 0)) throw new Error(`RMSprop: invalid eps ${h.eps} in ${where}`);
    if (h.momentum !== undefined && !(h.momentum >= 0)) throw new Error(`RMSprop: invalid momentum ${h.momentum} in ${where}`);
  }

  protected update(p: Tensor, grad: Tensor, g: ParamGroup<RMSpropOptions>, s: ParamState): void {
    s.step = ((s.step as number | undefined) ?? 0) + 1;
    runUpdate('rmsprop', p, grad, s, {
      lr: g.lr,
      weightDecay: g.weightDecay,
      maximize: g.maximize,
      alpha: g.alpha,
      eps: g.eps,
      momentum: g.momentum,
      centered: g.centered,
    });
  }
}
