/**
 * Lectures 001–002 on downsampling: max pooling, average pooling and strided convolution each halve the feature map
 * twice in the same small CNN, and each is trained on the same MNIST subset; then every test image is shifted right
 * by 1–4 pixels and we count how many predictions stay the same. A network that never downsamples (its classifier
 * sees the full 28×28 maps) is the control: pooling is what should make small shifts matter less.
 */
import { barChart, figure, lineChart, row } from '../chart/spec.js';
import * as nn from '../nn/index.js';
import { noGrad } from '../autograd/grad_mode.js';
import { pad } from '../ops/shape.js';
import { Adam } from '../optim/adam.js';
import { manualSeed } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { intSetting, markdownTable, type Experiment } from './experiment.js';
import { accuracyOn, mnistBackground, mnistSubset, trainEpochs, type Split } from './mnist_task.js';

export const DOWNSAMPLING = ['max pooling', 'average pooling', 'strided convolution', 'no downsampling'] as const;
export type Downsampling = (typeof DOWNSAMPLING)[number];

function network(kind: Downsampling): nn.Sequential {
  const down = (c: number): nn.AnyModule[] =>
    kind === 'max pooling'
      ? [new nn.MaxPool2d(2)]
      : kind === 'average pooling'
        ? [new nn.AvgPool2d(2)]
        : kind === 'strided convolution'
          ? [new nn.Conv2d(c, c, 3, { stride: 2, padding: 1 }), new nn.ReLU()]
          : [];
  const side = kind === 'no downsampling' ? 28 : 7;
  return new nn.Sequential(
    new nn.Conv2d(1, 16, 3, { padding: 1 }),
    new nn.ReLU(),
    ...down(16),
    new nn.Conv2d(16, 32, 3, { padding: 1 }),
    new nn.ReLU(),
    ...down(32),
    new nn.Flatten(),
    new nn.Linear(32 * side * side, 10),
  );
}

/** The images moved right by `s` pixels, blank pixels coming in from the left. */
export function shiftRight(x: Tensor, s: number): Tensor {
  if (s === 0) return x;
  return pad(x, [s, 0, 0, 0], 'constant', mnistBackground()).narrow(3, 0, x.shape[3]);
}

/** The share of test images whose prediction does not change when shifted by each of `shifts` pixels. */
function agreement(model: nn.AnyModule, test: Split, shifts: readonly number[]): number[] {
  model.eval();
  return noGrad(() => {
    const base = Array.from((model.forward(test.x) as Tensor).argmax(1).data());
    return shifts.map((s) => {
      const moved = Array.from((model.forward(shiftRight(test.x, s)) as Tensor).argmax(1).data());
      return moved.filter((p, i) => p === base[i]).length / base.length;
    });
  });
}

export interface PoolingRun {
  downsampling: Downsampling;
  params: number;
  testAccuracy: number;
  /** Share of unchanged predictions for shifts of 1, 2, 3 and 4 pixels. */
  unchanged: number[];
  /** Test accuracy on the images shifted by 1, 2, 3 and 4 pixels. */
  shiftedAccuracy: number[];
}

/** The experiment (`convnet experiment pooling`). */
export const POOLING_EXPERIMENT: Experiment<{ trainImages: number; testImages: number; epochs: number; shifts: number[]; runs: PoolingRun[] }> = {
  name: 'pooling',
  lectures: '001, 002',
  claim:
    'Pooling makes a CNN’s output less sensitive to small shifts of its input, and max, average pooling and strided convolution all downsample about as well',
  description:
    'one small CNN on MNIST with max pooling, average pooling, strided convolution or no downsampling; predictions under 1–4 pixel shifts (10,000 images × 3 epochs; 3,000 × 1 with --quick)',
  params: { trainImages: 'training images (default 10000; quick 3000)', epochs: 'epochs (default 3; quick 1)' },
  async run({ quick, seed, onProgress, params }) {
    const int = (k: string, d: number) => intSetting('pooling', params, k, d);
    const trainImages = int('trainImages', quick ? 3000 : 10000);
    const epochs = int('epochs', quick ? 1 : 3);
    const data = await mnistSubset(trainImages, 2000, seed);
    const shifts = [1, 2, 3, 4];
    const runs: PoolingRun[] = [];
    for (const kind of DOWNSAMPLING) {
      manualSeed(seed + 1);
      const model = network(kind);
      trainEpochs(model, new Adam(model.parameters(), { lr: 1e-3 }), data, { epochs, seed: seed + 2 });
      const unchanged = agreement(model, data.test, shifts);
      const shiftedAccuracy = shifts.map((s) => accuracyOn(model, { ...data.test, x: shiftRight(data.test.x, s) }));
      runs.push({ downsampling: kind, params: model.numParameters(), testAccuracy: accuracyOn(model, data.test), unchanged, shiftedAccuracy });
      onProgress(
        `${kind}: test accuracy ${(runs.at(-1)!.testAccuracy * 100).toFixed(1)}%, unchanged under a 2-pixel shift ${(unchanged[1] * 100).toFixed(1)}%`,
      );
    }
    const get = (k: Downsampling) => runs.find((r) => r.downsampling === k)!;
    const pooled = (['max pooling', 'average pooling', 'strided convolution'] as const).map(get);
    const control = get('no downsampling');
    const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
    const accs = pooled.map((r) => r.testAccuracy);
    const checks = {
      moreInvariant: pooled.every((r) => r.unchanged[1] > control.unchanged[1]),
      aboutAsWell: Math.max(...accs) - Math.min(...accs) < 0.03,
    };
    return {
      results: { trainImages, testImages: data.test.labels.length, epochs, shifts, runs },
      figure: figure(
        row([
          lineChart({
            title: 'predictions unchanged by the shift',
            x: { title: 'shift (pixels)', integer: true },
            y: { title: 'unchanged (%)', domain: [0, 100] },
            series: runs.map((r) => ({
              name: r.downsampling,
              dashed: r.downsampling === 'no downsampling',
              points: [[0, 100], ...r.unchanged.map((u, i) => [shifts[i], u * 100] as [number, number])],
            })),
            width: 300,
            height: 240,
            legend: 'bottom-right',
          }),
          barChart({
            title: 'test accuracy, unshifted (%)',
            rows: runs.map((r) => ({ label: r.downsampling, value: Math.round(r.testAccuracy * 1000) / 10 })),
            axis: { title: 'accuracy (%)', domain: [0, 100] },
            width: 220,
          }),
        ]),
        'Downsampling buys tolerance to small shifts; how you downsample matters less',
      ),
      table: markdownTable(
        ['downsampling', 'parameters', 'test accuracy', ...shifts.map((s) => `unchanged at ${s} px`), ...shifts.map((s) => `accuracy at ${s} px`)],
        runs.map((r) => [r.downsampling, r.params.toLocaleString('en-US'), pct(r.testAccuracy), ...r.unchanged.map(pct), ...r.shiftedAccuracy.map(pct)]),
      ),
      verdict: {
        holds: checks.moreInvariant && checks.aboutAsWell,
        measured:
          `predictions unchanged by a 2-pixel shift: ${pooled.map((r) => `${r.downsampling} ${pct(r.unchanged[1])}`).join(', ')} vs no downsampling ${pct(control.unchanged[1])}; ` +
          `test accuracy ${pooled.map((r) => `${r.downsampling} ${pct(r.testAccuracy)}`).join(', ')}`,
        criterion:
          'every downsampling network keeps more predictions under a 2-pixel shift than the one without; their test accuracies within 3 points of each other',
      },
    };
  },
};
