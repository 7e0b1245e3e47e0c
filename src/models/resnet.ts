/** ResNet-18/34/50/101/152, Wide ResNet-50-2/101-2 and ResNeXt-50 32×4d/101 32×8d in torchvision's layout. */
import * as nn from '../nn/index.js';
import { withOptions } from './options.js';
import type { Tensor } from '../tensor/tensor.js';
import { convBnAct } from '../nn/fusion.js';
import { constant } from '../nn/init.js';
import { initConvsAndNorms } from './blocks.js';

function conv3x3(inC: number, outC: number, stride = 1, groups = 1): nn.Conv2d {
  return new nn.Conv2d(inC, outC, 3, { stride, padding: 1, groups, bias: false });
}
function conv1x1(inC: number, outC: number, stride = 1): nn.Conv2d {
  return new nn.Conv2d(inC, outC, 1, { stride, bias: false });
}

/** Two 3×3 convs with a shortcut (He et al. 2016, Fig. 2 left). */
export class BasicBlock extends nn.Module {
  static readonly expansion = 1;
  conv1: nn.Conv2d;
  bn1: nn.BatchNorm2d;
  relu = new nn.ReLU();
  conv2: nn.Conv2d;
  bn2: nn.BatchNorm2d;
  downsample: nn.Sequential | null;
  constructor(inplanes: number, planes: number, stride = 1, downsample: nn.Sequential | null = null) {
    super();
    this.conv1 = conv3x3(inplanes, planes, stride);
    this.bn1 = new nn.BatchNorm2d(planes);
    this.conv2 = conv3x3(planes, planes);
    this.bn2 = new nn.BatchNorm2d(planes);
    this.downsample = downsample;
  }
  forward(x: Tensor): Tensor {
    // conv → bn → (+ identity) → relu, each pair one fused conv in inference (nn/fusion.ts).
    const out = convBnAct(this.conv1, this.bn1, x, { relu: true });
    const identity = this.downsample ? this.downsample.forward(x) : x;
    return convBnAct(this.conv2, this.bn2, out, { residual: identity, relu: true });
  }
}

/** 1×1 → 3×3 (grouped for ResNeXt, stride here as in torchvision's "ResNet v1.5") → 1×1 with 4× expansion. */
export class Bottleneck extends nn.Module {
  static readonly expansion = 4;
  conv1: nn.Conv2d;
  bn1: nn.BatchNorm2d;
  conv2: nn.Conv2d;
  bn2: nn.BatchNorm2d;
  conv3: nn.Conv2d;
  bn3: nn.BatchNorm2d;
  relu = new nn.ReLU();
  downsample: nn.Sequential | null;
  constructor(inplanes: number, planes: number, stride = 1, downsample: nn.Sequential | null = null, groups = 1, baseWidth = 64) {
    super();
    const width = Math.floor(planes * (baseWidth / 64)) * groups;
    this.conv1 = conv1x1(inplanes, width);
    this.bn1 = new nn.BatchNorm2d(width);
    this.conv2 = conv3x3(width, width, stride, groups);
    this.bn2 = new nn.BatchNorm2d(width);
    this.conv3 = conv1x1(width, planes * 4);
    this.bn3 = new nn.BatchNorm2d(planes * 4);
    this.downsample = downsample;
  }
  forward(x: Tensor): Tensor {
    let out = convBnAct(this.conv1, this.bn1, x, { relu: true });
    out = convBnAct(this.conv2, this.bn2, out, { relu: true });
    const identity = this.downsample ? this.downsample.forward(x) : x;
    return convBnAct(this.conv3, this.bn3, out, { residual: identity, relu: true });
  }
}

export interface ResNetOptions {
  numClasses?: number;
  inChannels?: number;
  /** ResNeXt cardinality. */
  groups?: number;
  /** Bottleneck width per group (64 = ResNet, 128 = Wide ResNet-x-2, 4 = ResNeXt 32×4d). */
  widthPerGroup?: number;
  /** Initialize the last BN of each block to zero (Goyal et al.). */
  zeroInitResidual?: boolean;
}

/** ResNet (He et al. 2016): 7×7/2 stem, max-pool, four stages, global average pooling, fc. Input 3×224×224. */
export class ResNet extends nn.Module {
  conv1: nn.Conv2d;
  bn1 = new nn.BatchNorm2d(64);
  relu = new nn.ReLU();
  maxpool = new nn.MaxPool2d(3, { stride: 2, padding: 1 });
  layer1: nn.Sequential;
  layer2: nn.Sequential;
  layer3: nn.Sequential;
  layer4: nn.Sequential;
  avgpool = new nn.AdaptiveAvgPool2d([1, 1]);
  fc: nn.Linear;
  private inplanes = 64;

  constructor(
    readonly block: 'basic' | 'bottleneck',
    layers: [number, number, number, number],
    opts: ResNetOptions = {},
  ) {
    super();
    const groups = opts.groups ?? 1;
    const width = opts.widthPerGroup ?? 64;
    this.conv1 = new nn.Conv2d(opts.inChannels ?? 3, 64, 7, { stride: 2, padding: 3, bias: false });
    this.layer1 = this.makeLayer(64, layers[0], 1, groups, width);
    this.layer2 = this.makeLayer(128, layers[1], 2, groups, width);
    this.layer3 = this.makeLayer(256, layers[2], 2, groups, width);
    this.layer4 = this.makeLayer(512, layers[3], 2, groups, width);
    const expansion = block === 'basic' ? 1 : 4;
    this.fc = new nn.Linear(512 * expansion, opts.numClasses ?? 1000);
    initConvsAndNorms(this);
    if (opts.zeroInitResidual) {
      for (const m of this.modules()) {
        if (m instanceof Bottleneck) constant(m.bn3.weight!, 0);
        else if (m instanceof BasicBlock) constant(m.bn2.weight!, 0);
      }
    }
  }

  private makeLayer(planes: number, blocks: number, stride: number, groups: number, width: number): nn.Sequential {
    const expansion = this.block === 'basic' ? 1 : 4;
    let downsample: nn.Sequential | null = null;
    if (stride !== 1 || this.inplanes !== planes * expansion) {
      downsample = new nn.Sequential(conv1x1(this.inplanes, planes * expansion, stride), new nn.BatchNorm2d(planes * expansion));
    }
    const make = (inp: number, s: number, ds: nn.Sequential | null) =>
      this.block === 'basic' ? new BasicBlock(inp, planes, s, ds) : new Bottleneck(inp, planes, s, ds, groups, width);
    const list: nn.Module[] = [make(this.inplanes, stride, downsample)];
    this.inplanes = planes * expansion;
    for (let i = 1; i < blocks; i++) list.push(make(this.inplanes, 1, null));
    return new nn.Sequential(...list);
  }

  forward(x: Tensor): Tensor {
    let h = this.maxpool.forward(convBnAct(this.conv1, this.bn1, x, { relu: true }));
    h = this.layer4.forward(this.layer3.forward(this.layer2.forward(this.layer1.forward(h))));
    return this.fc.forward(this.avgpool.forward(h).flatten(1));
  }
}

/** ResNet-18. */
export function resnet18(opts: ResNetOptions = {}): ResNet {
  return new ResNet('basic', [2, 2, 2, 2], opts);
}
/** ResNet-34. */
export function resnet34(opts: ResNetOptions = {}): ResNet {
  return new ResNet('basic', [3, 4, 6, 3], opts);
}
/** ResNet-50. */
export function resnet50(opts: ResNetOptions = {}): ResNet {
  return new ResNet('bottleneck', [3, 4, 6, 3], opts);
}
/** ResNet-101. */
export function resnet101(opts: ResNetOptions = {}): ResNet {
  return new ResNet('bottleneck', [3, 4, 23, 3], opts);
}
/** ResNet-152. */
export function resnet152(opts: ResNetOptions = {}): ResNet {
  return new ResNet('bottleneck', [3, 8, 36, 3], opts);
}
/** Wide ResNet-50-2. */
export function wideResnet50_2(opts: ResNetOptions = {}): ResNet {
  return new ResNet('bottleneck', [3, 4, 6, 3], withOptions(opts, { widthPerGroup: 128 }));
}
/** Wide ResNet-101-2. */
export function wideResnet101_2(opts: ResNetOptions = {}): ResNet {
  return new ResNet('bottleneck', [3, 4, 23, 3], withOptions(opts, { widthPerGroup: 128 }));
}
/** ResNeXt-50 32×4d. */
export function resnext50_32x4d(opts: ResNetOptions = {}): ResNet {
  return new ResNet('bottleneck', [3, 4, 6, 3], withOptions(opts, { groups: 32, widthPerGroup: 4 }));
}
/** ResNeXt-101 32×8d. */
export function resnext101_32x8d(opts: ResNetOptions = {}): ResNet {
  return new ResNet('bottleneck', [3, 4, 23, 3], withOptions(opts, { groups: 32, widthPerGroup: 8 }));
}
