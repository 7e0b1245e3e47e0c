/**
 * Layer fusion. Inference: Conv2d → BatchNorm2d (eval) → (+ residual) → ReLU as one convolution with the batch norm folded
 * into its weights and bias, and the residual and ReLU applied in its output pass (ops/conv.ts conv2dFused).
 * Sequential applies it to adjacent Conv2d, BatchNorm2d and ReLU children; the zoo's blocks call convBnAct. It
 * applies only where nothing is recorded for autograd (under noGrad, or with parameters that do not require
 * grad), the batch norm uses running statistics and no tracer watches the layers (ONNX export, summaries);
 * otherwise the conv runs alone and, in training, BatchNorm2d → (+ residual) → ReLU runs as one kernel each way
 * (BatchNorm2d.forwardAct, ops batchNormAct) — with no tracer, else the layers one by one, as written.
 */
import { isGradEnabled } from '../autograd/grad_mode.js';
import { noGrad } from '../autograd/grad_mode.js';
import { conv2dFused } from '../ops/conv.js';
import { relu as reluOp } from '../ops/activation.js';
import { rsqrt } from '../ops/elementwise.js';
import type { Storage } from '../tensor/storage.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Conv2d } from './layers/conv.js';
import { isTracing } from './module.js';
import { BatchNorm2d } from './layers/norm.js';

/** Whether `conv` followed by `bn` may run fused for input x: nothing to record, running statistics, zero padding. */
export function canFuse(conv: Conv2d, bn: BatchNorm2d | null, x: Tensor, residual: Tensor | null = null): boolean {
  // Wrong inputs take the layers' own path, whose errors name the layer.
  if (conv.paddingMode !== 'zeros' || x.ndim !== 4 || x.shape[1] !== conv.inChannels || isTracing()) return false;
  if (bn && (bn.training || !bn.runningMean || !bn.runningVar)) return false;
  if (!isGradEnabled()) return true;
  const params = [x, conv.weight, conv.bias, bn?.weight ?? null, bn?.bias ?? null, residual];
  return params.every((t) => !t || !t.requiresGrad);
}

interface Folded {
  sources: (Storage | null)[];
  versions: number[];
  weight: Tensor;
  bias: Tensor;
}

/** Folded weights per conv, valid while its and its batch norm's tensors are the same storages at the same versions. */
const foldCache = new WeakMap<Conv2d, { bn: BatchNorm2d; folded: Folded }>();

/**
 * The conv's weight and bias with `bn` folded in: w·s and (b − mean)·s + β per output channel, s = γ/√(var + ε) —
 * BatchNorm's eval formula moved before the sum. Cached until a parameter or running statistic changes in place
 * (copy_, an optimizer step, loadStateDict, init) or is replaced.
 */
export function foldBatchNorm(conv: Conv2d, bn: BatchNorm2d): { weight: Tensor; bias: Tensor } {
  const mean = bn.runningMean;
  const variance = bn.runningVar;
  if (!mean || !variance) throw new Error(`foldBatchNorm: ${bn.typeName} has no running statistics to fold`);
  const tensors = [conv.weight, conv.bias, bn.weight, bn.bias, mean, variance];
  const sources = tensors.map((t) => (t ? t.storage : null));
  const versions = sources.map((s) => (s ? s.version : -1));
  const hit = foldCache.get(conv);
  if (hit && hit.bn === bn && hit.folded.sources.every((s, i) => s === sources[i] && versions[i] === hit.folded.versions[i])) return hit.folded;
  const folded = noGrad(() => {
    const scale = bn.weight ? rsqrt(variance.add(bn.eps)).mul(bn.weight) : rsqrt(variance.add(bn.eps));
    const weight = conv.weight.mul(scale.reshape([-1, 1, 1, 1]));
    const shifted = conv.bias ? conv.bias.sub(mean) : mean.neg();
    const bias = bn.bias ? shifted.mul(scale).add(bn.bias) : shifted.mul(scale);
    return { sources, versions, weight, bias };
  });
  foldCache.set(conv, { bn, folded });
  return folded;
}

/**
 * relu?(bn(conv(x)) + residual): fused where canFuse allows (one convolution with the batch norm folded in and the
 * residual and ReLU in its output pass), else the layers' own forwards. `bn` may be null (conv + ReLU).
 *
 * Example: convBnAct(this.conv2, this.bn2, h, { residual: identity, relu: true }) // a ResNet block's tail
 */
export function convBnAct(conv: Conv2d, bn: BatchNorm2d | null, x: Tensor, opts: { residual?: Tensor | null; relu?: boolean } = {}): Tensor {
  const residual = opts.residual ?? null;
  if (canFuse(conv, bn, x, residual)) {
    const { weight, bias } = bn ? foldBatchNorm(conv, bn) : { weight: conv.weight, bias: conv.bias };
    const convOpts = { stride: conv.stride, padding: conv.padding, dilation: conv.dilation, groups: conv.groups };
    return conv2dFused(x, weight, bias, convOpts, { residual, relu: opts.relu });
  }
  const y = conv.forward(x);
  // Training: batch norm, residual and ReLU in one kernel each way (BatchNorm2d.forwardAct), unless a tracer
  // watches the layers one by one.
  if (bn && isPlainBatchNorm(bn) && !isTracing()) return bn.forwardAct(y, { residual, relu: opts.relu });
  let z = bn ? bn.forward(y) : y;
  if (residual) z = z.add(residual);
  return opts.relu ? reluOp(z) : z;
}

/**
 * Whether m is a BatchNorm2d whose forward is BatchNorm2d's own, so forwardAct computes the same thing (not a
 * subclass with its own forward, nor a module that replaced it, such as analysis.fuseConvBn's Identity).
 */
export function isPlainBatchNorm(m: unknown): m is BatchNorm2d {
  return m instanceof BatchNorm2d && Object.getPrototypeOf(m).forward === BatchNorm2d.prototype.forward;
}
