/**
 * Inception v3 (Szegedy et al. 2016, "Rethinking the Inception Architecture") in torchvision's layout (its module and
 * parameter names — Conv2d_1a_3x3, Mixed_5b, AuxLogits … — so its state dicts load as-is): factorized 7×7 into 1×7 and
 * 7×1, grid reductions by parallel stride-2 branches, an auxiliary classifier on Mixed_6e. Input 3×299×299.
 */
import * as nn from '../nn/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { cat } from '../ops/shape.js';
import { avgPool2d, maxPool2d, adaptiveAvgPool2d } from '../ops/pool.js';
import { truncNormal, constant } from '../nn/init.js';
import { BasicConv2d } from './googlenet.js';

const conv = (i: number, o: number, k: number | [number, number], opts: { stride?: number; padding?: number | [number, number] } = {}) =>
  new BasicConv2d(i, o, k, opts);
const pool3 = (x: Tensor) => avgPool2d(x, 3, { stride: 1, padding: 1 });

/** 35×35: 1×1, 1×1→5×5, 1×1→3×3→3×3 and pool→1×1 branches. */
export class InceptionA extends nn.Module {
  branch1x1: BasicConv2d;
  branch5x5_1: BasicConv2d;
  branch5x5_2: BasicConv2d;
  branch3x3dbl_1: BasicConv2d;
  branch3x3dbl_2: BasicConv2d;
  branch3x3dbl_3: BasicConv2d;
  branch_pool: BasicConv2d;
  constructor(inC: number, poolFeatures: number) {
    super();
    this.branch1x1 = conv(inC, 64, 1);
    this.branch5x5_1 = conv(inC, 48, 1);
    this.branch5x5_2 = conv(48, 64, 5, { padding: 2 });
    this.branch3x3dbl_1 = conv(inC, 64, 1);
    this.branch3x3dbl_2 = conv(64, 96, 3, { padding: 1 });
    this.branch3x3dbl_3 = conv(96, 96, 3, { padding: 1 });
    this.branch_pool = conv(inC, poolFeatures, 1);
  }
  forward(x: Tensor): Tensor {
    return cat(
      [
        this.branch1x1.forward(x),
        this.branch5x5_2.forward(this.branch5x5_1.forward(x)),
        this.branch3x3dbl_3.forward(this.branch3x3dbl_2.forward(this.branch3x3dbl_1.forward(x))),
        this.branch_pool.forward(pool3(x)),
      ],
      1,
    );
  }
}

/** 35×35 → 17×17 grid reduction. */
export class InceptionB extends nn.Module {
  branch3x3: BasicConv2d;
  branch3x3dbl_1: BasicConv2d;
  branch3x3dbl_2: BasicConv2d;
  branch3x3dbl_3: BasicConv2d;
  constructor(inC: number) {
    super();
    this.branch3x3 = conv(inC, 384, 3, { stride: 2 });
    this.branch3x3dbl_1 = conv(inC, 64, 1);
    this.branch3x3dbl_2 = conv(64, 96, 3, { padding: 1 });
    this.branch3x3dbl_3 = conv(96, 96, 3, { stride: 2 });
  }
  forward(x: Tensor): Tensor {
    return cat(
      [this.branch3x3.forward(x), this.branch3x3dbl_3.forward(this.branch3x3dbl_2.forward(this.branch3x3dbl_1.forward(x))), maxPool2d(x, 3, { stride: 2 })],
      1,
    );
  }
}

/** 17×17 with factorized 7×7 convolutions (1×7 then 7×1). */
export class InceptionC extends nn.Module {
  branch1x1: BasicConv2d;
  branch7x7_1: BasicConv2d;
  branch7x7_2: BasicConv2d;
  branch7x7_3: BasicConv2d;
  branch7x7dbl_1: BasicConv2d;
  branch7x7dbl_2: BasicConv2d;
  branch7x7dbl_3: BasicConv2d;
  branch7x7dbl_4: BasicConv2d;
  branch7x7dbl_5: BasicConv2d;
  branch_pool: BasicConv2d;
  constructor(inC: number, c7: number) {
    super();
    const row = { padding: [0, 3] as [number, number] };
    const col = { padding: [3, 0] as [number, number] };
    this.branch1x1 = conv(inC, 192, 1);
    this.branch7x7_1 = conv(inC, c7, 1);
    this.branch7x7_2 = conv(c7, c7, [1, 7], row);
    this.branch7x7_3 = conv(c7, 192, [7, 1], col);
    this.branch7x7dbl_1 = conv(inC, c7, 1);
    this.branch7x7dbl_2 = conv(c7, c7, [7, 1], col);
    this.branch7x7dbl_3 = conv(c7, c7, [1, 7], row);
    this.branch7x7dbl_4 = conv(c7, c7, [7, 1], col);
    this.branch7x7dbl_5 = conv(c7, 192, [1, 7], row);
    this.branch_pool = conv(inC, 192, 1);
  }
  forward(x: Tensor): Tensor {
    const b7 = this.branch7x7_3.forward(this.branch7x7_2.forward(this.branch7x7_1.forward(x)));
    let d = this.branch7x7dbl_1.forward(x);
    for (const m of [this.branch7x7dbl_2, this.branch7x7dbl_3, this.branch7x7dbl_4, this.branch7x7dbl_5]) d = m.forward(d);
    return cat([this.branch1x1.forward(x), b7, d, this.branch_pool.forward(pool3(x))], 1);
  }
}

/** 17×17 → 8×8 grid reduction. */
export class InceptionD extends nn.Module {
  branch3x3_1: BasicConv2d;
  branch3x3_2: BasicConv2d;
  branch7x7x3_1: BasicConv2d;
  branch7x7x3_2: BasicConv2d;
  branch7x7x3_3: BasicConv2d;
  branch7x7x3_4: BasicConv2d;
  constructor(inC: number) {
    super();
    this.branch3x3_1 = conv(inC, 192, 1);
    this.branch3x3_2 = conv(192, 320, 3, { stride: 2 });
    this.branch7x7x3_1 = conv(inC, 192, 1);
    this.branch7x7x3_2 = conv(192, 192, [1, 7], { padding: [0, 3] });
    this.branch7x7x3_3 = conv(192, 192, [7, 1], { padding: [3, 0] });
    this.branch7x7x3_4 = conv(192, 192, 3, { stride: 2 });
  }
  forward(x: Tensor): Tensor {
    let b = this.branch7x7x3_1.forward(x);
    for (const m of [this.branch7x7x3_2, this.branch7x7x3_3, this.branch7x7x3_4]) b = m.forward(b);
    return cat([this.branch3x3_2.forward(this.branch3x3_1.forward(x)), b, maxPool2d(x, 3, { stride: 2 })], 1);
  }
}

/** 8×8 with expanded filter banks (1×3 and 3×1 side by side). */
export class InceptionE extends nn.Module {
  branch1x1: BasicConv2d;
  branch3x3_1: BasicConv2d;
  branch3x3_2a: BasicConv2d;
  branch3x3_2b: BasicConv2d;
  branch3x3dbl_1: BasicConv2d;
  branch3x3dbl_2: BasicConv2d;
  branch3x3dbl_3a: BasicConv2d;
  branch3x3dbl_3b: BasicConv2d;
  branch_pool: BasicConv2d;
  constructor(inC: number) {
    super();
    this.branch1x1 = conv(inC, 320, 1);
    this.branch3x3_1 = conv(inC, 384, 1);
    this.branch3x3_2a = conv(384, 384, [1, 3], { padding: [0, 1] });
    this.branch3x3_2b = conv(384, 384, [3, 1], { padding: [1, 0] });
    this.branch3x3dbl_1 = conv(inC, 448, 1);
    this.branch3x3dbl_2 = conv(448, 384, 3, { padding: 1 });
    this.branch3x3dbl_3a = conv(384, 384, [1, 3], { padding: [0, 1] });
    this.branch3x3dbl_3b = conv(384, 384, [3, 1], { padding: [1, 0] });
    this.branch_pool = conv(inC, 192, 1);
  }
  forward(x: Tensor): Tensor {
    const a = this.branch3x3_1.forward(x);
    const d = this.branch3x3dbl_2.forward(this.branch3x3dbl_1.forward(x));
    return cat(
      [
        this.branch1x1.forward(x),
        cat([this.branch3x3_2a.forward(a), this.branch3x3_2b.forward(a)], 1),
        cat([this.branch3x3dbl_3a.forward(d), this.branch3x3dbl_3b.forward(d)], 1),
        this.branch_pool.forward(pool3(x)),
      ],
      1,
    );
  }
}

/** The auxiliary classifier on Mixed_6e (17×17×768). */
export class InceptionV3Aux extends nn.Module {
  conv0: BasicConv2d;
  conv1: BasicConv2d;
  fc: nn.Linear;
  constructor(inC: number, numClasses: number) {
    super();
    this.conv0 = conv(inC, 128, 1);
    this.conv1 = conv(128, 768, 5);
    this.fc = new nn.Linear(768, numClasses);
  }
  forward(x: Tensor): Tensor {
    const h = this.conv1.forward(this.conv0.forward(avgPool2d(x, 5, { stride: 3 })));
    return this.fc.forward(adaptiveAvgPool2d(h, 1).flatten(1));
  }
}

export interface InceptionV3Options {
  numClasses?: number;
  /** The auxiliary classifier (default true, as torchvision; its weights are in torchvision's checkpoints). */
  auxLogits?: boolean;
  /** Re-normalize inputs from ImageNet's mean/std to [-1, 1] (torchvision's transform_input; default false). */
  transformInput?: boolean;
  dropout?: number;
}

export class Inception3 extends nn.Module {
  Conv2d_1a_3x3 = conv(3, 32, 3, { stride: 2 });
  Conv2d_2a_3x3 = conv(32, 32, 3);
  Conv2d_2b_3x3 = conv(32, 64, 3, { padding: 1 });
  maxpool1 = new nn.MaxPool2d(3, { stride: 2 });
  Conv2d_3b_1x1 = conv(64, 80, 1);
  Conv2d_4a_3x3 = conv(80, 192, 3);
  maxpool2 = new nn.MaxPool2d(3, { stride: 2 });
  Mixed_5b = new InceptionA(192, 32);
  Mixed_5c = new InceptionA(256, 64);
  Mixed_5d = new InceptionA(288, 64);
  Mixed_6a = new InceptionB(288);
  Mixed_6b = new InceptionC(768, 128);
  Mixed_6c = new InceptionC(768, 160);
  Mixed_6d = new InceptionC(768, 160);
  Mixed_6e = new InceptionC(768, 192);
  AuxLogits: InceptionV3Aux | null;
  Mixed_7a: InceptionD;
  Mixed_7b: InceptionE;
  Mixed_7c: InceptionE;
  avgpool = new nn.AdaptiveAvgPool2d(1);
  dropout: nn.Dropout;
  fc: nn.Linear;
  readonly transformInput: boolean;
  constructor(opts: InceptionV3Options = {}) {
    super();
    const numClasses = opts.numClasses ?? 1000;
    // Registered in torchvision's order (AuxLogits between Mixed_6e and Mixed_7a), so state dicts list keys alike.
    this.AuxLogits = (opts.auxLogits ?? true) ? new InceptionV3Aux(768, numClasses) : null;
    this.Mixed_7a = new InceptionD(768);
    this.Mixed_7b = new InceptionE(1280);
    this.Mixed_7c = new InceptionE(2048);
    this.dropout = new nn.Dropout(opts.dropout ?? 0.5);
    this.fc = new nn.Linear(2048, numClasses);
    this.transformInput = opts.transformInput ?? false;
    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d || m instanceof nn.Linear) truncNormal(m.weight, 0, 0.1, -2, 2);
      else if (m instanceof nn.BatchNorm2d) {
        constant(m.weight!, 1);
        constant(m.bias!, 0);
      }
    }
  }
  /** Main logits and, in training with auxLogits, the auxiliary classifier's. */
  forwardWithAux(x: Tensor): { logits: Tensor; aux: Tensor | null } {
    if (this.transformInput) {
      const mean = [0.485, 0.456, 0.406];
      const std = [0.229, 0.224, 0.225];
      x = cat(
        [0, 1, 2].map((c) =>
          x
            .narrow(1, c, 1)
            .mul(std[c] / 0.5)
            .add((mean[c] - 0.5) / 0.5),
        ),
        1,
      );
    }
    let h = this.maxpool1.forward(this.Conv2d_2b_3x3.forward(this.Conv2d_2a_3x3.forward(this.Conv2d_1a_3x3.forward(x))));
    h = this.maxpool2.forward(this.Conv2d_4a_3x3.forward(this.Conv2d_3b_1x1.forward(h)));
    for (const m of [this.Mixed_5b, this.Mixed_5c, this.Mixed_5d, this.Mixed_6a, this.Mixed_6b, this.Mixed_6c, this.Mixed_6d, this.Mixed_6e]) h = m.forward(h);
    const aux = this.AuxLogits && this.training ? this.AuxLogits.forward(h) : null;
    h = this.Mixed_7c.forward(this.Mixed_7b.forward(this.Mixed_7a.forward(h)));
    const logits = this.fc.forward(this.dropout.forward(this.avgpool.forward(h)).flatten(1));
    return { logits, aux };
  }
  forward(x: Tensor): Tensor {
    return this.forwardWithAux(x).logits;
  }
}

/** Inception v3 (27,161,264 parameters with the auxiliary classifier). Input 3×299×299. */
export const inceptionV3 = (opts: InceptionV3Options = {}) => new Inception3(opts);
