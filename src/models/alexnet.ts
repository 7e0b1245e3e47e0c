/** AlexNet: torchvision's 64/192/384/256/256 variant (the lectures' table). */
import * as nn from '../nn/index.js';
import type { Tensor } from '../tensor/tensor.js';

export interface ClassifierOptions {
  numClasses?: number;
  /** Dropout probability of the classifier. */
  dropout?: number;
}

/**
 * AlexNet as in torchvision (the one-GPU "one weird trick" layout): features → AdaptiveAvgPool2d(6) → classifier.
 * Input 3×224×224 (the lectures' table uses 227×227; both give 6×6 before the classifier). 61,100,840 parameters.
 */
export class AlexNet extends nn.Module {
  features = new nn.Sequential(
    new nn.Conv2d(3, 64, 11, { stride: 4, padding: 2 }),
    new nn.ReLU(),
    new nn.MaxPool2d(3, { stride: 2 }),
    new nn.Conv2d(64, 192, 5, { padding: 2 }),
    new nn.ReLU(),
    new nn.MaxPool2d(3, { stride: 2 }),
    new nn.Conv2d(192, 384, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.Conv2d(384, 256, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.Conv2d(256, 256, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(3, { stride: 2 }),
  );
  avgpool = new nn.AdaptiveAvgPool2d([6, 6]);
  classifier: nn.Sequential;
  constructor(opts: ClassifierOptions = {}) {
    super();
    const p = opts.dropout ?? 0.5;
    this.classifier = new nn.Sequential(
      new nn.Dropout(p),
      new nn.Linear(256 * 6 * 6, 4096),
      new nn.ReLU(),
      new nn.Dropout(p),
      new nn.Linear(4096, 4096),
      new nn.ReLU(),
      new nn.Linear(4096, opts.numClasses ?? 1000),
    );
  }
  forward(x: Tensor): Tensor {
    return this.classifier.forward(this.avgpool.forward(this.features.forward(x)).flatten(1));
  }
}

/** AlexNet, torchvision's variant (models.create('alexnet')). */
export function alexnet(opts: ClassifierOptions = {}): AlexNet {
  return new AlexNet(opts);
}
