/**
 * MobileNet V3 (Howard et al. 2019), large and small, in torchvision's layout (its module and parameter names, so
 * its state dicts load as-is): inverted residuals with ReLU or hard-swish, squeeze-and-excitation gated by a
 * hard-sigmoid in some blocks, BatchNorm with eps 0.001 and momentum 0.01.
 */
import * as nn from '../nn/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { normal, zeros } from '../nn/init.js';
import { convNormAct, initConvsAndNorms, makeDivisible } from './blocks.js';
import { SqueezeExcitation } from './efficientnet.js';

/** One block's settings: input, kernel, expanded and output channels, squeeze-and-excitation, hard-swish, stride. */
type BlockConfig = [inC: number, kernel: number, expanded: number, outC: number, se: boolean, hardswish: boolean, stride: number];

const BN = { bnEps: 0.001, bnMomentum: 0.01 };

/** An inverted residual of MobileNet V3 (torchvision's mobilenetv3.InvertedResidual): its layers in `block`. */
export class MobileNetV3Block extends nn.Module {
  block: nn.Sequential;
  readonly useResConnect: boolean;
  constructor([inC, kernel, expanded, outC, se, hs, stride]: BlockConfig) {
    super();
    this.useResConnect = stride === 1 && inC === outC;
    const act = hs ? 'hardswish' : 'relu';
    const layers: nn.Module[] = [];
    if (expanded !== inC) layers.push(convNormAct(inC, expanded, 1, { act, ...BN }));
    layers.push(convNormAct(expanded, expanded, kernel, { stride, groups: expanded, act, ...BN }));
    if (se) layers.push(new SqueezeExcitation(expanded, makeDivisible(Math.floor(expanded / 4), 8), new nn.ReLU(), new nn.Hardsigmoid()));
    layers.push(convNormAct(expanded, outC, 1, { act: null, ...BN }));
    this.block = new nn.Sequential(...layers);
  }
  forward(x: Tensor): Tensor {
    const y = this.block.forward(x);
    return this.useResConnect ? y.add(x) : y;
  }
}

// prettier-ignore
const LARGE: BlockConfig[] = [
  [16, 3, 16, 16, false, false, 1], [16, 3, 64, 24, false, false, 2], [24, 3, 72, 24, false, false, 1],
  [24, 5, 72, 40, true, false, 2], [40, 5, 120, 40, true, false, 1], [40, 5, 120, 40, true, false, 1],
  [40, 3, 240, 80, false, true, 2], [80, 3, 200, 80, false, true, 1], [80, 3, 184, 80, false, true, 1],
  [80, 3, 184, 80, false, true, 1], [80, 3, 480, 112, true, true, 1], [112, 3, 672, 112, true, true, 1],
  [112, 5, 672, 160, true, true, 2], [160, 5, 960, 160, true, true, 1], [160, 5, 960, 160, true, true, 1],
];
// prettier-ignore
const SMALL: BlockConfig[] = [
  [16, 3, 16, 16, true, false, 2], [16, 3, 72, 24, false, false, 2], [24, 3, 88, 24, false, false, 1],
  [24, 5, 96, 40, true, true, 2], [40, 5, 240, 40, true, true, 1], [40, 5, 240, 40, true, true, 1],
  [40, 5, 120, 48, true, true, 1], [48, 5, 144, 48, true, true, 1], [48, 5, 288, 96, true, true, 2],
  [96, 5, 576, 96, true, true, 1], [96, 5, 576, 96, true, true, 1],
];

export interface MobileNetV3Options {
  numClasses?: number;
  dropout?: number;
}

/** MobileNet V3: a 3×3/2 hard-swish stem, the blocks, a 1×1 conv to 6× channels, pooling, a two-layer classifier. */
export class MobileNetV3 extends nn.Module {
  features: nn.Sequential;
  avgpool = new nn.AdaptiveAvgPool2d(1);
  classifier: nn.Sequential;
  constructor(blocks: readonly BlockConfig[], lastChannel: number, opts: MobileNetV3Options = {}) {
    super();
    const lastIn = blocks.at(-1)![3];
    this.features = new nn.Sequential(
      convNormAct(3, blocks[0][0], 3, { stride: 2, act: 'hardswish', ...BN }),
      ...blocks.map((b) => new MobileNetV3Block(b)),
      convNormAct(lastIn, 6 * lastIn, 1, { act: 'hardswish', ...BN }),
    );
    this.classifier = new nn.Sequential(
      new nn.Linear(6 * lastIn, lastChannel),
      new nn.Hardswish(),
      new nn.Dropout(opts.dropout ?? 0.2),
      new nn.Linear(lastChannel, opts.numClasses ?? 1000),
    );
    initConvsAndNorms(this);
    for (const m of this.modules()) {
      if (m instanceof nn.Linear) {
        normal(m.weight, 0, 0.01);
        zeros(m.bias!);
      }
    }
  }
  forward(x: Tensor): Tensor {
    return this.classifier.forward(this.avgpool.forward(this.features.forward(x)).flatten(1));
  }
}

/** MobileNet V3 large (5,483,032 parameters). Input 3×224×224. */
export const mobilenetV3Large = (opts: MobileNetV3Options = {}) => new MobileNetV3(LARGE, 1280, opts);
/** MobileNet V3 small (2,542,856 parameters). Input 3×224×224. */
export const mobilenetV3Small = (opts: MobileNetV3Options = {}) => new MobileNetV3(SMALL, 1024, opts);
