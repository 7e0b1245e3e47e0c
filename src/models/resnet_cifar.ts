/**
 * CIFAR ResNets (He et al. 2016, §4.2): a 3×3/16 stem, three stages of n BasicBlocks with 16/32/64 channels
 * (stride 2 at the first block of stages 2 and 3), global average pooling, fc. Depth = 6n + 2 (20, 32, 44, 56, 110).
 * Shortcuts project with 1×1 conv + BN where the shape changes; `plain: true` removes every shortcut, giving the
 * same-depth plain networks of the paper's degradation experiment.
 */
import * as nn from '../nn/index.js';
import { withOptions } from './options.js';
import type { Tensor } from '../tensor/tensor.js';
import { convBnAct } from '../nn/fusion.js';
import { adaptiveAvgPool2d } from '../ops/pool.js';
import { initConvsAndNorms } from './blocks.js';
import { constant } from '../nn/init.js';

export class CifarBlock extends nn.Module {
  conv1: nn.Conv2d;
  bn1: nn.BatchNorm2d;
  conv2: nn.Conv2d;
  bn2: nn.BatchNorm2d;
  downsample: nn.Sequential | null;
  constructor(
    inC: number,
    outC: number,
    stride: number,
    readonly plain: boolean,
  ) {
    super();
    this.conv1 = new nn.Conv2d(inC, outC, 3, { stride, padding: 1, bias: false });
    this.bn1 = new nn.BatchNorm2d(outC);
    this.conv2 = new nn.Conv2d(outC, outC, 3, { padding: 1, bias: false });
    this.bn2 = new nn.BatchNorm2d(outC);
    this.downsample =
      !plain && (stride !== 1 || inC !== outC) ? new nn.Sequential(new nn.Conv2d(inC, outC, 1, { stride, bias: false }), new nn.BatchNorm2d(outC)) : null;
  }
  forward(x: Tensor): Tensor {
    // Each conv → bn (→ + identity) → relu one fused conv in inference (nn/fusion.ts).
    const out = convBnAct(this.conv1, this.bn1, x, { relu: true });
    const identity = this.plain ? null : this.downsample ? this.downsample.forward(x) : x;
    return convBnAct(this.conv2, this.bn2, out, { residual: identity, relu: true });
  }
}

/** Options of the CIFAR ResNets and plain nets. */
export interface CifarResNetOptions {
  /** Classes (default 10). */
  numClasses?: number;
  /** Input channels (default 3; 1 for MNIST). */
  inChannels?: number;
  /** Channels of the first stage; the others have 2× and 4× (default 16, the paper's). */
  width?: number;
  /**
   * Zero the last BatchNorm's γ in every residual branch (torchvision's `zero_init_residual`, Goyal et al. 2017), so
   * each block starts as the identity and a deep ResNet starts as a shallow one. No effect on plain nets.
   */
  zeroInitResidual?: boolean;
}

export class CifarResNet extends nn.Module {
  conv1: nn.Conv2d;
  bn1: nn.BatchNorm2d;
  layer1: nn.Sequential;
  layer2: nn.Sequential;
  layer3: nn.Sequential;
  fc: nn.Linear;
  constructor(
    readonly depth: number,
    opts: CifarResNetOptions & { plain?: boolean } = {},
  ) {
    super();
    if (!Number.isInteger(depth) || (depth - 2) % 6 !== 0 || depth < 8)
      throw new Error(`CifarResNet: depth must be 6n + 2 (20, 32, 44, 56, 110, ...), got ${depth}`);
    const w = opts.width ?? 16;
    const inChannels = opts.inChannels ?? 3;
    if (!Number.isInteger(w) || w < 1) throw new Error(`CifarResNet: width must be a positive integer, got ${w}`);
    if (!Number.isInteger(inChannels) || inChannels < 1) throw new Error(`CifarResNet: inChannels must be a positive integer, got ${inChannels}`);
    const n = (depth - 2) / 6;
    const plain = opts.plain ?? false;
    const stage = (inC: number, outC: number, stride: number) =>
      new nn.Sequential(...Array.from({ length: n }, (_, i) => new CifarBlock(i === 0 ? inC : outC, outC, i === 0 ? stride : 1, plain)));
    this.conv1 = new nn.Conv2d(inChannels, w, 3, { padding: 1, bias: false });
    this.bn1 = new nn.BatchNorm2d(w);
    this.layer1 = stage(w, w, 1);
    this.layer2 = stage(w, 2 * w, 2);
    this.layer3 = stage(2 * w, 4 * w, 2);
    this.fc = new nn.Linear(4 * w, opts.numClasses ?? 10);
    initConvsAndNorms(this);
    if (opts.zeroInitResidual && !plain) for (const m of this.modules()) if (m instanceof CifarBlock) constant(m.bn2.weight!, 0);
  }
  forward(x: Tensor): Tensor {
    let h = convBnAct(this.conv1, this.bn1, x, { relu: true });
    h = this.layer3.forward(this.layer2.forward(this.layer1.forward(h)));
    return this.fc.forward(adaptiveAvgPool2d(h, 1).flatten(1));
  }
}

/** CIFAR ResNet-20. */
export function resnet20(opts: CifarResNetOptions = {}): CifarResNet {
  return new CifarResNet(20, opts);
}
/** CIFAR plain net of depth 20 (ResNet-20 without shortcuts). */
export function plain20(opts: CifarResNetOptions = {}): CifarResNet {
  return new CifarResNet(20, withOptions(opts, {}, { plain: true }));
}
/** CIFAR ResNet-32. */
export function resnet32(opts: CifarResNetOptions = {}): CifarResNet {
  return new CifarResNet(32, opts);
}
/** CIFAR plain net of depth 32 (ResNet-32 without shortcuts). */
export function plain32(opts: CifarResNetOptions = {}): CifarResNet {
  return new CifarResNet(32, withOptions(opts, {}, { plain: true }));
}
/** CIFAR ResNet-44. */
export function resnet44(opts: CifarResNetOptions = {}): CifarResNet {
  return new CifarResNet(44, opts);
}
/** CIFAR plain net of depth 44 (ResNet-44 without shortcuts). */
export function plain44(opts: CifarResNetOptions = {}): CifarResNet {
  return new CifarResNet(44, withOptions(opts, {}, { plain: true }));
}
/** CIFAR ResNet-56. */
export function resnet56(opts: CifarResNetOptions = {}): CifarResNet {
  return new CifarResNet(56, opts);
}
/** CIFAR plain net of depth 56 (ResNet-56 without shortcuts). */
export function plain56(opts: CifarResNetOptions = {}): CifarResNet {
  return new CifarResNet(56, withOptions(opts, {}, { plain: true }));
}
/** CIFAR ResNet-110. */
export function resnet110(opts: CifarResNetOptions = {}): CifarResNet {
  return new CifarResNet(110, opts);
}
/** CIFAR plain net of depth 110 (ResNet-110 without shortcuts). */
export function plain110(opts: CifarResNetOptions = {}): CifarResNet {
  return new CifarResNet(110, withOptions(opts, {}, { plain: true }));
}
