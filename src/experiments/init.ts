/**
 * The lectures' weight-initialization experiment: a 6-layer, 4096-wide MLP with tanh or ReLU, weights drawn from
 * N(0, 0.01²), N(0, 0.05²), Xavier or Kaiming, input 16×4096 standard normal. Too small weights make activations
 * collapse to zero layer by layer; too large ones saturate tanh; Xavier keeps tanh healthy, Kaiming keeps ReLU healthy.
 */
import { activationStats, type LayerStats } from '../analysis/stats.js';
import { column, figure, histogram, PALETTE, row, type ChartSpec } from '../chart/spec.js';
import * as nn from '../nn/index.js';
import { kaimingNormal, normal, xavierNormal, zeros } from '../nn/init.js';
import { randn } from '../tensor/creation.js';
import { Generator } from '../tensor/random.js';

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
      { title: `${r.activation} · ${r.init}`, spacing: 30 },
    ),
  );
  return figure(column(grid), `Activation histograms of a ${depth}-layer MLP, per initialization (columns: layers 1–${depth})`);
}
