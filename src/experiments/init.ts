/**
 * The lectures' weight-initialization experiment: a 6-layer, 4096-wide MLP with tanh or ReLU, weights drawn from
 * N(0, 0.01²), N(0, 0.05²), Xavier or Kaiming, input 16×4096 standard normal. Too small weights make activations
 * collapse to zero layer by layer; too large ones saturate tanh; Xavier keeps tanh healthy, Kaiming keeps ReLU healthy.
 */
import { activationStats, type LayerStats } from '../analysis/stats.js';
import { barChart, column, figure, histogram, PALETTE, row, type ChartSpec, type ViewSpec } from '../chart/spec.js';
import * as nn from '../nn/index.js';
import { constant, kaimingNormal, normal, xavierNormal, zeros } from '../nn/init.js';
import { crossEntropy } from '../ops/loss.js';
import { SGD } from '../optim/sgd.js';
import { randint, randn, tensor } from '../tensor/creation.js';
import { Generator } from '../tensor/random.js';
import { markdownTable, type Experiment } from './experiment.js';

export const INITS = ['N(0, 0.01²)', 'N(0, 0.05²)', 'Xavier', 'Kaiming'] as const;
export type InitName = (typeof INITS)[number];

export interface InitExperimentRow {
  activation: 'tanh' | 'relu';
  init: InitName;
  layers: LayerStats[];
}

export function initExperiment(
  opts: { width?: number; depth?: number; batch?: number; seed?: number; onProgress?: (line: string) => void } = {},
): InitExperimentRow[] {
  const { width = 4096, depth = 6, batch = 16, seed = 0 } = opts;
  const x = randn([batch, width], { generator: new Generator(seed) });
  const rows: InitExperimentRow[] = [];
  for (const activation of ['tanh', 'relu'] as const) {
    for (const init of INITS) {
      const g = new Generator(seed + 1);
      const layers: nn.Module[] = [];
      for (let i = 0; i < depth; i++) {
        const lin = new nn.Linear(width, width);
        if (init === 'N(0, 0.01²)') normal(lin.weight, 0, 0.01, { generator: g });
        else if (init === 'N(0, 0.05²)') normal(lin.weight, 0, 0.05, { generator: g });
        else if (init === 'Xavier') xavierNormal(lin.weight, 1, { generator: g });
        else kaimingNormal(lin.weight, { nonlinearity: 'relu', generator: g });
        zeros(lin.bias!);
        layers.push(lin, activation === 'tanh' ? new nn.Tanh() : new nn.ReLU());
      }
      const mlp = new nn.Sequential(...layers);
      rows.push({ activation, init, layers: activationStats(mlp, x, { types: [nn.Tanh, nn.ReLU], bins: 40 }) });
      opts.onProgress?.(`configuration ${rows.length}/${2 * INITS.length}: ${activation} with ${init} initialization`);
    }
  }
  return rows;
}

/** Per-layer standard deviations as a text table (rows: activation + init; columns: layers). */
export function initExperimentTable(rows: InitExperimentRow[]): string {
  const depth = rows[0]?.layers.length ?? 0;
  const header = ['activation', 'init', ...Array.from({ length: depth }, (_, i) => `layer ${i + 1} std`)];
  const body = rows.map((r) => [r.activation, r.init, ...r.layers.map((l) => l.activation.std.toExponential(2))]);
  const widths = header.map((_, i) => Math.max(...[header, ...body].map((row) => row[i].length)));
  return [header, ...body].map((row) => row.map((c, i) => c.padEnd(widths[i])).join('  ')).join('\n');
}

/**
 * One histogram per (configuration, layer) in a grid, the lecture's figure: a row per configuration, a column per
 * layer, the std (and the share of exact zeros after a ReLU) under each. Render with `chart.renderSvg`.
 */
export function initExperimentFigure(rows: InitExperimentRow[]): ChartSpec {
  const depth = rows[0]?.layers.length ?? 0;
  return figure(histogramGrid(rows), `Activation histograms of a ${depth}-layer MLP, per initialization (columns: layers 1–${depth})`);
}

/** The grid of initExperimentFigure, as a view to place in a larger figure. */
function histogramGrid(rows: InitExperimentRow[]): ViewSpec {
  const grid = rows.map((r) =>
    row(
      r.layers.map((l) => {
        const { counts, edges } = l.activation.histogram;
        // ReLU outputs are half exact zeros: scale to the other bins (the zero bar is clipped) and say how many.
        const manyZeros = l.activation.zeroFraction > 0.2;
        return histogram({
          title: `std ${l.activation.std.toExponential(1)}${manyZeros ? `, ${Math.round(l.activation.zeroFraction * 100)}% zeros` : ''}`,
          counts,
          edges,
          color: r.activation === 'tanh' ? PALETTE[0] : PALETTE[1],
          yMax: manyZeros ? Math.max(1, ...counts.slice(1)) : undefined,
        });
      }),
      // One x-axis along a row, so a collapse toward zero in the deeper layers shows as a narrowing spike.
      { title: `${r.activation} · ${r.init}`, spacing: 30, shareX: true, flush: true },
    ),
  );
  return column(grid);
}

export interface SymmetryRun {
  init: 'zeros' | 'constant 0.1' | 'Kaiming (random)';
  /** Hidden units of the first layer, and how many of them differ after training. */
  units: number;
  distinctUnits: number;
  trainAccuracy: number;
}

/** Rows of a [units, fan-in] weight (with the bias) that differ by more than 1e-6 from every earlier row. */
function distinctRows(w: Float32Array, b: Float32Array, units: number, fanIn: number): number {
  const seen: number[][] = [];
  for (let u = 0; u < units; u++) {
    const r = [...w.subarray(u * fanIn, (u + 1) * fanIn), b[u]];
    if (!seen.some((o) => o.every((v, i) => Math.abs(v - r[i]) <= 1e-6))) seen.push(r);
  }
  return seen.length;
}

/**
 * The lecture's "set all weights to 0 — what happens?": a 2-16-16-3 tanh MLP trained with SGD on three Gaussian
 * blobs from all-zero weights, from one constant, and from Kaiming's random weights. Without random weights every
 * hidden unit computes and learns the same thing (the symmetry is never broken), so the layer acts as one unit.
 */
export function symmetryExperiment(opts: { steps?: number; seed?: number } = {}): SymmetryRun[] {
  const { steps = 200, seed = 0 } = opts;
  const g = new Generator(seed);
  const n = 300;
  const y = randint(0, 3, [n], { generator: g });
  const centres = [
    [-2, 0],
    [2, 0],
    [0, 2.5],
  ];
  const labels = y.data();
  const noise = randn([n, 2], { generator: g }).data();
  const x = tensor(
    Float32Array.from({ length: n * 2 }, (_, i) => centres[labels[i >> 1]][i & 1] + noise[i]),
    [n, 2],
  );
  return (['zeros', 'constant 0.1', 'Kaiming (random)'] as const).map((init) => {
    const gi = new Generator(seed + 1);
    const l1 = new nn.Linear(2, 16);
    const l2 = new nn.Linear(16, 16);
    const l3 = new nn.Linear(16, 3);
    for (const l of [l1, l2, l3]) {
      if (init === 'zeros') constant(l.weight, 0);
      else if (init === 'constant 0.1') constant(l.weight, 0.1);
      else kaimingNormal(l.weight, { nonlinearity: 'tanh', generator: gi });
      zeros(l.bias!);
    }
    const mlp = new nn.Sequential(l1, new nn.Tanh(), l2, new nn.Tanh(), l3);
    const opt = new SGD(mlp.parameters(), { lr: 0.2, momentum: 0.9 });
    for (let i = 0; i < steps; i++) {
      opt.zeroGrad();
      crossEntropy(mlp.forward(x), y).backward();
      opt.step();
    }
    const pred = Array.from(mlp.forward(x).argmax(1).data());
    const correct = pred.filter((p, i) => p === labels[i]).length;
    return {
      init,
      units: 16,
      distinctUnits: distinctRows(l2.weight.data() as Float32Array, l2.bias!.data() as Float32Array, 16, 16),
      trainAccuracy: correct / n,
    };
  });
}

export interface InitResults {
  width: number;
  depth: number;
  /** Per configuration: each layer's activation std and share of exact zeros, and the histogram drawn. */
  configurations: { activation: string; init: string; std: number[]; zeroFraction: number[]; histograms: { counts: number[]; edges: number[] }[] }[];
  symmetry: SymmetryRun[];
}

/** The experiment (`convnet experiment init`): the activation statistics of the four inits, and the zero init. */
export const INIT_EXPERIMENT: Experiment<InitResults> = {
  name: 'init',
  lectures: '002, 004',
  claim:
    'Too-small random weights make activations vanish with depth and too-large ones saturate tanh; Xavier keeps tanh and Kaiming keeps ReLU at scale; all-zero (or constant) weights never break the symmetry between units',
  description:
    'a 6-layer MLP (4096 wide; 2048 with --quick) with tanh and ReLU under four inits, and a small MLP trained from zero, constant and random weights',
  params: { width: 'MLP width (default 4096; quick 2048)' },
  async run({ quick, seed, onProgress, params }) {
    const width = params.width !== undefined ? Number(params.width) : quick ? 2048 : 4096;
    if (!Number.isInteger(width) || width < 2) throw new Error(`experiment init: width must be an integer >= 2, got '${params.width}'`);
    const rows = initExperiment({ width, seed, onProgress });
    const symmetry = symmetryExperiment({ seed });
    onProgress('symmetry: trained from zero, constant and random weights');
    const std = (act: string, init: string) => rows.find((r) => r.activation === act && r.init === init)!.layers.map((l) => l.activation.std);
    const small = std('tanh', 'N(0, 0.01²)');
    const large = std('tanh', 'N(0, 0.05²)');
    const xavier = std('tanh', 'Xavier');
    const kaiming = std('relu', 'Kaiming');
    const depth = small.length;
    const zero = symmetry.find((r) => r.init === 'zeros')!;
    const random = symmetry.find((r) => r.init === 'Kaiming (random)')!;
    const checks = [
      small[depth - 1] < small[0] / 10,
      Math.min(...large) > 0.75,
      xavier[depth - 1] > 0.1 && xavier[depth - 1] < 0.9,
      kaiming[depth - 1] / kaiming[0] > 0.7 && kaiming[depth - 1] / kaiming[0] < 1.4,
      zero.distinctUnits === 1 && symmetry.find((r) => r.init === 'constant 0.1')!.distinctUnits === 1 && random.distinctUnits === random.units,
    ];
    const f = (v: number) => v.toExponential(1);
    const results: InitResults = {
      width,
      depth,
      configurations: rows.map((r) => ({
        activation: r.activation,
        init: r.init,
        std: r.layers.map((l) => l.activation.std),
        zeroFraction: r.layers.map((l) => l.activation.zeroFraction),
        histograms: r.layers.map((l) => ({ counts: [...l.activation.histogram.counts], edges: [...l.activation.histogram.edges] })),
      })),
      symmetry,
    };
    const header = ['activation', 'init', ...Array.from({ length: depth }, (_, i) => `layer ${i + 1} std`)];
    const table = [
      markdownTable(
        header,
        rows.map((r) => [r.activation, r.init, ...r.layers.map((l) => f(l.activation.std))]),
      ),
      '',
      markdownTable(
        ['init (2-16-16-3 tanh MLP)', 'distinct hidden units after training', 'train accuracy'],
        symmetry.map((r) => [r.init, `${r.distinctUnits} of ${r.units}`, `${(r.trainAccuracy * 100).toFixed(1)}%`]),
      ),
    ].join('\n');
    const symmetryBars = barChart({
      title: 'distinct hidden units after training (of 16)',
      rows: symmetry.map((r) => ({ label: r.init, value: r.distinctUnits })),
      axis: { title: 'distinct units', domain: [0, 16] },
      color: PALETTE[2],
    });
    return {
      results,
      table,
      figure: figure(column([histogramGrid(rows), symmetryBars]), 'Initialization decides whether signals survive depth (and whether units ever differ)'),
      verdict: {
        holds: checks.every(Boolean),
        measured:
          `tanh N(0, 0.01²) std ${f(small[0])} → ${f(small[depth - 1])} over ${depth} layers; tanh N(0, 0.05²) min std ${large.reduce((a, b) => Math.min(a, b)).toFixed(2)}; ` +
          `tanh Xavier last-layer std ${xavier[depth - 1].toFixed(2)}; ReLU Kaiming std ratio ${(kaiming[depth - 1] / kaiming[0]).toFixed(2)}; ` +
          `distinct hidden units after training: zeros ${zero.distinctUnits}, random ${random.distinctUnits} of 16`,
        criterion:
          'small: last std < first/10; large: every std > 0.75 (saturated); Xavier tanh: 0.1 < last std < 0.9; Kaiming ReLU: last/first in (0.7, 1.4); zero and constant init: 1 distinct unit, random: all 16',
      },
    };
  },
};
