/** Adam (L2 weight decay in the gradient) and AdamW (decoupled weight decay) — torch.optim's update rules. */
import type { AdamHyper } from '../backend/kernels.js';
import type { Tensor } from '../tensor/tensor.js';
import { addcdiv, addcmul, effectiveGrad, fma, fr } from './float32.js';
import { Optimizer, type ParamGroup, type Params } from './optimizer.js';
import { runUpdate, type ParamState, type UpdateRule } from './update.js';

export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

/** The update (Adam, and AdamW when `decoupled`) in PyTorch's float32 order; the wasm backend's adamUpdate matches it bit for bit. */
export const ADAM_RULE: UpdateRule<AdamHyper, 'exp_avg' | 'exp_avg_sq' | 'max_exp_avg_sq'> = {
  state: ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'],
  fast: 'adamUpdate',
  reference(P, G, { exp_avg: m, exp_avg_sq: v, max_exp_avg_sq: vmax }, _had, h) {
    const { beta1: b1, beta2: b2, step } = h;
    const stepSize = h.lr / (1 - b1 ** step);
    const bc2Sqrt = fr(Math.sqrt(1 - b2 ** step));
    const shrink = fr(1 - h.lr * h.weightDecay);
    for (let i = 0; i < P.length; i++) {
      if (h.decoupled) P[i] = fr(P[i] * shrink);
      const d = effectiveGrad(G[i], P[i], h.decoupled ? 0 : h.weightDecay, h.maximize);
      m[i] = fma(d, 1 - b1, fr(m[i] * fr(b1)));
      v[i] = addcmul(fr(v[i] * fr(b2)), d, d, 1 - b2);
      let second = v[i];
      if (h.amsgrad) second = vmax[i] = Math.max(vmax[i], v[i]);
      const denom = fr(fr(fr(Math.sqrt(second)) / bc2Sqrt) + fr(h.eps));
      P[i] = addcdiv(P[i], m[i], denom, -stepSize);
    }
    return h.amsgrad ? ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'] : ['exp_avg', 'exp_avg_sq'];
  },
};

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
    runUpdate(ADAM_RULE, p, grad, s, {
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
