/** GoogLeNet / Inception v1 (Szegedy et al. 2015) in torchvision's layout, with optional auxiliary classifiers. */
import * as nn from '../nn/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { cat } from '../ops/shape.js';
import { relu } from '../ops/activation.js';
import { adaptiveAvgPool2d } from '../ops/pool.js';
import { dropout } from '../ops/dropout.js';
import { truncNormal, constant } from '../nn/init.js';

/** conv (no bias) → BatchNorm (eps 1e-3) → ReLU. */
export class BasicConv2d extends nn.Module {
  conv: nn.Conv2d;
  bn: nn.BatchNorm2d;
  constructor(inC: number, outC: number, k: number | [number, number], opts: { stride?: number; padding?: number | [number, number] } = {}) {
    super();
    this.conv = new nn.Conv2d(inC, outC, k, { ...opts, bias: false });
    this.bn = new nn.BatchNorm2d(outC, { eps: 0.001 });
  }
  forward(x: Tensor): Tensor {
    return relu(this.bn.forward(this.conv.forward(x)));
  }
}

/** Four parallel branches (1×1; 1×1→3×3; 1×1→3×3; 3×3 max-pool→1×1) concatenated along channels. */
export class Inception extends nn.Module {
  branch1: BasicConv2d;
  branch2: nn.Sequential;
  branch3: nn.Sequential;
  branch4: nn.Sequential;
  constructor(inC: number, ch1x1: number, ch3x3red: number, ch3x3: number, ch5x5red: number, ch5x5: number, poolProj: number) {
    super();
    this.branch1 = new BasicConv2d(inC, ch1x1, 1);
    this.branch2 = new nn.Sequential(new BasicConv2d(inC, ch3x3red, 1), new BasicConv2d(ch3x3red, ch3x3, 3, { padding: 1 }));
    // torchvision keeps a 3×3 here where the paper has 5×5 (its weights were trained that way).
    this.branch3 = new nn.Sequential(new BasicConv2d(inC, ch5x5red, 1), new BasicConv2d(ch5x5red, ch5x5, 3, { padding: 1 }));
    this.branch4 = new nn.Sequential(new nn.MaxPool2d(3, { stride: 1, padding: 1, ceilMode: true }), new BasicConv2d(inC, poolProj, 1));
  }
  forward(x: Tensor): Tensor {
    return cat([this.branch1.forward(x), this.branch2.forward(x), this.branch3.forward(x), this.branch4.forward(x)], 1);
  }
}

/** The auxiliary classifier attached to inception4a/4d during training. */
export class InceptionAux extends nn.Module {
  conv: BasicConv2d;
  fc1 = new nn.Linear(2048, 1024);
  fc2: nn.Linear;
  constructor(
    inC: number,
    numClasses: number,
    readonly dropoutP = 0.7,
  ) {
    super();
    this.conv = new BasicConv2d(inC, 128, 1);
    this.fc2 = new nn.Linear(1024, numClasses);
  }
  forward(x: Tensor): Tensor {
    const h = relu(this.fc1.forward(this.conv.forward(adaptiveAvgPool2d(x, [4, 4])).flatten(1)));
    return this.fc2.forward(dropout(h, this.dropoutP, { training: this.training }));
  }
}

/**
 * GoogLeNet: stem, nine Inception modules, global average pooling, dropout, fc. 6,624,904 parameters without the
 * auxiliary classifiers. forward() returns the main logits; forwardWithAux() also the auxiliary ones (training).
 */
export class GoogLeNet extends nn.Module {
  conv1 = new BasicConv2d(3, 64, 7, { stride: 2, padding: 3 });
  maxpool1 = new nn.MaxPool2d(3, { stride: 2, ceilMode: true });
  conv2 = new BasicConv2d(64, 64, 1);
  conv3 = new BasicConv2d(64, 192, 3, { padding: 1 });
  maxpool2 = new nn.MaxPool2d(3, { stride: 2, ceilMode: true });
  inception3a = new Inception(192, 64, 96, 128, 16, 32, 32);
  inception3b = new Inception(256, 128, 128, 192, 32, 96, 64);
  maxpool3 = new nn.MaxPool2d(3, { stride: 2, ceilMode: true });
  inception4a = new Inception(480, 192, 96, 208, 16, 48, 64);
  inception4b = new Inception(512, 160, 112, 224, 24, 64, 64);
  inception4c = new Inception(512, 128, 128, 256, 24, 64, 64);
  inception4d = new Inception(512, 112, 144, 288, 32, 64, 64);
  inception4e = new Inception(528, 256, 160, 320, 32, 128, 128);
  maxpool4 = new nn.MaxPool2d(2, { stride: 2, ceilMode: true });
  inception5a = new Inception(832, 256, 160, 320, 32, 128, 128);
  inception5b = new Inception(832, 384, 192, 384, 48, 128, 128);
  aux1: InceptionAux | null;
  aux2: InceptionAux | null;
  avgpool = new nn.AdaptiveAvgPool2d([1, 1]);
  dropout: nn.Dropout;
  fc: nn.Linear;
  constructor(opts: { numClasses?: number; auxLogits?: boolean; dropout?: number; dropoutAux?: number } = {}) {
    super();
    const nc = opts.numClasses ?? 1000;
    this.aux1 = opts.auxLogits ? new InceptionAux(512, nc, opts.dropoutAux ?? 0.7) : null;
    this.aux2 = opts.auxLogits ? new InceptionAux(528, nc, opts.dropoutAux ?? 0.7) : null;
    this.dropout = new nn.Dropout(opts.dropout ?? 0.2);
    this.fc = new nn.Linear(1024, nc);
    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d || m instanceof nn.Linear) truncNormal(m.weight, 0, 0.01, -2, 2);
      else if (m instanceof nn.BatchNorm2d) {
        constant(m.weight!, 1);
        constant(m.bias!, 0);
      }
    }
  }
  forwardWithAux(x: Tensor): { logits: Tensor; aux1: Tensor | null; aux2: Tensor | null } {
    let h = this.maxpool1.forward(this.conv1.forward(x));
    h = this.maxpool2.forward(this.conv3.forward(this.conv2.forward(h)));
    h = this.maxpool3.forward(this.inception3b.forward(this.inception3a.forward(h)));
    h = this.inception4a.forward(h);
    const a1 = this.aux1 && this.training ? this.aux1.forward(h) : null;
    h = this.inception4d.forward(this.inception4c.forward(this.inception4b.forward(h)));
    const a2 = this.aux2 && this.training ? this.aux2.forward(h) : null;
    h = this.maxpool4.forward(this.inception4e.forward(h));
    h = this.inception5b.forward(this.inception5a.forward(h));
    const logits = this.fc.forward(this.dropout.forward(this.avgpool.forward(h).flatten(1)));
    return { logits, aux1: a1, aux2: a2 };
  }
  forward(x: Tensor): Tensor {
    return this.forwardWithAux(x).logits;
  }
}

/** GoogLeNet / Inception v1 (auxLogits: the auxiliary classifiers). */
export function googlenet(opts: ConstructorParameters<typeof GoogLeNet>[0] = {}): GoogLeNet {
  return new GoogLeNet(opts);
}
