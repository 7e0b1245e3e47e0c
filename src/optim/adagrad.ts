/** Adagrad (Duchi et al.) — torch.optim.Adagrad's update rule. */
import type { Tensor } from '../tensor/tensor.js';
import { fullLike } from '../tensor/creation.js';
import { addcdiv, addcmul, effectiveGrad, fr } from './float32.js';
import { Optimizer, type ParamGroup, type Params } from './optimizer.js';
import { runUpdate, type ParamState, type UpdateRule } from './update.js';

export interface AdagradOptions {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  eps: number;
  maximize: boolean;
}

/** The update in PyTorch's float32 order, at step `step` (from 1). */
export const ADAGRAD_RULE: UpdateRule<AdagradOptions & { step: number }, 'sum'> = {
  state: ['sum'],
  fast: 'adagradUpdate',
  reference(P, G, { sum }, _had, h) {
    const clr = h.lr / (1 + (h.step - 1) * h.lrDecay);
    for (let i = 0; i < P.length; i++) {
      const d = effectiveGrad(G[i], P[i], h.weightDecay, h.maximize);
      sum[i] = addcmul(sum[i], d, d, 1);
      const std = fr(fr(Math.sqrt(sum[i])) + fr(h.eps));
      P[i] = addcdiv(P[i], d, std, -clr);
    }
    return ['sum'];
  },
};

/** Σ ← Σ + g²;  p ← p − lr/(1 + (t − 1)·lrDecay) · g/(√Σ + eps). */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: Params<AdagradOptions>, opts: Partial<AdagradOptions> = {}) {
    super(params, { lr: 0.01, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false, ...opts });
  }
  protected override validate(h: Partial<AdagradOptions>, where: string): void {
    super.validate(h, where);
    if (h.lrDecay !== undefined && !(h.lrDecay >= 0)) throw new Error(`Adagrad: invalid lrDecay ${h.lrDecay} in ${where}`);
    if (h.initialAccumulatorValue !== undefined && !(h.initialAccumulatorValue >= 0)) throw new Error(`Adagrad: invalid initialAccumulatorValue in ${where}`);
  }
  protected update(p: Tensor, grad: Tensor, g: ParamGroup<AdagradOptions>, s: ParamState): void {
    const step = ((s.step as number | undefined) ?? 0) + 1;
    s.step = step;
    if (!s.sum) s.sum = fullLike(p, g.initialAccumulatorValue);
    runUpdate(ADAGRAD_RULE, p, grad, s, { ...g, step });
  }
}
