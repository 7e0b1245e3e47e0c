/**
 * The lectures' transfer-learning experiment on the bundled MNIST: pretrain LeNet-5 on digits 0–4, then learn
 * digits 5–9 from only `perClass` images each, fine-tuning the pretrained network (new head; the backbone at the
 * head's learning rate and at 1/10 of it) and from scratch on the same images, and compare test accuracy on 5–9.
 * Example: const r = await finetuneExperiment(); console.log(finetuneTable(r));
 */
import * as optim from '../optim/index.js';
import { crossEntropy } from '../ops/loss.js';
import { manualSeed } from '../tensor/random.js';
import { ImageDataset } from '../data/dataset.js';
import { DataLoader } from '../data/loader.js';
import { mnist } from '../data/datasets.js';
import { datasetInfo } from '../data/registry.js';
import * as T from '../data/transforms.js';
import { lenet5 } from '../models/lenet.js';
import { paramGroups, replaceHead } from '../nn/transfer.js';
import type { Module } from '../nn/module.js';
import { evaluate } from '../train/fit.js';
import { figure, lineChart, type ChartSpec } from '../chart/spec.js';
import { intSetting, markdownTable, type Experiment } from './experiment.js';

export interface FinetuneExperimentOptions {
  /** Images per class (digits 5–9) for the second task (default 50). */
  perClass?: number;
  /** Epochs of pretraining on digits 0–4 (default 1). */
  pretrainEpochs?: number;
  /** Epochs on the small set, for every run (default 20). */
  epochs?: number;
  /** Adam's learning rate on the small set: the head's when fine-tuning (backbone 1/10), everything's from scratch (default 5e-3). */
  lr?: number;
  /**
   * Fine-tuning runs, one per backbone learning-rate scale relative to the head's (default [1, 0.1]: the whole
   * network at one rate, and the lectures' 1/10 starting point).
   */
  backboneLrScales?: readonly number[];
  /** Called after every epoch of every run with a line saying where the experiment is (the CLI prints it). */
  onProgress?: (line: string) => void;
  /** Folder holding the MNIST IDX files (default: the bundled copy). */
  dataDir?: string;
  seed?: number;
}

export interface FinetuneRun {
  /** 'fine-tuned, backbone lr ×0.1' or 'from scratch'. */
  method: string;
  /** Test accuracy on digits 5–9 after each epoch. */
  testAccuracy: number[];
}

export interface FinetuneExperimentResult {
  pretrainAccuracy: number;
  trainImages: number;
  testImages: number;
  runs: FinetuneRun[];
}

/** The images of `digits` (up to `limit` per digit, in file order), relabelled 0.. in the order given. */
function select(ds: ImageDataset, digits: readonly number[], limit = Infinity): ImageDataset {
  const per = ds.sampleShape[0] * ds.sampleShape[1] * ds.sampleShape[2];
  const counts = new Map<number, number>();
  const picked: number[] = [];
  for (let i = 0; i < ds.length; i++) {
    const d = ds.labels[i];
    const c = counts.get(d) ?? 0;
    if (digits.includes(d) && c < limit) {
      counts.set(d, c + 1);
      picked.push(i);
    }
  }
  const images = new Uint8Array(picked.length * per);
  const labels = new Int32Array(picked.length);
  picked.forEach((src, j) => {
    images.set(ds.images.subarray(src * per, (src + 1) * per), j * per);
    labels[j] = digits.indexOf(ds.labels[src]);
  });
  return new ImageDataset(images, labels, ds.sampleShape as [number, number, number]);
}

function trainEpochs(
  model: Module,
  opt: optim.Optimizer,
  train: DataLoader,
  test: DataLoader,
  epochs: number,
  report: (epoch: number, acc: number) => void = () => {},
): number[] {
  const acc: number[] = [];
  for (let e = 0; e < epochs; e++) {
    model.train();
    for (const { x, y } of train.iterEpoch(e)) {
      opt.zeroGrad();
      crossEntropy(model.forward(x), y).backward();
      opt.step();
    }
    acc.push(evaluate(model, test).acc);
    report(e + 1, acc[e]);
  }
  return acc;
}

export async function finetuneExperiment(opts: FinetuneExperimentOptions = {}): Promise<FinetuneExperimentResult> {
  const { perClass = 50, pretrainEpochs = 1, epochs = 20, seed = 0, lr = 5e-3, backboneLrScales = [1, 0.1] } = opts;
  const trainSet = await mnist({ train: true, root: opts.dataDir });
  const testSet = await mnist({ train: false, root: opts.dataDir });
  // MNIST 28×28 → LeNet-5's 32×32, normalized with MNIST's statistics.
  const { mean, std } = datasetInfo('mnist').normalization;
  const transform = T.compose(T.pad(2), T.normalize(mean, std));
  const loader = (ds: ImageDataset, shuffle: boolean, s = seed) => new DataLoader(ds, { batchSize: 64, shuffle, transform, seed: s });
  const first = [0, 1, 2, 3, 4];
  const second = [5, 6, 7, 8, 9];
  const small = select(trainSet, second, perClass);
  const test = loader(select(testSet, second), false);
  const make = () => lenet5({ numClasses: 5, activation: 'relu', pooling: 'max' });
  const runsTotal = backboneLrScales.length + 2;
  let runNo = 0;
  const reporter = (what: string, total: number) => {
    runNo++;
    const n = runNo;
    return (epoch: number, acc: number) =>
      opts.onProgress?.(`run ${n}/${runsTotal} (${what}): epoch ${epoch}/${total}, test accuracy ${(acc * 100).toFixed(1)}%`);
  };

  manualSeed(seed);
  const pretrained = make();
  const pre = trainEpochs(
    pretrained,
    new optim.Adam(pretrained.parameters(), { lr: 2e-3 }),
    loader(select(trainSet, first), true),
    loader(select(testSet, first), false),
    pretrainEpochs,
    reporter('pretraining on digits 0–4', pretrainEpochs),
  );

  // Each fine-tuning run starts from the same pretrained weights.
  const pretrainedState = pretrained.stateDict();
  const runs: FinetuneRun[] = [];
  for (const scale of backboneLrScales) {
    manualSeed(seed + 1);
    const model = make();
    model.loadStateDict(pretrainedState);
    const head = replaceHead(model, second.length);
    const opt = new optim.Adam(paramGroups(model, { lr, head, backboneLrScale: scale }), { lr });
    const method = `fine-tuned, backbone lr ×${scale}`;
    runs.push({ method, testAccuracy: trainEpochs(model, opt, loader(small, true, seed + 1), test, epochs, reporter(method, epochs)) });
  }
  manualSeed(seed + 1);
  const scratch = make();
  runs.push({
    method: 'from scratch',
    testAccuracy: trainEpochs(
      scratch,
      new optim.Adam(scratch.parameters(), { lr }),
      loader(small, true, seed + 1),
      test,
      epochs,
      reporter('from scratch', epochs),
    ),
  });

  return {
    pretrainAccuracy: pre[pre.length - 1],
    trainImages: small.length,
    testImages: test.dataset.length,
    runs,
  };
}

/** The comparison as a text table: accuracy after a few checkpoints of epochs and at the end. */
export function finetuneTable(r: FinetuneExperimentResult): string {
  const n = r.runs[0].testAccuracy.length;
  const marks = [1, 5, 10, 20, n].filter((e, i, a) => e <= n && a.indexOf(e) === i);
  const w = Math.max(...r.runs.map((run) => run.method.length));
  const head = `${'method'.padEnd(w)} ${marks.map((e) => `epoch ${e}`.padStart(9)).join(' ')}`;
  const lines = r.runs.map((run) => `${run.method.padEnd(w)} ${marks.map((e) => `${(run.testAccuracy[e - 1] * 100).toFixed(1)}%`.padStart(9)).join(' ')}`);
  return [
    `LeNet-5 pretrained on digits 0–4 (test accuracy ${(r.pretrainAccuracy * 100).toFixed(1)}%), then digits 5–9 from ${r.trainImages} images; test accuracy on ${r.testImages} test images of 5–9:`,
    head,
    ...lines,
  ].join('\n');
}

/** Test accuracy per epoch of every run, as a line chart (render with `chart.renderSvg`). */
export function finetuneFigure(r: FinetuneExperimentResult): ChartSpec {
  const n = r.runs[0]?.testAccuracy.length ?? 0;
  return figure(
    lineChart({
      title: '',
      x: { title: 'epoch', integer: true },
      y: { title: 'test accuracy on digits 5–9 (%)', domain: [0, 100] },
      series: r.runs.map((run) => ({
        name: `${run.method} (${(run.testAccuracy[n - 1] * 100).toFixed(1)}%)`,
        points: run.testAccuracy.map((a, e) => [e + 1, a * 100] as [number, number]),
      })),
      width: 480,
      height: 300,
      legend: 'bottom-right',
    }),
    `Digits 5–9 from ${r.trainImages} images: fine-tuned vs from scratch (test accuracy)`,
  );
}

/** The experiment (`convnet experiment finetune`): fine-tuning a pretrained LeNet-5 vs training it from scratch. */
export const FINETUNE_EXPERIMENT: Experiment<FinetuneExperimentResult> = {
  name: 'finetune',
  lectures: '004',
  claim: 'With few labelled images, fine-tuning a network pretrained on a related task beats training it from scratch',
  description: 'LeNet-5 pretrained on MNIST digits 0–4, then taught 5–9 from 50 images each: fine-tuned vs from scratch (20 epochs; 8 with --quick)',
  params: { epochs: 'epochs on the small set (default 20; quick 8)', perClass: 'images per digit of 5–9 (default 50)' },
  async run({ quick, seed, onProgress, params }) {
    const int = (k: string, d: number) => intSetting('finetune', params, k, d);
    const r = await finetuneExperiment({ epochs: int('epochs', quick ? 8 : 20), perClass: int('perClass', 50), seed, onProgress });
    const last = (i: number) => r.runs[i].testAccuracy.at(-1)!;
    const mean = (i: number) => r.runs[i].testAccuracy.reduce((a, b) => a + b, 0) / r.runs[i].testAccuracy.length;
    const scratch = r.runs.length - 1;
    const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
    const marks = [1, 5, 10, 20, r.runs[0].testAccuracy.length].filter((e, i, a) => e <= r.runs[0].testAccuracy.length && a.indexOf(e) === i);
    return {
      results: r,
      figure: finetuneFigure(r),
      table: markdownTable(
        ['method', ...marks.map((e) => `epoch ${e}`)],
        r.runs.map((run) => [run.method, ...marks.map((e) => pct(run.testAccuracy[e - 1]))]),
      ),
      verdict: {
        holds: last(0) > last(scratch) && mean(0) > mean(scratch) + 0.01,
        measured:
          `on ${r.trainImages} images, fine-tuned vs from scratch: ${pct(last(0))} vs ${pct(last(scratch))} test accuracy after ${r.runs[0].testAccuracy.length} epochs, ` +
          `${pct(mean(0))} vs ${pct(mean(scratch))} averaged over the epochs`,
        criterion: 'fine-tuned (backbone at the head’s rate) ends above from scratch and averages more than 1 point above it over the epochs',
      },
    };
  },
};
