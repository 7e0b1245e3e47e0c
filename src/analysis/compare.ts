/** compareModels: parameters, multiply-adds and activation memory of several models side by side (table and SVG). */
import * as models from '../models/index.js';
import { summary } from './summary.js';

export interface ModelComparison {
  name: string;
  inputShape: number[];
  params: number;
  flops: number;
  activationMB: number;
}

/** Builds each named model and measures it on its natural input (or `inputShape`). */
export function compareModels(names: string[], opts: { inputShape?: number[] } = {}): ModelComparison[] {
  return names.map((name) => {
    const info = models.list().find((m) => m.name === name);
    if (!info) throw new Error(`compareModels: unknown model '${name}'`);
    const input = opts.inputShape ?? [...info.inputShape];
    const s = summary(models.create(name), input);
    return { name, inputShape: input, params: s.total.params, flops: s.total.flops, activationMB: s.total.memoryKB / 1024 };
  });
}

export function comparisonTable(rows: ModelComparison[]): string {
  const header = ['model', 'input', 'params (M)', 'MACs (G)', 'activations (MB)'];
  const body = rows.map((r) => [r.name, r.inputShape.join('×'), (r.params / 1e6).toFixed(2), (r.flops / 1e9).toFixed(2), r.activationMB.toFixed(1)]);
  const widths = header.map((_, i) => Math.max(...[header, ...body].map((row) => row[i].length)));
  return [header, ...body].map((row) => row.map((c, i) => (i >= 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ')).join('\n');
}

/** Three horizontal bar charts (params, MACs, activation memory), like the lectures' complexity slide. */
export function comparisonSvg(rows: ModelComparison[]): string {
  const panelW = 300,
    rowH = 22,
    left = 130,
    top = 40;
  const H = top + rows.length * rowH + 30;
  const W = left + 3 * (panelW + 20);
  const metrics: [string, (r: ModelComparison) => number, string][] = [
    ['parameters (M)', (r) => r.params / 1e6, '#1f77b4'],
    ['multiply-adds (G)', (r) => r.flops / 1e9, '#ff7f0e'],
    ['activation memory (MB)', (r) => r.activationMB, '#2ca02c'],
  ];
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
  ];
  rows.forEach((r, i) => parts.push(`<text x="${left - 8}" y="${top + i * rowH + 15}" text-anchor="end">${r.name}</text>`));
  metrics.forEach(([title, f, color], p) => {
    const x0 = left + p * (panelW + 20);
    const peak = Math.max(...rows.map(f), 1e-9);
    parts.push(`<text x="${x0}" y="${top - 12}" font-weight="bold">${title}</text>`);
    rows.forEach((r, i) => {
      const w = (f(r) / peak) * (panelW - 60);
      parts.push(`<rect x="${x0}" y="${top + i * rowH + 3}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="${color}"/>`);
      parts.push(`<text x="${(x0 + w + 4).toFixed(1)}" y="${top + i * rowH + 15}">${f(r).toFixed(f(r) < 10 ? 2 : 1)}</text>`);
    });
  });
  parts.push('</svg>');
  return parts.join('\n');
}
