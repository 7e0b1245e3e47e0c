/** CIFAR-size (32×32) variants: DenseNet-BC, a VGG-style net, MobileNet v2 for CIFAR. */
import * as nn from '../nn/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { relu } from '../ops/activation.js';
import { adaptiveAvgPool2d } from '../ops/pool.js';
import { DenseBlock, transition } from './densenet.js';
import { vggFeatures, VGG_CONFIGS } from './vgg.js';
import { MobileNetV2 } from './mobilenet.js';

/**
 * DenseNet-BC for CIFAR (Huang et al.): depth L (100), growth k (12), three dense blocks of (L − 4)/6 bottleneck
 * layers, transitions halving the channels; 0.8M parameters for L = 100, k = 12.
 */
export class DenseNetBC extends nn.Module {
  features: nn.Sequential;
  classifier: nn.Linear;
  constructor(depth = 100, growth = 12, opts: { numClasses?: number; dropRate?: number } = {}) {
    super();
    if ((depth - 4) % 6 !== 0) throw new Error(`DenseNetBC: depth must be 6n + 4 (e.g. 100), got ${depth}`);
    const n = (depth - 4) / 6;
    let c = 2 * growth;
    const parts: Record<string, nn.Module> = { conv0: new nn.Conv2d(3, c, 3, { padding: 1, bias: false }) };
    for (let i = 0; i < 3; i++) {
      parts[`denseblock${i + 1}`] = new DenseBlock(n, c, 4, growth, opts.dropRate ?? 0);
      c += n * growth;
      if (i < 2) {
        parts[`transition${i + 1}`] = transition(c, Math.floor(c / 2));
        c = Math.floor(c / 2);
      }
    }
    parts.norm5 = new nn.BatchNorm2d(c);
    this.features = new nn.Sequential(parts);
    this.classifier = new nn.Linear(c, opts.numClasses ?? 10);
  }
  forward(x: Tensor): Tensor {
    return this.classifier.forward(adaptiveAvgPool2d(relu(this.features.forward(x)), 1).flatten(1));
  }
}

/** VGG-16 with BatchNorm for 32×32 inputs: the five pools leave 1×1×512, then one linear classifier. */
export class VGGCifar extends nn.Module {
  features: nn.Sequential;
  classifier: nn.Linear;
  constructor(opts: { numClasses?: number } = {}) {
    super();
    this.features = vggFeatures(VGG_CONFIGS.D, true);
    this.classifier = new nn.Linear(512, opts.numClasses ?? 10);
  }
  forward(x: Tensor): Tensor {
    return this.classifier.forward(this.features.forward(x).flatten(1));
  }
}

/** MobileNet v2 for CIFAR: stride-1 stem (32×32 inputs keep their resolution longer), 10 classes. */
export function mobilenetV2Cifar(opts: { numClasses?: number } = {}): nn.Module {
  return new MobileNetV2({ numClasses: opts.numClasses ?? 10, stemStride: 1 });
}

/** DenseNet-BC (L = 100, k = 12) for CIFAR. */
export function densenetBc100(opts: { numClasses?: number; dropRate?: number } = {}): DenseNetBC {
  return new DenseNetBC(100, 12, opts);
}
/** VGG-16 with BatchNorm for 32×32 inputs. */
export function vggCifar(opts: ConstructorParameters<typeof VGGCifar>[0] = {}): VGGCifar {
  return new VGGCifar(opts);
}
