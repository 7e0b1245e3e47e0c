/**
 * ConvNeXt (Liu et al. 2022), tiny/small/base/large, in torchvision's layout (its module and parameter names, so its
 * state dicts load as-is): a 4×4/4 "patchify" stem, stages of blocks — 7×7 depthwise conv, LayerNorm over channels,
 * an inverted MLP with GELU, a learned per-channel layer scale, stochastic depth — and LayerNorm'd 2×2/2 downsampling.
 */
import * as nn from '../nn/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { normal, zeros } from '../nn/init.js';
import { full } from '../tensor/creation.js';
import { StochasticDepth } from './efficientnet.js';

/** Reorders dimensions (torchvision.ops.Permute): ConvNeXt moves channels last for its LayerNorm and Linear layers. */
export class Permute extends nn.Module {
  constructor(readonly dims: readonly number[]) {
    super();
  }
  forward(x: Tensor): Tensor {
    return x.permute(this.dims);
  }
  override describe(): nn.LayerInfo {
    return nn.ELEMENTWISE;
  }
  override extraRepr(): string {
    return `dims=[${this.dims.join(', ')}]`;
  }
}

/** LayerNorm over the channels of an NCHW tensor (torchvision's convnext.LayerNorm2d): permute, normalize, permute back. */
export class LayerNorm2d extends nn.LayerNorm {
  override forward(x: Tensor): Tensor {
    return super.forward(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2);
  }
}

const ln2d = (c: number) => new LayerNorm2d(c, { eps: 1e-6 });

/** A ConvNeXt block (torchvision's CNBlock). */
export class CNBlock extends nn.Module {
  block: nn.Sequential;
  layer_scale: nn.Parameter;
  stochastic_depth: StochasticDepth;
  constructor(dim: number, layerScale: number, stochasticDepthProb: number) {
    super();
    this.block = new nn.Sequential(
      new nn.Conv2d(dim, dim, 7, { padding: 3, groups: dim }),
      new Permute([0, 2, 3, 1]),
      new nn.LayerNorm(dim, { eps: 1e-6 }),
      new nn.Linear(dim, 4 * dim),
      new nn.GELU(),
      new nn.Linear(4 * dim, dim),
      new Permute([0, 3, 1, 2]),
    );
    this.layer_scale = new nn.Parameter(full([dim, 1, 1], layerScale));
    this.stochastic_depth = new StochasticDepth(stochasticDepthProb);
  }
  forward(x: Tensor): Tensor {
    return this.stochastic_depth.forward(this.layer_scale.mul(this.block.forward(x))).add(x);
  }
}

export interface ConvNeXtOptions {
  numClasses?: number;
  /** The deepest block's drop probability (it grows linearly from 0 at the first block); torchvision's defaults per size. */
  stochasticDepthProb?: number;
  /** Initial layer scale (default 1e-6). */
  layerScale?: number;
}

/** Stages as [channels, blocks]; each stage but the last is followed by a 2× downsampling to the next's channels. */
type Stages = readonly (readonly [number, number])[];

export class ConvNeXt extends nn.Module {
  features: nn.Sequential;
  avgpool = new nn.AdaptiveAvgPool2d(1);
  classifier: nn.Sequential;
  constructor(stages: Stages, defaultDepthProb: number, opts: ConvNeXtOptions = {}) {
    super();
    const pMax = opts.stochasticDepthProb ?? defaultDepthProb;
    const scale = opts.layerScale ?? 1e-6;
    const total = stages.reduce((a, [, n]) => a + n, 0);
    let id = 0;
    const layers: nn.Module[] = [new nn.Sequential(new nn.Conv2d(3, stages[0][0], 4, { stride: 4 }), ln2d(stages[0][0]))];
    stages.forEach(([c, n], s) => {
      layers.push(new nn.Sequential(...Array.from({ length: n }, () => new CNBlock(c, scale, (pMax * id++) / (total - 1)))));
      if (s + 1 < stages.length) layers.push(new nn.Sequential(ln2d(c), new nn.Conv2d(c, stages[s + 1][0], 2, { stride: 2 })));
    });
    this.features = new nn.Sequential(...layers);
    const last = stages.at(-1)![0];
    this.classifier = new nn.Sequential(ln2d(last), new nn.Flatten(1), new nn.Linear(last, opts.numClasses ?? 1000));
    // torchvision: truncated normal (std 0.02) for convolutions and linear layers; here a normal of the same std.
    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d || m instanceof nn.Linear) {
        normal(m.weight, 0, 0.02);
        if (m.bias) zeros(m.bias);
      }
    }
  }
  forward(x: Tensor): Tensor {
    return this.classifier.forward(this.avgpool.forward(this.features.forward(x)));
  }
}

/** ConvNeXt-T (28,589,128 parameters). Input 3×224×224. */
export const convnextTiny = (opts: ConvNeXtOptions = {}) =>
  new ConvNeXt(
    [
      [96, 3],
      [192, 3],
      [384, 9],
      [768, 3],
    ],
    0.1,
    opts,
  );
/** ConvNeXt-S (50,223,688 parameters). */
export const convnextSmall = (opts: ConvNeXtOptions = {}) =>
  new ConvNeXt(
    [
      [96, 3],
      [192, 3],
      [384, 27],
      [768, 3],
    ],
    0.4,
    opts,
  );
/** ConvNeXt-B (88,591,464 parameters). */
export const convnextBase = (opts: ConvNeXtOptions = {}) =>
  new ConvNeXt(
    [
      [128, 3],
      [256, 3],
      [512, 27],
      [1024, 3],
    ],
    0.5,
    opts,
  );
/** ConvNeXt-L (197,767,336 parameters). */
export const convnextLarge = (opts: ConvNeXtOptions = {}) =>
  new ConvNeXt(
    [
      [192, 3],
      [384, 3],
      [768, 27],
      [1536, 3],
    ],
    0.5,
    opts,
  );
