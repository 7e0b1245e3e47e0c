/** BatchNorm1d/2d, LayerNorm, GroupNorm, InstanceNorm2d, LocalResponseNorm. */
import { noGrad } from '../../autograd/grad_mode.js';
import { ones, zeros } from '../../tensor/creation.js';
import { shapeToString } from '../../backend/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { batchNormAct, groupNorm, instanceNorm, layerNorm, localResponseNorm } from '../../ops/norm.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { pyBool, pyFloat, pyTuple } from '../repr.js';
import type { ChannelAffine, LayerInfo, OnnxEmit, OnnxLayerContext } from '../describe.js';

/** Norms are rows of the summary without multiply-adds (the lectures count convolutions and fully connected layers). */
const NORM: LayerInfo = Object.freeze({ kind: 'compute' });

/** The scale and bias inputs of a per-channel ONNX norm: the layer's parameters, or constants 1 and 0 without them. */
function scaleAndBias(ctx: OnnxLayerContext, m: { weight: Tensor | null; bias: Tensor | null }, c: number): [string, string] {
  const scale = m.weight ? ctx.value(m.weight).name : ctx.constant(new Float32Array(c).fill(1), [c], `${ctx.path}.weight`);
  const bias = m.bias ? ctx.value(m.bias).name : ctx.constant(new Float32Array(c), [c], `${ctx.path}.bias`);
  return [scale, bias];
}

/** nn.BatchNorm1d/2d's options (F.batchNorm takes BatchNormOptions: tensors and mode per call). */
export interface BatchNormLayerOptions {
  eps?: number;
  /** Running-statistics factor (PyTorch convention: new = (1 − m)·old + m·batch); null = cumulative average. */
  momentum?: number | null;
  /** Learnable weight (γ, init 1) and bias (β, init 0). */
  affine?: boolean;
  /** Keep running_mean / running_var for eval mode. */
  trackRunningStats?: boolean;
}

abstract class BatchNormBase extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  readonly eps: number;
  /** Weight of each new batch in the running statistics; null: their cumulative average (settable, as in PyTorch). */
  momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;

  constructor(
    readonly numFeatures: number,
    opts: BatchNormLayerOptions = {},
  ) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures < 1) throw new Error(`${this.typeName}: numFeatures must be a positive integer, got ${numFeatures}`);
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    this.affine = opts.affine ?? true;
    this.trackRunningStats = opts.trackRunningStats ?? true;
    this.weight = this.affine ? new Parameter(ones(numFeatures)) : null;
    this.bias = this.affine ? new Parameter(zeros(numFeatures)) : null;
    this.registerBuffer('running_mean', this.trackRunningStats ? zeros(numFeatures) : null);
    this.registerBuffer('running_var', this.trackRunningStats ? ones(numFeatures) : null);
    this.registerBuffer('num_batches_tracked', this.trackRunningStats ? zeros([], { dtype: 'int32' }) : null);
  }

  get runningMean(): Tensor | null {
    return this.getBuffer('running_mean');
  }
  get runningVar(): Tensor | null {
    return this.getBuffer('running_var');
  }
  get numBatchesTracked(): Tensor | null {
    return this.getBuffer('num_batches_tracked');
  }

  /** Running statistics back to mean 0, variance 1, count 0. */
  resetRunningStats(): void {
    noGrad(() => {
      this.runningMean?.copy_(zeros(this.numFeatures));
      this.runningVar?.copy_(ones(this.numFeatures));
      this.numBatchesTracked?.copy_(zeros([], { dtype: 'int32' }));
    });
  }

  protected abstract checkInput(x: Tensor): void;

  forward(x: Tensor): Tensor {
    return this.forwardAct(x);
  }

  /**
   * relu?(forward(x) + residual) with one kernel each way in training where the backend has it (ops batchNormAct):
   * what nn.convBnAct and Sequential call for BatchNorm → (add) → ReLU. The same values as the layers one by one.
   */
  forwardAct(x: Tensor, opts: { residual?: Tensor | null; relu?: boolean } = {}): Tensor {
    return this.asCall(() => this.normalize(x, opts));
  }

  private normalize(x: Tensor, opts: { residual?: Tensor | null; relu?: boolean }): Tensor {
    this.checkInput(x);
    if (x.shape[1] !== this.numFeatures) {
      throw this.error(`expected input with ${this.numFeatures} channels, got ${x.shape[1]} (input shape ${shapeToString(x.shape)})`);
    }
    let factor = this.momentum ?? 0;
    const tracked = this.numBatchesTracked;
    if (this.training && this.trackRunningStats && tracked) {
      noGrad(() => tracked.copy_(tracked.add(1)));
      factor = this.momentum === null ? 1 / tracked.item() : this.momentum;
    }
    const useBatchStats = this.training || (this.runningMean === null && this.runningVar === null);
    const keepStats = !this.training || this.trackRunningStats;
    return batchNormAct(x, keepStats ? this.runningMean : null, keepStats ? this.runningVar : null, {
      weight: this.weight,
      bias: this.bias,
      training: useBatchStats,
      momentum: factor,
      eps: this.eps,
      residual: opts.residual,
      relu: opts.relu,
    });
  }

  override describe(): LayerInfo {
    return NORM;
  }

  /** BatchNormalization with the running statistics (eval mode); batch statistics trace through the formula. */
  override exportOnnx(ctx: OnnxLayerContext, x: Tensor): OnnxEmit | null {
    const mean = this.runningMean;
    const variance = this.runningVar;
    if (this.training || !mean || !variance || x.ndim < 2) return null;
    return () => {
      const v = ctx.value(x);
      const [scale, bias] = scaleAndBias(ctx, this, this.numFeatures);
      const attrs = { epsilon: { float: this.eps }, momentum: { float: 1 - (this.momentum ?? 0.1) } };
      return {
        name: ctx.op('BatchNormalization', [v.name, scale, bias, ctx.value(mean).name, ctx.value(variance).name], attrs, ctx.path),
        batchAxis: v.batchAxis,
      };
    };
  }

  /** In eval mode with running statistics: y = x·γ/σ + (β − μ·γ/σ), σ = √(var + eps). */
  override channelAffine(): ChannelAffine | null {
    const mean = this.runningMean;
    const variance = this.runningVar;
    if (this.training || !mean || !variance) return null;
    return noGrad(() => {
      const invStd = variance.add(this.eps).rsqrt();
      const scale = this.weight ? this.weight.mul(invStd) : invStd;
      return { scale, shift: (this.bias ?? zeros(this.numFeatures)).sub(mean.mul(scale)) };
    });
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${this.momentum === null ? 'None' : pyFloat(this.momentum)}, affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}

/**
 * Batch normalization over [N, C] or [N, C, L] (per feature C).
 * Example: new BatchNorm1d(500)
 */
export class BatchNorm1d extends BatchNormBase {
  protected checkInput(x: Tensor): void {
    if (x.ndim !== 2 && x.ndim !== 3) throw this.error(`expected a 2-D [N, C] or 3-D [N, C, L] input, got shape ${shapeToString(x.shape)}`);
  }
}

/**
 * Batch normalization over [N, C, H, W] per channel: batch statistics in training (and running-stat updates),
 * running statistics in eval. Buffers: running_mean, running_var, num_batches_tracked.
 * Example: new BatchNorm2d(64)
 */
export class BatchNorm2d extends BatchNormBase {
  protected checkInput(x: Tensor): void {
    if (x.ndim !== 4) throw this.error(`expected a 4-D input [N, C, H, W], got shape ${shapeToString(x.shape)}`);
  }
}

/** Layer normalization over the last dims (normalizedShape); elementwise affine. */
export class LayerNorm extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  readonly normalizedShape: number[];
  constructor(
    normalizedShape: number | readonly number[],
    readonly opts: { eps?: number; elementwiseAffine?: boolean; bias?: boolean } = {},
  ) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    const affine = opts.elementwiseAffine ?? true;
    this.weight = affine ? new Parameter(ones(this.normalizedShape)) : null;
    this.bias = affine && opts.bias !== false ? new Parameter(zeros(this.normalizedShape)) : null;
  }
  forward(x: Tensor): Tensor {
    const tail = x.shape.slice(x.ndim - this.normalizedShape.length);
    if (x.ndim < this.normalizedShape.length || tail.join() !== this.normalizedShape.join()) {
      throw this.error(`expected input ending in ${shapeToString(this.normalizedShape)}, got shape ${shapeToString(x.shape)}`);
    }
    return layerNorm(x, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.opts.eps ?? 1e-5 });
  }
  override describe(): LayerInfo {
    return NORM;
  }
  /** LayerNormalization over the trailing normalizedShape dims. */
  override exportOnnx(ctx: OnnxLayerContext, x: Tensor): OnnxEmit {
    return () => {
      const v = ctx.value(x);
      const shape = this.normalizedShape;
      const n = shape.reduce((a, b) => a * b, 1);
      const scale = this.weight ? ctx.value(this.weight).name : ctx.constant(new Float32Array(n).fill(1), shape, `${ctx.path}.weight`);
      const inputs = [v.name, scale];
      if (this.bias) inputs.push(ctx.value(this.bias).name);
      const attrs = { axis: { int: -shape.length }, epsilon: { float: this.opts.eps ?? 1e-5 } };
      return { name: ctx.op('LayerNormalization', inputs, attrs, ctx.path), batchAxis: v.batchAxis };
    };
  }
  override extraRepr(): string {
    return `${pyTuple(this.normalizedShape)}, eps=${pyFloat(this.opts.eps ?? 1e-5)}, elementwise_affine=${pyBool(this.weight !== null)}`;
  }
}

/** Group normalization: channels split into numGroups groups normalized per sample; per-channel affine. */
export class GroupNorm extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  readonly eps: number;
  constructor(
    readonly numGroups: number,
    readonly numChannels: number,
    opts: { eps?: number; affine?: boolean } = {},
  ) {
    super();
    if (!Number.isInteger(numGroups) || numGroups < 1 || numChannels % numGroups !== 0) {
      throw new Error(`GroupNorm: numChannels ${numChannels} must be divisible by numGroups ${numGroups}`);
    }
    this.eps = opts.eps ?? 1e-5;
    const affine = opts.affine ?? true;
    this.weight = affine ? new Parameter(ones(numChannels)) : null;
    this.bias = affine ? new Parameter(zeros(numChannels)) : null;
  }
  forward(x: Tensor): Tensor {
    if (x.ndim < 2 || x.shape[1] !== this.numChannels) throw this.error(`expected input [N, ${this.numChannels}, *], got shape ${shapeToString(x.shape)}`);
    return groupNorm(x, this.numGroups, { weight: this.weight, bias: this.bias, eps: this.eps });
  }
  override describe(): LayerInfo {
    return NORM;
  }
  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${pyBool(this.weight !== null)}`;
  }
}

/** Instance normalization of each (sample, channel) plane; no affine and no running stats by default, as PyTorch. */
export class InstanceNorm2d extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  readonly eps: number;
  readonly momentum: number;
  readonly trackRunningStats: boolean;
  constructor(
    readonly numFeatures: number,
    opts: { eps?: number; momentum?: number; affine?: boolean; trackRunningStats?: boolean } = {},
  ) {
    super();
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum ?? 0.1;
    this.trackRunningStats = opts.trackRunningStats ?? false;
    const affine = opts.affine ?? false;
    this.weight = affine ? new Parameter(ones(numFeatures)) : null;
    this.bias = affine ? new Parameter(zeros(numFeatures)) : null;
    this.registerBuffer('running_mean', this.trackRunningStats ? zeros(numFeatures) : null);
    this.registerBuffer('running_var', this.trackRunningStats ? ones(numFeatures) : null);
    this.registerBuffer('num_batches_tracked', this.trackRunningStats ? zeros([], { dtype: 'int32' }) : null);
  }
  forward(x: Tensor): Tensor {
    if (x.ndim !== 4 && x.ndim !== 3) throw this.error(`expected a 3-D or 4-D input, got shape ${shapeToString(x.shape)}`);
    const x4 = x.ndim === 3 ? x.unsqueeze(0) : x;
    if (x4.shape[1] !== this.numFeatures)
      throw this.error(`expected input with ${this.numFeatures} channels, got ${x4.shape[1]} (input shape ${shapeToString(x.shape)})`);
    const y = instanceNorm(x4, {
      weight: this.weight,
      bias: this.bias,
      eps: this.eps,
      momentum: this.momentum,
      runningMean: this.getBuffer('running_mean'),
      runningVar: this.getBuffer('running_var'),
      useInputStats: this.training || !this.trackRunningStats,
    });
    return x.ndim === 3 ? y.squeeze(0) : y;
  }
  override describe(): LayerInfo {
    return NORM;
  }
  /** InstanceNormalization with per-input statistics; running statistics trace through the formula. */
  override exportOnnx(ctx: OnnxLayerContext, x: Tensor): OnnxEmit | null {
    if ((!this.training && this.trackRunningStats) || x.ndim !== 4) return null;
    return () => {
      const v = ctx.value(x);
      const [scale, bias] = scaleAndBias(ctx, this, this.numFeatures);
      return { name: ctx.op('InstanceNormalization', [v.name, scale, bias], { epsilon: { float: this.eps } }, ctx.path), batchAxis: v.batchAxis };
    };
  }
  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${pyFloat(this.momentum)}, affine=${pyBool(this.weight !== null)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}

/** AlexNet's local response normalization across `size` neighbouring channels. */
export class LocalResponseNorm extends Module {
  constructor(
    readonly size: number,
    readonly opts: { alpha?: number; beta?: number; k?: number } = {},
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return localResponseNorm(x, this.size, this.opts);
  }
  override describe(): LayerInfo {
    return NORM;
  }
  /** LRN; ONNX centres an even window one channel later than PyTorch, so even sizes trace through the formula. */
  override exportOnnx(ctx: OnnxLayerContext, x: Tensor): OnnxEmit | null {
    if (this.size % 2 === 0 || x.ndim < 3) return null;
    return () => {
      const { alpha = 1e-4, beta = 0.75, k = 1 } = this.opts;
      const v = ctx.value(x);
      const attrs = { size: { int: this.size }, alpha: { float: alpha }, beta: { float: beta }, bias: { float: k } };
      return { name: ctx.op('LRN', [v.name], attrs, ctx.path), batchAxis: v.batchAxis };
    };
  }
  override extraRepr(): string {
    const { alpha = 1e-4, beta = 0.75, k = 1 } = this.opts;
    return `${this.size}, alpha=${pyFloat(alpha)}, beta=${pyFloat(beta)}, k=${pyFloat(k)}`;
  }
}
