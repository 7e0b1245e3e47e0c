/**
 * Lecture 002's case for activation functions: a deep network without them is one linear map (it can do no better
 * than a linear classifier on data a line cannot split), and the activations differ in how gradients flow — sigmoid
 * shrinks them layer by layer, ReLU units can die. Two concentric rings, a 5-layer MLP per activation, full-batch Adam.
 */
import { barChart, column, figure, lineChart, PALETTE, row } from '../chart/spec.js';
import * as nn from '../nn/index.js';
import { kaimingNormal, zeros } from '../nn/init.js';
import { crossEntropy } from '../ops/loss.js';
import { Adam } from '../optim/adam.js';
import { noGrad } from '../autograd/grad_mode.js';
import { rand, tensor } from '../tensor/creation.js';
import { Generator, manualSeed } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { markdownTable, type Experiment } from './experiment.js';

export const ACTIVATIONS = ['none', 'ReLU', 'LeakyReLU', 'ELU', 'GELU', 'tanh', 'sigmoid'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

export interface NonlinearityRun {
  activation: ActivationName | 'linear classifier';
  trainAccuracy: number;
  /** Cross-entropy every 10 steps. */
  loss: number[];
  /** ‖∂loss/∂W‖ of each linear layer at the first step, input side first. */
  gradNorms: number[];
  /** Share of hidden units (ReLU only) that output zero for every training point after training, per hidden layer. */
  deadFraction: number[] | null;
}

export interface NonlinearityResults {
  points: number;
  depth: number;
  width: number;
  steps: number;
  runs: NonlinearityRun[];
  /** Without activations: the largest gap between the network's output and the one composed affine map's. */
  linearCollapseError: number;
}

/** Two concentric rings (radius 1 and 2, with noise), labels 0 (inner) and 1 (outer). */
function rings(n: number, g: Generator): { x: Tensor; y: Tensor; labels: number[] } {
  const u = rand([n, 2], { generator: g }).data();
  const labels: number[] = [];
  const xs = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    const r = 1 + label + (u[2 * i] - 0.5) * 0.5;
    const a = u[2 * i + 1] * 2 * Math.PI;
    xs[2 * i] = r * Math.cos(a);
    xs[2 * i + 1] = r * Math.sin(a);
    labels.push(label);
  }
  return { x: tensor(xs, [n, 2]), y: tensor(Int32Array.from(labels), [n]), labels };
}

function activationModule(a: ActivationName): nn.AnyModule | null {
  switch (a) {
    case 'none':
      return null;
    case 'ReLU':
      return new nn.ReLU();
    case 'LeakyReLU':
      return new nn.LeakyReLU(0.01);
    case 'ELU':
      return new nn.ELU();
    case 'GELU':
      return new nn.GELU();
    case 'tanh':
      return new nn.Tanh();
    case 'sigmoid':
      return new nn.Sigmoid();
  }
}

const accuracy = (logits: Tensor, labels: readonly number[]) => {
  const pred = Array.from(logits.argmax(1).data());
  return pred.filter((p, i) => p === labels[i]).length / labels.length;
};

/** Trains one MLP per activation (and a linear classifier) on the rings; see NonlinearityResults. */
export function nonlinearityExperiment(opts: { steps?: number; seed?: number; onProgress?: (line: string) => void } = {}): NonlinearityResults {
  const { steps = 1000, seed = 0 } = opts;
  const n = 512;
  const depth = 5;
  const width = 32;
  const { x, y, labels } = rings(n, new Generator(seed));
  const runs: NonlinearityRun[] = [];
  let linearCollapseError = NaN;
  for (const activation of [...ACTIVATIONS, 'linear classifier'] as const) {
    manualSeed(seed + 1);
    const g = new Generator(seed + 1);
    const linears: nn.Linear[] = [];
    const layers: nn.AnyModule[] = [];
    const sizes = activation === 'linear classifier' ? [2, 2] : [2, ...Array<number>(depth - 1).fill(width), 2];
    for (let i = 0; i + 1 < sizes.length; i++) {
      const lin = new nn.Linear(sizes[i], sizes[i + 1]);
      kaimingNormal(lin.weight, { nonlinearity: activation === 'tanh' || activation === 'sigmoid' ? 'tanh' : 'relu', generator: g });
      zeros(lin.bias!);
      linears.push(lin);
      layers.push(lin);
      const act = activation === 'linear classifier' ? null : activationModule(activation);
      if (act && i + 2 < sizes.length) layers.push(act);
    }
    const model = new nn.Sequential(...layers);
    const opt = new Adam(model.parameters(), { lr: 0.01 });
    const loss: number[] = [];
    let gradNorms: number[] = [];
    for (let s = 0; s < steps; s++) {
      opt.zeroGrad();
      const l = crossEntropy(model.forward(x), y);
      l.backward();
      if (s === 0) gradNorms = linears.map((lin) => Math.sqrt(lin.weight.grad!.square().sum().item()));
      if (s % 10 === 0) loss.push(l.item());
      opt.step();
    }
    const logits = noGrad(() => model.forward(x));
    let deadFraction: number[] | null = null;
    if (activation === 'ReLU') {
      deadFraction = [];
      noGrad(() => {
        let h = x;
        for (let i = 0; i + 1 < linears.length; i++) {
          h = linears[i].forward(h).relu();
          const alive = h.gt(0).sum(0).data();
          deadFraction!.push(Array.from(alive).filter((v) => v === 0).length / alive.length);
        }
      });
    }
    if (activation === 'none') {
      // The composed map: W = W_L ··· W_1, b folded through; compare with the network on every point.
      noGrad(() => {
        let w = linears[0].weight.t();
        let b = linears[0].bias!;
        for (const lin of linears.slice(1)) {
          w = w.matmul(lin.weight.t());
          b = b.matmul(lin.weight.t()).add(lin.bias!);
        }
        const direct = x.matmul(w).add(b);
        linearCollapseError = direct.sub(logits).abs().max().item() / Math.max(1e-12, logits.abs().max().item());
      });
    }
    runs.push({ activation, trainAccuracy: accuracy(logits, labels), loss, gradNorms, deadFraction });
    opts.onProgress?.(`${activation}: train accuracy ${(runs.at(-1)!.trainAccuracy * 100).toFixed(1)}%`);
  }
  return { points: n, depth, width, steps, runs, linearCollapseError };
}

/** The experiment (`convnet experiment nonlinearity`). */
export const NONLINEARITY_EXPERIMENT: Experiment<NonlinearityResults> = {
  name: 'nonlinearity',
  lectures: '002',
  claim:
    'Without activation functions a deep network is one linear map and does no better than a linear classifier; with them it fits non-linear data, and sigmoid shrinks gradients on their way to the first layers',
  description: 'a 5-layer MLP on two concentric rings with no activation, ReLU, LeakyReLU, ELU, GELU, tanh and sigmoid (1,000 Adam steps; 300 with --quick)',
  params: { steps: 'Adam steps per network (default 1000; quick 300)' },
  async run({ quick, seed, onProgress, params }) {
    const steps = params.steps !== undefined ? Number(params.steps) : quick ? 300 : 1000;
    if (!Number.isInteger(steps) || steps < 1) throw new Error(`experiment nonlinearity: steps must be a positive integer, got '${params.steps}'`);
    const r = nonlinearityExperiment({ steps, seed, onProgress });
    const get = (a: string) => r.runs.find((x) => x.activation === a)!;
    const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
    const linearAcc = get('linear classifier').trainAccuracy;
    const nonlinear = r.runs.filter((x) => x.activation !== 'none' && x.activation !== 'linear classifier' && x.activation !== 'sigmoid');
    const ratio = (a: string) => get(a).gradNorms[0] / get(a).gradNorms.at(-1)!;
    const checks = {
      collapse: r.linearCollapseError < 1e-4,
      noBetterThanLinear: get('none').trainAccuracy <= linearAcc + 0.03 && get('none').trainAccuracy < 0.75,
      fits: nonlinear.every((x) => x.trainAccuracy > 0.95),
      sigmoidShrinks: ratio('sigmoid') < ratio('ReLU') / 10,
    };
    const series = r.runs.filter((x) => x.activation !== 'linear classifier');
    return {
      results: r,
      figure: figure(
        column([
          row([
            barChart({
              title: 'train accuracy (%)',
              rows: r.runs.map((x) => ({ label: x.activation, value: Math.round(x.trainAccuracy * 1000) / 10 })),
              axis: { title: 'accuracy (%)', domain: [0, 100] },
              color: PALETTE[0],
            }),
            lineChart({
              title: 'gradient norm per layer at the first step',
              x: { title: 'linear layer (input side first)', integer: true },
              y: { title: '‖∂loss/∂W‖', log: true },
              series: series.map((x) => ({ name: x.activation, points: x.gradNorms.map((v, i) => [i + 1, v] as [number, number]) })),
              width: 300,
              height: 200,
            }),
          ]),
          lineChart({
            title: 'training loss',
            x: { title: 'Adam step', zero: true },
            y: { title: 'cross-entropy', zero: true },
            series: r.runs.map((x) => ({
              name: x.activation,
              dashed: x.activation === 'linear classifier',
              points: x.loss.map((v, i) => [i * 10, v] as [number, number]),
            })),
            width: 560,
            height: 220,
            points: false,
          }),
        ]),
        'Activation functions are what make depth worth having',
      ),
      table: markdownTable(
        ['activation', 'train accuracy', 'final loss', 'grad norm layer 1 / layer 5', 'dead ReLU units per hidden layer'],
        r.runs.map((x) => [
          x.activation,
          pct(x.trainAccuracy),
          x.loss.at(-1)!.toFixed(3),
          x.gradNorms.length > 1 ? (x.gradNorms[0] / x.gradNorms.at(-1)!).toExponential(1) : '—',
          x.deadFraction ? x.deadFraction.map(pct).join(', ') : '—',
        ]),
      ),
      verdict: {
        holds: Object.values(checks).every(Boolean),
        measured:
          `no activation: ${pct(get('none').trainAccuracy)} (linear classifier ${pct(linearAcc)}; the network equals one affine map to ${r.linearCollapseError.toExponential(1)}); ` +
          `${nonlinear.map((x) => `${x.activation} ${pct(x.trainAccuracy)}`).join(', ')}; sigmoid ${pct(get('sigmoid').trainAccuracy)}; ` +
          `first/last-layer gradient norm: sigmoid ${ratio('sigmoid').toExponential(1)}, ReLU ${ratio('ReLU').toExponential(1)}`,
        criterion:
          'no activation: equal to the composed affine map (relative gap < 1e-4) and within 3 points of the linear classifier, below 75%; ReLU, LeakyReLU, ELU, GELU and tanh above 95%; sigmoid’s first/last gradient ratio under a tenth of ReLU’s',
      },
    };
  },
};
