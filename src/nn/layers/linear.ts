/** Linear, Identity, Flatten. */
import { zeros } from '../../tensor/creation.js';
import { shapeToString } from '../../backend/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { linear } from '../../ops/matmul.js';
import { flatten } from '../../ops/shape.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { defaultLayerInit } from '../init.js';
import { pyBool } from '../repr.js';
import { noGrad } from '../../autograd/grad_mode.js';
import { ELEMENTWISE, type ChannelAffine, type LayerInfo, type OnnxEmit, type OnnxLayerContext } from '../describe.js';

/**
 * y = x·Wᵀ + b.
 *
 * Args: inFeatures, outFeatures; opts.bias (default true).
 * Shape: [..., inFeatures] → [..., outFeatures]. Weight [outFeatures, inFeatures].
 * Init: PyTorch's default, kaiming-uniform with a = √5 (U(±1/√in)), bias U(±1/√in).
 * Example: new Linear(2450, 500).forward(x)
 */
export class Linear extends Module {
  weight: Parameter;
  bias: Parameter | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    opts: { bias?: boolean } = {},
  ) {
    super();
    for (const [n, v] of [
      ['inFeatures', inFeatures],
      ['outFeatures', outFeatures],
    ] as const) {
      if (!Number.isInteger(v) || v < 0) throw new Error(`Linear: ${n} must be a non-negative integer, got ${v}`);
    }
    this.weight = new Parameter(zeros(outFeatures, inFeatures));
    this.bias = opts.bias === false ? null : new Parameter(zeros(outFeatures));
    this.resetParameters();
  }

  /** Re-draws weight and bias with PyTorch's default initialization. */
  resetParameters(): void {
    defaultLayerInit(this.weight, this.bias);
  }

  forward(x: Tensor): Tensor {
    if (x.ndim === 0 || x.shape[x.ndim - 1] !== this.inFeatures) {
      throw this.error(`expected input with ${this.inFeatures} features, got shape ${shapeToString(x.shape)}`);
    }
    return linear(x, this.weight, this.bias);
  }

  override describe(_input: readonly number[], output: readonly number[]): LayerInfo {
    return { kind: 'compute', filters: this.outFeatures, macs: output.slice(1, -1).reduce((a, b) => a * b, 1) * this.inFeatures * this.outFeatures };
  }

  /** Gemm for a 2-D input; for other ranks MatMul with Wᵀ (+ Add), which broadcasts like linear does. */
  override exportOnnx(ctx: OnnxLayerContext, x: Tensor): OnnxEmit {
    return () => {
      const v = ctx.value(x);
      const w = ctx.value(this.weight).name;
      if (x.ndim === 2) {
        const inputs = [v.name, w];
        if (this.bias) inputs.push(ctx.value(this.bias).name);
        return { name: ctx.op('Gemm', inputs, { transB: { int: 1 } }, ctx.path), batchAxis: v.batchAxis };
      }
      const wT = ctx.op('Transpose', [w], { perm: { ints: [1, 0] } }, `${ctx.path}/Transpose`);
      let y = ctx.op('MatMul', [v.name, wT], {}, `${ctx.path}/MatMul`);
      if (this.bias) y = ctx.op('Add', [y, ctx.value(this.bias).name], {}, `${ctx.path}/Add`);
      return { name: y, batchAxis: v.batchAxis };
    };
  }

  /** W' = W·scale (per output feature), b' = b·scale + shift; a layer without a bias is rebuilt with one. */
  override absorbAffine({ scale, shift }: ChannelAffine): Linear {
    return noGrad(() => {
      const weight = this.weight.mul(scale.reshape([this.outFeatures, 1]));
      const bias = (this.bias ?? zeros(this.outFeatures)).mul(scale).add(shift);
      const fused = this.bias ? this : new Linear(this.inFeatures, this.outFeatures);
      fused.weight.copy_(weight);
      fused.bias!.copy_(bias);
      return fused;
    });
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

/** Returns its input unchanged (a placeholder, e.g. for a removed classifier head). */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
  override describe(): LayerInfo {
    return ELEMENTWISE;
  }
}

/** Flattens dims startDim..endDim (default 1..-1: [N, C, H, W] → [N, C·H·W]). */
export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return flatten(x, this.startDim, this.endDim);
  }
  override describe(): LayerInfo {
    return { kind: 'reshape' };
  }
  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}
