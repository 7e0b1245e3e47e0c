/** SqueezeNet 1.0 and 1.1 (Iandola et al.) in torchvision's layout. */
import * as nn from '../nn/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { cat } from '../ops/shape.js';
import { kaimingUniform, normal, zeros } from '../nn/init.js';

/** Squeeze with 1×1 convs, then expand with parallel 1×1 and 3×3 convs whose outputs are concatenated. */
export class Fire extends nn.Module {
  squeeze: nn.Conv2d;
  squeeze_activation = new nn.ReLU();
  expand1x1: nn.Conv2d;
  expand1x1_activation = new nn.ReLU();
  expand3x3: nn.Conv2d;
  expand3x3_activation = new nn.ReLU();
  constructor(inC: number, squeeze: number, e1: number, e3: number) {
    super();
    this.squeeze = new nn.Conv2d(inC, squeeze, 1);
    this.expand1x1 = new nn.Conv2d(squeeze, e1, 1);
    this.expand3x3 = new nn.Conv2d(squeeze, e3, 3, { padding: 1 });
  }
  forward(x: Tensor): Tensor {
    const s = this.squeeze_activation.forward(this.squeeze.forward(x));
    return cat([this.expand1x1_activation.forward(this.expand1x1.forward(s)), this.expand3x3_activation.forward(this.expand3x3.forward(s))], 1);
  }
}

/** SqueezeNet: AlexNet-level accuracy with 50× fewer parameters; version '1_0' or '1_1'. Input 3×224×224. */
export class SqueezeNet extends nn.Module {
  features: nn.Sequential;
  classifier: nn.Sequential;
  constructor(
    readonly version: '1_0' | '1_1' = '1_0',
    opts: { numClasses?: number; dropout?: number } = {},
  ) {
    super();
    const pool = () => new nn.MaxPool2d(3, { stride: 2, ceilMode: true });
    this.features =
      version === '1_0'
        ? new nn.Sequential(
            new nn.Conv2d(3, 96, 7, { stride: 2 }),
            new nn.ReLU(),
            pool(),
            new Fire(96, 16, 64, 64),
            new Fire(128, 16, 64, 64),
            new Fire(128, 32, 128, 128),
            pool(),
            new Fire(256, 32, 128, 128),
            new Fire(256, 48, 192, 192),
            new Fire(384, 48, 192, 192),
            new Fire(384, 64, 256, 256),
            pool(),
            new Fire(512, 64, 256, 256),
          )
        : new nn.Sequential(
            new nn.Conv2d(3, 64, 3, { stride: 2 }),
            new nn.ReLU(),
            pool(),
            new Fire(64, 16, 64, 64),
            new Fire(128, 16, 64, 64),
            pool(),
            new Fire(128, 32, 128, 128),
            new Fire(256, 32, 128, 128),
            pool(),
            new Fire(256, 48, 192, 192),
            new Fire(384, 48, 192, 192),
            new Fire(384, 64, 256, 256),
            new Fire(512, 64, 256, 256),
          );
    const finalConv = new nn.Conv2d(512, opts.numClasses ?? 1000, 1);
    this.classifier = new nn.Sequential(new nn.Dropout(opts.dropout ?? 0.5), finalConv, new nn.ReLU(), new nn.AdaptiveAvgPool2d([1, 1]));
    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d) {
        if (m === finalConv) normal(m.weight, 0, 0.01);
        else kaimingUniform(m.weight);
        if (m.bias) zeros(m.bias);
      }
    }
  }
  forward(x: Tensor): Tensor {
    return this.classifier.forward(this.features.forward(x)).flatten(1);
  }
}

/** SqueezeNet 1.0. */
export function squeezenet1_0(opts: ConstructorParameters<typeof SqueezeNet>[1] = {}): SqueezeNet {
  return new SqueezeNet('1_0', opts);
}
/** SqueezeNet 1.1 (2.4× less computation than 1.0). */
export function squeezenet1_1(opts: ConstructorParameters<typeof SqueezeNet>[1] = {}): SqueezeNet {
  return new SqueezeNet('1_1', opts);
}
