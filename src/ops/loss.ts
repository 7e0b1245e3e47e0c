/**
 * Losses with PyTorch's semantics and reductions ('mean' | 'sum' | 'none'): cross_entropy (class indices or
 * probabilities, ignore_index, label_smoothing, class weights), nll_loss, mse, l1, smooth_l1, huber,
 * binary_cross_entropy_with_logits and the multiclass SVM hinge loss (multi_margin_loss).
 */
import { shapeToString, shapesEqual } from '../backend/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { applyOp, type Rule } from '../autograd/apply.js';
import { optionalKernel } from '../backend/registry.js';
import { abs, add, cast, div, eq, exp, le, lt, maximum, mul, ne, neg, sub, where } from './elementwise.js';
import { arange } from '../tensor/creation.js';
import { logSoftmax } from './softmax.js';
import { mean, sum } from './reduce.js';
import { gather, indexSelect, reshape } from './shape.js';
import { softplus } from './activation.js';
import { assertTensor } from './util.js';

export type Reduction = 'mean' | 'sum' | 'none';

function reduce(loss: Tensor, reduction: Reduction, op: string): Tensor {
  if (reduction === 'mean') return mean(loss);
  if (reduction === 'sum') return sum(loss);
  if (reduction === 'none') return loss;
  throw new Error(`${op}: reduction must be 'mean', 'sum' or 'none', got '${reduction as string}'`);
}

function checkSameShape(input: Tensor, target: Tensor, op: string): void {
  assertTensor(input, op, 'input');
  assertTensor(target, op, 'target');
  if (!shapesEqual(input.shape, target.shape)) {
    throw new Error(`${op}: input ${shapeToString(input.shape)} and target ${shapeToString(target.shape)} must have the same shape`);
  }
}

export interface NllLossOptions {
  /** Per-class weights [C]. */
  weight?: Tensor | null;
  /** Targets equal to this contribute nothing (default -100). */
  ignoreIndex?: number;
  reduction?: Reduction;
}

/** Moves the class dim last and flattens: [N, C, d1, ...] → [N·d1·..., C]; targets → [N·d1·...]. */
function flattenClasses(input: Tensor, target: Tensor, op: string): { logits: Tensor; labels: Tensor; c: number } {
  if (input.ndim < 1) throw new Error(`${op}: input must have a class dim, got shape ${shapeToString(input.shape)}`);
  if (input.ndim === 1) return { logits: reshape(input, [1, -1]), labels: reshape(target, [1]), c: input.shape[0] };
  const c = input.shape[1];
  const expected = [input.shape[0], ...input.shape.slice(2)];
  if (!shapesEqual(target.shape, expected)) {
    throw new Error(
      `${op}: target shape ${shapeToString(target.shape)} does not match input ${shapeToString(input.shape)} (expected ${shapeToString(expected)})`,
    );
  }
  const perm = [0, ...input.shape.slice(2).map((_, i) => i + 2), 1];
  return { logits: reshape(input.permute(perm), [-1, c]), labels: reshape(target, [-1]), c };
}

function checkLabels(labels: Tensor, c: number, ignoreIndex: number, op: string): void {
  if (labels.dtype !== 'int32') throw new Error(`${op}: class-index targets must be int32, got ${labels.dtype}`);
  const data = labels.storage.peek();
  if (!data) return; // on the GPU: gather checks the range, and the next read reports it
  for (let i = 0; i < data.length; i++) {
    const t = data[i];
    if (t !== ignoreIndex && (t < 0 || t >= c)) throw new Error(`${op}: target ${t} is out of range for ${c} classes (at position ${i})`);
  }
}

/** Negative log-likelihood of log-probabilities [N, C, *] at int32 targets [N, *]. */
export function nllLoss(logProbs: Tensor, target: Tensor, opts: NllLossOptions = {}): Tensor {
  assertTensor(logProbs, 'nllLoss', 'input');
  assertTensor(target, 'nllLoss', 'target');
  const { weight = null, ignoreIndex = -100, reduction = 'mean' } = opts;
  const { logits, labels, c } = flattenClasses(logProbs, target, 'nllLoss');
  checkLabels(labels, c, ignoreIndex, 'nllLoss');
  if (weight && (weight.ndim !== 1 || weight.shape[0] !== c)) throw new Error(`nllLoss: weight must have shape [${c}], got ${shapeToString(weight.shape)}`);
  const valid = ne(labels, ignoreIndex);
  const safe = cast(mul(labels, cast(valid, 'int32')), 'int32');
  const picked = reshape(gather(logits, 1, reshape(safe, [-1, 1])), [-1]);
  const w = weight ? mul(indexSelect(weight, 0, safe), valid) : valid;
  const losses = neg(mul(picked, w));
  const outShape = logProbs.ndim === 1 ? [] : target.shape;
  if (reduction === 'none') return reshape(losses, outShape);
  if (reduction === 'sum') return sum(losses);
  if (reduction !== 'mean') return reduce(losses, reduction, 'nllLoss');
  return div(sum(losses), sum(w));
}

export interface CrossEntropyOptions extends NllLossOptions {
  /** Mixes the target with the uniform distribution: (1 − ε)·onehot + ε/C. */
  labelSmoothing?: number;
}

/**
 * Softmax cross-entropy from logits, as torch.nn.functional.cross_entropy.
 *
 * Args: input [N, C] or [N, C, d1, ...] logits; target int32 class indices [N, d1, ...] or float32 class
 *   probabilities of the input's shape; opts.weight [C], ignoreIndex, reduction, labelSmoothing.
 * Example: crossEntropy(model.forward(x), labels)
 */
export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  assertTensor(input, 'crossEntropy', 'input');
  assertTensor(target, 'crossEntropy', 'target');
  const { weight = null, ignoreIndex = -100, reduction = 'mean', labelSmoothing = 0 } = opts;
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) throw new Error(`crossEntropy: labelSmoothing must be in [0, 1], got ${labelSmoothing}`);
  const classDim = input.ndim === 1 ? 0 : 1;
  const c = input.shape[classDim];
  if (weight && (weight.ndim !== 1 || weight.shape[0] !== c))
    throw new Error(`crossEntropy: weight must have shape [${c}], got ${shapeToString(weight.shape)}`);
  // [N, C] logits, class indices, no weights or smoothing: one kernel each way where the backend has it.
  if (input.ndim === 2 && target.dtype === 'int32' && target.ndim === 1 && !weight && labelSmoothing === 0 && optionalKernel('crossEntropyFused')) {
    const fused = crossEntropyFused(input, target, ignoreIndex, reduction);
    if (fused) return fused;
  }
  const logp = logSoftmax(input, classDim);
  const wView = weight ? reshape(weight, [c, ...Array(input.ndim - classDim - 1).fill(1)]) : null;

  if (target.dtype === 'float32' && target.ndim === input.ndim - 1) {
    throw new Error(
      `crossEntropy: class-index targets must be int32, got float32 of shape ${shapeToString(target.shape)} (use labels.int(); float targets must be class probabilities of the input's shape ${shapeToString(input.shape)})`,
    );
  }
  if (target.dtype === 'float32') {
    // Class probabilities: −Σ_c w_c·t_c·log p_c; 'mean' divides by the number of samples.
    checkSameShape(input, target, 'crossEntropy');
    const t = labelSmoothing > 0 ? add(mul(target, 1 - labelSmoothing), labelSmoothing / c) : target;
    const terms = wView ? mul(mul(logp, t), wView) : mul(logp, t);
    const losses = neg(sum(terms, classDim));
    if (reduction === 'mean') return div(sum(losses), input.ndim === 1 ? 1 : losses.numel());
    return reduce(losses, reduction, 'crossEntropy');
  }

  if (target.dtype === 'int32') checkLabels(target, c, ignoreIndex, 'crossEntropy'); // named for the op called, on every path
  const nll = nllLoss(logp, target, { weight, ignoreIndex, reduction });
  if (labelSmoothing === 0) return nll;
  const { labels } = flattenClasses(input, target, 'crossEntropy');
  const valid = ne(target, ignoreIndex);
  let smooth = neg(sum(wView ? mul(logp, wView) : logp, classDim));
  smooth = mul(smooth, valid);
  let smoothReduced: Tensor;
  if (reduction === 'mean') {
    if (weight) {
      const validLabels = cast(mul(labels, cast(ne(labels, ignoreIndex), 'int32')), 'int32');
      const wsum = sum(mul(indexSelect(weight, 0, validLabels), ne(labels, ignoreIndex)));
      smoothReduced = div(sum(smooth), wsum);
    } else smoothReduced = div(sum(smooth), sum(valid));
  } else smoothReduced = reduce(smooth, reduction, 'crossEntropy');
  return add(mul(nll, 1 - labelSmoothing), mul(smoothReduced, labelSmoothing / c));
}

/** crossEntropy's per-sample losses in one kernel (log_softmax and the pick, the gradient likewise); null: compose. */
const CROSS_ENTROPY_RULE: Rule<{ target: Tensor; ignoreIndex: number }, { logp: Tensor }> = {
  name: 'crossEntropyFused',
  forward: ([x], { target, ignoreIndex }) => {
    const r = optionalKernel('crossEntropyFused')!(x.info(), target.info(), ignoreIndex)!;
    return { out: Tensor.fromInfo(r.loss), saved: { logp: Tensor.fromInfo(r.logp) } };
  },
  vjp: (dy, { attrs: { target, ignoreIndex }, saved }) => {
    const k = optionalKernel('crossEntropyFusedBackward');
    const g = k ? k(saved.logp.info(), target.info(), dy.info(), ignoreIndex) : null;
    if (g) return [Tensor.fromInfo(g)];
    // The same gradient from ops: dy·(softmax − onehot), zero where ignored.
    const c = saved.logp.shape[1];
    const onehot = eq(reshape(target, [-1, 1]), reshape(arange(c, undefined, 1, { dtype: 'int32' }), [1, c]));
    return [mul(sub(exp(saved.logp), onehot), reshape(mul(dy, ne(target, ignoreIndex)), [-1, 1]))];
  },
};

function crossEntropyFused(input: Tensor, target: Tensor, ignoreIndex: number, reduction: Reduction): Tensor | null {
  const [n, c] = input.shape;
  if (target.shape[0] !== n) return null; // the general path names the mismatch
  checkLabels(target, c, ignoreIndex, 'crossEntropy');
  const losses = applyOp(CROSS_ENTROPY_RULE, [input], { target, ignoreIndex });
  if (reduction === 'none') return losses;
  if (reduction === 'sum') return sum(losses);
  if (reduction !== 'mean') return reduce(losses, reduction, 'crossEntropy');
  // As nll_loss: the sum over the number of targets that count (all ignored: 0/0 = NaN, as PyTorch).
  return div(sum(losses), sum(ne(target, ignoreIndex)));
}

/** Mean squared error. */
export function mseLoss(input: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  checkSameShape(input, target, 'mseLoss');
  const d = sub(input, target);
  return reduce(mul(d, d), opts.reduction ?? 'mean', 'mseLoss');
}

/** Mean absolute error. */
export function l1Loss(input: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  checkSameShape(input, target, 'l1Loss');
  return reduce(abs(sub(input, target)), opts.reduction ?? 'mean', 'l1Loss');
}

/** 0.5·d²/β where |d| < β, |d| − 0.5·β elsewhere (β = 1 by default; β = 0 is L1). */
export function smoothL1Loss(input: Tensor, target: Tensor, opts: { reduction?: Reduction; beta?: number } = {}): Tensor {
  checkSameShape(input, target, 'smoothL1Loss');
  const beta = opts.beta ?? 1;
  if (!(beta >= 0)) throw new Error(`smoothL1Loss: beta must be non-negative, got ${beta}`);
  const d = abs(sub(input, target));
  const loss = beta === 0 ? d : where(lt(d, beta), div(mul(mul(d, d), 0.5), beta), sub(d, 0.5 * beta));
  return reduce(loss, opts.reduction ?? 'mean', 'smoothL1Loss');
}

/** 0.5·d² where |d| ≤ δ, δ·(|d| − 0.5·δ) elsewhere. */
export function huberLoss(input: Tensor, target: Tensor, opts: { reduction?: Reduction; delta?: number } = {}): Tensor {
  checkSameShape(input, target, 'huberLoss');
  const delta = opts.delta ?? 1;
  if (!(delta > 0)) throw new Error(`huberLoss: delta must be positive, got ${delta}`);
  const d = abs(sub(input, target));
  const loss = where(le(d, delta), mul(mul(d, d), 0.5), mul(sub(d, 0.5 * delta), delta));
  return reduce(loss, opts.reduction ?? 'mean', 'huberLoss');
}

export interface BceWithLogitsOptions {
  reduction?: Reduction;
  /** Rescales each element's loss. */
  weight?: Tensor | null;
  /** Weight of positive examples per class (broadcast over the last dim). */
  posWeight?: Tensor | null;
}

/** Sigmoid + binary cross-entropy in one numerically stable expression. */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, opts: BceWithLogitsOptions = {}): Tensor {
  checkSameShape(input, target, 'binaryCrossEntropyWithLogits');
  // (1 − t)·x + lw·(−log σ(x)) rewritten as lw·softplus(x) − pw·t·x, with lw = 1 + (pw − 1)·t: autograd then
  // yields PyTorch's gradient (lw·σ(x) − pw·t) without the cancellation of 1 − σ(−x).
  const pw = opts.posWeight ?? null;
  const logWeight = pw ? add(mul(sub(pw, 1), target), 1) : null;
  const sp = softplus(input);
  const loss0 = logWeight ? mul(logWeight, sp) : sp;
  let loss = sub(loss0, mul(pw ? mul(pw, target) : target, input));
  if (opts.weight) loss = mul(loss, opts.weight);
  return reduce(loss, opts.reduction ?? 'mean', 'binaryCrossEntropyWithLogits');
}

export interface MultiMarginOptions {
  /** 1 (hinge) or 2 (squared hinge). */
  p?: 1 | 2;
  margin?: number;
  weight?: Tensor | null;
  reduction?: Reduction;
}

/**
 * Multiclass SVM loss of the lectures: Σ_{j≠y} max(0, margin − x_y + x_j)^p / C per sample.
 * Shape: input [N, C] (or [C]), target int32 [N] (or []).
 */
export function multiMarginLoss(input: Tensor, target: Tensor, opts: MultiMarginOptions = {}): Tensor {
  assertTensor(input, 'multiMarginLoss', 'input');
  assertTensor(target, 'multiMarginLoss', 'target');
  const { p = 1, margin = 1, weight = null, reduction = 'mean' } = opts;
  if (p !== 1 && p !== 2) throw new Error(`multiMarginLoss: p must be 1 or 2, got ${p}`);
  const x = input.ndim === 1 ? reshape(input, [1, -1]) : input;
  if (x.ndim !== 2) throw new Error(`multiMarginLoss: expected input [N, C] or [C], got ${shapeToString(input.shape)}`);
  const [n, c] = x.shape;
  const y = reshape(target, [-1]);
  if (y.numel() !== n)
    throw new Error(`multiMarginLoss: target ${shapeToString(target.shape)} does not match ${n} samples of input ${shapeToString(input.shape)}`);
  checkLabels(y, c, Number.NaN, 'multiMarginLoss');
  const idx = reshape(y, [n, 1]);
  const xy = gather(x, 1, idx);
  let m = maximum(add(sub(x, xy), margin), 0);
  if (p === 2) m = mul(m, m);
  if (weight) m = mul(m, reshape(indexSelect(weight, 0, y), [n, 1]));
  const notTarget = ne(idx, reshape(arange(c), [1, c]));
  const losses = div(sum(mul(m, notTarget), 1), c);
  const shaped = input.ndim === 1 ? reshape(losses, []) : losses;
  return reduce(shaped, reduction, 'multiMarginLoss');
}
