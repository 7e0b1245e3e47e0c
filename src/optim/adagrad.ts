/** Adagrad and Adadelta — torch.optim's update rules. */
import type { Tensor } from '../tensor/tensor.js';
import { fullLike } from '../tensor/creation.js';
import { Optimizer, runUpdate, type ParamGroup, type Params, type ParamState } from './optimizer.js';

export interface AdagradOptions {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  eps: number;
  maximize: boolean;
}

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
    runUpdate('adagrad', p, grad, s, { lr: g.lr, weightDecay: g.weightDecay, maximize: g.maximize, lrDecay: g.lrDecay, eps: g.eps, step });
  }
}

export interface AdadeltaOptions {
  lr: number;
  rho: number;
  eps: number;
  weightDecay: number;
  maximize: boolean;
}

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
    runUpdate('adadelta', p, grad, s, { lr: g.lr, weightDecay: g.weightDecay, maximize: g.maximize, rho: g.rho, eps: g.eps });
  }
}
