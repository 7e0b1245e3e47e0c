/**
 * What the training experiments share: a seeded subset of the bundled MNIST (or of CIFAR-10) held as tensors, and a plain training
 * loop that records per-epoch training loss and accuracy and test accuracy (no early stopping, no checkpoints —
 * experiments want every curve as it is).
 */
import { noGrad } from '../autograd/grad_mode.js';
import * as nn from '../nn/index.js';
import { cifar10, mnist } from '../data/datasets.js';
import type { ImageDataset } from '../data/dataset.js';
import type { Transform } from '../data/transforms.js';
import { datasetInfo } from '../data/registry.js';
import type { AnyModule } from '../nn/module.js';
import { crossEntropy } from '../ops/loss.js';
import type { Optimizer } from '../optim/optimizer.js';
import { tensor } from '../tensor/creation.js';
import { Generator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';

export interface Split {
  /** Images [N, C, H, W], normalized with the dataset's mean and std per channel. */
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

/** A seeded subset of an image dataset's two splits as normalized tensors. */
async function subsetOf(
  name: 'mnist' | 'cifar10',
  load: (train: boolean) => Promise<ImageDataset>,
  trainCount: number,
  testCount: number,
  seed: number,
): Promise<{ train: Split; test: Split }> {
  const { mean, std } = datasetInfo(name).normalization;
  const g = new Generator(seed);
  const split = async (train: boolean, count: number): Promise<Split> => {
    const ds = await load(train);
    const [c, h, w] = ds.sampleShape;
    const chosen = pick(ds.length, count, g);
    const per = c * h * w;
    const plane = h * w;
    const xs = new Float32Array(chosen.length * per);
    const labels = new Int32Array(chosen.length);
    chosen.forEach((src, j) => {
      for (let p = 0; p < per; p++) {
        const ch = Math.floor(p / plane);
        xs[j * per + p] = (ds.images[src * per + p] / 255 - mean[ch]) / std[ch];
      }
      labels[j] = ds.labels[src];
    });
    return { x: tensor(xs, [chosen.length, c, h, w]), y: tensor(labels, [chosen.length]), labels };
  };
  return { train: await split(true, trainCount), test: await split(false, testCount) };
}

/**
 * A seeded subset of MNIST as tensors.
 * Args: trainCount, testCount — images from each split; seed; dataDir — the IDX files (default: the bundled copy).
 */
export function mnistSubset(trainCount: number, testCount: number, seed: number, dataDir?: string): Promise<{ train: Split; test: Split }> {
  return subsetOf('mnist', (train) => mnist({ train, root: dataDir }), trainCount, testCount, seed);
}

/**
 * A seeded subset of CIFAR-10 (binary version) as tensors [N, 3, 32, 32], normalized per channel.
 * Args: trainCount, testCount; seed; dataDir — the folder with data_batch_*.bin(.gz) (default: the cache folder).
 */
export function cifarSubset(trainCount: number, testCount: number, seed: number, dataDir?: string): Promise<{ train: Split; test: Split }> {
  return subsetOf('cifar10', (train) => cifar10({ train, root: dataDir }), trainCount, testCount, seed);
}

/**
 * The data an experiment trains on, by name: the bundled MNIST or CIFAR-10 from `dataDir` (a clear error, naming the
 * experiment and the --set that fixes it, when CIFAR-10 is not there).
 */
export async function loadTask(
  experiment: string,
  dataset: string,
  trainCount: number,
  testCount: number,
  seed: number,
  dataDir?: string,
): Promise<{ data: { train: Split; test: Split }; inChannels: number }> {
  if (dataset === 'mnist') return { data: await mnistSubset(trainCount, testCount, seed, dataDir), inChannels: 1 };
  if (dataset !== 'cifar10') throw new Error(`experiment ${experiment}: dataset must be 'cifar10' or 'mnist', got '${dataset}'`);
  try {
    return { data: await cifarSubset(trainCount, testCount, seed, dataDir), inChannels: 3 };
  } catch (e) {
    throw new Error(
      `experiment ${experiment}: CIFAR-10 is needed at this budget: ${(e as Error).message}. Pass the folder of its binary files (cifar-10-binary.tar.gz unpacked) with --set data=DIR, or run with --quick (MNIST)`,
    );
  }
}

/**
 * A batch transform of the library (data.transforms, written for [0, 1] images: zero fill is a blank pixel) applied
 * to a batch normalized with MNIST's mean and std, with draws from `g`.
 */
export function onNormalized(t: Transform, g: Generator): (x: Tensor) => Tensor {
  const { mean, std } = datasetInfo('mnist').normalization;
  return (x) => {
    const raw = Float32Array.from(x.data(), (v) => v * std[0] + mean[0]);
    const out = t.apply({ x: raw, shape: [...x.shape], y: new Int32Array(x.shape[0]) }, g);
    return tensor(
      out.x.map((v) => (v - mean[0]) / std[0]),
      out.shape,
    );
  };
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

/**
 * "Precise BN" (Wu & Johnson 2021): replaces every BatchNorm's running statistics by their exact average over the
 * first `count` training images in batches of 100 (weights untouched). Early in training at a high learning rate the
 * weights move faster than the running averages follow, and eval mode then misjudges a network that trains well.
 */
export function recalibrateBatchNorm(model: AnyModule, s: Split, count: number): void {
  const bns = [...model.modules()].filter((m): m is nn.BatchNorm2d => m instanceof nn.BatchNorm2d);
  if (!bns.length) return;
  const wasTraining = model.training;
  const momenta = bns.map((b) => b.momentum);
  for (const b of bns) {
    b.momentum = null;
    b.resetRunningStats();
  }
  model.train();
  noGrad(() => {
    for (let i = 0; i < Math.min(count, s.labels.length); i += 100) model.forward(s.x.narrow(0, i, Math.min(100, s.labels.length - i)));
  });
  bns.forEach((b, i) => (b.momentum = momenta[i]));
  model.train(wasTraining);
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
    /** Recalibrate BatchNorm's statistics on this many training images before each test ("precise BN"). */
    preciseBn?: number;
  },
): { logs: EpochLog[]; diverged: boolean; stepLosses: number[]; stepAccuracies: number[] } {
  const { epochs, batchSize = 64, seed = 0 } = opts;
  const n = data.train.labels.length;
  const g = new Generator(seed);
  const logs: EpochLog[] = [];
  const stepLosses: number[] = [];
  const stepAccuracies: number[] = [];
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
      if (!Number.isFinite(value)) return { logs, diverged: true, stepLosses, stepAccuracies };
      loss.backward();
      opt.step();
      step++;
      opts.afterStep?.(step);
      lossSum += value * idx.shape[0];
      const pred = logits.argmax(1).data();
      const ys = y.data();
      let right = 0;
      for (let j = 0; j < pred.length; j++) if (pred[j] === ys[j]) right++;
      correct += right;
      stepAccuracies.push(right / pred.length);
    }
    if (opts.preciseBn) recalibrateBatchNorm(model, data.train, opts.preciseBn);
    const log = { epoch, trainLoss: lossSum / n, trainAcc: correct / n, testAcc: accuracyOn(model, data.test), lr: opt.paramGroups[0].lr as number };
    logs.push(log);
    opts.onEpoch?.(log);
  }
  return { logs, diverged: false, stepLosses, stepAccuracies };
}

/**
 * The small CNN the training experiments share: conv 16 → pool → conv 32 → pool → linear (20,490 parameters);
 * `norm` (if given) builds a normalization layer after each conv, whose bias it makes redundant.
 */
export function smallCnn(norm?: (channels: number) => nn.AnyModule): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 16, 3, { padding: 1, bias: !norm }),
    ...(norm ? [norm(16)] : []),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(16, 32, 3, { padding: 1, bias: !norm }),
    ...(norm ? [norm(32)] : []),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(32 * 7 * 7, 10),
  );
}

/**
 * Three conv blocks (16, 32, 64 channels; the first two max-pooled) and a global-average-pooled linear head, as
 * ResNets end; `norm` (if given) builds the normalization layer after each conv, whose bias it makes redundant.
 */
export function gapCnn(norm?: (channels: number) => nn.AnyModule, inChannels = 1): nn.Sequential {
  const block = (inC: number, outC: number, pool: boolean) => [
    new nn.Conv2d(inC, outC, 3, { padding: 1, bias: !norm }),
    ...(norm ? [norm(outC)] : []),
    new nn.ReLU(),
    ...(pool ? [new nn.MaxPool2d(2)] : []),
  ];
  return new nn.Sequential(
    ...block(inChannels, 16, true),
    ...block(16, 32, true),
    ...block(32, 64, false),
    new nn.AdaptiveAvgPool2d(1),
    new nn.Flatten(),
    new nn.Linear(64, 10),
  );
}

/** [step, mean of the last `k` values] for each step (1-based): per-step losses made readable. */
export function movingAverage(xs: readonly number[], k = 10): [number, number][] {
  return xs.map((_, i) => [i + 1, xs.slice(Math.max(0, i - k + 1), i + 1).reduce((a, b) => a + b, 0) / Math.min(k, i + 1)]);
}
