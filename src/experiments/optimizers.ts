/**
 * Lecture 003's optimizers, side by side: SGD, SGD with momentum, Nesterov, AdaGrad, RMSProp, Adam and AdamW.
 * (a) On 2-D losses the lecture draws — a poorly conditioned bowl, a saddle point, a bowl with noisy gradients — as
 * trajectories from the same start. (b) On a small CNN and an MNIST subset, as training-loss curves. (c) Adam with L2
 * weight decay against AdamW at the same decay: the parameter norms they end with.
 */
import { noGrad } from '../autograd/grad_mode.js';
import { barChart, column, figure, lineChart, PALETTE, row } from '../chart/spec.js';
import * as nn from '../nn/index.js';
import { Adagrad } from '../optim/adagrad.js';
import { Adam, AdamW } from '../optim/adam.js';
import type { Optimizer } from '../optim/optimizer.js';
import { RMSprop } from '../optim/rmsprop.js';
import { SGD } from '../optim/sgd.js';
import { randn, tensor } from '../tensor/creation.js';
import { Generator, manualSeed } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { intSetting, markdownTable, type Experiment } from './experiment.js';
import { mnistSubset, movingAverage, smallCnn, trainEpochs } from './mnist_task.js';

export const OPTIMIZERS = ['SGD', 'SGD+momentum', 'Nesterov', 'AdaGrad', 'RMSProp', 'Adam', 'AdamW'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** Each optimizer with a learning rate for the 2-D surfaces and one for the CNN (the usual defaults). */
function make(name: OptimizerName, params: Iterable<Tensor>, task: 'surface' | 'cnn'): Optimizer {
  const s = task === 'surface';
  switch (name) {
    // On the bowl, SGD's lr·curvature = 0.036·50 = 1.8 across the valley: it overshoots every step, as the lecture
    // draws; with momentum 0.9 the same rate would diverge (Nesterov is stable below 2(1 + μ)/(1 + 2μ) ≈ 1.36), so 0.02.
    case 'SGD':
      return new SGD(params, { lr: s ? 0.036 : 0.05 });
    case 'SGD+momentum':
      return new SGD(params, { lr: s ? 0.02 : 0.05, momentum: 0.9 });
    case 'Nesterov':
      return new SGD(params, { lr: s ? 0.02 : 0.05, momentum: 0.9, nesterov: true });
    case 'AdaGrad':
      return new Adagrad(params, { lr: s ? 0.5 : 0.01 });
    case 'RMSProp':
      return new RMSprop(params, { lr: s ? 0.05 : 1e-3 });
    case 'Adam':
      return new Adam(params, { lr: s ? 0.1 : 1e-3 });
    case 'AdamW':
      return new AdamW(params, { lr: s ? 0.1 : 1e-3, weightDecay: s ? 0 : 0.01 });
  }
}

export const SURFACES = ['poor conditioning', 'saddle point', 'noisy gradient'] as const;
export type SurfaceName = (typeof SURFACES)[number];

interface Surface {
  start: [number, number];
  /** The window the figure shows. */
  view: { x: [number, number]; y: [number, number] };
  /** The loss at p = [x, y], differentiable. */
  loss(p: Tensor): Tensor;
  noise: number;
}

const SURFACE: Record<SurfaceName, Surface> = {
  // f = (x² + 50 y²) / 2: steep across the valley, shallow along it.
  'poor conditioning': {
    start: [-4, 1],
    view: { x: [-4.5, 1.5], y: [-1.5, 1.5] },
    loss: (p) =>
      p
        .square()
        .mul(tensor([0.5, 25]))
        .sum(),
    noise: 0,
  },
  // f = x²/2 + y⁴/4 − y²/2: a saddle at the origin between two minima at y = ±1; the start sits on the ridge.
  'saddle point': {
    start: [2, 1e-3],
    view: { x: [-1, 2.2], y: [-0.2, 1.6] },
    loss: (p) => {
      const x = p.narrow(0, 0, 1);
      const y = p.narrow(0, 1, 1);
      return x.square().mul(0.5).add(y.pow(4).mul(0.25)).sub(y.square().mul(0.5)).sum();
    },
    noise: 0,
  },
  // f = (x² + 10 y²) / 2 with N(0, 2²) noise on every gradient, as a mini-batch gives.
  'noisy gradient': {
    start: [-4, 2],
    view: { x: [-5, 2], y: [-2.5, 2.5] },
    loss: (p) =>
      p
        .square()
        .mul(tensor([0.5, 5]))
        .sum(),
    noise: 2,
  },
};

export interface Trajectory {
  surface: SurfaceName;
  optimizer: OptimizerName;
  /** [x, y] after each step, the start first. */
  path: [number, number][];
  /** Loss at the end (the noisy surface: the mean over the last 20 steps). */
  finalLoss: number;
  /** Saddle point: the first step at which |y| > 0.5 (null: never). */
  escapeStep: number | null;
}

/** Runs every optimizer on every surface for `steps` steps. */
export function surfaceRuns(steps: number, seed: number): Trajectory[] {
  const out: Trajectory[] = [];
  for (const surface of SURFACES) {
    const s = SURFACE[surface];
    for (const optimizer of OPTIMIZERS) {
      const g = new Generator(seed);
      const p = new nn.Parameter(tensor(s.start));
      const opt = make(optimizer, [p], 'surface');
      const path: [number, number][] = [[...s.start]];
      const losses: number[] = [];
      let escapeStep: number | null = null;
      for (let i = 1; i <= steps; i++) {
        opt.zeroGrad();
        const l = s.loss(p);
        l.backward();
        if (s.noise) p.grad = p.grad!.add(randn([2], { generator: g }).mul(s.noise));
        opt.step();
        const [x, y] = p.data();
        path.push([x, y]);
        losses.push(noGrad(() => s.loss(p).item()));
        if (escapeStep === null && Math.abs(y) > 0.5) escapeStep = i;
      }
      const tail = s.noise ? losses.slice(-20) : losses.slice(-1);
      out.push({ surface, optimizer, path, finalLoss: tail.reduce((a, b) => a + b, 0) / tail.length, escapeStep });
    }
  }
  return out;
}

const paramNorm = (m: nn.AnyModule) => Math.sqrt(m.parameters().reduce((s, p) => s + p.square().sum().item(), 0));

export interface OptimizersResults {
  steps: number;
  surfaces: Trajectory[];
  cnn: { trainImages: number; epochs: number; runs: { optimizer: OptimizerName; stepLoss: number[]; finalTrainLoss: number; testAccuracy: number }[] };
  decay: { weightDecay: number; runs: { method: string; paramNorm: number; testAccuracy: number }[] };
}

/** The experiment (`convnet experiment optimizers`). */
export const OPTIMIZERS_EXPERIMENT: Experiment<OptimizersResults> = {
  name: 'optimizers',
  lectures: '003',
  claim:
    'Plain SGD zig-zags across poorly conditioned valleys and stalls at saddle points; momentum and adaptive methods (AdaGrad, RMSProp, Adam) get through both and train a CNN faster; Adam with L2 weight decay is not AdamW',
  description:
    'seven optimizers on three 2-D losses (trajectories), on a small MNIST CNN (loss curves), and Adam+L2 vs AdamW (10,000 images × 2 epochs; 3,000 × 1 with --quick)',
  params: { trainImages: 'CNN training images (default 10000; quick 3000)', epochs: 'CNN epochs (default 2; quick 1)' },
  async run({ quick, seed, onProgress, params }) {
    const int = (k: string, d: number) => intSetting('optimizers', params, k, d);
    const steps = 150;
    const surfaces = surfaceRuns(steps, seed);
    onProgress(`2-D surfaces: ${surfaces.length} runs of ${steps} steps`);
    const trainImages = int('trainImages', quick ? 3000 : 10000);
    const epochs = int('epochs', quick ? 1 : 2);
    const data = await mnistSubset(trainImages, 2000, seed);
    const cnnRuns: OptimizersResults['cnn']['runs'] = [];
    for (const optimizer of OPTIMIZERS) {
      manualSeed(seed + 1);
      const model = smallCnn();
      const r = trainEpochs(model, make(optimizer, model.parameters(), 'cnn'), data, { epochs, seed: seed + 2 });
      cnnRuns.push({ optimizer, stepLoss: r.stepLosses, finalTrainLoss: r.logs.at(-1)!.trainLoss, testAccuracy: r.logs.at(-1)!.testAcc });
      onProgress(
        `CNN with ${optimizer}: training loss ${cnnRuns.at(-1)!.finalTrainLoss.toFixed(3)}, test accuracy ${(cnnRuns.at(-1)!.testAccuracy * 100).toFixed(1)}%`,
      );
    }
    const weightDecay = 0.05;
    const decayRuns: OptimizersResults['decay']['runs'] = [];
    for (const [method, build] of [
      ['Adam, no decay', (p: Iterable<Tensor>) => new Adam(p, { lr: 1e-3 })],
      [`Adam + L2 (weightDecay ${weightDecay})`, (p: Iterable<Tensor>) => new Adam(p, { lr: 1e-3, weightDecay })],
      [`AdamW (weightDecay ${weightDecay})`, (p: Iterable<Tensor>) => new AdamW(p, { lr: 1e-3, weightDecay })],
    ] as const) {
      manualSeed(seed + 1);
      const model = smallCnn();
      const r = trainEpochs(model, build(model.parameters()), data, { epochs, seed: seed + 2 });
      decayRuns.push({ method, paramNorm: paramNorm(model), testAccuracy: r.logs.at(-1)!.testAcc });
      onProgress(`${method}: parameter norm ${decayRuns.at(-1)!.paramNorm.toFixed(2)}`);
    }
    const traj = (surface: SurfaceName, o: OptimizerName) => surfaces.find((t) => t.surface === surface && t.optimizer === o)!;
    const cnnOf = (o: OptimizerName) => cnnRuns.find((r) => r.optimizer === o)!;
    const [noDecay, l2, decoupled] = decayRuns;
    const checks = {
      conditioning: traj('poor conditioning', 'SGD+momentum').finalLoss < traj('poor conditioning', 'SGD').finalLoss / 10,
      saddle:
        traj('saddle point', 'SGD').escapeStep === null ||
        (['SGD+momentum', 'Adam', 'RMSProp'] as const).every((o) => (traj('saddle point', o).escapeStep ?? Infinity) < traj('saddle point', 'SGD').escapeStep!),
      cnn: cnnOf('Adam').finalTrainLoss < cnnOf('SGD').finalTrainLoss && cnnOf('SGD+momentum').finalTrainLoss < cnnOf('SGD').finalTrainLoss,
      notAdamW: Math.abs(l2.paramNorm - decoupled.paramNorm) / decoupled.paramNorm > 0.05,
    };
    const esc = (o: OptimizerName) => traj('saddle point', o).escapeStep ?? `never in ${steps}`;
    const e = (v: number) => v.toExponential(1);
    return {
      results: { steps, surfaces, cnn: { trainImages, epochs, runs: cnnRuns }, decay: { weightDecay, runs: decayRuns } },
      figure: figure(
        column([
          row(
            SURFACES.map((surface) =>
              lineChart({
                title: surface,
                x: { title: 'x', domain: SURFACE[surface].view.x },
                y: { title: 'y', domain: SURFACE[surface].view.y },
                series: OPTIMIZERS.map((o) => ({ name: o, points: traj(surface, o).path })),
                width: 230,
                height: 200,
                points: false,
                path: true,
              }),
            ),
            { shareLegend: true },
          ),
          row([
            lineChart({
              title: 'small CNN on MNIST: training loss (mean of the last 10 steps)',
              x: { title: 'step', zero: true },
              y: { title: 'cross-entropy', zero: true },
              series: cnnRuns.map((r) => ({ name: r.optimizer, points: movingAverage(r.stepLoss) })),
              width: 380,
              height: 220,
              points: false,
            }),
            barChart({
              title: `parameter norm after training`,
              rows: decayRuns.map((r) => ({ label: r.method, value: Math.round(r.paramNorm * 100) / 100 })),
              axis: { title: '‖θ‖' },
              color: PALETTE[4],
              width: 180,
            }),
          ]),
        ]),
        'Momentum and adaptive steps get through valleys and saddles; decoupled weight decay is a different regularizer',
      ),
      table: [
        markdownTable(
          ['optimizer', ...SURFACES.map((s) => `${s}: final loss`), 'saddle: step |y| > 0.5', 'CNN training loss', 'CNN test accuracy'],
          OPTIMIZERS.map((o) => [
            o,
            ...SURFACES.map((s) => e(traj(s, o).finalLoss)),
            esc(o),
            cnnOf(o).finalTrainLoss.toFixed(3),
            `${(cnnOf(o).testAccuracy * 100).toFixed(1)}%`,
          ]),
        ),
        '',
        markdownTable(
          ['method', 'parameter norm', 'test accuracy'],
          decayRuns.map((r) => [r.method, r.paramNorm.toFixed(2), `${(r.testAccuracy * 100).toFixed(1)}%`]),
        ),
      ].join('\n'),
      verdict: {
        holds: Object.values(checks).every(Boolean),
        measured:
          `poorly conditioned bowl after ${steps} steps: SGD ${e(traj('poor conditioning', 'SGD').finalLoss)} vs momentum ${e(traj('poor conditioning', 'SGD+momentum').finalLoss)}; ` +
          `saddle escaped at step SGD ${esc('SGD')}, momentum ${esc('SGD+momentum')}, RMSProp ${esc('RMSProp')}, Adam ${esc('Adam')}; ` +
          `CNN training loss SGD ${cnnOf('SGD').finalTrainLoss.toFixed(3)}, momentum ${cnnOf('SGD+momentum').finalTrainLoss.toFixed(3)}, Adam ${cnnOf('Adam').finalTrainLoss.toFixed(3)}; ` +
          `parameter norm: no decay ${noDecay.paramNorm.toFixed(2)}, Adam+L2 ${l2.paramNorm.toFixed(2)}, AdamW ${decoupled.paramNorm.toFixed(2)}`,
        criterion:
          'momentum ends the poorly conditioned bowl 10× lower than SGD; momentum, RMSProp and Adam leave the saddle before SGD; Adam and momentum end the CNN with lower training loss than SGD; Adam+L2 and AdamW parameter norms differ by more than 5%',
      },
    };
  },
};
