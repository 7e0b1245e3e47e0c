/** compareModels: parameters, multiply-adds and activation memory of several models side by side (table and SVG). */
import * as models from '../models/index.js';
import { barChart, figure, PALETTE, row, type ChartSpec } from '../chart/spec.js';
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

/** Three horizontal bar charts (params, MACs, activation memory), like the lectures' complexity slide (render with `chart.renderSvg`). */
export function comparisonFigure(rows: ModelComparison[]): ChartSpec {
  const metrics: [string, (r: ModelComparison) => number, string][] = [
    ['parameters (M)', (r) => r.params / 1e6, PALETTE[0]],
    ['multiply-adds (G)', (r) => r.flops / 1e9, PALETTE[3]],
    ['activation memory (MB)', (r) => r.activationMB, PALETTE[2]],
  ];
  return figure(
    row(
      metrics.map(([title, f, color], i) =>
        barChart({ title, rows: rows.map((r) => ({ label: r.name, value: f(r) })), axis: { title }, color, labels: i === 0 }),
      ),
    ),
    `Complexity of ${rows.map((r) => r.name).join(', ')}`,
  );
}
