/** Step-wise schedules: LambdaLR, MultiplicativeLR, StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR, InverseSqrtLR. */
import type { Optimizer } from '../optimizer.js';
import { checkPositiveInt, LRScheduler } from './scheduler.js';

type Lambda = (epoch: number) => number;

function lambdas(optimizer: Optimizer, f: Lambda | Lambda[], who: string): Lambda[] {
  if (Array.isArray(f)) {
    if (f.length !== optimizer.paramGroups.length) throw new Error(`${who}: expected ${optimizer.paramGroups.length} lambdas, got ${f.length}`);
    return f;
  }
  if (typeof f !== 'function') throw new Error(`${who}: lrLambda must be a function`);
  return optimizer.paramGroups.map(() => f);
}

/** lr = base_lr · f(epoch). */
export class LambdaLR extends LRScheduler {
  private readonly lrLambdas: Lambda[];
  constructor(optimizer: Optimizer, lrLambda: Lambda | Lambda[], lastEpoch = -1) {
    super(optimizer, lastEpoch);
    this.lrLambdas = lambdas(optimizer, lrLambda, 'LambdaLR');
    this.initialStep();
  }
  protected getLr(): number[] {
    return this.baseLrs.map((b, i) => b * this.lrLambdas[i](this.lastEpoch));
  }
}

/** lr ← lr · f(epoch) after the first step. */
export class MultiplicativeLR extends LRScheduler {
  private readonly lrLambdas: Lambda[];
  constructor(optimizer: Optimizer, lrLambda: Lambda | Lambda[], lastEpoch = -1) {
    super(optimizer, lastEpoch);
    this.lrLambdas = lambdas(optimizer, lrLambda, 'MultiplicativeLR');
    this.initialStep();
  }
  protected getLr(): number[] {
    return this.groups.map((g, i) => (this.lastEpoch > 0 ? g.lr * this.lrLambdas[i](this.lastEpoch) : g.lr));
  }
}

/** lr · gamma every stepSize steps. */
export class StepLR extends LRScheduler {
  constructor(
    optimizer: Optimizer,
    readonly stepSize: number,
    readonly gamma = 0.1,
    lastEpoch = -1,
  ) {
    super(optimizer, lastEpoch);
    checkPositiveInt(stepSize, 'stepSize', 'StepLR');
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

/**
 * lr · gamma at each milestone — the lecture's ResNet recipe is MultiStepLR(opt, [30, 60, 90], 0.1).
 */
export class MultiStepLR extends LRScheduler {
  readonly milestones: number[];
  constructor(
    optimizer: Optimizer,
    milestones: readonly number[],
    readonly gamma = 0.1,
    lastEpoch = -1,
  ) {
    super(optimizer, lastEpoch);
    if (!milestones.every((m, i) => Number.isInteger(m) && (i === 0 || m >= milestones[i - 1]))) {
      throw new Error(`MultiStepLR: milestones must be a non-decreasing list of integers, got ${JSON.stringify(milestones)}`);
    }
    this.milestones = [...milestones];
    this.initialStep();
  }
  protected getLr(): number[] {
    const count = this.milestones.filter((m) => m === this.lastEpoch).length;
    if (count === 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma ** count);
  }
  protected override closedFormLr(): number[] {
    const passed = this.milestones.filter((m) => m <= this.lastEpoch).length;
    return this.baseLrs.map((b) => b * this.gamma ** passed);
  }
}

/** lr · factor for the first totalIters steps, then lr. */
export class ConstantLR extends LRScheduler {
  constructor(
    optimizer: Optimizer,
    readonly factor = 1 / 3,
    readonly totalIters = 5,
    lastEpoch = -1,
  ) {
    super(optimizer, lastEpoch);
    if (!(factor >= 0 && factor <= 1)) throw new Error(`ConstantLR: factor must be in [0, 1], got ${factor}`);
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr * this.factor);
    if (this.lastEpoch !== this.totalIters) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * (1 / this.factor));
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * (this.factor + (this.lastEpoch >= this.totalIters ? 1 : 0) * (1 - this.factor)));
  }
}

/** Linear ramp of the factor from startFactor to endFactor over totalIters steps — the usual warmup. */
export class LinearLR extends LRScheduler {
  constructor(
    optimizer: Optimizer,
    readonly startFactor = 1 / 3,
    readonly endFactor = 1,
    readonly totalIters = 5,
    lastEpoch = -1,
  ) {
    super(optimizer, lastEpoch);
    if (!(startFactor > 0 && startFactor <= 1)) throw new Error(`LinearLR: startFactor must be in (0, 1], got ${startFactor}`);
    if (!(endFactor >= 0 && endFactor <= 1)) throw new Error(`LinearLR: endFactor must be in [0, 1], got ${endFactor}`);
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr * this.startFactor);
    if (this.lastEpoch > this.totalIters) return this.groups.map((g) => g.lr);
    const { startFactor: s, endFactor: e, totalIters: n } = this;
    return this.groups.map((g) => g.lr * (1 + (e - s) / (n * s + (this.lastEpoch - 1) * (e - s))));
  }
  protected override closedFormLr(): number[] {
    const { startFactor: s, endFactor: e, totalIters: n } = this;
    return this.baseLrs.map((b) => b * (s + ((e - s) * Math.min(n, this.lastEpoch)) / n));
  }
}

/** lr · gammaᵗ */
export class ExponentialLR extends LRScheduler {
  constructor(
    optimizer: Optimizer,
    readonly gamma: number,
    lastEpoch = -1,
  ) {
    super(optimizer, lastEpoch);
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch);
  }
}

/** base_lr · (1 − t/T)^power, constant after T. */
export class PolynomialLR extends LRScheduler {
  constructor(
    optimizer: Optimizer,
    readonly totalIters = 5,
    readonly power = 1,
    lastEpoch = -1,
  ) {
    super(optimizer, lastEpoch);
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch > this.totalIters) return this.groups.map((g) => g.lr);
    const f = ((1 - this.lastEpoch / this.totalIters) / (1 - (this.lastEpoch - 1) / this.totalIters)) ** this.power;
    return this.groups.map((g) => g.lr * f);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * (1 - Math.min(this.totalIters, this.lastEpoch) / this.totalIters) ** this.power);
  }
}

/** The lecture's inverse square-root decay: α_t = α₀ / √(t + 1) (α₀ at step 0). Compose with LinearLR for warmup. */
export class InverseSqrtLR extends LambdaLR {
  constructor(optimizer: Optimizer, lastEpoch = -1) {
    super(optimizer, (t) => 1 / Math.sqrt(t + 1), lastEpoch);
  }
}
