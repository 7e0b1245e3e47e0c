/**
 * ShuffleNet V2 (Ma et al. 2018) in torchvision's layout (its module and parameter names, so its state dicts load
 * as-is): units that split the channels in two, transform one half (1×1 → depthwise 3×3 → 1×1), concatenate and
 * shuffle the channels between the halves; downsampling units transform both halves.
 */
import * as nn from '../nn/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { cat, chunk } from '../ops/shape.js';

/**
 * Interleaves the channels of `groups` groups: [N, g·c, H, W] → view [N, g, c, H, W] → swap g and c → [N, c·g, H, W].
 * Shape: [N, C, H, W] → the same. Example: channelShuffle(x, 2) makes channel order 0, C/2, 1, C/2 + 1, …
 */
export function channelShuffle(x: Tensor, groups: number): Tensor {
  const [n, c, h, w] = x.shape;
  if (c % groups !== 0) throw new Error(`channelShuffle: ${c} channels do not split into ${groups} groups`);
  return x
    .reshape([n, groups, c / groups, h, w])
    .transpose(1, 2)
    .reshape([n, c, h, w]);
}

const depthwise = (c: number, stride: number) => new nn.Conv2d(c, c, 3, { stride, padding: 1, groups: c, bias: false });

/** One ShuffleNet V2 unit (torchvision's shufflenetv2.InvertedResidual). */
export class ShuffleUnit extends nn.Module {
  branch1: nn.Sequential;
  branch2: nn.Sequential;
  constructor(
    inp: number,
    oup: number,
    readonly stride: number,
  ) {
    super();
    const half = oup / 2;
    if (!Number.isInteger(half) || (stride === 1 && inp !== oup))
      throw new Error(`ShuffleUnit: with stride 1 the input (${inp}) and output (${oup}) channels must be equal and even`);
    this.branch1 =
      stride > 1
        ? new nn.Sequential(
            depthwise(inp, stride),
            new nn.BatchNorm2d(inp),
            new nn.Conv2d(inp, half, 1, { bias: false }),
            new nn.BatchNorm2d(half),
            new nn.ReLU(),
          )
        : new nn.Sequential();
    this.branch2 = new nn.Sequential(
      new nn.Conv2d(stride > 1 ? inp : half, half, 1, { bias: false }),
      new nn.BatchNorm2d(half),
      new nn.ReLU(),
      depthwise(half, stride),
      new nn.BatchNorm2d(half),
      new nn.Conv2d(half, half, 1, { bias: false }),
      new nn.BatchNorm2d(half),
      new nn.ReLU(),
    );
  }
  forward(x: Tensor): Tensor {
    let out: Tensor;
    if (this.stride === 1) {
      const [x1, x2] = chunk(x, 2, 1);
      out = cat([x1, this.branch2.forward(x2)], 1);
    } else out = cat([this.branch1.forward(x), this.branch2.forward(x)], 1);
    return channelShuffle(out, 2);
  }
}

export interface ShuffleNetV2Options {
  numClasses?: number;
}

/** The four widths torchvision has: stage repeats [4, 8, 4], output channels per stage. */
export const SHUFFLENET_V2_CHANNELS: Record<'x0_5' | 'x1_0' | 'x1_5' | 'x2_0', readonly number[]> = {
  x0_5: [24, 48, 96, 192, 1024],
  x1_0: [24, 116, 232, 464, 1024],
  x1_5: [24, 176, 352, 704, 1024],
  x2_0: [24, 244, 488, 976, 2048],
};

/** ShuffleNet V2: conv1 (3×3/2) → max-pool → stages 2–4 → conv5 (1×1) → global average → fc. Input 3×224×224. */
export class ShuffleNetV2 extends nn.Module {
  conv1: nn.Sequential;
  maxpool: nn.MaxPool2d;
  stage2: nn.Sequential;
  stage3: nn.Sequential;
  stage4: nn.Sequential;
  conv5: nn.Sequential;
  fc: nn.Linear;
  constructor(repeats: readonly number[], channels: readonly number[], opts: ShuffleNetV2Options = {}) {
    super();
    if (repeats.length !== 3 || channels.length !== 5) throw new Error('ShuffleNetV2: expected 3 stage repeats and 5 channel counts');
    this.conv1 = new nn.Sequential(new nn.Conv2d(3, channels[0], 3, { stride: 2, padding: 1, bias: false }), new nn.BatchNorm2d(channels[0]), new nn.ReLU());
    this.maxpool = new nn.MaxPool2d(3, { stride: 2, padding: 1 });
    let inC = channels[0];
    const stage = (n: number, outC: number) => {
      const units = [new ShuffleUnit(inC, outC, 2), ...Array.from({ length: n - 1 }, () => new ShuffleUnit(outC, outC, 1))];
      inC = outC;
      return new nn.Sequential(...units);
    };
    this.stage2 = stage(repeats[0], channels[1]);
    this.stage3 = stage(repeats[1], channels[2]);
    this.stage4 = stage(repeats[2], channels[3]);
    this.conv5 = new nn.Sequential(new nn.Conv2d(inC, channels[4], 1, { bias: false }), new nn.BatchNorm2d(channels[4]), new nn.ReLU());
    this.fc = new nn.Linear(channels[4], opts.numClasses ?? 1000);
  }
  forward(x: Tensor): Tensor {
    let h = this.maxpool.forward(this.conv1.forward(x));
    h = this.conv5.forward(this.stage4.forward(this.stage3.forward(this.stage2.forward(h))));
    return this.fc.forward(h.mean([2, 3]));
  }
}

/** ShuffleNet V2 at width 0.5 (1,366,792 parameters). */
export const shufflenetV2X0_5 = (opts: ShuffleNetV2Options = {}) => new ShuffleNetV2([4, 8, 4], SHUFFLENET_V2_CHANNELS.x0_5, opts);
/** ShuffleNet V2 at width 1.0 (2,278,604 parameters). */
export const shufflenetV2X1_0 = (opts: ShuffleNetV2Options = {}) => new ShuffleNetV2([4, 8, 4], SHUFFLENET_V2_CHANNELS.x1_0, opts);
/** ShuffleNet V2 at width 1.5 (3,503,624 parameters). */
export const shufflenetV2X1_5 = (opts: ShuffleNetV2Options = {}) => new ShuffleNetV2([4, 8, 4], SHUFFLENET_V2_CHANNELS.x1_5, opts);
/** ShuffleNet V2 at width 2.0 (7,393,996 parameters). */
export const shufflenetV2X2_0 = (opts: ShuffleNetV2Options = {}) => new ShuffleNetV2([4, 8, 4], SHUFFLENET_V2_CHANNELS.x2_0, opts);
