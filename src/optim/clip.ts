/** Gradient clipping and weight penalties (the lecture's λ/n Σw² regularizer, added to the loss). */
import { noGrad } from '../autograd/grad_mode.js';
import type { Tensor } from '../tensor/tensor.js';
import { tensor } from '../tensor/creation.js';

function withGrads(params: Iterable<Tensor>): Tensor[] {
  return [...params].filter((p) => p.grad !== null);
}

/**
 * Scales all gradients together so their total norm is at most maxNorm (torch.nn.utils.clip_grad_norm_).
 * Returns the total norm before clipping (Infinity norm with normType = Infinity).
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number, normType = 2, opts: { errorIfNonfinite?: boolean } = {}): number {
  if (!(maxNorm >= 0)) throw new Error(`clipGradNorm: maxNorm must be a non-negative number, got ${maxNorm}`);
  if (!(normType > 0)) throw new Error(`clipGradNorm: normType must be positive, got ${normType}`);
  const ps = withGrads(params);
  if (ps.length === 0) return 0;
  return noGrad(() => {
    let total: number;
    if (normType === Infinity) total = Math.max(...ps.map((p) => p.grad!.abs().amax().item()));
    else {
      let acc = 0;
      for (const p of ps) acc += p.grad!.abs().pow(normType).sum().item();
      total = acc ** (1 / normType);
    }
    if (!Number.isFinite(total) && opts.errorIfNonfinite) {
      throw new Error(`clipGradNorm: the total norm of order ${normType} of the gradients is non-finite (${total})`);
    }
    // PyTorch clamps the coefficient at 1 and adds 1e-6 to the norm; float32 math as PyTorch does it.
    const coef = Math.fround(maxNorm / (total + 1e-6));
    if (coef < 1) for (const p of ps) p.grad = p.grad!.mul(coef);
    return total;
  });
}

/** Clamps every gradient element into [−clipValue, clipValue]. */
export function clipGradValue(params: Iterable<Tensor>, clipValue: number): void {
  if (!(clipValue >= 0)) throw new Error(`clipGradValue: clipValue must be a non-negative number, got ${clipValue}`);
  noGrad(() => {
    for (const p of withGrads(params)) p.grad = p.grad!.clamp(-clipValue, clipValue);
  });
}

/**
 * L2 penalty Σ w² over the given parameters (differentiable); multiply by λ/(2n) or λ as your formula says, and add it to the loss.
 * Example: loss = loss.add(l2Penalty(model.parameters()).mul(1e-4))
 */
export function l2Penalty(params: Iterable<Tensor>): Tensor {
  let total: Tensor = tensor(0);
  for (const p of params) total = total.add(p.mul(p).sum());
  return total;
}

/** L1 penalty Σ |w| over the given parameters (differentiable; encourages sparse weights). */
export function l1Penalty(params: Iterable<Tensor>): Tensor {
  let total: Tensor = tensor(0);
  for (const p of params) total = total.add(p.abs().sum());
  return total;
}
