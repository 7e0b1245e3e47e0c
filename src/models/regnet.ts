/**
 * RegNet (Radosavovic et al. 2020, "Designing Network Design Spaces"): RegNetX and RegNetY (with squeeze-and-
 * excitation) at every size torchvision has, in its layout (module and parameter names, so state dicts load as-is).
 * A network is four numbers and a group width: block widths follow a quantized linear rule, w_j = w_0·w_m^round(…),
 * and the stages are the runs of equal width.
 */
import * as nn from '../nn/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { normal, zeros } from '../nn/init.js';
import { convNormAct, makeDivisible } from './blocks.js';
import { SqueezeExcitation } from './efficientnet.js';

/** The design-space parameters of one RegNet. */
export interface RegNetParams {
  depth: number;
  w0: number;
  wa: number;
  wm: number;
  groupWidth: number;
  seRatio?: number;
  bottleneckMultiplier?: number;
}

/** torch.round: half to even. */
const roundHalfEven = (v: number) => {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
};
const f = Math.fround;

/**
 * Per-stage widths, depths and group widths (torchvision's BlockParams.from_init_params), computed in float32 as
 * torch does so the rounding matches.
 */
export function regnetStages(p: RegNetParams): { widths: number[]; depths: number[]; groupWidths: number[] } {
  const { depth, w0, wa, wm } = p;
  if (wa < 0 || w0 <= 0 || wm <= 1 || w0 % 8 !== 0) throw new Error(`regnet: invalid settings w0=${w0}, wa=${wa}, wm=${wm}`);
  const logWm = f(Math.log(wm));
  const blockWidths = Array.from({ length: depth }, (_, i) => {
    const cont = f(f(f(i) * f(wa)) + f(w0));
    const capacity = roundHalfEven(f(f(Math.log(f(cont / f(w0)))) / logWm));
    return roundHalfEven(f(f(f(w0) * f(Math.pow(f(wm), capacity))) / 8)) * 8;
  });
  // Stages: runs of equal width.
  const widths: number[] = [];
  const depths: number[] = [];
  for (const w of blockWidths) {
    if (widths.at(-1) === w) depths[depths.length - 1]++;
    else {
      widths.push(w);
      depths.push(1);
    }
  }
  const b = p.bottleneckMultiplier ?? 1;
  // Group widths no wider than the bottleneck; bottleneck widths divisible by the group width.
  const groupWidths = widths.map((w) => Math.min(p.groupWidth, Math.trunc(w * b)));
  const adjusted = widths.map((w, i) => Math.trunc(makeDivisible(Math.trunc(w * b), groupWidths[i]) / b));
  return { widths: adjusted, depths, groupWidths };
}

/** The bottleneck transform: a (1×1), b (3×3 grouped), se (RegNetY), c (1×1, linear). */
export class BottleneckTransform extends nn.Sequential {
  constructor(inC: number, outC: number, stride: number, groupWidth: number, bottleneckMultiplier: number, seRatio: number | undefined) {
    const wb = Math.round(outC * bottleneckMultiplier);
    const layers: Record<string, nn.AnyModule> = {
      a: convNormAct(inC, wb, 1),
      b: convNormAct(wb, wb, 3, { stride, groups: wb / groupWidth }),
    };
    if (seRatio) layers.se = new SqueezeExcitation(wb, Math.round(seRatio * inC), new nn.ReLU());
    layers.c = convNormAct(wb, outC, 1, { act: null });
    super(layers);
  }
}

/** A residual bottleneck block: f(x) + x, or + proj(x) where the shape changes; then ReLU. */
export class ResBottleneckBlock extends nn.Module {
  proj: nn.Sequential | null;
  f: BottleneckTransform;
  activation = new nn.ReLU();
  constructor(inC: number, outC: number, stride: number, groupWidth: number, bottleneckMultiplier: number, seRatio: number | undefined) {
    super();
    this.proj = inC !== outC || stride !== 1 ? convNormAct(inC, outC, 1, { stride, act: null }) : null;
    this.f = new BottleneckTransform(inC, outC, stride, groupWidth, bottleneckMultiplier, seRatio);
  }
  forward(x: Tensor): Tensor {
    const y = this.f.forward(x);
    return this.activation.forward(this.proj ? this.proj.forward(x).add(y) : x.add(y));
  }
}

export interface RegNetOptions {
  numClasses?: number;
}

/** RegNet: a 3×3/2 stem of 32 channels, stages block1…block4 (each block named blockS-i), pooling, fc. */
export class RegNet extends nn.Module {
  stem: nn.Sequential;
  trunk_output: nn.Sequential;
  avgpool = new nn.AdaptiveAvgPool2d(1);
  fc: nn.Linear;
  constructor(
    readonly params: RegNetParams,
    opts: RegNetOptions = {},
  ) {
    super();
    this.stem = convNormAct(3, 32, 3, { stride: 2 });
    const { widths, depths, groupWidths } = regnetStages(params);
    const b = params.bottleneckMultiplier ?? 1;
    let inC = 32;
    const stages: Record<string, nn.AnyModule> = {};
    widths.forEach((w, s) => {
      const blocks: Record<string, nn.AnyModule> = {};
      for (let i = 0; i < depths[s]; i++)
        blocks[`block${s + 1}-${i}`] = new ResBottleneckBlock(i === 0 ? inC : w, w, i === 0 ? 2 : 1, groupWidths[s], b, params.seRatio);
      stages[`block${s + 1}`] = new nn.Sequential(blocks);
      inC = w;
    });
    this.trunk_output = new nn.Sequential(stages);
    this.fc = new nn.Linear(inC, opts.numClasses ?? 1000);
    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d) {
        const [kh, kw] = m.weight.shape.slice(2);
        normal(m.weight, 0, Math.sqrt(2 / (kh * kw * m.weight.shape[0])));
      } else if (m instanceof nn.Linear) {
        normal(m.weight, 0, 0.01);
        zeros(m.bias!);
      }
    }
  }
  forward(x: Tensor): Tensor {
    return this.fc.forward(this.avgpool.forward(this.trunk_output.forward(this.stem.forward(x))).flatten(1));
  }
}

/** torchvision's settings for each size (RegNetY has squeeze-and-excitation, ratio 0.25). */
export const REGNET_SETTINGS: Record<string, RegNetParams> = {
  regnet_y_400mf: { depth: 16, w0: 48, wa: 27.89, wm: 2.09, groupWidth: 8, seRatio: 0.25 },
  regnet_y_800mf: { depth: 14, w0: 56, wa: 38.84, wm: 2.4, groupWidth: 16, seRatio: 0.25 },
  regnet_y_1_6gf: { depth: 27, w0: 48, wa: 20.71, wm: 2.65, groupWidth: 24, seRatio: 0.25 },
  regnet_y_3_2gf: { depth: 21, w0: 80, wa: 42.63, wm: 2.66, groupWidth: 24, seRatio: 0.25 },
  regnet_y_8gf: { depth: 17, w0: 192, wa: 76.82, wm: 2.19, groupWidth: 56, seRatio: 0.25 },
  regnet_y_16gf: { depth: 18, w0: 200, wa: 106.23, wm: 2.48, groupWidth: 112, seRatio: 0.25 },
  regnet_y_32gf: { depth: 20, w0: 232, wa: 115.89, wm: 2.53, groupWidth: 232, seRatio: 0.25 },
  regnet_y_128gf: { depth: 27, w0: 456, wa: 160.83, wm: 2.52, groupWidth: 264, seRatio: 0.25 },
  regnet_x_400mf: { depth: 22, w0: 24, wa: 24.48, wm: 2.54, groupWidth: 16 },
  regnet_x_800mf: { depth: 16, w0: 56, wa: 35.73, wm: 2.28, groupWidth: 16 },
  regnet_x_1_6gf: { depth: 18, w0: 80, wa: 34.01, wm: 2.25, groupWidth: 24 },
  regnet_x_3_2gf: { depth: 25, w0: 88, wa: 26.31, wm: 2.25, groupWidth: 48 },
  regnet_x_8gf: { depth: 23, w0: 80, wa: 49.56, wm: 2.88, groupWidth: 120 },
  regnet_x_16gf: { depth: 22, w0: 216, wa: 55.59, wm: 2.1, groupWidth: 128 },
  regnet_x_32gf: { depth: 23, w0: 320, wa: 69.86, wm: 2.0, groupWidth: 168 },
};

/** Builds a RegNet by its torchvision name (regnet_x_400mf … regnet_y_128gf). */
export function regnet(name: string, opts: RegNetOptions = {}): RegNet {
  const p = REGNET_SETTINGS[name];
  if (!p) throw new Error(`regnet: no RegNet '${name}' (have ${Object.keys(REGNET_SETTINGS).join(', ')})`);
  return new RegNet(p, opts);
}

// One factory per size, named as the zoo names them (regnet_y_400mf → regnetY_400mf).
/** regnet_y_400mf (torchvision's settings). */
export const regnetY_400mf = (opts: RegNetOptions = {}): RegNet => regnet('regnet_y_400mf', opts);
/** regnet_y_800mf (torchvision's settings). */
export const regnetY_800mf = (opts: RegNetOptions = {}): RegNet => regnet('regnet_y_800mf', opts);
/** regnet_y_1_6gf (torchvision's settings). */
export const regnetY_1_6gf = (opts: RegNetOptions = {}): RegNet => regnet('regnet_y_1_6gf', opts);
/** regnet_y_3_2gf (torchvision's settings). */
export const regnetY_3_2gf = (opts: RegNetOptions = {}): RegNet => regnet('regnet_y_3_2gf', opts);
/** regnet_y_8gf (torchvision's settings). */
export const regnetY_8gf = (opts: RegNetOptions = {}): RegNet => regnet('regnet_y_8gf', opts);
/** regnet_y_16gf (torchvision's settings). */
export const regnetY_16gf = (opts: RegNetOptions = {}): RegNet => regnet('regnet_y_16gf', opts);
/** regnet_y_32gf (torchvision's settings). */
export const regnetY_32gf = (opts: RegNetOptions = {}): RegNet => regnet('regnet_y_32gf', opts);
/** regnet_y_128gf (torchvision's settings). */
export const regnetY_128gf = (opts: RegNetOptions = {}): RegNet => regnet('regnet_y_128gf', opts);
/** regnet_x_400mf (torchvision's settings). */
export const regnetX_400mf = (opts: RegNetOptions = {}): RegNet => regnet('regnet_x_400mf', opts);
/** regnet_x_800mf (torchvision's settings). */
export const regnetX_800mf = (opts: RegNetOptions = {}): RegNet => regnet('regnet_x_800mf', opts);
/** regnet_x_1_6gf (torchvision's settings). */
export const regnetX_1_6gf = (opts: RegNetOptions = {}): RegNet => regnet('regnet_x_1_6gf', opts);
/** regnet_x_3_2gf (torchvision's settings). */
export const regnetX_3_2gf = (opts: RegNetOptions = {}): RegNet => regnet('regnet_x_3_2gf', opts);
/** regnet_x_8gf (torchvision's settings). */
export const regnetX_8gf = (opts: RegNetOptions = {}): RegNet => regnet('regnet_x_8gf', opts);
/** regnet_x_16gf (torchvision's settings). */
export const regnetX_16gf = (opts: RegNetOptions = {}): RegNet => regnet('regnet_x_16gf', opts);
/** regnet_x_32gf (torchvision's settings). */
export const regnetX_32gf = (opts: RegNetOptions = {}): RegNet => regnet('regnet_x_32gf', opts);

/** The factories by zoo name, for the registry. */
export const REGNET_FACTORIES: Record<string, (opts?: RegNetOptions) => RegNet> = {
  regnet_y_400mf: regnetY_400mf,
  regnet_y_800mf: regnetY_800mf,
  regnet_y_1_6gf: regnetY_1_6gf,
  regnet_y_3_2gf: regnetY_3_2gf,
  regnet_y_8gf: regnetY_8gf,
  regnet_y_16gf: regnetY_16gf,
  regnet_y_32gf: regnetY_32gf,
  regnet_y_128gf: regnetY_128gf,
  regnet_x_400mf: regnetX_400mf,
  regnet_x_800mf: regnetX_800mf,
  regnet_x_1_6gf: regnetX_1_6gf,
  regnet_x_3_2gf: regnetX_3_2gf,
  regnet_x_8gf: regnetX_8gf,
  regnet_x_16gf: regnetX_16gf,
  regnet_x_32gf: regnetX_32gf,
};
