/**
 * Lecture 000 on normalization layers (Wu & He 2018, "Group Normalization", fig. 1): batch norm estimates its
 * statistics from the batch, so its error grows as the batch shrinks; layer, instance and group norm normalize each
 * sample on its own and do not care. A small CNN (three conv blocks, global average pooling) is trained on a CIFAR-10
 * subset with each normalization at batch sizes 2–32 for the same number of epochs, the learning rate scaled linearly
 * with the batch and decayed by a cosine. (On MNIST the penalty does not show: its images are so alike that two of
 * them estimate the statistics well.)
 */
import { figure, lineChart, row, barChart } from '../chart/spec.js';
import * as nn from '../nn/index.js';
import { SGD } from '../optim/sgd.js';
import { manualSeed } from '../tensor/random.js';
import { intSetting, markdownTable, type Experiment } from './experiment.js';
import { gapCnn, loadTask, smallCnn, trainEpochs } from './mnist_task.js';

/** Each normalization, as the GN paper defines them: LN and IN are GN with 1 group and with one group per channel. */
export const NORMALIZATIONS = {
  BatchNorm: (c: number) => new nn.BatchNorm2d(c),
  LayerNorm: (c: number) => new nn.GroupNorm(1, c),
  InstanceNorm: (c: number) => new nn.InstanceNorm2d(c, { affine: true }),
  'GroupNorm (4 channels per group)': (c: number) => new nn.GroupNorm(c / 4, c),
} as const;
export type NormalizationName = keyof typeof NORMALIZATIONS;

export interface NormalizationRun {
  norm: NormalizationName;
  batchSize: number;
  lr: number;
  testError: number;
  diverged: boolean;
  seconds: number;
}

export interface NormalizationResults {
  dataset: string;
  trainImages: number;
  testImages: number;
  epochs: number;
  batchSizes: number[];
  /** The learning rate at batch 32. */
  baseLr: number;
  /** Whether the rate was decayed by a cosine (the full budget) or constant (--quick). */
  cosine: boolean;
  runs: NormalizationRun[];
}

/** The experiment (`convnet experiment normalization`). */
export const NORMALIZATION_EXPERIMENT: Experiment<NormalizationResults> = {
  name: 'normalization',
  lectures: '000',
  claim: "Batch norm's error grows as the batch gets small; layer, instance and group norm do not depend on the batch size",
  description:
    "one CNN with BatchNorm, LayerNorm, InstanceNorm and GroupNorm at batch sizes 2, 4, 8, 16 and 32 on CIFAR-10 (8,000 images × 6 epochs, SGD with momentum 0.9 and weight decay 5e-4, the learning rate 0.05 × batch/32 decayed by a cosine); --quick: MNIST's small CNN at batch sizes 2, 8 and 32, 1,000 images × 3 epochs",
  params: {
    dataset: "'cifar10' (default) or 'mnist' (quick's default)",
    data: 'the folder with the CIFAR-10 binary files (default: the cache folder, ~/.cache/convnet-ts/cifar10)',
    trainImages: 'training images (default 8000; quick 1000)',
    epochs: 'epochs (default 6; quick 3)',
    lr: 'the learning rate at batch 32, scaled linearly for the others (default 0.05; quick 0.02)',
  },
  async run({ quick, seed, onProgress, params }) {
    const dataset = params.dataset ?? (quick ? 'mnist' : 'cifar10');
    const trainImages = intSetting('normalization', params, 'trainImages', quick ? 1000 : 8000);
    const epochs = intSetting('normalization', params, 'epochs', quick ? 3 : 6);
    const baseLr = params.lr === undefined ? (quick ? 0.02 : 0.05) : Number(params.lr);
    if (!(baseLr > 0 && baseLr < 10)) throw new Error(`experiment normalization: lr must be a number in (0, 10), got '${params.lr}'`);
    const testImages = quick ? 1000 : 2000;
    const batchSizes = quick ? [2, 8, 32] : [2, 4, 8, 16, 32];
    const { data, inChannels } = await loadTask('normalization', dataset, trainImages, testImages, seed, params.data);
    // MNIST keeps the quick run's small CNN (fast enough for the tests); CIFAR-10 gets the deeper one.
    const build = (norm: NormalizationName) => (dataset === 'mnist' ? smallCnn(NORMALIZATIONS[norm]) : gapCnn(NORMALIZATIONS[norm], inChannels));
    const names = Object.keys(NORMALIZATIONS) as NormalizationName[];
    const runs: NormalizationRun[] = [];
    for (const norm of names)
      for (const batchSize of batchSizes) {
        manualSeed(seed + 1);
        const model = build(norm);
        const lr = (baseLr * batchSize) / 32;
        const opt = new SGD(model.parameters(), { lr, momentum: 0.9, weightDecay: quick ? 0 : 5e-4 });
        const totalSteps = Math.ceil(trainImages / batchSize) * epochs;
        const t0 = performance.now();
        const r = trainEpochs(model, opt, data, {
          epochs,
          batchSize,
          seed: seed + 2,
          // Cosine decay per step (quick: constant, as it ran before).
          afterStep: quick ? undefined : (step) => (opt.paramGroups[0].lr = lr * 0.5 * (1 + Math.cos((Math.PI * step) / totalSteps))),
        });
        const testError = r.diverged ? 90 : 100 - r.logs.at(-1)!.testAcc * 100;
        runs.push({ norm, batchSize, lr, testError, diverged: r.diverged, seconds: Math.round((performance.now() - t0) / 100) / 10 });
        onProgress(`${norm}, batch ${batchSize}: test error ${testError.toFixed(1)}%`);
      }

    const err = (norm: NormalizationName, b: number) => runs.find((r) => r.norm === norm && r.batchSize === b)!.testError;
    const spread = (norm: NormalizationName) => {
      const es = batchSizes.map((b) => err(norm, b));
      return Math.max(...es) - Math.min(...es);
    };
    const gn = names[3];
    const bnRise = err('BatchNorm', 2) - err('BatchNorm', 32);
    const f = (v: number) => `${v.toFixed(1)}%`;
    const others = names.filter((n) => n !== 'BatchNorm');
    const results: NormalizationResults = { dataset, trainImages, testImages, epochs, batchSizes, baseLr, cosine: !quick, runs };
    return {
      results,
      figure: normalizationFigure(results),
      table: markdownTable(
        ['normalization', ...batchSizes.map((b) => `batch ${b}`), 'spread'],
        names.map((norm) => [norm, ...batchSizes.map((b) => f(err(norm, b))), `${spread(norm).toFixed(1)} points`]),
      ),
      verdict: {
        holds: bnRise > 2 && others.every((n) => spread(n) < spread('BatchNorm') / 2),
        measured:
          `BatchNorm ${f(err('BatchNorm', 2))} at batch 2 vs ${f(err('BatchNorm', 32))} at 32 (spread ${spread('BatchNorm').toFixed(1)} points); ` +
          others.map((n) => `${n.split(' ')[0]} spread ${spread(n).toFixed(1)}`).join(', ') +
          ` (GroupNorm ${f(err(gn, 2))} at batch 2)`,
        criterion:
          "BN's test error at batch 2 is more than 2 points above its error at batch 32, and the error of each other normalization varies across batch sizes by less than half as much as BN's",
      },
    };
  },
};

/** The figure of a run (from its results, so a committed results.json can be drawn again). */
export function normalizationFigure(r: NormalizationResults) {
  const { dataset, trainImages, epochs, batchSizes, baseLr, runs, cosine } = r;
  const names = Object.keys(NORMALIZATIONS) as NormalizationName[];
  const err = (norm: NormalizationName, b: number) => runs.find((x) => x.norm === norm && x.batchSize === b)!.testError;
  const last = batchSizes[batchSizes.length - 1];
  return figure(
    row(
      [
        lineChart({
          title: 'test error vs batch size',
          x: { title: 'images per batch (log scale)', log: true, domain: [batchSizes[0], last] },
          y: { title: 'test error (%)', zero: true },
          series: names.map((norm) => ({ name: norm, points: batchSizes.map((b) => [b, err(norm, b)] as [number, number]) })),
          width: 320,
          height: 240,
        }),
        barChart({
          title: `error at batch ${batchSizes[0]} minus error at batch ${last}`,
          rows: names.map((norm) => ({ label: norm, value: Math.round((err(norm, batchSizes[0]) - err(norm, last)) * 10) / 10 })),
          axis: { title: 'points of test error' },
          width: 220,
        }),
      ],
      { shareLegend: false },
    ),
    "Batch norm needs a batch; group, layer and instance norm don't",
    {
      subtitle: `${dataset === 'mnist' ? 'MNIST' : 'CIFAR-10'}, ${trainImages.toLocaleString('en')} training images, ${epochs} epoch${epochs > 1 ? 's' : ''}, SGD lr ${baseLr} × batch/32${cosine ? ' with cosine decay' : ''}, momentum 0.9`,
    },
  );
}
