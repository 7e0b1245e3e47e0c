/** Conv2d. */
import { zeros } from '../../tensor/creation.js';
import { computeConv2dInfo, pair, type Pair } from '../../backend/geometry.js';
import { shapeToString } from '../../backend/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { conv2d } from '../../ops/conv.js';
import { pad } from '../../ops/shape.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { noGrad } from '../../autograd/grad_mode.js';
import type { ChannelAffine, LayerInfo, OnnxEmit, OnnxLayerContext } from '../describe.js';
import { defaultLayerInit } from '../init.js';
import { pyBool, pyTuple } from '../repr.js';

export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

/** nn.Conv2d's options: F.conv2d's geometry plus the layer's own (bias, padding mode). */
export interface Conv2dLayerOptions {
  stride?: Pair;
  /** A number, a pair, 'same' (stride 1 only) or 'valid'. */
  padding?: Pair | 'same' | 'valid';
  dilation?: Pair;
  groups?: number;
  bias?: boolean;
  /** How padded pixels are filled: zeros (default), reflect, replicate or circular. */
  paddingMode?: PaddingMode;
}

/**
 * 2-D convolution layer.
 *
 * Args: inChannels, outChannels, kernelSize (number or pair); opts.stride, padding, dilation, groups, bias, paddingMode.
 * Shape: [N, C_in, H, W] → [N, C_out, H_out, W_out], H_out = floor((H + 2P − D·(K − 1) − 1)/S) + 1.
 *   Weight [C_out, C_in/groups, kH, kW], bias [C_out].
 * Init: PyTorch's default, kaiming-uniform with a = √5; bias U(±1/√fan_in), fan_in = C_in/groups·kH·kW.
 * Example: new Conv2d(1, 20, 5, { padding: 2 })
 */
export class Conv2d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number] | 'same' | 'valid';
  readonly dilation: [number, number];
  readonly groups: number;
  readonly paddingMode: PaddingMode;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: Pair,
    opts: Conv2dLayerOptions = {},
  ) {
    super();
    const groups = opts.groups ?? 1;
    if (!Number.isInteger(inChannels) || inChannels < 1) throw new Error(`Conv2d: inChannels must be a positive integer, got ${inChannels}`);
    if (!Number.isInteger(outChannels) || outChannels < 1) throw new Error(`Conv2d: outChannels must be a positive integer, got ${outChannels}`);
    if (!Number.isInteger(groups) || groups < 1) throw new Error(`Conv2d: groups must be a positive integer, got ${groups}`);
    if (inChannels % groups !== 0) throw new Error(`Conv2d: inChannels ${inChannels} must be divisible by groups ${groups}`);
    if (outChannels % groups !== 0) throw new Error(`Conv2d: outChannels ${outChannels} must be divisible by groups ${groups}`);
    this.kernelSize = pair(kernelSize, 'kernelSize', 'Conv2d', 1);
    this.stride = pair(opts.stride ?? 1, 'stride', 'Conv2d', 1);
    this.dilation = pair(opts.dilation ?? 1, 'dilation', 'Conv2d', 1);
    const p = opts.padding ?? 0;
    this.padding = p === 'same' || p === 'valid' ? p : pair(p, 'padding', 'Conv2d', 0);
    if (p === 'same' && (this.stride[0] !== 1 || this.stride[1] !== 1)) throw new Error("Conv2d: padding='same' is not supported for strided convolutions");
    this.groups = groups;
    this.paddingMode = opts.paddingMode ?? 'zeros';
    if (!['zeros', 'reflect', 'replicate', 'circular'].includes(this.paddingMode)) {
      throw new Error(`Conv2d: paddingMode must be 'zeros', 'reflect', 'replicate' or 'circular', got '${this.paddingMode}'`);
    }
    this.weight = new Parameter(zeros(outChannels, inChannels / groups, ...this.kernelSize));
    this.bias = opts.bias === false ? null : new Parameter(zeros(outChannels));
    this.resetParameters();
  }

  resetParameters(): void {
    defaultLayerInit(this.weight, this.bias);
  }

  forward(x: Tensor): Tensor {
    const batched = x.ndim === 4;
    if (x.ndim !== 3 && x.ndim !== 4) throw this.error(`expected a 3-D [C, H, W] or 4-D [N, C, H, W] input, got shape ${shapeToString(x.shape)}`);
    const c = x.shape[batched ? 1 : 0];
    if (c !== this.inChannels) throw this.error(`expected input with ${this.inChannels} channels, got ${c} (input shape ${shapeToString(x.shape)})`);
    const x4 = batched ? x : x.unsqueeze(0);
    const opts = { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups };
    let y: Tensor;
    if (this.paddingMode === 'zeros') {
      y = conv2d(x4, this.weight, this.bias, opts);
    } else {
      // Pad explicitly with the mode, then convolve without padding (PyTorch does the same).
      const g = computeConv2dInfo(x4.shape, this.weight.shape, opts, 'Conv2d');
      const padded = pad(x4, [g.padLeft, g.padRight, g.padTop, g.padBottom], this.paddingMode);
      y = conv2d(padded, this.weight, this.bias, { ...opts, padding: 0 });
    }
    return batched ? y : y.squeeze(0);
  }

  override describe(_input: readonly number[], output: readonly number[]): LayerInfo {
    const positions = output.slice(1).reduce((a, b) => a * b, 1);
    return {
      kind: 'compute',
      filters: this.outChannels,
      kernel: this.kernelSize,
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      macs: positions * (this.inChannels / this.groups) * this.kernelSize[0] * this.kernelSize[1],
    };
  }

  /** One ONNX Conv (after a Pad for reflect/replicate padding). */
  override exportOnnx(ctx: OnnxLayerContext, x: Tensor): OnnxEmit | null {
    if (x.ndim !== 4) return null;
    return () => {
      const v = ctx.value(x);
      const info = computeConv2dInfo(x.shape, this.weight.shape, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
      let input = v.name;
      let pads = [info.padTop, info.padLeft, info.padBottom, info.padRight];
      if (this.paddingMode !== 'zeros') {
        if (this.paddingMode === 'circular') ctx.fail("circular padding has no ONNX opset-17 equivalent (Pad mode 'wrap' is opset 19)");
        const p = [0, 0, info.padTop, info.padLeft, 0, 0, info.padBottom, info.padRight];
        const mode = { string: this.paddingMode === 'replicate' ? 'edge' : 'reflect' };
        input = ctx.op('Pad', [input, ctx.int64s(p, 'pads')], { mode }, `${ctx.path}/Pad`);
        pads = [0, 0, 0, 0];
      }
      const inputs = [input, ctx.value(this.weight).name];
      if (this.bias) inputs.push(ctx.value(this.bias).name);
      const attrs = {
        kernel_shape: { ints: this.kernelSize },
        strides: { ints: this.stride },
        pads: { ints: pads },
        dilations: { ints: this.dilation },
        group: { int: this.groups },
      };
      return { name: ctx.op('Conv', inputs, attrs, ctx.path), batchAxis: v.batchAxis };
    };
  }

  /** W' = W·scale (per output channel), b' = b·scale + shift; a conv without a bias is rebuilt with one. */
  override absorbAffine({ scale, shift }: ChannelAffine): Conv2d {
    return noGrad(() => {
      const weight = this.weight.mul(scale.reshape([this.outChannels, 1, 1, 1]));
      const bias = (this.bias ?? zeros(this.outChannels)).mul(scale).add(shift);
      const fused = this.bias
        ? this
        : new Conv2d(this.inChannels, this.outChannels, this.kernelSize, {
            stride: this.stride,
            padding: this.padding,
            dilation: this.dilation,
            groups: this.groups,
            paddingMode: this.paddingMode,
          });
      fused.weight.copy_(weight);
      fused.bias!.copy_(bias);
      return fused;
    });
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`;
    else if (this.padding[0] !== 0 || this.padding[1] !== 0) s += `, padding=${pyTuple(this.padding)}`;
    if (this.dilation[0] !== 1 || this.dilation[1] !== 1) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (!this.bias) s += `, bias=${pyBool(false)}`;
    if (this.paddingMode !== 'zeros') s += `, padding_mode=${this.paddingMode}`;
    return s;
  }
}
