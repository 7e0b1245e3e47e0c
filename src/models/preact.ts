/**
 * Pre-activation ResNets (He et al., "Identity mappings", 2016): BN → ReLU → conv inside each block, identity
 * shortcuts kept clean. ImageNet preact-ResNet-18, CIFAR preact-ResNet-164 (bottleneck, 9n + 2), Wide ResNets
 * (Zagoruyko & Komodakis: WRN-16-4, WRN-28-10), and SE-ResNet-50 (Hu et al., squeeze-and-excitation).
 */
import * as nn from '../nn/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { relu } from '../ops/activation.js';
import { adaptiveAvgPool2d } from '../ops/pool.js';
import { dropout } from '../ops/dropout.js';
import { SqueezeExcitation } from './efficientnet.js';
import { Bottleneck, ResNet } from './resnet.js';

/** BN-ReLU-conv3×3 twice; the shortcut is a 1×1 conv of the pre-activated input when the shape changes. */
export class PreActBlock extends nn.Module {
  bn1: nn.BatchNorm2d;
  conv1: nn.Conv2d;
  bn2: nn.BatchNorm2d;
  conv2: nn.Conv2d;
  shortcut: nn.Conv2d | null;
  constructor(
    inC: number,
    outC: number,
    stride: number,
    readonly dropRate = 0,
  ) {
    super();
    this.bn1 = new nn.BatchNorm2d(inC);
    this.conv1 = new nn.Conv2d(inC, outC, 3, { stride, padding: 1, bias: false });
    this.bn2 = new nn.BatchNorm2d(outC);
    this.conv2 = new nn.Conv2d(outC, outC, 3, { padding: 1, bias: false });
    this.shortcut = stride !== 1 || inC !== outC ? new nn.Conv2d(inC, outC, 1, { stride, bias: false }) : null;
  }
  forward(x: Tensor): Tensor {
    const a = relu(this.bn1.forward(x));
    const sc = this.shortcut ? this.shortcut.forward(a) : x;
    let h = this.conv1.forward(a);
    h = relu(this.bn2.forward(h));
    if (this.dropRate > 0) h = dropout(h, this.dropRate, { training: this.training });
    return this.conv2.forward(h).add(sc);
  }
}

/** BN-ReLU-conv1×1, BN-ReLU-conv3×3, BN-ReLU-conv1×1 (4× expansion), pre-activated shortcut projection. */
export class PreActBottleneck extends nn.Module {
  bn1: nn.BatchNorm2d;
  conv1: nn.Conv2d;
  bn2: nn.BatchNorm2d;
  conv2: nn.Conv2d;
  bn3: nn.BatchNorm2d;
  conv3: nn.Conv2d;
  shortcut: nn.Conv2d | null;
  constructor(inC: number, planes: number, stride: number) {
    super();
    this.bn1 = new nn.BatchNorm2d(inC);
    this.conv1 = new nn.Conv2d(inC, planes, 1, { bias: false });
    this.bn2 = new nn.BatchNorm2d(planes);
    this.conv2 = new nn.Conv2d(planes, planes, 3, { stride, padding: 1, bias: false });
    this.bn3 = new nn.BatchNorm2d(planes);
    this.conv3 = new nn.Conv2d(planes, planes * 4, 1, { bias: false });
    this.shortcut = stride !== 1 || inC !== planes * 4 ? new nn.Conv2d(inC, planes * 4, 1, { stride, bias: false }) : null;
  }
  forward(x: Tensor): Tensor {
    const a = relu(this.bn1.forward(x));
    const sc = this.shortcut ? this.shortcut.forward(a) : x;
    let h = this.conv1.forward(a);
    h = this.conv2.forward(relu(this.bn2.forward(h)));
    h = this.conv3.forward(relu(this.bn3.forward(h)));
    return h.add(sc);
  }
}

/** Stem conv, stages of pre-activation blocks, final BN-ReLU, global average pooling, fc. */
export class PreActResNet extends nn.Module {
  conv1: nn.Conv2d;
  maxpool: nn.MaxPool2d | null;
  layers: nn.Sequential;
  bn: nn.BatchNorm2d;
  fc: nn.Linear;
  constructor(stages: nn.Module[][], stem: { conv: nn.Conv2d; maxpool: boolean }, finalC: number, numClasses: number) {
    super();
    this.conv1 = stem.conv;
    this.maxpool = stem.maxpool ? new nn.MaxPool2d(3, { stride: 2, padding: 1 }) : null;
    this.layers = new nn.Sequential(...stages.map((blocks) => new nn.Sequential(...blocks)));
    this.bn = new nn.BatchNorm2d(finalC);
    this.fc = new nn.Linear(finalC, numClasses);
  }
  forward(x: Tensor): Tensor {
    let h = this.conv1.forward(x);
    if (this.maxpool) h = this.maxpool.forward(h);
    h = relu(this.bn.forward(this.layers.forward(h)));
    return this.fc.forward(adaptiveAvgPool2d(h, 1).flatten(1));
  }
}

/** ImageNet pre-activation ResNet-18. */
export function preactResnet18(opts: { numClasses?: number } = {}): nn.Module {
  const widths = [64, 128, 256, 512];
  let c = 64;
  const stages = widths.map((w, i) =>
    [0, 1].map((j) => {
      const b = new PreActBlock(c, w, j === 0 && i > 0 ? 2 : 1);
      c = w;
      return b;
    }),
  );
  return new PreActResNet(stages, { conv: new nn.Conv2d(3, 64, 7, { stride: 2, padding: 3, bias: false }), maxpool: true }, 512, opts.numClasses ?? 1000);
}

/** CIFAR pre-activation ResNet of depth 9n + 2 with bottlenecks (164: n = 18), 1.7M parameters at depth 164. */
export function preactResnetCifar(depth: number, opts: { numClasses?: number } = {}): nn.Module {
  if ((depth - 2) % 9 !== 0) throw new Error(`preactResnetCifar: depth must be 9n + 2 (e.g. 164), got ${depth}`);
  const n = (depth - 2) / 9;
  let c = 16;
  const stages = [16, 32, 64].map((planes, i) =>
    Array.from({ length: n }, (_, j) => {
      const b = new PreActBottleneck(c, planes, j === 0 && i > 0 ? 2 : 1);
      c = planes * 4;
      return b;
    }),
  );
  return new PreActResNet(stages, { conv: new nn.Conv2d(3, 16, 3, { padding: 1, bias: false }), maxpool: false }, 256, opts.numClasses ?? 10);
}

/** Wide ResNet WRN-d-k for CIFAR: (d − 4)/6 pre-activation blocks per stage, widths 16k, 32k, 64k. */
export function wideResnetCifar(depth: number, widen: number, opts: { numClasses?: number; dropRate?: number } = {}): nn.Module {
  if ((depth - 4) % 6 !== 0) throw new Error(`wideResnetCifar: depth must be 6n + 4 (16, 28, 40), got ${depth}`);
  const n = (depth - 4) / 6;
  let c = 16;
  const stages = [16 * widen, 32 * widen, 64 * widen].map((w, i) =>
    Array.from({ length: n }, (_, j) => {
      const b = new PreActBlock(c, w, j === 0 && i > 0 ? 2 : 1, opts.dropRate ?? 0);
      c = w;
      return b;
    }),
  );
  return new PreActResNet(stages, { conv: new nn.Conv2d(3, 16, 3, { padding: 1, bias: false }), maxpool: false }, 64 * widen, opts.numClasses ?? 10);
}

/** SE-ResNet-50: ResNet-50 with a squeeze-and-excitation block (reduction 16) after each bottleneck's last BN. */
export class SEBottleneck extends Bottleneck {
  se: SqueezeExcitation;
  constructor(inplanes: number, planes: number, stride = 1, downsample: nn.Sequential | null = null) {
    super(inplanes, planes, stride, downsample);
    this.se = new SqueezeExcitation(planes * 4, Math.max(1, Math.floor((planes * 4) / 16)));
  }
  override forward(x: Tensor): Tensor {
    let out = relu(this.bn1.forward(this.conv1.forward(x)));
    out = relu(this.bn2.forward(this.conv2.forward(out)));
    out = this.se.forward(this.bn3.forward(this.conv3.forward(out)));
    return relu(out.add(this.downsample ? this.downsample.forward(x) : x));
  }
}

export function seResnet50(opts: { numClasses?: number } = {}): nn.Module {
  const m = new ResNet('bottleneck', [3, 4, 6, 3], opts);
  // Rebuild each bottleneck as an SE bottleneck with the same shape.
  for (const layer of [m.layer1, m.layer2, m.layer3, m.layer4]) {
    [...layer].forEach((b, i) => {
      const blk = b as Bottleneck;
      layer.set(i, new SEBottleneck(blk.conv1.inChannels, blk.conv1.outChannels, blk.conv2.stride[0], blk.downsample));
    });
  }
  return m;
}

/** CIFAR pre-activation ResNet-164 (bottleneck). */
export function preactResnet164(opts: { numClasses?: number } = {}): nn.Module {
  return preactResnetCifar(164, opts);
}
/** Wide ResNet WRN-16-4 for CIFAR. */
export function wrn16_4(opts: { numClasses?: number; dropRate?: number } = {}): nn.Module {
  return wideResnetCifar(16, 4, opts);
}
/** Wide ResNet WRN-28-10 for CIFAR. */
export function wrn28_10(opts: { numClasses?: number; dropRate?: number } = {}): nn.Module {
  return wideResnetCifar(28, 10, opts);
}
