/** MobileNet v2 (Sandler et al. 2018) in torchvision's layout: inverted residuals with linear bottlenecks. */
import * as nn from '../nn/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { adaptiveAvgPool2d } from '../ops/pool.js';
import { normal, zeros } from '../nn/init.js';
import { convNormAct, initConvsAndNorms, makeDivisible } from './blocks.js';

/** Expand (1×1) → depthwise 3×3 → project (1×1, linear), with a shortcut when shapes match. */
export class InvertedResidual extends nn.Module {
  conv: nn.Sequential;
  readonly useResConnect: boolean;
  constructor(inp: number, oup: number, stride: number, expandRatio: number) {
    super();
    const hidden = Math.round(inp * expandRatio);
    this.useResConnect = stride === 1 && inp === oup;
    const layers: nn.Module[] = [];
    if (expandRatio !== 1) layers.push(convNormAct(inp, hidden, 1, { act: 'relu6' }));
    layers.push(
      convNormAct(hidden, hidden, 3, { stride, groups: hidden, act: 'relu6' }),
      new nn.Conv2d(hidden, oup, 1, { bias: false }),
      new nn.BatchNorm2d(oup),
    );
    this.conv = new nn.Sequential(...layers);
  }
  forward(x: Tensor): Tensor {
    const y = this.conv.forward(x);
    return this.useResConnect ? x.add(y) : y;
  }
}

export interface MobileNetV2Options {
  numClasses?: number;
  widthMult?: number;
  dropout?: number;
  /** Stride of the stem (2 for ImageNet; 1 for 32×32 CIFAR inputs). */
  stemStride?: number;
}

/** MobileNet v2: 3,504,872 parameters at width 1.0. Input 3×224×224. */
export class MobileNetV2 extends nn.Module {
  features: nn.Sequential;
  classifier: nn.Sequential;
  constructor(opts: MobileNetV2Options = {}) {
    super();
    const width = opts.widthMult ?? 1;
    const settings: [number, number, number, number][] = [
      [1, 16, 1, 1],
      [6, 24, 2, 2],
      [6, 32, 3, 2],
      [6, 64, 4, 2],
      [6, 96, 3, 1],
      [6, 160, 3, 2],
      [6, 320, 1, 1],
    ];
    let inputChannel = makeDivisible(32 * width);
    const lastChannel = makeDivisible(1280 * Math.max(1, width));
    const layers: nn.Module[] = [convNormAct(3, inputChannel, 3, { stride: opts.stemStride ?? 2, act: 'relu6' })];
    for (const [t, c, n, s] of settings) {
      const out = makeDivisible(c * width);
      for (let i = 0; i < n; i++) {
        layers.push(new InvertedResidual(inputChannel, out, i === 0 ? s : 1, t));
        inputChannel = out;
      }
    }
    layers.push(convNormAct(inputChannel, lastChannel, 1, { act: 'relu6' }));
    this.features = new nn.Sequential(...layers);
    this.classifier = new nn.Sequential(new nn.Dropout(opts.dropout ?? 0.2), new nn.Linear(lastChannel, opts.numClasses ?? 1000));
    initConvsAndNorms(this);
    for (const m of this.modules()) {
      if (m instanceof nn.Linear) {
        normal(m.weight, 0, 0.01);
        zeros(m.bias!);
      }
    }
  }
  forward(x: Tensor): Tensor {
    return this.classifier.forward(adaptiveAvgPool2d(this.features.forward(x), 1).flatten(1));
  }
}

/** MobileNet v2 (inverted residuals, linear bottlenecks). */
export function mobilenetV2(opts: MobileNetV2Options = {}): MobileNetV2 {
  return new MobileNetV2(opts);
}
