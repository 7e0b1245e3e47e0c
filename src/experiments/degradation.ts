/**
 * Lectures 000, 002 and 004 on the degradation problem (He et al. 2016, fig. 1 and 6): stacking more layers on a
 * plain network makes its *training* error higher — an optimization failure, not overfitting — while the same depths
 * with identity shortcuts (ResNets) train at least as well as the shallower ones. The zoo's CIFAR plain nets and
 * ResNets (depth 6n + 2) are trained on a CIFAR-10 subset with the paper's SGD (momentum 0.9, weight decay 1e-4);
 * training error per step (in train mode, as the paper plots it) and test error per epoch are recorded.
 * The quick budget uses the bundled MNIST and narrower nets, so it runs without CIFAR-10.
 */
import { lineChart, figure, PALETTE, row, type ChartSpec } from '../chart/spec.js';
import { CifarResNet } from '../models/resnet_cifar.js';
import { SGD } from '../optim/sgd.js';
import { manualSeed } from '../tensor/random.js';
import { intSetting, markdownTable, type Experiment } from './experiment.js';
import { loadTask, movingAverage, trainEpochs, type EpochLog } from './mnist_task.js';

export interface DegradationRun {
  /** 'plain' or 'resnet'. */
  kind: 'plain' | 'resnet';
  depth: number;
  parameters: number;
  logs: EpochLog[];
  /** Training error (%) of each step's batch, in train mode. */
  stepErrors: number[];
  /** Training error (%) over the last epoch's batches: the curve's end, what the verdict compares. */
  finalTrainError: number;
  finalTestError: number;
  seconds: number;
}

export interface DegradationResults {
  dataset: string;
  trainImages: number;
  testImages: number;
  epochs: number;
  width: number;
  /** Whether each residual branch's last BN γ started at zero (absent in results from before the setting existed: off). */
  zeroInitResidual?: boolean;
  runs: DegradationRun[];
}

function depthsSetting(v: string | undefined, fallback: number[]): number[] {
  if (v === undefined) return fallback;
  const ds = v.split(',').map(Number);
  if (ds.length < 2 || ds.some((d) => !Number.isInteger(d) || d < 8 || (d - 2) % 6 !== 0))
    throw new Error(`experiment degradation: depths must be two or more depths of the form 6n + 2 (8, 14, 20, 32, 56, ...), got '${v}'`);
  return [...ds].sort((a, b) => a - b);
}

const BATCH_SIZE = 64;

/** The figure, from the results alone (so a committed results.json can be redrawn). */
export function degradationFigure(res: DegradationResults): ChartSpec {
  const depths = [...new Set(res.runs.map((r) => r.depth))].sort((a, b) => a - b);
  const stepsPerEpoch = Math.ceil(res.trainImages / BATCH_SIZE);
  const panel = (kind: 'plain' | 'resnet') =>
    lineChart({
      title: kind === 'plain' ? 'plain networks' : 'ResNets (identity shortcuts)',
      x: { title: 'epoch' },
      y: { title: 'error (%)', domain: [0, 100] },
      series: depths.flatMap((d, i) => {
        const r = res.runs.find((x) => x.kind === kind && x.depth === d)!;
        const color = PALETTE[i % PALETTE.length];
        return [
          {
            name: `${kind}-${d} train`,
            color,
            points: movingAverage(r.stepErrors, Math.max(1, Math.round(stepsPerEpoch / 2))).map(([s, e]) => [s / stepsPerEpoch, e] as [number, number]),
          },
          { name: `${kind}-${d} test`, color, dashed: true, points: r.logs.map((l) => [l.epoch, 100 - l.testAcc * 100] as [number, number]) },
        ];
      }),
      points: false,
      width: 300,
      height: 230,
    });
  const epochs = `${res.epochs} epoch${res.epochs > 1 ? 's' : ''}`;
  return figure(row([panel('plain'), panel('resnet')], { shareY: true }), 'Deeper plain nets train worse (degradation); ResNets of the same depths do not', {
    subtitle: [
      `${res.dataset === 'mnist' ? 'MNIST' : 'CIFAR-10'}, ${res.trainImages.toLocaleString('en')} training images, ${epochs}, width ${res.width}, SGD lr 0.1, momentum 0.9${res.zeroInitResidual ? ', residual branches’ last BN γ initialised to 0' : ''}`,
      'solid: training error (train mode, moving average over half an epoch); dashed: test error (BN statistics recalibrated on 1,000 training images)',
    ],
  });
}

/** The experiment (`convnet experiment degradation`). */
export const DEGRADATION_EXPERIMENT: Experiment<DegradationResults> = {
  name: 'degradation',
  lectures: '000, 002, 004',
  claim: 'A deeper plain network has higher training error than a shallower one (degradation); with residual connections the deeper network trains better',
  description:
    'plain nets and ResNets of depth 20, 32 and 56 (the zoo’s plain20…resnet56) on 5,000 CIFAR-10 images for 6 epochs; --quick: depths 8 and 32 at half the width on 2,500 bundled MNIST images for 2 epochs',
  params: {
    dataset: "'cifar10' (default) or 'mnist' (quick's default)",
    data: 'the folder with the CIFAR-10 binary files (default: the cache folder, ~/.cache/convnet-ts/cifar10)',
    depths: 'comma-separated depths 6n + 2 (default 20,32,56; quick 8,32)',
    width: "the first stage's channels (default 16, the paper's; quick 8)",
    trainImages: 'training images (default 5000; quick 2500)',
    epochs: 'epochs (default 6; quick 2)',
    zeroInit: "'on' (default) starts each ResNet block as the identity (last BN γ = 0, torchvision's zero_init_residual); 'off' is the paper's init",
  },
  async run({ quick, seed, onProgress, params }) {
    const dataset = params.dataset ?? (quick ? 'mnist' : 'cifar10');
    const depths = depthsSetting(params.depths, quick ? [8, 32] : [20, 32, 56]);
    const width = intSetting('degradation', params, 'width', quick ? 8 : 16);
    const trainImages = intSetting('degradation', params, 'trainImages', quick ? 2500 : 5000);
    const epochs = intSetting('degradation', params, 'epochs', quick ? 2 : 6);
    const testImages = quick ? 1000 : 2000;
    const zi = params.zeroInit ?? 'on';
    if (zi !== 'on' && zi !== 'off') throw new Error(`experiment degradation: zeroInit must be 'on' or 'off', got '${zi}'`);
    const zeroInitResidual = zi === 'on';
    const batchSize = BATCH_SIZE;
    const { data, inChannels } = await loadTask('degradation', dataset, trainImages, testImages, seed, params.data);
    const runs: DegradationRun[] = [];
    for (const kind of ['plain', 'resnet'] as const)
      for (const depth of depths) {
        manualSeed(seed + 1);
        const model = new CifarResNet(depth, { plain: kind === 'plain', width, inChannels, zeroInitResidual });
        const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9, weightDecay: 1e-4 });
        const t0 = performance.now();
        const r = trainEpochs(model, opt, data, {
          epochs,
          batchSize,
          seed: seed + 2,
          preciseBn: 1000,
          onEpoch: (l) =>
            onProgress(
              `${kind}-${depth} epoch ${l.epoch}: training error ${(100 - l.trainAcc * 100).toFixed(1)}%, test ${(100 - l.testAcc * 100).toFixed(1)}%`,
            ),
        });
        const stepsPerEpoch = Math.ceil(trainImages / batchSize);
        const stepErrors = r.stepAccuracies.map((a) => 100 - a * 100);
        const last = stepErrors.slice(-stepsPerEpoch);
        runs.push({
          kind,
          depth,
          parameters: model.parameters().reduce((s, p) => s + p.numel(), 0),
          logs: r.logs,
          stepErrors,
          finalTrainError: r.diverged ? 90 : last.reduce((a, b) => a + b, 0) / last.length,
          finalTestError: r.diverged ? 90 : 100 - r.logs.at(-1)!.testAcc * 100,
          seconds: Math.round((performance.now() - t0) / 100) / 10,
        });
      }

    const get = (kind: 'plain' | 'resnet', depth: number) => runs.find((r) => r.kind === kind && r.depth === depth)!;
    const [shallow, deep] = [depths[0], depths.at(-1)!];
    const f = (v: number) => `${v.toFixed(1)}%`;
    const plainGap = get('plain', deep).finalTrainError - get('plain', shallow).finalTrainError;
    const resGap = get('resnet', deep).finalTrainError - get('resnet', shallow).finalTrainError;
    return {
      results: { dataset, trainImages, testImages, epochs, width, zeroInitResidual, runs },
      figure: degradationFigure({ dataset, trainImages, testImages, epochs, width, zeroInitResidual, runs }),
      table: markdownTable(
        ['network', 'parameters', 'final training error', 'final test error', 'seconds'],
        runs.map((r) => [`${r.kind}-${r.depth}`, r.parameters.toLocaleString('en'), f(r.finalTrainError), f(r.finalTestError), r.seconds]),
      ),
      verdict: {
        holds: plainGap > 1 && resGap < 0,
        measured:
          `plain-${deep} final training error ${f(get('plain', deep).finalTrainError)} vs plain-${shallow} ${f(get('plain', shallow).finalTrainError)}; ` +
          `resnet-${deep} ${f(get('resnet', deep).finalTrainError)} vs resnet-${shallow} ${f(get('resnet', shallow).finalTrainError)}`,
        criterion: `the deepest plain net's training error over the last epoch is more than 1 point above the shallowest's, and the deepest ResNet's is below the shallowest ResNet's`,
      },
    };
  },
};
