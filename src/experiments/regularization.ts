/**
 * Lecture 003 on regularization: the small CNN trained on only 1,000 MNIST images overfits — training accuracy runs
 * ahead of validation accuracy. Trained again with L2 weight decay, an L1 penalty, dropout before the classifier,
 * augmentation (a random shift of up to 2 pixels per image), early stopping (the best validation epoch kept), and
 * all of them together, on the same images for the same epochs, the gap between the two should shrink.
 */
import { barChart, column, figure, lineChart, PALETTE, row } from '../chart/spec.js';
import * as nn from '../nn/index.js';
import { l1Penalty } from '../optim/clip.js';
import { SGD } from '../optim/sgd.js';
import { Generator, manualSeed } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { intSetting, markdownTable, type Experiment } from './experiment.js';
import { accuracyOn, mnistSubset, onNormalized, smallCnn, trainEpochs, type EpochLog } from './mnist_task.js';
import { randomTranslate } from '../data/transforms.js';

export const REGULARIZERS = [
  'none',
  'L2 (weight decay 1e-3)',
  'L1 (1e-5 · Σ|w|)',
  'dropout 0.5',
  'augmentation (shifts ≤ 2 px)',
  'early stopping',
  'all together',
] as const;
export type Regularizer = (typeof REGULARIZERS)[number];

function model(dropout: boolean): nn.Sequential {
  const m = smallCnn();
  if (!dropout) return m;
  const layers = [...m.children()];
  // Dropout between the flattened features and the classifier, where the parameters are.
  return new nn.Sequential(...layers.slice(0, -1), new nn.Dropout(0.5), layers.at(-1)!);
}

export interface RegularizationRun {
  method: Regularizer;
  logs: EpochLog[];
  /** The epoch whose weights are kept (the last, or the best validation epoch with early stopping). */
  keptEpoch: number;
  /** Accuracy on the training images (eval mode) and on the validation images, with the kept weights. */
  trainAccuracy: number;
  validationAccuracy: number;
  gap: number;
}

/** The experiment (`convnet experiment regularization`). */
export const REGULARIZATION_EXPERIMENT: Experiment<{ trainImages: number; validationImages: number; epochs: number; runs: RegularizationRun[] }> = {
  name: 'regularization',
  lectures: '003',
  claim:
    'Trained on few images a CNN overfits; dropout, data augmentation and all regularizers together shrink the gap between training and validation accuracy',
  description:
    'the small CNN on 1,000 MNIST images with none, L2, L1, dropout, augmentation, early stopping and all together (30 epochs; 500 images × 12 with --quick)',
  params: { trainImages: 'training images (default 1000; quick 500)', epochs: 'epochs (default 30; quick 12)' },
  async run({ quick, seed, onProgress, params }) {
    const trainImages = intSetting('regularization', params, 'trainImages', quick ? 500 : 1000);
    const epochs = intSetting('regularization', params, 'epochs', quick ? 12 : 30);
    const data = await mnistSubset(trainImages, 2000, seed);
    const runs: RegularizationRun[] = [];
    for (const method of REGULARIZERS) {
      const all = method === 'all together';
      manualSeed(seed + 1);
      const net = model(method === 'dropout 0.5' || all);
      const opt = new SGD(net.parameters(), { lr: 0.05, momentum: 0.9, weightDecay: method === 'L2 (weight decay 1e-3)' || all ? 1e-3 : 0 });
      const g = new Generator(seed + 3);
      const augment = method === 'augmentation (shifts ≤ 2 px)' || all;
      const early = method === 'early stopping' || all;
      let best = { epoch: 0, acc: -1, state: null as Record<string, Tensor> | null };
      const r = trainEpochs(net, opt, data, {
        epochs,
        seed: seed + 2,
        transform: augment ? onNormalized(randomTranslate(2), g) : undefined,
        penalty: method === 'L1 (1e-5 · Σ|w|)' ? () => l1Penalty(net.parameters()).mul(1e-5) : undefined,
        onEpoch: (log) => {
          if (early && log.testAcc > best.acc)
            best = {
              epoch: log.epoch,
              acc: log.testAcc,
              state: Object.fromEntries(Object.entries(net.stateDict()).map(([k, v]) => [k, (v as Tensor).clone()])),
            };
        },
      });
      if (early && best.state) net.loadStateDict(best.state);
      const trainAccuracy = accuracyOn(net, data.train);
      const validationAccuracy = accuracyOn(net, data.test);
      runs.push({ method, logs: r.logs, keptEpoch: early ? best.epoch : epochs, trainAccuracy, validationAccuracy, gap: trainAccuracy - validationAccuracy });
      onProgress(`${method}: train ${(trainAccuracy * 100).toFixed(1)}%, validation ${(validationAccuracy * 100).toFixed(1)}%`);
    }
    const get = (m: Regularizer) => runs.find((r) => r.method === m)!;
    const none = get('none');
    const judged = (['dropout 0.5', 'augmentation (shifts ≤ 2 px)', 'all together'] as const).map(get);
    const early = get('early stopping');
    const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
    const pts = (v: number) => `${(v * 100).toFixed(1)} points`;
    return {
      results: { trainImages, validationImages: data.test.labels.length, epochs, runs },
      figure: figure(
        column([
          row(
            [none, get('all together')].map((r) =>
              lineChart({
                title: r.method === 'none' ? 'no regularization' : 'all regularizers together',
                x: { title: 'epoch', integer: true },
                y: { title: 'accuracy (%)' },
                series: [
                  { name: 'training (running, train mode)', points: r.logs.map((l) => [l.epoch, l.trainAcc * 100] as [number, number]) },
                  { name: 'validation', dashed: true, points: r.logs.map((l) => [l.epoch, l.testAcc * 100] as [number, number]) },
                ],
                width: 280,
                height: 200,
                points: false,
              }),
            ),
            { shareLegend: true },
          ),
          barChart({
            title: 'training − validation accuracy with the kept weights (points)',
            rows: runs.map((r) => ({ label: r.method, value: Math.round(r.gap * 1000) / 10 })),
            axis: { title: 'gap (points)', zero: true },
            color: PALETTE[1],
            width: 300,
          }),
        ]),
        `Regularizers shrink the train/validation gap of a CNN trained on ${trainImages} images`,
      ),
      table: markdownTable(
        ['method', 'kept epoch', 'training accuracy', 'validation accuracy', 'gap'],
        runs.map((r) => [r.method, r.keptEpoch, pct(r.trainAccuracy), pct(r.validationAccuracy), pts(r.gap)]),
      ),
      verdict: {
        holds: judged.every((r) => r.gap < none.gap) && get('all together').validationAccuracy >= none.validationAccuracy,
        measured: `gap without regularization ${pts(none.gap)} (validation ${pct(none.validationAccuracy)}); ${judged.map((r) => `${r.method} ${pts(r.gap)} (${pct(r.validationAccuracy)})`).join('; ')}; L2 ${pts(get('L2 (weight decay 1e-3)').gap)}, L1 ${pts(get('L1 (1e-5 · Σ|w|)').gap)}, early stopping ${pts(early.gap)} (kept epoch ${early.keptEpoch} of ${epochs})`,
        criterion:
          'dropout, augmentation and all together each leave a smaller gap than no regularization, and all together validates at least as well; L2, L1 and early stopping are reported, not judged (early stopping can only help once validation accuracy peaks before the last epoch)',
      },
    };
  },
};
