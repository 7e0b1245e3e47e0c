/**
 * Lecture 002, "All you need is BatchNorm" (Frankle, Schwab & Morcos 2021, "Training BatchNorm and Only
 * BatchNorm"): a ResNet whose convolutions keep their random initial weights and whose only trained parameters are
 * the BatchNorm scales γ and shifts β — under 2 % of its parameters — still learns far above chance, and above
 * training the same number of parameters in the classifier alone: the random features, rescaled and shifted per
 * channel, are already expressive. Compared: everything trained, BN only, the head (fc) only, BN and head.
 */
import { barChart, figure, lineChart, row, type ChartSpec } from '../chart/spec.js';
import * as nn from '../nn/index.js';
import { CifarResNet } from '../models/resnet_cifar.js';
import type { Parameter } from '../nn/parameter.js';
import { SGD } from '../optim/sgd.js';
import { manualSeed } from '../tensor/random.js';
import { intSetting, markdownTable, type Experiment } from './experiment.js';
import { loadTask, trainEpochs, type EpochLog } from './mnist_task.js';

export const TRAINABLE = ['everything', 'BatchNorm γ, β only', 'head (fc) only', 'BatchNorm and head'] as const;
export type Trainable = (typeof TRAINABLE)[number];

/** The parameters `which` trains; every other parameter is frozen (requiresGrad off). */
export function trainableParameters(model: CifarResNet, which: Trainable): Parameter[] {
  const bn = new Set<Parameter>();
  for (const m of model.modules()) if (m instanceof nn.BatchNorm2d) for (const p of m.parameters()) bn.add(p);
  const head = new Set<Parameter>(model.fc.parameters());
  const keep = (p: Parameter) => which === 'everything' || (which !== 'head (fc) only' && bn.has(p)) || (which !== 'BatchNorm γ, β only' && head.has(p));
  const chosen: Parameter[] = [];
  for (const p of model.parameters()) {
    p.requiresGrad = keep(p);
    if (p.requiresGrad) chosen.push(p);
  }
  return chosen;
}

export interface BnOnlyRun {
  trainable: Trainable;
  trainedParameters: number;
  totalParameters: number;
  logs: EpochLog[];
  testAccuracy: number;
}

export interface BnOnlyResults {
  dataset: string;
  depth: number;
  width: number;
  trainImages: number;
  epochs: number;
  runs: BnOnlyRun[];
}

/** The figure, from the results alone (so a committed results.json can be redrawn). */
export function bnOnlyFigure(res: BnOnlyResults): ChartSpec {
  const name = `ResNet-${res.depth}${res.width === 16 ? '' : ` (width ${res.width})`}`;
  return figure(
    row([
      lineChart({
        title: 'test accuracy while training',
        x: { title: 'epoch', integer: true },
        y: { title: 'test accuracy (%)', domain: [0, 100] },
        series: res.runs.map((r) => ({ name: r.trainable, points: r.logs.map((l) => [l.epoch, l.testAcc * 100] as [number, number]) })),
        width: 300,
        height: 220,
      }),
      barChart({
        title: 'parameters trained',
        rows: res.runs.map((r) => ({ label: r.trainable, value: r.trainedParameters })),
        axis: { title: 'parameters (log scale)', log: true },
        width: 220,
      }),
    ]),
    'Training only BatchNorm’s γ and β: random features, rescaled per channel, still learn',
    {
      subtitle: [
        `${name}, ${res.dataset === 'mnist' ? 'MNIST' : 'CIFAR-10'}, ${res.trainImages.toLocaleString('en')} training images, ${res.epochs} epochs`,
        'SGD momentum 0.9, lr 0.1 for everything and 1 for the partial runs; BN statistics recalibrated on 1,000 training images before testing',
      ],
    },
  );
}

/** The experiment (`convnet experiment bn-only`). */
export const BN_ONLY_EXPERIMENT: Experiment<BnOnlyResults> = {
  name: 'bn-only',
  lectures: '002',
  claim:
    'Training only the BatchNorm parameters γ and β of a randomly initialized ResNet reaches accuracy far above chance — better than training its classifier alone',
  description:
    'ResNet-20 on 5,000 CIFAR-10 images for 5 epochs with everything, only BN γ/β, only the head, and BN + head trainable; --quick: ResNet-14 at half width on 2,000 bundled MNIST images for 2 epochs',
  params: {
    dataset: "'cifar10' (default) or 'mnist' (quick's default)",
    data: 'the folder with the CIFAR-10 binary files (default: the cache folder)',
    depth: 'the ResNet depth 6n + 2 (default 20; quick 14)',
    width: "the first stage's channels (default 16; quick 8)",
    trainImages: 'training images (default 5000; quick 2000)',
    epochs: 'epochs (default 5; quick 2)',
  },
  async run({ quick, seed, onProgress, params }) {
    const dataset = params.dataset ?? (quick ? 'mnist' : 'cifar10');
    const depth = intSetting('bn-only', params, 'depth', quick ? 14 : 20);
    const width = intSetting('bn-only', params, 'width', quick ? 8 : 16);
    const trainImages = intSetting('bn-only', params, 'trainImages', quick ? 2000 : 5000);
    const epochs = intSetting('bn-only', params, 'epochs', quick ? 2 : 5);
    const { data, inChannels } = await loadTask('bn-only', dataset, trainImages, 2000, seed, params.data);
    const runs: BnOnlyRun[] = [];
    for (const trainable of TRAINABLE) {
      manualSeed(seed + 1);
      const model = new CifarResNet(depth, { width, inChannels });
      const ps = trainableParameters(model, trainable);
      // A few hundred parameters on frozen features need (and tolerate) a larger step than a whole network.
      const lr = trainable === 'everything' ? 0.1 : 1;
      const r = trainEpochs(model, new SGD(ps, { lr, momentum: 0.9, weightDecay: 1e-4 }), data, {
        epochs,
        seed: seed + 2,
        preciseBn: 1000,
        onEpoch: (l) => onProgress(`${trainable}, epoch ${l.epoch}: test accuracy ${(l.testAcc * 100).toFixed(1)}%`),
      });
      runs.push({
        trainable,
        trainedParameters: ps.reduce((s, p) => s + p.numel(), 0),
        totalParameters: model.parameters().reduce((s, p) => s + p.numel(), 0),
        logs: r.logs,
        testAccuracy: r.diverged ? 0.1 : r.logs.at(-1)!.testAcc,
      });
    }
    const get = (t: Trainable) => runs.find((r) => r.trainable === t)!;
    const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
    const share = (r: BnOnlyRun) => `${((r.trainedParameters / r.totalParameters) * 100).toFixed(2)}%`;
    const bn = get('BatchNorm γ, β only');
    const head = get('head (fc) only');
    const name = `ResNet-${depth}${width === 16 ? '' : ` (width ${width})`}`;
    return {
      results: { dataset, depth, width, trainImages, epochs, runs },
      figure: bnOnlyFigure({ dataset, depth, width, trainImages, epochs, runs }),
      table: markdownTable(
        ['trained', 'parameters trained', 'share', 'test accuracy'],
        runs.map((r) => [r.trainable, r.trainedParameters.toLocaleString('en'), share(r), pct(r.testAccuracy)]),
      ),
      verdict: {
        holds: bn.testAccuracy > 0.2 && bn.testAccuracy > head.testAccuracy + 0.05,
        measured: `${name} with only BN γ/β trained (${bn.trainedParameters.toLocaleString('en')} parameters, ${share(bn)}): ${pct(bn.testAccuracy)}; head only (${head.trainedParameters.toLocaleString('en')}): ${pct(head.testAccuracy)}; everything: ${pct(get('everything').testAccuracy)}`,
        criterion: 'BN-only test accuracy is more than twice chance (above 20 %) and more than 5 points above training the head alone',
      },
    };
  },
};
