/**
 * LRScheduler base, a transcription of PyTorch's _LRScheduler: the learning rate of every parameter group is
 * recomputed on each step() from the previous one (PyTorch's chainable get_lr formulas), so sequences agree with
 * PyTorch's exactly; step(epoch) uses the closed form where one exists. Subclasses set their fields, then call
 * initialStep() at the end of their constructor (PyTorch's __init__ performs that first step).
 */
import type { Optimizer } from '../optimizer.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- schedulers read and write the hyper-parameters of any optimizer's groups by name.
export type Group = Record<string, any>;

export abstract class LRScheduler {
  /** The learning rate each group started from (group.initialLr). */
  readonly baseLrs: number[];
  /** Index of the last step taken (−1 before the first). */
  lastEpoch: number;
  protected stepCount = 0;
  protected lastLr: number[] = [];

  constructor(
    readonly optimizer: Optimizer,
    lastEpoch = -1,
  ) {
    if (!optimizer || !Array.isArray(optimizer.paramGroups)) throw new Error(`${this.constructor.name}: expected an Optimizer`);
    const groups = this.groups;
    if (lastEpoch === -1) {
      for (const g of groups) if (g.initialLr === undefined) g.initialLr = g.lr;
    } else {
      groups.forEach((g, i) => {
        if (g.initialLr === undefined) throw new Error(`${this.constructor.name}: param group ${i} has no initialLr to resume from (lastEpoch ${lastEpoch})`);
      });
    }
    this.baseLrs = groups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
  }

  protected get groups(): Group[] {
    return this.optimizer.paramGroups as unknown as Group[];
  }

  /** PyTorch's _initial_step: resets the counter and takes step 0. */
  initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** The learning rates for lastEpoch, from the current ones (chainable form). */
  protected abstract getLr(): number[];

  /** The learning rates for lastEpoch from the base rates, where a closed form exists. */
  protected closedFormLr?(): number[];

  /** Advances one step (or jumps to `epoch`, using the closed form) and writes the new rates into the groups. */
  step(epoch?: number): void {
    this.stepCount++;
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch++;
      values = this.getLr();
    } else {
      this.lastEpoch = epoch;
      values = this.closedFormLr ? this.closedFormLr() : this.getLr();
    }
    this.groups.forEach((g, i) => (g.lr = values[i]));
    this.lastLr = this.groups.map((g) => g.lr as number);
  }

  /** The learning rates set by the last step, one per group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Everything but the optimizer (and functions), for checkpoints. */
  stateDict(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this)) {
      if (k === 'optimizer' || typeof v === 'function') continue;
      out[k] = Array.isArray(v) ? [...v] : v;
    }
    return out;
  }

  loadStateDict(sd: Record<string, unknown>): void {
    for (const [k, v] of Object.entries(sd)) {
      if (k === 'optimizer' || !(k in this)) continue;
      (this as Record<string, unknown>)[k] = Array.isArray(v) ? [...v] : v;
    }
  }
}

export function checkPositiveInt(v: number, name: string, who: string): void {
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${who}: ${name} must be a positive integer, got ${v}`);
}
