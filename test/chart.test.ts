/** The chart module: every figure is a Vega-Lite spec rendered to SVG; what each builder promises is in the SVG. */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { chart } from '../src/index.js';

const lines = (svg: string) => svg.match(/class="mark-line /g)?.length ?? 0;
const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);

describe('chart', () => {
  it('a line chart draws one line per series, with its title, axis titles, legend and a white background', async () => {
    const spec = chart.figure(
      chart.lineChart({
        title: '',
        x: { title: 'epoch', integer: true },
        y: { title: 'loss (nats)' },
        series: [
          {
            name: 'train',
            points: [
              [1, 20],
              [2, 14],
              [3, 10],
            ],
          },
          {
            name: 'validation',
            dashed: true,
            points: [
              [1, 22],
              [2, NaN],
              [3, 12],
            ],
          },
          {
            name: 'test',
            points: [
              [1, 30],
              [3, 16],
            ],
          },
        ],
      }),
      'Loss falls with training',
    );
    const svg = await chart.renderSvg(spec);
    expect(lines(svg)).toBe(3);
    const t = texts(svg);
    for (const s of ['Loss falls with training', 'epoch', 'loss (nats)', 'train', 'validation', 'test']) expect(t).toContain(s);
    expect(t.filter((s) => /^\d+\.\d+$/.test(s))).toEqual([]); // integer axis: no epoch 1.5 (and the loss ticks are whole)
    expect(t).toEqual(expect.arrayContaining(['1', '2', '3']));
    expect(svg).toMatch(/<rect[^>]*fill="white"|fill="white"/);
    expect(svg).toContain('stroke-dasharray="6,3"');
    // The NaN is left out (a gap), not plotted as zero or passed to Vega.
    const values = (spec as { data: { values: { series: string; y: number }[] } }).data.values;
    expect(values.filter((v) => v.series === 'validation').map((v) => v.y)).toEqual([22, 12]);
  });
  it('renders the same spec to the same bytes (figures are reproducible)', async () => {
    const spec = chart.figure(
      chart.barChart({
        title: 'params',
        rows: [
          { label: 'a', value: 1.5 },
          { label: 'b', value: 12.5 },
          { label: 'c', value: 3 },
        ],
        axis: { title: 'M' },
      }),
      'bars',
    );
    const [a, b] = [await chart.renderSvg(spec), await chart.renderSvg(spec)];
    expect(a).toBe(b);
    expect(texts(a)).toEqual(expect.arrayContaining(['a', 'b', 'c', '1.50', '12.5', '3', 'M', 'bars']));
    expect(a.match(/class="mark-rect /g)).toHaveLength(1);
  });
  it('bars on a log axis start at the power of ten below the smallest value (a log scale has no zero)', async () => {
    const rows = [
      { label: 'all', value: 272474 },
      { label: 'bn', value: 1568 },
      { label: 'head', value: 650 },
    ];
    const svg = await chart.renderSvg(chart.figure(chart.barChart({ title: 'p', rows, axis: { title: 'n', log: true }, width: 300 }), 'log bars'));
    const group = /class="mark-rect role-mark[^"]*"[^>]*>(.*?)<\/g>/.exec(svg)![1];
    // Each bar is a path "M x0,y h width v height"; all start at the same x (the base 100) and grow with the value.
    const bars = [...group.matchAll(/d="M([\d.]+),[\d.]+h([\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(bars).toHaveLength(3);
    expect(new Set(bars.map(([x]) => x)).size).toBe(1);
    expect(bars[0][1]).toBeGreaterThan(bars[1][1]);
    expect(bars[1][1]).toBeGreaterThan(bars[2][1]);
    expect(bars[2][1]).toBeGreaterThan(0);
    expect(texts(svg)).toEqual(expect.arrayContaining(['100', '1,000']));
  });
  it('a histogram clips bins above yMax, and rows/columns lay views out in a grid', async () => {
    const h = (yMax?: number) => chart.histogram({ title: 'h', counts: [100, 5, 3], edges: [0, 1, 2, 3], yMax });
    const svg = await chart.renderSvg(chart.figure(chart.column([chart.row([h(), h(5)], { title: 'row 1' }), chart.row([h()], { title: 'row 2' })]), 'grid'));
    expect(texts(svg)).toEqual(expect.arrayContaining(['grid', 'row 1', 'row 2']));
    expect(svg.match(/class="mark-rect /g)).toHaveLength(3);
    expect(svg).toContain('clip-path');
  });
  it('the training curves: loss and accuracy panels, validation only when measured', async () => {
    const pts = [1, 2, 3].map((epoch) => ({ epoch, trainLoss: 1 / epoch, trainAcc: 0.5 + epoch / 10 }));
    const train = await chart.renderSvg(chart.trainingCurves(pts, 'run'));
    expect(lines(train)).toBe(2);
    expect(texts(train)).not.toContain('validation');
    const both = await chart.renderSvg(
      chart.trainingCurves(
        pts.map((p) => ({ ...p, valLoss: p.trainLoss * 1.1, valAcc: p.trainAcc - 0.05 })),
        'run',
      ),
    );
    expect(lines(both)).toBe(4);
    expect(texts(both)).toEqual(expect.arrayContaining(['loss', 'accuracy', 'top-1 accuracy (%)', 'cross-entropy loss', 'validation']));
  });
  it('figures have one home: no SVG is written by hand in src/, and only the CLI imports the experiments', () => {
    const root = fileURLToPath(new URL('../src/', import.meta.url));
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(`${dir}${e.name}/`) : e.name.endsWith('.ts') ? [`${dir}${e.name}`] : [],
      );
    const offenders: string[] = [];
    for (const file of walk(root).filter((f) => !f.includes('/generated/'))) {
      const rel = relative(root, file);
      const text = readFileSync(file, 'utf8');
      if (text.includes('<svg')) offenders.push(`${rel} writes SVG by hand`);
      if (rel.startsWith('cli/') || rel.startsWith('experiments/')) continue;
      for (const m of text.matchAll(/from '([^']+)'/g))
        if (relative(root, resolve(dirname(file), m[1])).startsWith('experiments/')) offenders.push(`${rel} imports ${m[1]}`);
    }
    expect(offenders).toEqual([]);
  });
});
