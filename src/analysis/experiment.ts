/**
 * The lectures' weight-initialization experiment: a 6-layer, 4096-wide MLP with tanh or ReLU, weights drawn from
 * N(0, 0.01²), N(0, 0.05²), Xavier or Kaiming, input 16×4096 standard normal. Too small weights make activations
 * collapse to zero layer by layer; too large ones saturate tanh; Xavier keeps tanh healthy, Kaiming keeps ReLU healthy.
 */
import * as nn from '../nn/index.js';
import { kaimingNormal, normal, xavierNormal, zeros } from '../nn/init.js';
import { randn } from '../tensor/creation.js';
import { Generator } from '../tensor/random.js';
import { activationStats, type LayerStats } from './stats.js';

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

/** One histogram per (configuration, layer) in a grid, with the std under each: the lecture's figure. */
export function initExperimentSvg(rows: InitExperimentRow[]): string {
  const depth = rows[0]?.layers.length ?? 0;
  const cw = 120,
    ch = 80,
    left = 150,
    top = 40;
  const W = left + depth * cw + 20;
  const H = top + rows.length * (ch + 30) + 10;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">Activation histograms of a ${depth}-layer MLP, per initialization (columns: layers 1–${depth})</text>`,
  ];
  rows.forEach((r, ri) => {
    const y0 = top + ri * (ch + 30);
    parts.push(`<text x="10" y="${y0 + ch / 2}">${r.activation} · ${r.init}</text>`);
    r.layers.forEach((l, li) => {
      const x0 = left + li * cw;
      const { counts, edges } = l.activation.histogram;
      // ReLU outputs are half exact zeros: scale to the other bins (the zero bar is clipped) and say how many.
      const manyZeros = l.activation.zeroFraction > 0.2;
      const peak = Math.max(...(manyZeros ? counts.slice(1) : counts), 1);
      const bw = (cw - 20) / counts.length;
      parts.push(`<rect x="${x0}" y="${y0}" width="${cw - 20}" height="${ch}" fill="none" stroke="#ccc"/>`);
      counts.forEach((c, i) => {
        const h = Math.min(c / peak, 1) * (ch - 4);
        if (h > 0)
          parts.push(
            `<rect x="${(x0 + i * bw).toFixed(1)}" y="${(y0 + ch - h).toFixed(1)}" width="${Math.max(bw - 0.5, 0.5).toFixed(1)}" height="${h.toFixed(1)}" fill="${r.activation === 'tanh' ? '#1f77b4' : '#d62728'}"/>`,
          );
      });
      parts.push(`<text x="${x0}" y="${y0 + ch + 12}">[${edges[0].toPrecision(2)}, ${edges[edges.length - 1].toPrecision(2)}]</text>`);
      parts.push(
        `<text x="${x0}" y="${y0 + ch + 24}">std ${l.activation.std.toExponential(1)}${manyZeros ? `, ${Math.round(l.activation.zeroFraction * 100)}% zeros` : ''}</text>`,
      );
    });
  });
  parts.push('</svg>');
  return parts.join('\n');
}
