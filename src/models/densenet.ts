/** DenseNet-121/169/201 (Huang et al. 2017) in torchvision's layout. */
import * as nn from '../nn/index.js';
import { withOptions } from './options.js';
import type { Tensor } from '../tensor/tensor.js';
import { cat } from '../ops/shape.js';
import { relu } from '../ops/activation.js';
import { adaptiveAvgPool2d } from '../ops/pool.js';
import { constant, kaimingNormal } from '../nn/init.js';

/** BN-ReLU-Conv1×1 (bottleneck to bnSize·growth) then BN-ReLU-Conv3×3 producing `growth` new feature maps. */
export class DenseLayer extends nn.Module {
  norm1: nn.BatchNorm2d;
  relu1 = new nn.ReLU();
  conv1: nn.Conv2d;
  norm2: nn.BatchNorm2d;
  relu2 = new nn.ReLU();
  conv2: nn.Conv2d;
  constructor(
    inC: number,
    growth: number,
    bnSize: number,
    readonly dropRate: number,
  ) {
    super();
    this.norm1 = new nn.BatchNorm2d(inC);
    this.conv1 = new nn.Conv2d(inC, bnSize * growth, 1, { bias: false });
    this.norm2 = new nn.BatchNorm2d(bnSize * growth);
    this.conv2 = new nn.Conv2d(bnSize * growth, growth, 3, { padding: 1, bias: false });
  }
  forward(x: Tensor): Tensor {
    const b = this.conv1.forward(this.relu1.forward(this.norm1.forward(x)));
    const out = this.conv2.forward(this.relu2.forward(this.norm2.forward(b)));
    return this.dropRate > 0 ? nn.functional.dropout(out, this.dropRate, { training: this.training }) : out;
  }
}

/** Each layer sees the concatenation of the block input and all earlier layers' outputs. */
export class DenseBlock extends nn.Module {
  constructor(numLayers: number, inC: number, bnSize: number, growth: number, dropRate: number) {
    super();
    for (let i = 0; i < numLayers; i++) this.registerModule(`denselayer${i + 1}`, new DenseLayer(inC + i * growth, growth, bnSize, dropRate));
  }
  forward(x: Tensor): Tensor {
    const features = [x];
    for (const layer of this._modules.values()) features.push(layer.forward(cat(features, 1)) as Tensor);
    return cat(features, 1);
  }
}

/** BN-ReLU-Conv1×1-AvgPool2×2 between dense blocks (halves channels in DenseNet-BC). */
export function transition(inC: number, outC: number): nn.Sequential {
  return new nn.Sequential({
    norm: new nn.BatchNorm2d(inC),
    relu: new nn.ReLU(),
    conv: new nn.Conv2d(inC, outC, 1, { bias: false }),
    pool: new nn.AvgPool2d(2, { stride: 2 }),
  });
}

export interface DenseNetOptions {
  growthRate?: number;
  blockConfig?: number[];
  numInitFeatures?: number;
  bnSize?: number;
  dropRate?: number;
  numClasses?: number;
}

/** DenseNet-BC for ImageNet. densenet121: growth 32, blocks (6, 12, 24, 16), 7,978,856 parameters. */
export class DenseNet extends nn.Module {
  features: nn.Sequential;
  classifier: nn.Linear;
  constructor(opts: DenseNetOptions = {}) {
    super();
    const { growthRate = 32, blockConfig = [6, 12, 24, 16], numInitFeatures = 64, bnSize = 4, dropRate = 0, numClasses = 1000 } = opts;
    const parts: Record<string, nn.Module> = {
      conv0: new nn.Conv2d(3, numInitFeatures, 7, { stride: 2, padding: 3, bias: false }),
      norm0: new nn.BatchNorm2d(numInitFeatures),
      relu0: new nn.ReLU(),
      pool0: new nn.MaxPool2d(3, { stride: 2, padding: 1 }),
    };
    let c = numInitFeatures;
    blockConfig.forEach((n, i) => {
      parts[`denseblock${i + 1}`] = new DenseBlock(n, c, bnSize, growthRate, dropRate);
      c += n * growthRate;
      if (i !== blockConfig.length - 1) {
        parts[`transition${i + 1}`] = transition(c, Math.floor(c / 2));
        c = Math.floor(c / 2);
      }
    });
    parts.norm5 = new nn.BatchNorm2d(c);
    this.features = new nn.Sequential(parts);
    this.classifier = new nn.Linear(c, numClasses);
    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d) kaimingNormal(m.weight);
      else if (m instanceof nn.BatchNorm2d) {
        constant(m.weight!, 1);
        constant(m.bias!, 0);
      } else if (m instanceof nn.Linear) constant(m.bias!, 0);
    }
  }
  forward(x: Tensor): Tensor {
    const f = relu(this.features.forward(x));
    return this.classifier.forward(adaptiveAvgPool2d(f, 1).flatten(1));
  }
}

/** DenseNet-121 (growth 32, BC). */
export function densenet121(opts: Omit<DenseNetOptions, 'blockConfig'> = {}): DenseNet {
  return new DenseNet(withOptions(opts, { blockConfig: [6, 12, 24, 16] }));
}
/** DenseNet-169 (growth 32, BC). */
export function densenet169(opts: Omit<DenseNetOptions, 'blockConfig'> = {}): DenseNet {
  return new DenseNet(withOptions(opts, { blockConfig: [6, 12, 32, 32] }));
}
/** DenseNet-201 (growth 32, BC). */
export function densenet201(opts: Omit<DenseNetOptions, 'blockConfig'> = {}): DenseNet {
  return new DenseNet(withOptions(opts, { blockConfig: [6, 12, 48, 32] }));
}
