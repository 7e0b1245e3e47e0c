/**
 * Lecture 003's learning-rate schedules on one small MNIST CNN with SGD + momentum: constant, step (×0.1 at 50% and
 * 75% of training), cosine, linear and inverse square root, each with and without a linear warmup over the first
 * epoch (all through optim.LambdaLR, stepped every iteration); and a learning rate high enough that training
 * without warmup starts with an exploding loss.
 */
import { barChart, column, figure, lineChart, row } from '../chart/spec.js';
import { LambdaLR } from '../optim/schedulers/basic.js';
import { SGD } from '../optim/sgd.js';
import { manualSeed } from '../tensor/random.js';
import { intSetting, markdownTable, type Experiment } from './experiment.js';
import { mnistSubset, movingAverage, smallCnn, trainEpochs } from './mnist_task.js';

export const SCHEDULES = ['constant', 'step', 'cosine', 'linear', 'inverse sqrt'] as const;
export type ScheduleName = (typeof SCHEDULES)[number];

/** The multiplier of the base rate at step t of T (0-based), with an optional linear warmup over `warmup` steps. */
export function schedule(name: ScheduleName, t: number, T: number, warmup: number): number {
  const base = (() => {
    switch (name) {
      case 'constant':
        return 1;
      case 'step':
        return t < 0.5 * T ? 1 : t < 0.75 * T ? 0.1 : 0.01;
      case 'cosine':
        return 0.5 * (1 + Math.cos((Math.PI * t) / T));
      case 'linear':
        return 1 - t / T;
      case 'inverse sqrt':
        return 1 / Math.sqrt(1 + t / Math.max(1, 0.1 * T));
    }
  })();
  return warmup > 0 ? base * Math.min(1, (t + 1) / warmup) : base;
}

export interface ScheduleRun {
  schedule: ScheduleName;
  warmup: boolean;
  lr: number;
  /** The learning rate at every step. */
  lrs: number[];
  stepLoss: number[];
  /** Mean training loss over the last 10% of steps. */
  finalLoss: number;
  testAccuracy: number;
  diverged: boolean;
  /** The largest loss during the warmup epoch (the first epoch, with or without warmup). */
  earlyPeak: number;
}

/** The experiment (`convnet experiment schedules`). */
export const SCHEDULES_EXPERIMENT: Experiment<{ trainImages: number; epochs: number; steps: number; runs: ScheduleRun[]; highLr: ScheduleRun[] }> = {
  name: 'schedules',
  lectures: '003',
  claim:
    'Decaying the learning rate (step, cosine, linear) ends training at a lower loss than a constant rate, and a linear warmup tames the exploding early loss of a high learning rate',
  description:
    'five schedules with and without warmup, and a high rate with and without warmup, on a small MNIST CNN with SGD + momentum (10,000 images × 4 epochs; 3,000 × 2 with --quick)',
  params: { trainImages: 'training images (default 10000; quick 3000)', epochs: 'epochs (default 4; quick 2)' },
  async run({ quick, seed, onProgress, params }) {
    const int = (k: string, d: number) => intSetting('schedules', params, k, d);
    const trainImages = int('trainImages', quick ? 3000 : 10000);
    const epochs = int('epochs', quick ? 2 : 4);
    const data = await mnistSubset(trainImages, 2000, seed);
    const batchSize = 64;
    const steps = Math.ceil(trainImages / batchSize) * epochs;
    // Warmup over the first epoch: shorter ones (a tenth of the run here) were measured to be too short to help.
    const warmupSteps = Math.ceil(trainImages / batchSize);
    const train = (name: ScheduleName, warmup: boolean, lr: number): ScheduleRun => {
      manualSeed(seed + 1);
      const model = smallCnn();
      const opt = new SGD(model.parameters(), { lr, momentum: 0.9 });
      const sched = new LambdaLR(opt, (t) => schedule(name, t, steps, warmup ? warmupSteps : 0));
      const lrs: number[] = [opt.paramGroups[0].lr];
      const r = trainEpochs(model, opt, data, { epochs, batchSize, seed: seed + 2, afterStep: () => (sched.step(), lrs.push(opt.paramGroups[0].lr)) });
      const tail = r.stepLosses.slice(-Math.max(1, Math.round(0.1 * r.stepLosses.length)));
      const run = {
        schedule: name,
        warmup,
        lr,
        lrs: lrs.slice(0, steps),
        stepLoss: r.stepLosses,
        finalLoss: r.diverged ? Infinity : tail.reduce((a, b) => a + b, 0) / tail.length,
        testAccuracy: r.diverged ? NaN : r.logs.at(-1)!.testAcc,
        diverged: r.diverged,
        earlyPeak: Math.max(...r.stepLosses.slice(0, warmupSteps)),
      };
      onProgress(
        `${name}${warmup ? ' + warmup' : ''} at lr ${lr}: final loss ${run.finalLoss.toFixed(3)}, test accuracy ${(run.testAccuracy * 100).toFixed(1)}%`,
      );
      return run;
    };
    const runs: ScheduleRun[] = [];
    for (const name of SCHEDULES) for (const warmup of [false, true]) runs.push(train(name, warmup, 0.05));
    const highLr = [train('constant', false, 0.15), train('constant', true, 0.15)];
    const get = (s: ScheduleName, w = false) => runs.find((r) => r.schedule === s && r.warmup === w)!;
    const decaying = (['step', 'cosine', 'linear'] as const).map((s) => get(s));
    const [noWarm, warm] = highLr;
    const checks = {
      decay: decaying.every((r) => r.finalLoss < get('constant').finalLoss),
      warmup: noWarm.diverged || noWarm.earlyPeak > 1.5 * warm.earlyPeak,
    };
    const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : 'diverged');
    return {
      results: { trainImages, epochs, steps, runs, highLr },
      figure: figure(
        column([
          row([
            row(
              [
                lineChart({
                  title: 'learning rate (no warmup | with warmup)',
                  x: { title: 'step', zero: true },
                  y: { title: 'learning rate', zero: true },
                  series: SCHEDULES.map((s) => ({ name: s, points: get(s).lrs.map((v, i) => [i, v] as [number, number]) })),
                  width: 260,
                  height: 180,
                  points: false,
                }),
                lineChart({
                  title: ' ',
                  x: { title: 'step', zero: true },
                  y: { title: 'learning rate', zero: true },
                  series: SCHEDULES.map((s) => ({ name: s, points: get(s, true).lrs.map((v, i) => [i, v] as [number, number]) })),
                  width: 260,
                  height: 180,
                  points: false,
                }),
              ],
              { shareLegend: true },
            ),
            barChart({
              title: 'final training loss (mean of the last 10% of steps)',
              rows: runs.map((r) => ({ label: `${r.schedule}${r.warmup ? ' + warmup' : ''}`, value: Math.round(r.finalLoss * 1000) / 1000 })),
              axis: { title: 'cross-entropy' },
              width: 200,
            }),
          ]),
          lineChart({
            title: `a high learning rate (${noWarm.lr}, constant): training loss, mean of 10 steps`,
            x: { title: 'step', zero: true },
            y: { title: 'cross-entropy', zero: true },
            series: [
              { name: 'no warmup', points: movingAverage(noWarm.stepLoss) },
              { name: `linear warmup over ${warmupSteps} steps`, points: movingAverage(warm.stepLoss) },
            ],
            width: 560,
            height: 200,
            points: false,
          }),
        ]),
        'Decay the learning rate to finish lower; warm it up to start safely',
      ),
      table: [
        markdownTable(
          ['schedule', 'warmup', 'final training loss', 'test accuracy'],
          [...runs, ...highLr].map((r) => [
            r.lr === 0.05 ? r.schedule : `${r.schedule} at lr ${r.lr}`,
            r.warmup ? `${warmupSteps} steps` : 'none',
            r.finalLoss.toFixed(3),
            pct(r.testAccuracy),
          ]),
        ),
      ].join('\n'),
      verdict: {
        holds: checks.decay && checks.warmup,
        measured:
          `final training loss: constant ${get('constant').finalLoss.toFixed(3)}, ${decaying.map((r) => `${r.schedule} ${r.finalLoss.toFixed(3)}`).join(', ')}; ` +
          `at lr ${noWarm.lr}: peak loss in the first ${warmupSteps} steps ${noWarm.earlyPeak.toFixed(1)} without warmup vs ${warm.earlyPeak.toFixed(1)} with, test accuracy ${pct(noWarm.testAccuracy)} vs ${pct(warm.testAccuracy)}`,
        criterion:
          'step, cosine and linear each end below constant; at the high rate, warmup cuts the peak loss of the first epoch by more than a third (or no warmup diverges); the final accuracies are reported, not judged',
      },
    };
  },
};
