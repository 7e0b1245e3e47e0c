/** Activation layers: thin wrappers over nn.functional. */
import type { Tensor } from '../../tensor/tensor.js';
import * as F from '../../ops/activation.js';
import { softmax, logSoftmax } from '../../ops/softmax.js';
import { Module } from '../module.js';
import { pyFloat } from '../repr.js';
import { ELEMENTWISE, type LayerInfo } from '../describe.js';

/** An elementwise activation: in place, no parameters, no multiply-adds (`describe`). */
abstract class Activation extends Module {
  override describe(): LayerInfo {
    return ELEMENTWISE;
  }
}

/** max(0, x) */
export class ReLU extends Activation {
  forward(x: Tensor): Tensor {
    return F.relu(x);
  }
}
/** min(max(0, x), 6) */
export class ReLU6 extends Activation {
  forward(x: Tensor): Tensor {
    return F.relu6(x);
  }
}
/** x if x > 0 else negativeSlope·x */
export class LeakyReLU extends Activation {
  constructor(readonly negativeSlope = 0.01) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.leakyRelu(x, this.negativeSlope);
  }
  override extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}`;
  }
}
/** x if x > 0 else alpha·(eˣ − 1) */
export class ELU extends Activation {
  constructor(readonly alpha = 1) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.elu(x, this.alpha);
  }
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}`;
  }
}
export class SELU extends Activation {
  forward(x: Tensor): Tensor {
    return F.selu(x);
  }
}
/** x·Φ(x); approximate 'tanh' for the tanh formula. */
export class GELU extends Activation {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') {
    super();
    if (approximate !== 'none' && approximate !== 'tanh') throw new Error(`GELU: approximate must be 'none' or 'tanh', got '${approximate as string}'`);
  }
  forward(x: Tensor): Tensor {
    return F.gelu(x, { approximate: this.approximate });
  }
  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}
export class SiLU extends Activation {
  forward(x: Tensor): Tensor {
    return F.silu(x);
  }
}
export class Sigmoid extends Activation {
  forward(x: Tensor): Tensor {
    return F.sigmoid(x);
  }
}
export class Tanh extends Activation {
  forward(x: Tensor): Tensor {
    return F.tanh(x);
  }
}
export class Softplus extends Activation {
  constructor(
    readonly beta = 1,
    readonly threshold = 20,
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.softplus(x, this.beta, this.threshold);
  }
  override extraRepr(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}
export class Hardswish extends Activation {
  forward(x: Tensor): Tensor {
    return F.hardswish(x);
  }
}
export class Hardsigmoid extends Activation {
  forward(x: Tensor): Tensor {
    return F.hardsigmoid(x);
  }
}
/** softmax over `dim`. */
export class Softmax extends Activation {
  constructor(readonly dim: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    return softmax(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
export class LogSoftmax extends Activation {
  constructor(readonly dim: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    return logSoftmax(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
/**
 * Maxout: the max over groups of `pieces` consecutive channels (put after a Linear/Conv2d with pieces × units outputs).
 * Shape: [N, units·pieces, ...] → [N, units, ...].
 */
export class Maxout extends Module {
  constructor(
    readonly pieces: number,
    readonly dim = 1,
  ) {
    super();
    if (!Number.isInteger(pieces) || pieces < 1) throw new Error(`Maxout: pieces must be a positive integer, got ${pieces}`);
  }
  forward(x: Tensor): Tensor {
    if (x.ndim <= this.dim || x.shape[this.dim] % this.pieces !== 0) {
      throw this.error(`expected dim ${this.dim} divisible by ${this.pieces} pieces, got shape [${x.shape.join(', ')}]`);
    }
    return F.maxout(x, this.pieces, this.dim);
  }
  override describe(): LayerInfo {
    return { kind: 'compute' };
  }
  override extraRepr(): string {
    return `pieces=${this.pieces}`;
  }
}
