/**
 * Normalization as functions: batch_norm (train: batch statistics + running-stat update with PyTorch's momentum
 * convention and unbiased running variance; eval: running statistics), layer_norm, group_norm, instance_norm and
 * AlexNet's local_response_norm. Built from differentiable primitives, so autograd derives their gradients.
 */
import { noGrad } from '../autograd/grad_mode.js';
import { shapeToString, sizeOf } from '../backend/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { add, div, mul, pow, rsqrt, sub } from './elementwise.js';
import { mean } from './reduce.js';
import { narrow, pad, reshape } from './shape.js';
import { assertTensor } from './util.js';
import { applyOpWithSaved, type Rule } from '../autograd/apply.js';
import { kernel, optionalKernel } from '../backend/registry.js';
import { relu } from './activation.js';
import { Tensor as TensorClass } from '../tensor/tensor.js';

export interface BatchNormAttrs {
  eps: number;
  hasWeight: boolean;
  hasBias: boolean;
}

/**
 * Training-mode batch norm as one primitive (inputs x, then weight and bias when given): fused kernels in both
 * directions instead of a dozen elementwise passes. Saves the batch mean and biased variance, per channel.
 */
const BATCH_NORM_TRAIN_RULE: Rule<BatchNormAttrs, { mean: Tensor; var: Tensor }> = {
  name: 'batchNormTrain',
  forward: ([x, ...rest], { eps, hasWeight, hasBias }) => {
    const w = hasWeight ? rest[0] : null;
    const b = hasBias ? rest[hasWeight ? 1 : 0] : null;
    const r = kernel('batchNormTrain')(x.info(), w ? w.info() : null, b ? b.info() : null, eps);
    return { out: TensorClass.fromInfo(r.y), saved: { mean: TensorClass.fromInfo(r.mean), var: TensorClass.fromInfo(r.var) } };
  },
  vjp: (dy, { inputs: [x, ...rest], attrs: { eps, hasWeight, hasBias }, saved }) => {
    const w = hasWeight ? rest[0] : null;
    const g = kernel('batchNormTrainBackward')(x.info(), dy.info(), saved.mean.info(), saved.var.info(), w ? w.info() : null, eps);
    const out: (Tensor | null)[] = [TensorClass.fromInfo(g.dx)];
    if (hasWeight) out.push(TensorClass.fromInfo(g.dweight));
    if (hasBias) out.push(TensorClass.fromInfo(g.dbias));
    return out;
  },
};

export const PRIMITIVE_RULES_NORM = { batchNormTrain: BATCH_NORM_TRAIN_RULE };

interface BatchNormActAttrs extends BatchNormAttrs {
  hasResidual: boolean;
  relu: boolean;
}

/**
 * relu?(batchNormTrain(x) + residual) as one primitive where the backend has the fused kernels (inputs x, weight,
 * bias, residual as given): one pass over x, y and the residual forward and one backward instead of three each.
 * Saves the batch statistics and, with ReLU, the output for its mask.
 */
const BATCH_NORM_ACT_RULE: Rule<BatchNormActAttrs, { mean: Tensor; var: Tensor; y: Tensor | null }> = {
  name: 'batchNormAct',
  forward: ([x, ...rest], { eps, hasWeight, hasBias, hasResidual, relu }) => {
    const w = hasWeight ? rest[0] : null;
    const b = hasBias ? rest[hasWeight ? 1 : 0] : null;
    const res = hasResidual ? rest[rest.length - 1] : null;
    const r = optionalKernel('batchNormTrainAct')!(x.info(), w ? w.info() : null, b ? b.info() : null, res ? res.info() : null, eps, relu)!;
    const y = TensorClass.fromInfo(r.y);
    return { out: y, saved: { mean: TensorClass.fromInfo(r.mean), var: TensorClass.fromInfo(r.var), y: relu ? y : null } };
  },
  vjp: (dy, { inputs: [x, ...rest], attrs: { eps, hasWeight, hasBias, hasResidual }, saved }) => {
    const w = hasWeight ? rest[0] : null;
    const k = optionalKernel('batchNormTrainActBackward')!;
    const g = k(x.info(), saved.y ? saved.y.info() : null, dy.info(), saved.mean.info(), saved.var.info(), w ? w.info() : null, eps, hasResidual)!;
    const out: (Tensor | null)[] = [TensorClass.fromInfo(g.dx)];
    if (hasWeight) out.push(TensorClass.fromInfo(g.dweight));
    if (hasBias) out.push(TensorClass.fromInfo(g.dbias));
    if (hasResidual) out.push(TensorClass.fromInfo(g.dres!));
    return out;
  },
};

export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Use batch statistics (and update the running ones) instead of the running statistics. */
  training?: boolean;
  /** running = (1 − momentum)·running + momentum·batch (PyTorch's convention), default 0.1. */
  momentum?: number;
  eps?: number;
}

function channelView(t: Tensor, ndim: number): Tensor {
  return reshape(t, [1, t.numel(), ...Array(Math.max(0, ndim - 2)).fill(1)]);
}

function checkPerChannel(t: Tensor | null | undefined, c: number, op: string, name: string): void {
  if (!t) return;
  assertTensor(t, op, name);
  if (t.ndim !== 1 || t.shape[0] !== c) throw new Error(`${op}: ${name} must have shape [${c}], got ${shapeToString(t.shape)}`);
}

/** y = (x − mean) / sqrt(var + eps) · weight + bias, then the affine part per channel. */
function affine(xhat: Tensor, weight: Tensor | null | undefined, bias: Tensor | null | undefined, view: (t: Tensor) => Tensor): Tensor {
  let y = xhat;
  if (weight) y = mul(y, view(weight));
  if (bias) y = add(y, view(bias));
  return y;
}

/**
 * Batch normalization over all dims but the channel dim 1.
 * Shape: [N, C] or [N, C, *]. Running statistics are updated in place when training.
 */
export function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, opts: BatchNormOptions = {}): Tensor {
  assertTensor(x, 'batchNorm', 'input');
  if (x.ndim < 2) throw new Error(`batchNorm: expected an input of rank >= 2 [N, C, *], got ${shapeToString(x.shape)}`);
  const c = x.shape[1];
  const { weight, bias, training = false, momentum = 0.1, eps = 1e-5 } = opts;
  checkPerChannel(weight, c, 'batchNorm', 'weight');
  checkPerChannel(bias, c, 'batchNorm', 'bias');
  checkPerChannel(runningMean, c, 'batchNorm', 'runningMean');
  checkPerChannel(runningVar, c, 'batchNorm', 'runningVar');
  const view = (t: Tensor) => channelView(t, x.ndim);
  if (!training) {
    if (!runningMean || !runningVar) throw new Error('batchNorm: running_mean and running_var are required in eval mode (training: false)');
    // y = x·scale + shift per channel, with scale = γ/√(var + eps) and shift = β − mean·scale: two passes over x.
    const invStd = rsqrt(add(runningVar, eps));
    const scale = weight ? mul(weight, invStd) : invStd;
    const shifted = mul(runningMean, scale).neg();
    const shift = bias ? add(bias, shifted) : shifted;
    return add(mul(x, view(scale)), view(shift));
  }
  const n = sizeOf(x.shape) / c;
  if (n <= 1) throw new Error(`batchNorm: expected more than 1 value per channel when training, got input ${shapeToString(x.shape)}`);
  if (x.dtype !== 'float32') throw new Error(`batchNorm: expected a float32 input, got ${x.dtype}`);
  const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  const { out, saved } = applyOpWithSaved(BATCH_NORM_TRAIN_RULE, inputs, { eps, hasWeight: Boolean(weight), hasBias: Boolean(bias) });
  updateRunningStats(runningMean, runningVar, saved, momentum, n);
  return out;
}

/** running = (1 − momentum)·running + momentum·batch, the variance unbiased (n values per channel). */
function updateRunningStats(runningMean: Tensor | null, runningVar: Tensor | null, batch: { mean: Tensor; var: Tensor }, momentum: number, n: number): void {
  if (!runningMean && !runningVar) return;
  noGrad(() => {
    if (runningMean) runningMean.copy_(add(mul(runningMean, 1 - momentum), mul(batch.mean, momentum)));
    if (runningVar) runningVar.copy_(add(mul(runningVar, 1 - momentum), mul(batch.var, (momentum * n) / (n - 1))));
  });
}

export interface BatchNormActOptions extends BatchNormOptions {
  /** Added after the normalization (a ResNet block's shortcut), of the input's shape. */
  residual?: Tensor | null;
  /** ReLU last. */
  relu?: boolean;
}

/**
 * relu?(batchNorm(x) + residual): one fused kernel each way in training where the backend has it (wasm), else
 * the three ops composed; the same values either way (bit for bit on wasm). nn.BatchNorm2d's forwardAct and
 * nn.convBnAct call it in training.
 *
 * Shape: x and residual [N, C, *].
 * Example: batchNormAct(h, bn.runningMean, bn.runningVar, { weight: bn.weight, bias: bn.bias, training: true, residual: identity, relu: true })
 */
export function batchNormAct(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, opts: BatchNormActOptions = {}): Tensor {
  const { residual = null, relu: withRelu = false, ...bnOpts } = opts;
  if (residual) assertTensor(residual, 'batchNormAct', 'residual');
  const fusable =
    (residual !== null || withRelu) &&
    bnOpts.training === true &&
    x instanceof TensorClass &&
    x.ndim >= 2 &&
    x.dtype === 'float32' &&
    sizeOf(x.shape) / Math.max(1, x.shape[1]) > 1 &&
    (!residual || (residual.dtype === 'float32' && residual.shape.join() === x.shape.join())) &&
    optionalKernel('batchNormTrainAct') !== null &&
    optionalKernel('batchNormTrainActBackward') !== null;
  if (!fusable) {
    // Composed: the ops' own checks and errors.
    let y = batchNorm(x, runningMean, runningVar, bnOpts);
    if (residual) y = add(y, residual);
    return withRelu ? relu(y) : y;
  }
  const c = x.shape[1];
  const { weight = null, bias = null, momentum = 0.1, eps = 1e-5 } = bnOpts;
  checkPerChannel(weight, c, 'batchNorm', 'weight');
  checkPerChannel(bias, c, 'batchNorm', 'bias');
  checkPerChannel(runningMean, c, 'batchNorm', 'runningMean');
  checkPerChannel(runningVar, c, 'batchNorm', 'runningVar');
  const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : []), ...(residual ? [residual] : [])];
  const attrs = { eps, hasWeight: Boolean(weight), hasBias: Boolean(bias), hasResidual: Boolean(residual), relu: withRelu };
  const { out, saved } = applyOpWithSaved(BATCH_NORM_ACT_RULE, inputs, attrs);
  updateRunningStats(runningMean, runningVar, saved, momentum, sizeOf(x.shape) / c);
  return out;
}

export interface LayerNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  eps?: number;
}

/** Normalizes over the last dims given by normalizedShape; weight/bias have that shape. */
export function layerNorm(x: Tensor, normalizedShape: number | readonly number[], opts: LayerNormOptions = {}): Tensor {
  assertTensor(x, 'layerNorm', 'input');
  const ns = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  const tail = x.shape.slice(x.ndim - ns.length);
  if (ns.length > x.ndim || tail.join() !== ns.join()) {
    throw new Error(`layerNorm: normalizedShape ${shapeToString(ns)} must match the last dims of the input ${shapeToString(x.shape)}`);
  }
  for (const [t, name] of [
    [opts.weight, 'weight'],
    [opts.bias, 'bias'],
  ] as const) {
    if (t && t.shape.join() !== ns.join()) throw new Error(`layerNorm: ${name} must have shape ${shapeToString(ns)}, got ${shapeToString(t.shape)}`);
  }
  const dims = ns.map((_, i) => x.ndim - ns.length + i);
  const mu = mean(x, dims, true);
  const centered = sub(x, mu);
  const v = mean(mul(centered, centered), dims, true);
  const xhat = mul(centered, rsqrt(add(v, opts.eps ?? 1e-5)));
  return affine(xhat, opts.weight, opts.bias, (t) => t);
}

/** Normalizes each of numGroups channel groups per sample; per-channel affine. Shape: [N, C, *]. */
export function groupNorm(x: Tensor, numGroups: number, opts: LayerNormOptions = {}): Tensor {
  assertTensor(x, 'groupNorm', 'input');
  if (x.ndim < 2) throw new Error(`groupNorm: expected an input of rank >= 2 [N, C, *], got ${shapeToString(x.shape)}`);
  const [n, c] = x.shape;
  if (!Number.isInteger(numGroups) || numGroups < 1 || c % numGroups !== 0) {
    throw new Error(`groupNorm: ${c} channels are not divisible by numGroups ${numGroups} (input ${shapeToString(x.shape)})`);
  }
  checkPerChannel(opts.weight, c, 'groupNorm', 'weight');
  checkPerChannel(opts.bias, c, 'groupNorm', 'bias');
  const g = reshape(x, [n, numGroups, -1]);
  const mu = mean(g, 2, true);
  const centered = sub(g, mu);
  const v = mean(mul(centered, centered), 2, true);
  const xhat = reshape(mul(centered, rsqrt(add(v, opts.eps ?? 1e-5))), x.shape);
  return affine(xhat, opts.weight, opts.bias, (t) => channelView(t, x.ndim));
}

export interface InstanceNormOptions extends BatchNormOptions {
  runningMean?: Tensor | null;
  runningVar?: Tensor | null;
  /** Normalize with the instance's own statistics (default true); false uses the running statistics. */
  useInputStats?: boolean;
}

/** Normalizes each (sample, channel) plane over its spatial dims. Shape: [N, C, *]. */
export function instanceNorm(x: Tensor, opts: InstanceNormOptions = {}): Tensor {
  assertTensor(x, 'instanceNorm', 'input');
  if (x.ndim < 3) throw new Error(`instanceNorm: expected an input of rank >= 3 [N, C, *], got ${shapeToString(x.shape)}`);
  const [n, c] = x.shape;
  const { runningMean = null, runningVar = null, useInputStats = true, momentum = 0.1, eps = 1e-5 } = opts;
  checkPerChannel(opts.weight, c, 'instanceNorm', 'weight');
  checkPerChannel(opts.bias, c, 'instanceNorm', 'bias');
  if (!useInputStats) {
    return batchNorm(x, runningMean, runningVar, { weight: opts.weight, bias: opts.bias, training: false, eps });
  }
  // Instance norm is batch norm of a [1, N·C, *] view; running stats are the mean over the batch.
  const rm = runningMean ? repeatN(runningMean, n) : null;
  const rv = runningVar ? repeatN(runningVar, n) : null;
  const y = batchNorm(reshape(x, [1, n * c, ...x.shape.slice(2)]), rm, rv, { training: true, momentum, eps });
  noGrad(() => {
    if (runningMean && rm) runningMean.copy_(mean(reshape(rm, [n, c]), 0));
    if (runningVar && rv) runningVar.copy_(mean(reshape(rv, [n, c]), 0));
  });
  return affine(reshape(y, x.shape), opts.weight, opts.bias, (t) => channelView(t, x.ndim));
}

function repeatN(t: Tensor, n: number): Tensor {
  return noGrad(() => reshape(t.unsqueeze(0).expand([n, t.shape[0]]).clone(), [-1]));
}

export interface LocalResponseNormOptions {
  alpha?: number;
  beta?: number;
  k?: number;
}

/**
 * AlexNet's local response normalization across channels:
 * b_c = a_c / (k + α/n · Σ_{c' in window} a_{c'}²)^β, window of `size` channels centred on c (PyTorch's padding).
 */
export function localResponseNorm(x: Tensor, size: number, opts: LocalResponseNormOptions = {}): Tensor {
  assertTensor(x, 'localResponseNorm', 'input');
  if (x.ndim < 3) throw new Error(`localResponseNorm: expected an input of rank >= 3 [N, C, *], got ${shapeToString(x.shape)}`);
  if (!Number.isInteger(size) || size < 1) throw new Error(`localResponseNorm: size must be a positive integer, got ${size}`);
  const { alpha = 1e-4, beta = 0.75, k = 1 } = opts;
  const [n, c] = x.shape;
  const sq = reshape(mul(x, x), [n, c, -1]);
  const padded = pad(sq, [0, 0, Math.floor(size / 2), Math.floor((size - 1) / 2)]);
  let acc = narrow(padded, 1, 0, c);
  for (let i = 1; i < size; i++) acc = add(acc, narrow(padded, 1, i, c));
  const denom = pow(add(mul(div(acc, size), alpha), k), beta);
  return div(x, reshape(denom, x.shape));
}
