/** SequentialLR (e.g. linear warmup then cosine), ChainedScheduler, and ReduceLROnPlateau. */
import type { Optimizer } from '../optimizer.js';
import { LRScheduler, type Group } from './scheduler.js';

/**
 * Runs schedulers one after another, switching at the milestones (PyTorch's SequentialLR).
 * Example (5 warmup steps then cosine): new SequentialLR(opt, [new LinearLR(opt, 0.1, 1, 5), new CosineAnnealingLR(opt, 95)], [5])
 */
export class SequentialLR {
  lastEpoch: number;
  private lastLr: number[];
  constructor(
    readonly optimizer: Optimizer,
    private readonly schedulers: LRScheduler[],
    readonly milestones: number[],
    lastEpoch = -1,
  ) {
    if (schedulers.length === 0) throw new Error('SequentialLR: expected at least one scheduler');
    schedulers.forEach((s, i) => {
      if (s.optimizer !== optimizer) throw new Error(`SequentialLR: scheduler ${i} belongs to a different optimizer`);
    });
    if (milestones.length !== schedulers.length - 1) {
      throw new Error(`SequentialLR: expected ${schedulers.length - 1} milestones for ${schedulers.length} schedulers, got ${milestones.length}`);
    }
    this.lastEpoch = lastEpoch + 1;
    for (const g of optimizer.paramGroups as unknown as Group[]) g.lr = g.initialLr;
    for (const s of schedulers) s.lastEpoch -= 1;
    schedulers[0].initialStep();
    this.lastLr = schedulers[0].getLastLr();
  }

  step(): void {
    this.lastEpoch++;
    let idx = 0;
    while (idx < this.milestones.length && this.milestones[idx] <= this.lastEpoch) idx++;
    const s = this.schedulers[idx];
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) s.step(0);
    else s.step();
    this.lastLr = s.getLastLr();
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): Record<string, unknown> {
    return { lastEpoch: this.lastEpoch, lastLr: [...this.lastLr], schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  loadStateDict(sd: Record<string, unknown>): void {
    this.lastEpoch = sd.lastEpoch as number;
    this.lastLr = [...(sd.lastLr as number[])];
    (sd.schedulers as Record<string, unknown>[]).forEach((s, i) => this.schedulers[i].loadStateDict(s));
  }
}

/** Steps every scheduler each step, multiplying their effects (e.g. a warmup factor times a decay). */
export class ChainedScheduler {
  readonly optimizer: Optimizer;
  private lastLr: number[];
  constructor(private readonly schedulers: LRScheduler[]) {
    if (schedulers.length === 0) throw new Error('ChainedScheduler: expected at least one scheduler');
    this.optimizer = schedulers[0].optimizer;
    schedulers.forEach((s, i) => {
      if (s.optimizer !== this.optimizer) throw new Error(`ChainedScheduler: scheduler ${i} belongs to a different optimizer`);
    });
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }
  step(): void {
    for (const s of this.schedulers) s.step();
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }
  getLastLr(): number[] {
    return [...this.lastLr];
  }
  stateDict(): Record<string, unknown> {
    return { lastLr: [...this.lastLr], schedulers: this.schedulers.map((s) => s.stateDict()) };
  }
  loadStateDict(sd: Record<string, unknown>): void {
    this.lastLr = [...(sd.lastLr as number[])];
    (sd.schedulers as Record<string, unknown>[]).forEach((s, i) => this.schedulers[i].loadStateDict(s));
  }
}

export interface ReduceLROnPlateauOptions {
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  cooldown?: number;
  minLr?: number | number[];
  eps?: number;
}

/** Multiplies the lr by factor when a monitored metric stops improving for more than `patience` steps. */
export class ReduceLROnPlateau {
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLrs: number[];
  readonly eps: number;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLr: number[];

  constructor(
    readonly optimizer: Optimizer,
    opts: ReduceLROnPlateauOptions = {},
  ) {
    this.mode = opts.mode ?? 'min';
    this.factor = opts.factor ?? 0.1;
    this.patience = opts.patience ?? 10;
    this.threshold = opts.threshold ?? 1e-4;
    this.thresholdMode = opts.thresholdMode ?? 'rel';
    this.cooldown = opts.cooldown ?? 0;
    this.eps = opts.eps ?? 1e-8;
    if (!(this.factor < 1)) throw new Error(`ReduceLROnPlateau: factor must be < 1, got ${this.factor}`);
    if (this.mode !== 'min' && this.mode !== 'max') throw new Error(`ReduceLROnPlateau: mode must be 'min' or 'max', got '${this.mode as string}'`);
    if (this.thresholdMode !== 'rel' && this.thresholdMode !== 'abs') throw new Error(`ReduceLROnPlateau: thresholdMode must be 'rel' or 'abs'`);
    const n = optimizer.paramGroups.length;
    const minLr = opts.minLr ?? 0;
    if (Array.isArray(minLr) && minLr.length !== n) throw new Error(`ReduceLROnPlateau: expected ${n} minLr values, got ${minLr.length}`);
    this.minLrs = Array.isArray(minLr) ? [...minLr] : Array(n).fill(minLr);
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  private isBetter(a: number, best: number): boolean {
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - this.threshold) : a < best - this.threshold;
    return this.thresholdMode === 'rel' ? a > best * (this.threshold + 1) : a > best + this.threshold;
  }

  /** Reports the metric for this epoch (e.g. the validation loss). */
  step(metric: number): void {
    if (typeof metric !== 'number' || Number.isNaN(metric)) throw new Error(`ReduceLROnPlateau: metric must be a number, got ${metric}`);
    this.lastEpoch++;
    if (this.isBetter(metric, this.best)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else this.numBadEpochs++;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const next = Math.max(g.lr * this.factor, this.minLrs[i]);
        if (g.lr - next > this.eps) g.lr = next;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }
  stateDict(): Record<string, unknown> {
    return { best: this.best, numBadEpochs: this.numBadEpochs, cooldownCounter: this.cooldownCounter, lastEpoch: this.lastEpoch, lastLr: [...this.lastLr] };
  }
  loadStateDict(sd: Record<string, unknown>): void {
    this.best = sd.best as number;
    this.numBadEpochs = sd.numBadEpochs as number;
    this.cooldownCounter = sd.cooldownCounter as number;
    this.lastEpoch = sd.lastEpoch as number;
    this.lastLr = [...(sd.lastLr as number[])];
  }
}
