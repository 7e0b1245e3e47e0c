/** VGG-11/13/16/19 with and without BatchNorm, torchvision's layout (features / avgpool / classifier). */
import * as nn from '../nn/index.js';
import { withOptions } from './options.js';
import type { Tensor } from '../tensor/tensor.js';
import { kaimingNormal, normal, zeros } from '../nn/init.js';

type Cfg = (number | 'M')[];
export const VGG_CONFIGS: Record<'A' | 'B' | 'D' | 'E', Cfg> = {
  A: [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  B: [64, 64, 'M', 128, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  D: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'],
  E: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M'],
};

/** 3×3 convs (padding 1, + BatchNorm when batchNorm) with ReLU, and 2×2 max-pools at each 'M'. */
export function vggFeatures(cfg: Cfg, batchNorm: boolean, inChannels = 3): nn.Sequential {
  const layers: nn.Module[] = [];
  let c = inChannels;
  for (const v of cfg) {
    if (v === 'M') layers.push(new nn.MaxPool2d(2, { stride: 2 }));
    else {
      layers.push(new nn.Conv2d(c, v, 3, { padding: 1 }));
      if (batchNorm) layers.push(new nn.BatchNorm2d(v));
      layers.push(new nn.ReLU());
      c = v;
    }
  }
  return new nn.Sequential(...layers);
}

/** VGG (Simonyan & Zisserman). Input 3×224×224; vgg16 has 138,357,544 parameters. Init as torchvision. */
export class VGG extends nn.Module {
  features: nn.Sequential;
  avgpool = new nn.AdaptiveAvgPool2d([7, 7]);
  classifier: nn.Sequential;
  constructor(cfg: Cfg, opts: { batchNorm?: boolean; numClasses?: number; dropout?: number; inChannels?: number } = {}) {
    super();
    const p = opts.dropout ?? 0.5;
    this.features = vggFeatures(cfg, opts.batchNorm ?? false, opts.inChannels ?? 3);
    this.classifier = new nn.Sequential(
      new nn.Linear(512 * 7 * 7, 4096),
      new nn.ReLU(),
      new nn.Dropout(p),
      new nn.Linear(4096, 4096),
      new nn.ReLU(),
      new nn.Dropout(p),
      new nn.Linear(4096, opts.numClasses ?? 1000),
    );
    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d) {
        kaimingNormal(m.weight, { mode: 'fanOut', nonlinearity: 'relu' });
        if (m.bias) zeros(m.bias);
      } else if (m instanceof nn.Linear) {
        normal(m.weight, 0, 0.01);
        if (m.bias) zeros(m.bias);
      }
    }
  }
  forward(x: Tensor): Tensor {
    return this.classifier.forward(this.avgpool.forward(this.features.forward(x)).flatten(1));
  }
}

/** VGG options: numClasses, dropout, inChannels (batchNorm is fixed by the factory). */
export type VGGOptions = Omit<NonNullable<ConstructorParameters<typeof VGG>[1]>, 'batchNorm'>;

/** VGG-11 (configuration A). */
export function vgg11(opts: VGGOptions = {}): VGG {
  return new VGG(VGG_CONFIGS.A, opts);
}
/** VGG-11 with BatchNorm. */
export function vgg11Bn(opts: VGGOptions = {}): VGG {
  return new VGG(VGG_CONFIGS.A, withOptions(opts, {}, { batchNorm: true }));
}
/** VGG-13 (configuration B). */
export function vgg13(opts: VGGOptions = {}): VGG {
  return new VGG(VGG_CONFIGS.B, opts);
}
/** VGG-13 with BatchNorm. */
export function vgg13Bn(opts: VGGOptions = {}): VGG {
  return new VGG(VGG_CONFIGS.B, withOptions(opts, {}, { batchNorm: true }));
}
/** VGG-16 (configuration D). */
export function vgg16(opts: VGGOptions = {}): VGG {
  return new VGG(VGG_CONFIGS.D, opts);
}
/** VGG-16 with BatchNorm. */
export function vgg16Bn(opts: VGGOptions = {}): VGG {
  return new VGG(VGG_CONFIGS.D, withOptions(opts, {}, { batchNorm: true }));
}
/** VGG-19 (configuration E). */
export function vgg19(opts: VGGOptions = {}): VGG {
  return new VGG(VGG_CONFIGS.E, opts);
}
/** VGG-19 with BatchNorm. */
export function vgg19Bn(opts: VGGOptions = {}): VGG {
  return new VGG(VGG_CONFIGS.E, withOptions(opts, {}, { batchNorm: true }));
}
