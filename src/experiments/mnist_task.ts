/**
 * What the training experiments share: a seeded subset of the bundled MNIST held as tensors, and a plain training
 * loop that records per-epoch training loss and accuracy and test accuracy (no early stopping, no checkpoints —
 * experiments want every curve as it is).
 */
import { noGrad } from '../autograd/grad_mode.js';
import * as nn from '../nn/index.js';
import { mnist } from '../data/datasets.js';
import { datasetInfo } from '../data/registry.js';
import type { AnyModule } from '../nn/module.js';
import { crossEntropy } from '../ops/loss.js';
import type { Optimizer } from '../optim/optimizer.js';
import { tensor } from '../tensor/creation.js';
import { Generator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';

export interface Split {
  /** Images [N, 1, 28, 28], normalized with MNIST's mean and std. */
  x: Tensor;
  y: Tensor;
  labels: Int32Array;
}

/** The value a blank (0) pixel has after normalization: what shifted-in pixels are. */
export function mnistBackground(): number {
  const { mean, std } = datasetInfo('mnist').normalization;
  return (0 - mean[0]) / std[0];
}

/** `count` images drawn without replacement (seeded) from `n`, in a fixed order. */
function pick(n: number, count: number, g: Generator): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < Math.min(count, n); i++) {
    const j = i + Math.floor(g.random() * (n - i));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx.slice(0, Math.min(count, n));
}

/**
 * A seeded subset of MNIST as tensors.
 * Args: trainCount, testCount — images from each split; seed; dataDir — the IDX files (default: the bundled copy).
 */
export async function mnistSubset(trainCount: number, testCount: number, seed: number, dataDir?: string): Promise<{ train: Split; test: Split }> {
  const { mean, std } = datasetInfo('mnist').normalization;
  const g = new Generator(seed);
  const split = async (train: boolean, count: number): Promise<Split> => {
    const ds = await mnist({ train, root: dataDir });
    const chosen = pick(ds.length, count, g);
    const per = 28 * 28;
    const xs = new Float32Array(chosen.length * per);
    const labels = new Int32Array(chosen.length);
    chosen.forEach((src, j) => {
      for (let p = 0; p < per; p++) xs[j * per + p] = (ds.images[src * per + p] / 255 - mean[0]) / std[0];
      labels[j] = ds.labels[src];
    });
    return { x: tensor(xs, [chosen.length, 1, 28, 28]), y: tensor(labels, [chosen.length]), labels };
  };
  return { train: await split(true, trainCount), test: await split(false, testCount) };
}

/** Top-1 accuracy of `model` (eval mode, no gradients) on a split, in batches. */
export function accuracyOn(model: AnyModule, s: Split, batch = 500): number {
  const wasTraining = model.training;
  model.eval();
  let correct = 0;
  noGrad(() => {
    for (let i = 0; i < s.labels.length; i += batch) {
      const n = Math.min(batch, s.labels.length - i);
      const pred = (model.forward(s.x.narrow(0, i, n)) as Tensor).argmax(1).data();
      for (let j = 0; j < n; j++) if (pred[j] === s.labels[i + j]) correct++;
    }
  });
  model.train(wasTraining);
  return correct / s.labels.length;
}

export interface EpochLog {
  epoch: number;
  trainLoss: number;
  trainAcc: number;
  testAcc: number;
  /** The learning rate of the first group during the epoch's last step. */
  lr: number;
}

/**
 * Trains with shuffled mini-batches (seeded), calling `afterStep` after each step (a scheduler, a logger) and
 * `transform` on each batch (augmentation); stops early, marking the run diverged, when the loss stops being finite.
 */
export function trainEpochs(
  model: AnyModule,
  opt: Optimizer,
  data: { train: Split; test: Split },
  opts: {
    epochs: number;
    batchSize?: number;
    seed?: number;
    afterStep?: (step: number) => void;
    transform?: (x: Tensor) => Tensor;
    /** Extra loss terms (weight penalties), added to the cross-entropy. */
    penalty?: () => Tensor | null;
    onEpoch?: (log: EpochLog) => void;
  },
): { logs: EpochLog[]; diverged: boolean; stepLosses: number[] } {
  const { epochs, batchSize = 64, seed = 0 } = opts;
  const n = data.train.labels.length;
  const g = new Generator(seed);
  const logs: EpochLog[] = [];
  const stepLosses: number[] = [];
  let step = 0;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    model.train();
    const order = pick(n, n, g);
    let lossSum = 0;
    let correct = 0;
    for (let i = 0; i < n; i += batchSize) {
      const idx = tensor(Int32Array.from(order.slice(i, i + batchSize)), [Math.min(batchSize, n - i)]);
      let x = data.train.x.indexSelect(0, idx);
      const y = data.train.y.indexSelect(0, idx);
      if (opts.transform) x = opts.transform(x);
      opt.zeroGrad();
      const logits = model.forward(x) as Tensor;
      let loss = crossEntropy(logits, y);
      const extra = opts.penalty?.();
      if (extra) loss = loss.add(extra);
      const value = loss.item();
      stepLosses.push(value);
      if (!Number.isFinite(value)) return { logs, diverged: true, stepLosses };
      loss.backward();
      opt.step();
      step++;
      opts.afterStep?.(step);
      lossSum += value * idx.shape[0];
      const pred = logits.argmax(1).data();
      const ys = y.data();
      for (let j = 0; j < pred.length; j++) if (pred[j] === ys[j]) correct++;
    }
    const log = { epoch, trainLoss: lossSum / n, trainAcc: correct / n, testAcc: accuracyOn(model, data.test), lr: opt.paramGroups[0].lr as number };
    logs.push(log);
    opts.onEpoch?.(log);
  }
  return { logs, diverged: false, stepLosses };
}

/** The small CNN the training experiments share: conv 16 → pool → conv 32 → pool → linear (20,490 parameters). */
export function smallCnn(): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 16, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(16, 32, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(32 * 7 * 7, 10),
  );
}

/** [step, mean of the last `k` values] for each step (1-based): per-step losses made readable. */
export function movingAverage(xs: readonly number[], k = 10): [number, number][] {
  return xs.map((_, i) => [i + 1, xs.slice(Math.max(0, i - k + 1), i + 1).reduce((a, b) => a + b, 0) / Math.min(k, i + 1)]);
}
