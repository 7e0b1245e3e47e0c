/** Adadelta (Zeiler) — torch.optim.Adadelta's update rule. */
import type { Tensor } from '../tensor/tensor.js';
import { addcmul, effectiveGrad, fma, fr } from './float32.js';
import { Optimizer, type ParamGroup, type Params } from './optimizer.js';
import { runUpdate, type ParamState, type UpdateRule } from './update.js';

export interface AdadeltaOptions {
  lr: number;
  rho: number;
  eps: number;
  weightDecay: number;
  maximize: boolean;
}

/** The update in PyTorch's float32 order. */
export const ADADELTA_RULE: UpdateRule<AdadeltaOptions, 'square_avg' | 'acc_delta'> = {
  state: ['square_avg', 'acc_delta'],
  fast: 'adadeltaUpdate',
  reference(P, G, { square_avg: sq, acc_delta: acc }, _had, h) {
    const rho = h.rho;
    const eps = fr(h.eps);
    for (let i = 0; i < P.length; i++) {
      const d = effectiveGrad(G[i], P[i], h.weightDecay, h.maximize);
      sq[i] = addcmul(fr(sq[i] * fr(rho)), d, d, 1 - rho);
      const std = fr(Math.sqrt(fr(sq[i] + eps)));
      const delta = fr(fr(fr(Math.sqrt(fr(acc[i] + eps))) / std) * d);
      acc[i] = addcmul(fr(acc[i] * fr(rho)), delta, delta, 1 - rho);
      P[i] = fma(delta, -h.lr, P[i]);
    }
    return ['square_avg', 'acc_delta'];
  },
};

/**
 * Adadelta (Zeiler; ConvNetJS's default trainer): s ← ρs + (1 − ρ)g²; Δ = √(u + eps)/√(s + eps)·g;
 * u ← ρu + (1 − ρ)Δ²; p ← p − lr·Δ. PyTorch's defaults: lr 1, ρ 0.9, eps 1e-6 (ConvNetJS uses ρ 0.95).
 */
export class Adadelta extends Optimizer<AdadeltaOptions> {
  constructor(params: Params<AdadeltaOptions>, opts: Partial<AdadeltaOptions> = {}) {
    super(params, { lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false, ...opts });
  }
  protected override validate(h: Partial<AdadeltaOptions>, where: string): void {
    super.validate(h, where);
    if (h.rho !== undefined && !(h.rho >= 0 && h.rho <= 1)) throw new Error(`Adadelta: invalid rho ${h.rho} in ${where} (expected [0, 1])`);
  }
  protected update(p: Tensor, grad: Tensor, g: ParamGroup<AdadeltaOptions>, s: ParamState): void {
    s.step = ((s.step as number | undefined) ?? 0) + 1;
    runUpdate(ADADELTA_RULE, p, grad, s, g);
  }
}
