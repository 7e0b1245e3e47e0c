/** CosineAnnealingLR and OneCycleLR. */
import type { Optimizer } from '../optimizer.js';
import { checkPositiveInt, LRScheduler } from './scheduler.js';

/**
 * Cosine annealing from the base lr to etaMin over tMax steps: α_t = η_min + ½(α₀ − η_min)(1 + cos(tπ/T))
 * (the lecture's ½α₀(1 + cos(tπ/T)) with η_min = 0), computed recursively as PyTorch does.
 */
export class CosineAnnealingLR extends LRScheduler {
  constructor(
    optimizer: Optimizer,
    readonly tMax: number,
    readonly etaMin = 0,
    lastEpoch = -1,
  ) {
    super(optimizer, lastEpoch);
    checkPositiveInt(tMax, 'tMax', 'CosineAnnealingLR');
    this.initialStep();
  }
  protected getLr(): number[] {
    const { lastEpoch: t, tMax: T, etaMin } = this;
    if (t === 0) return this.groups.map((g) => g.lr);
    if (this.stepCount === 1 && t > 0) return this.baseLrs.map((b) => etaMin + ((b - etaMin) * (1 + Math.cos((t * Math.PI) / T))) / 2);
    if ((((t - 1 - T) % (2 * T)) + 2 * T) % (2 * T) === 0) {
      return this.groups.map((g, i) => g.lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return this.groups.map((g) => ((1 + Math.cos((Math.PI * t) / T)) / (1 + Math.cos((Math.PI * (t - 1)) / T))) * (g.lr - etaMin) + etaMin);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax))) / 2);
  }
}

export interface OneCycleOptions {
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  pctStart?: number;
  annealStrategy?: 'cos' | 'linear';
  cycleMomentum?: boolean;
  baseMomentum?: number;
  maxMomentum?: number;
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
}

interface Phase {
  endStep: number;
  startLr: string;
  endLr: string;
  startMomentum: string;
  endMomentum: string;
}

/**
 * The 1cycle policy (Smith): warm up from maxLr/divFactor to maxLr over pctStart of the steps, then anneal to
 * initialLr/finalDivFactor; momentum (or Adam's β₁) cycles inversely. Call step() after every batch.
 */
export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  private readonly phases: Phase[];
  private readonly anneal: (start: number, end: number, pct: number) => number;
  private readonly cycleMomentum: boolean;
  private readonly useBeta1: boolean;

  constructor(optimizer: Optimizer, maxLr: number | number[], opts: OneCycleOptions = {}) {
    const groups = optimizer.paramGroups as unknown as Record<string, unknown>[];
    const {
      pctStart = 0.3,
      annealStrategy = 'cos',
      cycleMomentum = true,
      baseMomentum = 0.85,
      maxMomentum = 0.95,
      divFactor = 25,
      finalDivFactor = 1e4,
      threePhase = false,
    } = opts;
    let total: number;
    if (opts.totalSteps !== undefined) {
      checkPositiveInt(opts.totalSteps, 'totalSteps', 'OneCycleLR');
      total = opts.totalSteps;
    } else if (opts.epochs !== undefined && opts.stepsPerEpoch !== undefined) {
      checkPositiveInt(opts.epochs, 'epochs', 'OneCycleLR');
      checkPositiveInt(opts.stepsPerEpoch, 'stepsPerEpoch', 'OneCycleLR');
      total = opts.epochs * opts.stepsPerEpoch;
    } else throw new Error('OneCycleLR: give totalSteps, or epochs and stepsPerEpoch');
    if (!(pctStart >= 0 && pctStart <= 1)) throw new Error(`OneCycleLR: pctStart must be in [0, 1], got ${pctStart}`);
    if (annealStrategy !== 'cos' && annealStrategy !== 'linear')
      throw new Error(`OneCycleLR: annealStrategy must be 'cos' or 'linear', got '${annealStrategy as string}'`);
    const per = <T>(v: T | T[], name: string): T[] => {
      if (Array.isArray(v)) {
        if (v.length !== groups.length) throw new Error(`OneCycleLR: expected ${groups.length} values for ${name}, got ${v.length}`);
        return v;
      }
      return groups.map(() => v);
    };
    const maxLrs = per(maxLr, 'maxLr');
    groups.forEach((g, i) => {
      g.initialLr = maxLrs[i] / divFactor;
      g.maxLr = maxLrs[i];
      g.minLr = maxLrs[i] / divFactor / finalDivFactor;
    });
    const hasMomentum = 'momentum' in optimizer.defaults;
    const hasBetas = 'betas' in optimizer.defaults;
    if (cycleMomentum) {
      if (!hasMomentum && !hasBetas) throw new Error('OneCycleLR: the optimizer must support momentum (or betas) when cycleMomentum is on');
      groups.forEach((g) => {
        if (hasBetas) g.betas = [maxMomentum, ...(g.betas as number[]).slice(1)];
        else g.momentum = maxMomentum;
        g.maxMomentum = maxMomentum;
        g.baseMomentum = baseMomentum;
      });
    }
    super(optimizer, -1);
    this.totalSteps = total;
    this.cycleMomentum = cycleMomentum;
    this.useBeta1 = hasBetas;
    this.anneal =
      annealStrategy === 'cos'
        ? (start, end, pct) => end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1)
        : (start, end, pct) => (end - start) * pct + start;
    this.phases = threePhase
      ? [
          { endStep: pctStart * total - 1, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
          { endStep: 2 * pctStart * total - 2, startLr: 'maxLr', endLr: 'initialLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
          { endStep: total - 1, startLr: 'initialLr', endLr: 'minLr', startMomentum: 'maxMomentum', endMomentum: 'maxMomentum' },
        ]
      : [
          { endStep: pctStart * total - 1, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
          { endStep: total - 1, startLr: 'maxLr', endLr: 'minLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
        ];
    this.initialStep();
  }

  protected getLr(): number[] {
    const t = this.lastEpoch;
    if (t > this.totalSteps) throw new Error(`OneCycleLR: tried to step ${t + 1} times; the schedule has ${this.totalSteps} steps`);
    return this.groups.map((g) => {
      let start = 0;
      for (let i = 0; i < this.phases.length; i++) {
        const ph = this.phases[i];
        if (t <= ph.endStep || i === this.phases.length - 1) {
          const pct = (t - start) / (ph.endStep - start);
          const lr = this.anneal(g[ph.startLr], g[ph.endLr], pct);
          if (this.cycleMomentum) {
            const m = this.anneal(g[ph.startMomentum], g[ph.endMomentum], pct);
            if (this.useBeta1) g.betas = [m, ...(g.betas as number[]).slice(1)];
            else g.momentum = m;
          }
          return lr;
        }
        start = ph.endStep;
      }
      return g.lr;
    });
  }
}
