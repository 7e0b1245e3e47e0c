/** MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d. */
import type { Pair } from '../../backend/geometry.js';
import type { Tensor } from '../../tensor/tensor.js';
import { adaptiveAvgPool2d, adaptiveMaxPool2d, avgPool2d, maxPool2d } from '../../ops/pool.js';
import { Module } from '../module.js';
import { pyBool, pyValue } from '../repr.js';
import type { LayerInfo } from '../describe.js';

const pairOf = (v: Pair | null | undefined, dflt: Pair): [number, number] => {
  const p = v ?? dflt;
  return typeof p === 'number' ? [p, p] : [p[0], p[1]];
};

/** nn.MaxPool2d's options (F.maxPool2d takes MaxPool2dOptions, with returnIndices). */
export interface MaxPool2dLayerOptions {
  stride?: Pair | null;
  padding?: Pair;
  dilation?: Pair;
  ceilMode?: boolean;
}

/**
 * Max pooling. Shape: H_out = floor_or_ceil((H + 2P − D·(K − 1) − 1)/S) + 1; stride defaults to kernelSize.
 * Example: new MaxPool2d(2) halves H and W.
 */
export class MaxPool2d extends Module {
  constructor(
    readonly kernelSize: Pair,
    readonly opts: MaxPool2dLayerOptions = {},
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, this.opts);
  }
  override describe(): LayerInfo {
    const o = this.opts;
    return {
      kind: 'compute',
      kernel: pairOf(this.kernelSize, 1),
      stride: pairOf(o.stride, this.kernelSize),
      padding: pairOf(o.padding, 0),
      dilation: pairOf(o.dilation, 1),
    };
  }
  override extraRepr(): string {
    const o = this.opts;
    return `kernel_size=${pyValue(this.kernelSize)}, stride=${pyValue(o.stride ?? this.kernelSize)}, padding=${pyValue(o.padding ?? 0)}, dilation=${pyValue(o.dilation ?? 1)}, ceil_mode=${pyBool(o.ceilMode ?? false)}`;
  }
}

export interface AvgPool2dOptions {
  stride?: Pair | null;
  padding?: Pair;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

/** Average pooling (countIncludePad true by default, as PyTorch). */
export class AvgPool2d extends Module {
  constructor(
    readonly kernelSize: Pair,
    readonly opts: AvgPool2dOptions = {},
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, this.opts);
  }
  override describe(): LayerInfo {
    return { kind: 'compute', kernel: pairOf(this.kernelSize, 1), stride: pairOf(this.opts.stride, this.kernelSize), padding: pairOf(this.opts.padding, 0) };
  }
  override extraRepr(): string {
    return `kernel_size=${pyValue(this.kernelSize)}, stride=${pyValue(this.opts.stride ?? this.kernelSize)}, padding=${pyValue(this.opts.padding ?? 0)}`;
  }
}

type OutputSize = number | readonly [number | null, number | null];

/** Average pooling to a fixed output size; AdaptiveAvgPool2d(1) is global average pooling. */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: OutputSize) {
    super();
  }
  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }
  override describe(): LayerInfo {
    return { kind: 'compute' };
  }
  override extraRepr(): string {
    return `output_size=${pyValue(this.outputSize)}`;
  }
}

/** Max pooling to a fixed output size. */
export class AdaptiveMaxPool2d extends Module {
  constructor(readonly outputSize: OutputSize) {
    super();
  }
  forward(x: Tensor): Tensor {
    return adaptiveMaxPool2d(x, this.outputSize);
  }
  override describe(): LayerInfo {
    return { kind: 'compute' };
  }
  override extraRepr(): string {
    return `output_size=${pyValue(this.outputSize)}`;
  }
}
