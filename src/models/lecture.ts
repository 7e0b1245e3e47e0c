/**
 * Architectures from the lectures that torchvision does not have: the original 2012 AlexNet, ZFNet, VGG
 * configurations A-LRN and C, Network in Network, MobileNet v1 and SimpNet. Inputs are 224×224 unless stated.
 */
import * as nn from '../nn/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { adaptiveAvgPool2d } from '../ops/pool.js';
import { VGG } from './vgg.js';

export interface Opts {
  numClasses?: number;
}

const classifier = (inF: number, nc: number, p = 0.5) =>
  new nn.Sequential(
    new nn.Dropout(p),
    new nn.Linear(inF, 4096),
    new nn.ReLU(),
    new nn.Dropout(p),
    new nn.Linear(4096, 4096),
    new nn.ReLU(),
    new nn.Linear(4096, nc),
  );

/** A feature extractor, then flatten, then a classifier (the layout of AlexNet-like nets). */
class FeaturesClassifier extends nn.Module {
  constructor(
    public features: nn.Sequential,
    public classifier: nn.Sequential,
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return this.classifier.forward(this.features.forward(x).flatten(1));
  }
}

/**
 * The original AlexNet (Krizhevsky et al. 2012): 96/256/384/384/256 filters with local response normalization
 * (size 5, α 1e-4, β 0.75, k 2) after conv1 and conv2, on 227×227 inputs. `groups: 2` (default) splits conv2, conv4
 * and conv5 across the paper's two GPUs; groups 1 gives the one-tower version.
 */
export function alexnet2012(opts: Opts & { groups?: 1 | 2 } = {}): nn.Module {
  const g = opts.groups ?? 2;
  const lrn = () => new nn.LocalResponseNorm(5, { alpha: 1e-4, beta: 0.75, k: 2 });
  const features = new nn.Sequential(
    new nn.Conv2d(3, 96, 11, { stride: 4 }),
    new nn.ReLU(),
    lrn(),
    new nn.MaxPool2d(3, { stride: 2 }),
    new nn.Conv2d(96, 256, 5, { padding: 2, groups: g }),
    new nn.ReLU(),
    lrn(),
    new nn.MaxPool2d(3, { stride: 2 }),
    new nn.Conv2d(256, 384, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.Conv2d(384, 384, 3, { padding: 1, groups: g }),
    new nn.ReLU(),
    new nn.Conv2d(384, 256, 3, { padding: 1, groups: g }),
    new nn.ReLU(),
    new nn.MaxPool2d(3, { stride: 2 }),
  );
  return new FeaturesClassifier(features, classifier(256 * 6 * 6, opts.numClasses ?? 1000));
}

/**
 * ZFNet (Zeiler & Fergus 2013) as in the lectures: AlexNet with a 7×7 stride-2 first layer and 512/1024/512 filters
 * in conv3–5.
 */
export function zfnet(opts: Opts = {}): nn.Module {
  const features = new nn.Sequential(
    new nn.Conv2d(3, 96, 7, { stride: 2, padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(3, { stride: 2, padding: 1 }),
    new nn.LocalResponseNorm(5),
    new nn.Conv2d(96, 256, 5, { stride: 2 }),
    new nn.ReLU(),
    new nn.MaxPool2d(3, { stride: 2, padding: 1 }),
    new nn.LocalResponseNorm(5),
    new nn.Conv2d(256, 512, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.Conv2d(512, 1024, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.Conv2d(1024, 512, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(3, { stride: 2 }),
    new nn.AdaptiveAvgPool2d(6),
  );
  return new FeaturesClassifier(features, classifier(512 * 6 * 6, opts.numClasses ?? 1000));
}

/** VGG configuration A-LRN: VGG-11 with local response normalization after the first conv (Table 1 of the paper). */
export function vgg11Lrn(opts: Opts = {}): nn.Module {
  const m = new VGG([64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'], opts);
  const layers = [...m.features];
  layers.splice(2, 0, new nn.LocalResponseNorm(5, { alpha: 1e-4, beta: 0.75, k: 2 }));
  m.features = new nn.Sequential(...layers);
  return m;
}

/** VGG configuration C: VGG-16 whose third conv in stages 3–5 is 1×1 (the paper's 1×1 variant). */
export function vgg16C(opts: Opts = {}): nn.Module {
  const m = new VGG([64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'], opts);
  const convs = [...m.features].filter((l): l is nn.Conv2d => l instanceof nn.Conv2d);
  const layers = [...m.features].map((l) => {
    const i = convs.indexOf(l as nn.Conv2d);
    return i === 6 || i === 9 || i === 12 ? new nn.Conv2d((l as nn.Conv2d).inChannels, (l as nn.Conv2d).outChannels, 1) : l;
  });
  m.features = new nn.Sequential(...layers);
  return m;
}

/** An mlpconv block of Network in Network: a k×k conv then two 1×1 convs, each followed by ReLU. */
function mlpconv(inC: number, outC: number, k: number, stride: number, padding: number, last = outC): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(inC, outC, k, { stride, padding }),
    new nn.ReLU(),
    new nn.Conv2d(outC, outC, 1),
    new nn.ReLU(),
    new nn.Conv2d(outC, last, 1),
    new nn.ReLU(),
  );
}

/**
 * Network in Network (Lin et al. 2014, ImageNet model): four mlpconv blocks, the last producing one map per class,
 * then global average pooling instead of fully connected layers.
 */
export function nin(opts: Opts = {}): nn.Module {
  const nc = opts.numClasses ?? 1000;
  const pool = () => new nn.MaxPool2d(3, { stride: 2, ceilMode: true });
  return new nn.Sequential(
    mlpconv(3, 96, 11, 4, 0),
    pool(),
    mlpconv(96, 256, 5, 1, 2),
    pool(),
    mlpconv(256, 384, 3, 1, 1),
    pool(),
    new nn.Dropout(0.5),
    mlpconv(384, 1024, 3, 1, 1, nc),
    new nn.AdaptiveAvgPool2d(1),
    new nn.Flatten(),
  );
}

/** Depthwise 3×3 (stride s) + BN + ReLU, then pointwise 1×1 + BN + ReLU (MobileNet v1's separable conv). */
function separable(inC: number, outC: number, stride: number): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(inC, inC, 3, { stride, padding: 1, groups: inC, bias: false }),
    new nn.BatchNorm2d(inC),
    new nn.ReLU(),
    new nn.Conv2d(inC, outC, 1, { bias: false }),
    new nn.BatchNorm2d(outC),
    new nn.ReLU(),
  );
}

/** MobileNet v1 (Howard et al. 2017): a 3×3 stem and 13 depthwise separable convs; 4.2M parameters at width 1. */
export class MobileNetV1 extends nn.Module {
  features: nn.Sequential;
  fc: nn.Linear;
  constructor(opts: Opts & { widthMult?: number } = {}) {
    super();
    const w = (c: number) => Math.max(8, Math.round(c * (opts.widthMult ?? 1)));
    const cfg: [number, number][] = [
      [64, 1],
      [128, 2],
      [128, 1],
      [256, 2],
      [256, 1],
      [512, 2],
      [512, 1],
      [512, 1],
      [512, 1],
      [512, 1],
      [512, 1],
      [1024, 2],
      [1024, 1],
    ];
    const layers: nn.Module[] = [
      new nn.Sequential(new nn.Conv2d(3, w(32), 3, { stride: 2, padding: 1, bias: false }), new nn.BatchNorm2d(w(32)), new nn.ReLU()),
    ];
    let c = w(32);
    for (const [out, s] of cfg) {
      layers.push(separable(c, w(out), s));
      c = w(out);
    }
    this.features = new nn.Sequential(...layers);
    this.fc = new nn.Linear(c, opts.numClasses ?? 1000);
  }
  forward(x: Tensor): Tensor {
    return this.fc.forward(adaptiveAvgPool2d(this.features.forward(x), 1).flatten(1));
  }
}

/**
 * SimpNet (Hasanpour et al., "Towards principled design of deep convolutional networks"): 13 3×3 conv layers
 * (66-128-128-128-192 | 192-192-192-192-288 | 288-355-432) with BatchNorm and ReLU, max-pooling after layers 5 and 10,
 * global max pooling and one fully connected layer. Designed for 32×32 CIFAR inputs.
 */
export class SimpNet extends nn.Module {
  features: nn.Sequential;
  classifier: nn.Linear;
  constructor(opts: Opts & { dropout?: number } = {}) {
    super();
    const widths: (number | 'M')[] = [66, 128, 128, 128, 192, 'M', 192, 192, 192, 192, 288, 'M', 288, 355, 432];
    const layers: nn.Module[] = [];
    let c = 3;
    for (const v of widths) {
      if (v === 'M') {
        layers.push(new nn.MaxPool2d(2), new nn.Dropout2d(opts.dropout ?? 0.1));
        continue;
      }
      layers.push(new nn.Conv2d(c, v, 3, { padding: 1 }), new nn.BatchNorm2d(v, { eps: 1e-5, momentum: 0.05 }), new nn.ReLU());
      c = v;
    }
    layers.push(new nn.AdaptiveMaxPool2d(1), new nn.Flatten(), new nn.Dropout(opts.dropout ?? 0.1));
    this.features = new nn.Sequential(...layers);
    this.classifier = new nn.Linear(c, opts.numClasses ?? 10);
  }
  forward(x: Tensor): Tensor {
    return this.classifier.forward(this.features.forward(x));
  }
}

/** MobileNet v1: depthwise separable convolutions. */
export function mobilenetV1(opts: ConstructorParameters<typeof MobileNetV1>[0] = {}): MobileNetV1 {
  return new MobileNetV1(opts);
}
/** SimpNet (Hasanpour et al.) for CIFAR. */
export function simpnet(opts: ConstructorParameters<typeof SimpNet>[0] = {}): SimpNet {
  return new SimpNet(opts);
}
