/** RMSprop (Hinton), with optional momentum and centering — torch.optim.RMSprop's update rule. */
import type { Tensor } from '../tensor/tensor.js';
import { addcdiv, addcmul, effectiveGrad, fma, fr } from './float32.js';
import { Optimizer, type ParamGroup, type Params } from './optimizer.js';
import { runUpdate, type ParamState, type UpdateRule } from './update.js';

export interface RMSpropOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

/** The update in PyTorch's float32 order; the webgpu backend has it as a kernel (rmspropUpdate). */
export const RMSPROP_RULE: UpdateRule<RMSpropOptions, 'square_avg' | 'grad_avg' | 'momentum_buffer'> = {
  state: ['square_avg', 'grad_avg', 'momentum_buffer'],
  fast: 'rmspropUpdate',
  reference(P, G, { square_avg: sq, grad_avg: ga, momentum_buffer: buf }, _had, h) {
    const { alpha, momentum: mom } = h;
    for (let i = 0; i < P.length; i++) {
      const d = effectiveGrad(G[i], P[i], h.weightDecay, h.maximize);
      sq[i] = addcmul(fr(sq[i] * fr(alpha)), d, d, 1 - alpha);
      let avg: number;
      if (h.centered) {
        ga[i] = fma(d, 1 - alpha, fr(ga[i] * fr(alpha)));
        avg = fr(Math.sqrt(addcmul(sq[i], ga[i], ga[i], -1)));
      } else avg = fr(Math.sqrt(sq[i]));
      avg = fr(avg + fr(h.eps));
      if (mom > 0) {
        buf[i] = addcdiv(fr(buf[i] * fr(mom)), d, avg, 1);
        P[i] = fma(buf[i], -h.lr, P[i]);
      } else P[i] = addcdiv(P[i], d, avg, -h.lr);
    }
    return ['square_avg', ...(h.centered ? (['grad_avg'] as const) : []), ...(mom > 0 ? (['momentum_buffer'] as const) : [])];
  },
};

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
    runUpdate(RMSPROP_RULE, p, grad, s, g);
  }
}
