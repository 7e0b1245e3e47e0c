/**
 * MNASNet (Tan et al. 2019), the B1 model found by platform-aware architecture search, in torchvision's layout (its
 * module and parameter names, so its state dicts load as-is): a depth multiplier `alpha` scales every stage.
 */
import * as nn from '../nn/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { initConvsAndNorms } from './blocks.js';

/** torchvision's BatchNorm momentum for MNASNet (TensorFlow's 0.9997 decay). */
const BN_MOMENTUM = 1 - 0.9997;
const bn = (c: number) => new nn.BatchNorm2d(c, { momentum: BN_MOMENTUM });

/** 1×1 expand → depthwise k×k → 1×1 project, with a shortcut when shapes match (torchvision's mnasnet._InvertedResidual). */
export class MnasBlock extends nn.Module {
  layers: nn.Sequential;
  readonly applyResidual: boolean;
  constructor(inC: number, outC: number, kernel: number, stride: number, expansion: number) {
    super();
    const mid = inC * expansion;
    this.applyResidual = inC === outC && stride === 1;
    this.layers = new nn.Sequential(
      new nn.Conv2d(inC, mid, 1, { bias: false }),
      bn(mid),
      new nn.ReLU(),
      new nn.Conv2d(mid, mid, kernel, { padding: Math.floor(kernel / 2), stride, groups: mid, bias: false }),
      bn(mid),
      new nn.ReLU(),
      new nn.Conv2d(mid, outC, 1, { bias: false }),
      bn(outC),
    );
  }
  forward(x: Tensor): Tensor {
    const y = this.layers.forward(x);
    return this.applyResidual ? y.add(x) : y;
  }
}

/** torchvision's _round_to_multiple_of: to a multiple of `divisor`, rounding up when rounding lost more than 10%. */
export function roundToMultipleOf(v: number, divisor = 8, roundUpBias = 0.9): number {
  const n = Math.max(divisor, Math.floor(Math.trunc(v + divisor / 2) / divisor) * divisor);
  return n >= roundUpBias * v ? n : n + divisor;
}

export interface MNASNetOptions {
  numClasses?: number;
  dropout?: number;
}

/** MNASNet: stem, a separable conv, six stacks of inverted residuals, a 1×1 conv to 1280, mean over space, classifier. */
export class MNASNet extends nn.Module {
  layers: nn.Sequential;
  classifier: nn.Sequential;
  constructor(
    readonly alpha: number,
    opts: MNASNetOptions = {},
  ) {
    super();
    if (!(alpha > 0)) throw new Error(`MNASNet: alpha must be positive, got ${alpha}`);
    const d = [32, 16, 24, 40, 80, 96, 192, 320].map((c) => roundToMultipleOf(c * alpha));
    const stack = (inC: number, outC: number, k: number, stride: number, exp: number, repeats: number) =>
      new nn.Sequential(new MnasBlock(inC, outC, k, stride, exp), ...Array.from({ length: repeats - 1 }, () => new MnasBlock(outC, outC, k, 1, exp)));
    this.layers = new nn.Sequential(
      new nn.Conv2d(3, d[0], 3, { padding: 1, stride: 2, bias: false }),
      bn(d[0]),
      new nn.ReLU(),
      new nn.Conv2d(d[0], d[0], 3, { padding: 1, groups: d[0], bias: false }),
      bn(d[0]),
      new nn.ReLU(),
      new nn.Conv2d(d[0], d[1], 1, { bias: false }),
      bn(d[1]),
      stack(d[1], d[2], 3, 2, 3, 3),
      stack(d[2], d[3], 5, 2, 3, 3),
      stack(d[3], d[4], 5, 2, 6, 3),
      stack(d[4], d[5], 3, 1, 6, 2),
      stack(d[5], d[6], 5, 2, 6, 4),
      stack(d[6], d[7], 3, 1, 6, 1),
      new nn.Conv2d(d[7], 1280, 1, { bias: false }),
      bn(1280),
      new nn.ReLU(),
    );
    this.classifier = new nn.Sequential(new nn.Dropout(opts.dropout ?? 0.2), new nn.Linear(1280, opts.numClasses ?? 1000));
    initConvsAndNorms(this);
  }
  forward(x: Tensor): Tensor {
    return this.classifier.forward(this.layers.forward(x).mean([2, 3]));
  }
}

/** MNASNet with depth multiplier 0.5 (2,218,512 parameters). */
export const mnasnet0_5 = (opts: MNASNetOptions = {}) => new MNASNet(0.5, opts);
/** MNASNet ×0.75 (3,170,208 parameters). */
export const mnasnet0_75 = (opts: MNASNetOptions = {}) => new MNASNet(0.75, opts);
/** MNASNet ×1.0 (4,383,312 parameters). */
export const mnasnet1_0 = (opts: MNASNetOptions = {}) => new MNASNet(1.0, opts);
/** MNASNet ×1.3 (6,282,256 parameters). */
export const mnasnet1_3 = (opts: MNASNetOptions = {}) => new MNASNet(1.3, opts);
