/** Adam (L2 weight decay in the gradient) and AdamW (decoupled weight decay) — torch.optim's update rules. */
import type { Tensor } from '../tensor/tensor.js';
import { Optimizer, runUpdate, type ParamGroup, type Params, type ParamState } from './optimizer.js';

export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

abstract class AdamBase extends Optimizer<AdamOptions> {
  protected abstract readonly decoupled: boolean;

  protected override validate(h: Partial<AdamOptions>, where: string): void {
    super.validate(h, where);
    if (h.betas !== undefined) {
      const [b1, b2] = h.betas;
      if (!(b1 >= 0 && b1 < 1) || !(b2 >= 0 && b2 < 1)) throw new Error(`${this.name}: invalid betas [${h.betas}] in ${where} (each in [0, 1))`);
    }
    if (h.eps !== undefined && !(h.eps >= 0)) throw new Error(`${this.name}: invalid eps ${h.eps} in ${where}`);
    if (h.weightDecay !== undefined && !(h.weightDecay >= 0)) throw new Error(`${this.name}: invalid weightDecay ${h.weightDecay} in ${where}`);
  }

  protected update(p: Tensor, grad: Tensor, g: ParamGroup<AdamOptions>, s: ParamState): void {
    const step = ((s.step as number | undefined) ?? 0) + 1;
    s.step = step;
    runUpdate('adam', p, grad, s, {
      lr: g.lr,
      weightDecay: g.weightDecay,
      maximize: g.maximize,
      beta1: g.betas[0],
      beta2: g.betas[1],
      eps: g.eps,
      amsgrad: g.amsgrad,
      decoupled: this.decoupled,
      step,
    });
  }
}

/**
 * Adam: m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², p ← p − lr/(1 − β₁ᵗ) · m / (√v/√(1 − β₂ᵗ) + eps);
 * weightDecay adds λp to g (L2). Example: new Adam(model.parameters(), { lr: 1e-3 })
 */
export class Adam extends AdamBase {
  protected readonly decoupled = false;
  constructor(params: Params<AdamOptions>, opts: Partial<AdamOptions> = {}) {
    super(params, { lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, ...opts });
  }
}

/**
 * AdamW (Loshchilov & Hutter): the Adam step plus decoupled weight decay p ← p·(1 − lr·λ), as in the lecture.
 * Default weightDecay 0.01. Example: new AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.05 })
 */
export class AdamW extends AdamBase {
  protected readonly decoupled = true;
  constructor(params: Params<AdamOptions>, opts: Partial<AdamOptions> = {}) {
    super(params, { lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01, amsgrad: false, maximize: false, ...opts });
  }
}
