/** Classification metrics: top-k correct counts and running means. */
import { noGrad } from '../autograd/grad_mode.js';
import type { Tensor } from '../tensor/tensor.js';

/** Number of rows whose label is among the k largest logits (ties broken by lower index, as torch.topk). */
export function topkCorrect(logits: Tensor, labels: Tensor, k: number): number {
  return noGrad(() => {
    const [n, c] = logits.shape;
    const L = logits.data();
    const Y = labels.data();
    let correct = 0;
    for (let i = 0; i < n; i++) {
      const target = L[i * c + Y[i]];
      let above = 0;
      for (let j = 0; j < c; j++) {
        const v = L[i * c + j];
        if (v > target || (v === target && j < Y[i])) above++;
      }
      if (above < k) correct++;
    }
    return correct;
  });
}

export interface EpochMetrics {
  loss: number;
  acc: number;
  top5: number;
}

/** Accumulates loss (weighted by batch size) and top-1 / top-5 counts over an epoch. */
export class MetricAccumulator {
  private lossSum = 0;
  private n = 0;
  private correct1 = 0;
  private correct5 = 0;
  add(loss: number, logits: Tensor, labels: Tensor): void {
    const b = labels.shape[0];
    this.lossSum += loss * b;
    this.n += b;
    this.correct1 += topkCorrect(logits, labels, 1);
    this.correct5 += topkCorrect(logits, labels, Math.min(5, logits.shape[1]));
  }
  get count(): number {
    return this.n;
  }
  /** The running sums, for a checkpoint taken mid-epoch. */
  state(): { lossSum: number; n: number; correct1: number; correct5: number } {
    return { lossSum: this.lossSum, n: this.n, correct1: this.correct1, correct5: this.correct5 };
  }
  setState(s: { lossSum: number; n: number; correct1: number; correct5: number }): void {
    ({ lossSum: this.lossSum, n: this.n, correct1: this.correct1, correct5: this.correct5 } = s);
  }
  result(): EpochMetrics {
    const n = Math.max(this.n, 1);
    return { loss: this.lossSum / n, acc: this.correct1 / n, top5: this.correct5 / n };
  }
}
