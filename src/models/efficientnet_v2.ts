/**
 * EfficientNetV2 (Tan & Le 2021), S/M/L, in torchvision's layout (its module and parameter names, so its state dicts
 * load as-is): the early stages use Fused-MBConv (one full 3×3 conv instead of 1×1 expand + depthwise), the later
 * ones MBConv with squeeze-and-excitation; BatchNorm eps 1e-3.
 */
import * as nn from '../nn/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { uniform, zeros } from '../nn/init.js';
import { convNormAct, initConvsAndNorms, makeDivisible } from './blocks.js';
import { MBConv, StochasticDepth } from './efficientnet.js';

const BN = { bnEps: 1e-3, bnMomentum: 0.1 };

/** Fused-MBConv: a full k×k conv expanding the channels (or straight to the output at ratio 1), then a 1×1 projection. */
export class FusedMBConv extends nn.Module {
  block: nn.Sequential;
  stochastic_depth: StochasticDepth;
  readonly useResConnect: boolean;
  constructor(inC: number, outC: number, expandRatio: number, kernel: number, stride: number, sdProb: number) {
    super();
    this.useResConnect = stride === 1 && inC === outC;
    const expanded = makeDivisible(inC * expandRatio);
    this.block =
      expanded !== inC
        ? new nn.Sequential(convNormAct(inC, expanded, kernel, { stride, act: 'silu', ...BN }), convNormAct(expanded, outC, 1, { act: null, ...BN }))
        : new nn.Sequential(convNormAct(inC, outC, kernel, { stride, act: 'silu', ...BN }));
    this.stochastic_depth = new StochasticDepth(sdProb);
  }
  forward(x: Tensor): Tensor {
    const y = this.block.forward(x);
    return this.useResConnect ? this.stochastic_depth.forward(y).add(x) : y;
  }
}

/** A stage: [fused, expand ratio, kernel, stride, in, out, layers]. */
type Stage = [fused: boolean, expand: number, kernel: number, stride: number, inC: number, outC: number, layers: number];

// prettier-ignore
const S: Stage[] = [[true, 1, 3, 1, 24, 24, 2], [true, 4, 3, 2, 24, 48, 4], [true, 4, 3, 2, 48, 64, 4], [false, 4, 3, 2, 64, 128, 6], [false, 6, 3, 1, 128, 160, 9], [false, 6, 3, 2, 160, 256, 15]];
// prettier-ignore
const M: Stage[] = [[true, 1, 3, 1, 24, 24, 3], [true, 4, 3, 2, 24, 48, 5], [true, 4, 3, 2, 48, 80, 5], [false, 4, 3, 2, 80, 160, 7], [false, 6, 3, 1, 160, 176, 14], [false, 6, 3, 2, 176, 304, 18], [false, 6, 3, 1, 304, 512, 5]];
// prettier-ignore
const L: Stage[] = [[true, 1, 3, 1, 32, 32, 4], [true, 4, 3, 2, 32, 64, 7], [true, 4, 3, 2, 64, 96, 7], [false, 4, 3, 2, 96, 192, 10], [false, 6, 3, 1, 192, 224, 19], [false, 6, 3, 2, 224, 384, 25], [false, 6, 3, 1, 384, 640, 7]];

export interface EfficientNetV2Options {
  numClasses?: number;
  /** The last block's drop probability (linear from 0); default 0.2. */
  stochasticDepthProb?: number;
  dropout?: number;
}

/** EfficientNetV2: stem, Fused-MBConv and MBConv stages, a 1×1 conv to 1280, pooling, dropout, linear. */
export class EfficientNetV2 extends nn.Module {
  features: nn.Sequential;
  avgpool = new nn.AdaptiveAvgPool2d(1);
  classifier: nn.Sequential;
  constructor(stages: readonly Stage[], dropout: number, opts: EfficientNetV2Options = {}) {
    super();
    const sd = opts.stochasticDepthProb ?? 0.2;
    const total = stages.reduce((a, s) => a + s[6], 0);
    let id = 0;
    const layers: nn.Module[] = [convNormAct(3, stages[0][4], 3, { stride: 2, act: 'silu', ...BN })];
    for (const [fused, e, k, s, inC, outC, n] of stages) {
      const blocks = Array.from({ length: n }, (_, i) => {
        const p = (sd * id++) / total;
        const [bi, bs] = i === 0 ? [inC, s] : [outC, 1];
        return fused ? new FusedMBConv(bi, outC, e, k, bs, p) : new MBConv(bi, outC, e, k, bs, p, BN);
      });
      layers.push(new nn.Sequential(...blocks));
    }
    layers.push(convNormAct(stages.at(-1)![5], 1280, 1, { act: 'silu', ...BN }));
    this.features = new nn.Sequential(...layers);
    this.classifier = new nn.Sequential(new nn.Dropout(opts.dropout ?? dropout), new nn.Linear(1280, opts.numClasses ?? 1000));
    initConvsAndNorms(this);
    for (const m of this.modules()) {
      if (m instanceof nn.Linear) {
        const r = 1 / Math.sqrt(m.outFeatures);
        uniform(m.weight, -r, r);
        zeros(m.bias!);
      }
    }
  }
  forward(x: Tensor): Tensor {
    return this.classifier.forward(this.avgpool.forward(this.features.forward(x)).flatten(1));
  }
}

/** EfficientNetV2-S (21,458,488 parameters), evaluated at 384×384. */
export const efficientnetV2S = (opts: EfficientNetV2Options = {}) => new EfficientNetV2(S, 0.2, opts);
/** EfficientNetV2-M (54,139,356 parameters), evaluated at 480×480. */
export const efficientnetV2M = (opts: EfficientNetV2Options = {}) => new EfficientNetV2(M, 0.3, opts);
/** EfficientNetV2-L (118,515,272 parameters), evaluated at 480×480. */
export const efficientnetV2L = (opts: EfficientNetV2Options = {}) => new EfficientNetV2(L, 0.4, opts);
