/**
 * EfficientNet B0–B7 (Tan & Le 2019) in torchvision's layout, and the compound-scaling rule that produces any
 * variant: depth α^φ, width β^φ, resolution γ^φ with α·β²·γ² ≈ 2 (α = 1.2, β = 1.1, γ = 1.15).
 */
import * as nn from '../nn/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { rand } from '../tensor/creation.js';
import { adaptiveAvgPool2d } from '../ops/pool.js';
import { uniform, zeros } from '../nn/init.js';
import { convNormAct, initConvsAndNorms, makeDivisible } from './blocks.js';
import { withOptions } from './options.js';

/** Squeeze-and-excitation (Hu et al.): channel weights from global pooling → fc1 → act → fc2 → sigmoid. */
export class SqueezeExcitation extends nn.Module {
  avgpool = new nn.AdaptiveAvgPool2d(1);
  fc1: nn.Conv2d;
  fc2: nn.Conv2d;
  activation: nn.Module;
  scale_activation: nn.Module;
  /** scaleActivation: Sigmoid (EfficientNet) or Hardsigmoid (MobileNetV3), as torchvision's SqueezeExcitation. */
  constructor(channels: number, squeeze: number, activation: nn.Module = new nn.ReLU(), scaleActivation: nn.Module = new nn.Sigmoid()) {
    super();
    this.fc1 = new nn.Conv2d(channels, squeeze, 1);
    this.fc2 = new nn.Conv2d(squeeze, channels, 1);
    this.activation = activation;
    this.scale_activation = scaleActivation;
  }
  forward(x: Tensor): Tensor {
    const s = this.scale_activation.forward(this.fc2.forward(this.activation.forward(this.fc1.forward(this.avgpool.forward(x)))));
    return x.mul(s);
  }
}

/** Drops the residual branch of whole samples with probability p in training (Huang et al.), scaling survivors. */
export class StochasticDepth extends nn.Module {
  /** Mutable, so a schedule can raise it during training (NASNet's drop path). */
  constructor(public p: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    const keep = rand([x.shape[0], ...x.shape.slice(1).map(() => 1)]).lt(1 - this.p);
    return x.mul(keep.div(1 - this.p));
  }
  override describe(): nn.LayerInfo {
    return nn.ELEMENTWISE;
  }
  override extraRepr(): string {
    return `p=${this.p}, mode=row`;
  }
}

/** Mobile inverted bottleneck with squeeze-and-excitation (MBConv). */
export class MBConv extends nn.Module {
  block: nn.Sequential;
  stochastic_depth: StochasticDepth;
  readonly useResConnect: boolean;
  constructor(inC: number, outC: number, expandRatio: number, kernel: number, stride: number, sdProb: number, bn: { bnEps: number; bnMomentum: number }) {
    super();
    this.useResConnect = stride === 1 && inC === outC;
    const expanded = makeDivisible(inC * expandRatio);
    const layers: nn.Module[] = [];
    if (expanded !== inC) layers.push(convNormAct(inC, expanded, 1, { act: 'silu', ...bn }));
    layers.push(convNormAct(expanded, expanded, kernel, { stride, groups: expanded, act: 'silu', ...bn }));
    layers.push(new SqueezeExcitation(expanded, Math.max(1, Math.floor(inC / 4)), new nn.SiLU()));
    layers.push(convNormAct(expanded, outC, 1, { act: null, ...bn }));
    this.block = new nn.Sequential(...layers);
    this.stochastic_depth = new StochasticDepth(sdProb);
  }
  forward(x: Tensor): Tensor {
    const y = this.block.forward(x);
    return this.useResConnect ? this.stochastic_depth.forward(y).add(x) : y;
  }
}

export interface EfficientNetScaling {
  widthMult: number;
  depthMult: number;
  resolution: number;
  dropout: number;
}

/** The published B0–B7 settings (torchvision's). */
export const EFFICIENTNET_VARIANTS: EfficientNetScaling[] = [
  { widthMult: 1.0, depthMult: 1.0, resolution: 224, dropout: 0.2 },
  { widthMult: 1.0, depthMult: 1.1, resolution: 240, dropout: 0.2 },
  { widthMult: 1.1, depthMult: 1.2, resolution: 260, dropout: 0.3 },
  { widthMult: 1.2, depthMult: 1.4, resolution: 300, dropout: 0.3 },
  { widthMult: 1.4, depthMult: 1.8, resolution: 380, dropout: 0.4 },
  { widthMult: 1.6, depthMult: 2.2, resolution: 456, dropout: 0.4 },
  { widthMult: 1.8, depthMult: 2.6, resolution: 528, dropout: 0.5 },
  { widthMult: 2.0, depthMult: 3.1, resolution: 600, dropout: 0.5 },
];

/**
 * Compound scaling (the paper's Eq. 3): for a compute budget φ, depth = α^φ, width = β^φ, resolution = 224·γ^φ,
 * so FLOPs grow by (α·β²·γ²)^φ ≈ 2^φ. The published B1–B7 round these values by hand.
 */
export function compoundScaling(phi: number, opts: { alpha?: number; beta?: number; gamma?: number; baseResolution?: number } = {}): EfficientNetScaling {
  const { alpha = 1.2, beta = 1.1, gamma = 1.15, baseResolution = 224 } = opts;
  return {
    depthMult: alpha ** phi,
    widthMult: beta ** phi,
    resolution: Math.round((baseResolution * gamma ** phi) / 8) * 8,
    dropout: Math.min(0.5, 0.2 + 0.05 * Math.round(phi)),
  };
}

/** EfficientNet for a scaling; efficientnet_b0 has 5,288,548 parameters. Input 3×R×R with R = scaling.resolution. */
export class EfficientNet extends nn.Module {
  features: nn.Sequential;
  avgpool = new nn.AdaptiveAvgPool2d(1);
  classifier: nn.Sequential;
  constructor(
    readonly scaling: EfficientNetScaling,
    opts: { numClasses?: number; stochasticDepthProb?: number; largeBnMomentum?: boolean } = {},
  ) {
    super();
    const { widthMult, depthMult } = scaling;
    const bn = opts.largeBnMomentum ? { bnEps: 1e-3, bnMomentum: 0.01 } : { bnEps: 1e-5, bnMomentum: 0.1 };
    // expand ratio, kernel, stride, in, out, layers (B0)
    const stages: [number, number, number, number, number, number][] = [
      [1, 3, 1, 32, 16, 1],
      [6, 3, 2, 16, 24, 2],
      [6, 5, 2, 24, 40, 2],
      [6, 3, 2, 40, 80, 3],
      [6, 5, 1, 80, 112, 3],
      [6, 5, 2, 112, 192, 4],
      [6, 3, 1, 192, 320, 1],
    ];
    const ch = (c: number) => makeDivisible(c * widthMult);
    const depth = (n: number) => Math.ceil(n * depthMult);
    const total = stages.reduce((s, st) => s + depth(st[5]), 0);
    const sd = opts.stochasticDepthProb ?? 0.2;
    const layers: nn.Module[] = [convNormAct(3, ch(stages[0][3]), 3, { stride: 2, act: 'silu', ...bn })];
    let blockId = 0;
    for (const [e, k, s, inC, outC, n] of stages) {
      const blocks: nn.Module[] = [];
      for (let i = 0; i < depth(n); i++) {
        blocks.push(new MBConv(i === 0 ? ch(inC) : ch(outC), ch(outC), e, k, i === 0 ? s : 1, (sd * blockId) / total, bn));
        blockId++;
      }
      layers.push(new nn.Sequential(...blocks));
    }
    const lastIn = ch(stages[stages.length - 1][4]);
    layers.push(convNormAct(lastIn, 4 * lastIn, 1, { act: 'silu', ...bn }));
    this.features = new nn.Sequential(...layers);
    this.classifier = new nn.Sequential(new nn.Dropout(scaling.dropout), new nn.Linear(4 * lastIn, opts.numClasses ?? 1000));
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
    return this.classifier.forward(adaptiveAvgPool2d(this.features.forward(x), 1).flatten(1));
  }
}

/** EfficientNet options a factory leaves to the caller. */
export type EfficientNetOptions = NonNullable<ConstructorParameters<typeof EfficientNet>[1]>;

/** EfficientNet-B0. */
export function efficientnetB0(opts: Omit<EfficientNetOptions, 'largeBnMomentum'> = {}): EfficientNet {
  return new EfficientNet(EFFICIENTNET_VARIANTS[0], withOptions(opts, { largeBnMomentum: false }));
}
/** EfficientNet-B1. */
export function efficientnetB1(opts: Omit<EfficientNetOptions, 'largeBnMomentum'> = {}): EfficientNet {
  return new EfficientNet(EFFICIENTNET_VARIANTS[1], withOptions(opts, { largeBnMomentum: false }));
}
/** EfficientNet-B2. */
export function efficientnetB2(opts: Omit<EfficientNetOptions, 'largeBnMomentum'> = {}): EfficientNet {
  return new EfficientNet(EFFICIENTNET_VARIANTS[2], withOptions(opts, { largeBnMomentum: false }));
}
/** EfficientNet-B3. */
export function efficientnetB3(opts: Omit<EfficientNetOptions, 'largeBnMomentum'> = {}): EfficientNet {
  return new EfficientNet(EFFICIENTNET_VARIANTS[3], withOptions(opts, { largeBnMomentum: false }));
}
/** EfficientNet-B4. */
export function efficientnetB4(opts: Omit<EfficientNetOptions, 'largeBnMomentum'> = {}): EfficientNet {
  return new EfficientNet(EFFICIENTNET_VARIANTS[4], withOptions(opts, { largeBnMomentum: false }));
}
/** EfficientNet-B5. */
export function efficientnetB5(opts: Omit<EfficientNetOptions, 'largeBnMomentum'> = {}): EfficientNet {
  return new EfficientNet(EFFICIENTNET_VARIANTS[5], withOptions(opts, { largeBnMomentum: true }));
}
/** EfficientNet-B6. */
export function efficientnetB6(opts: Omit<EfficientNetOptions, 'largeBnMomentum'> = {}): EfficientNet {
  return new EfficientNet(EFFICIENTNET_VARIANTS[6], withOptions(opts, { largeBnMomentum: true }));
}
/** EfficientNet-B7. */
export function efficientnetB7(opts: Omit<EfficientNetOptions, 'largeBnMomentum'> = {}): EfficientNet {
  return new EfficientNet(EFFICIENTNET_VARIANTS[7], withOptions(opts, { largeBnMomentum: true }));
}
/** EfficientNet from compound scaling: depth 1.2^φ, width 1.1^φ, resolution 224·1.15^φ (phi, default 0). */
export function efficientnet(opts: EfficientNetOptions & { phi?: number } = {}): EfficientNet {
  return new EfficientNet(compoundScaling(opts.phi ?? 0), opts);
}
