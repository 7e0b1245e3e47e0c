/** Activation statistics, the initialization experiment (src/experiments/) and model comparison. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as ct from '../src/index.js';
import { analysis, nn } from '../src/index.js';
import { main } from '../src/cli/main.js';
import { initExperiment, initExperimentFigure, initExperimentTable } from '../src/experiments/index.js';
import { tempDir } from './helpers/tmp.js';

const dir = tempDir('stats');

describe('activationStats', () => {
  it('reports mean, std, zero fraction and a histogram per layer, and gradients on request', () => {
    ct.manualSeed(2);
    const m = new nn.Sequential(new nn.Linear(8, 16), new nn.ReLU(), new nn.Linear(16, 4));
    const stats = analysis.activationStats(m, ct.randn(64, 8), { gradients: true, bins: 10 });
    expect(stats.map((s) => s.name)).toEqual(['0', '1', '2']);
    const relu = stats[1].activation;
    expect(relu.min).toBe(0);
    expect(relu.zeroFraction).toBeGreaterThan(0.2);
    expect(relu.histogram.counts.reduce((a, b) => a + b, 0)).toBe(64 * 16);
    expect(relu.histogram.edges).toHaveLength(11);
    // d(sum)/d(output of the last layer) is all ones.
    expect(stats[2].gradient!.mean).toBe(1);
    expect(stats[2].gradient!.std).toBe(0);
    const only = analysis.activationStats(m, ct.randn(4, 8), { types: [nn.ReLU] });
    expect(only.map((s) => s.type)).toEqual(['ReLU']);
  });
  it("reproduces the lectures' initialization experiment (qualitatively)", async () => {
    const rows = initExperiment({ width: 2048, batch: 16 });
    expect(rows).toHaveLength(8);
    const std = (act: string, init: string) => rows.find((r) => r.activation === act && r.init === init)!.layers.map((l) => l.activation.std);
    const small = std('tanh', 'N(0, 0.01²)');
    expect(small[5]).toBeLessThan(small[0] / 10); // activations collapse toward zero with depth
    // Too-large weights saturate tanh: every layer's std stays near its ceiling of 1 instead of decaying.
    expect(Math.min(...std('tanh', 'N(0, 0.05²)'))).toBeGreaterThan(0.75);
    const kaiming = std('relu', 'Kaiming');
    expect(kaiming[5] / kaiming[0]).toBeGreaterThan(0.7); // Kaiming keeps ReLU activations at scale
    expect(kaiming[5] / kaiming[0]).toBeLessThan(1.4);
    const xavierRelu = std('relu', 'Xavier');
    expect(xavierRelu[5]).toBeLessThan(xavierRelu[0] / 3); // Xavier does not for ReLU
    expect(initExperimentTable(rows)).toMatch(/^activation +init +layer 1 std/);
    expect(await ct.chart.renderSvg(initExperimentFigure(rows))).toContain('<svg');
  }, 300_000);
});

describe('compareModels and the CLI', () => {
  let out: string[] = [];
  beforeEach(() => {
    out = [];
    vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
  });
  afterEach(() => vi.restoreAllMocks());
  it('compares parameters, multiply-adds and activation memory, as a table, JSON and SVG', async () => {
    const rows = analysis.compareModels(['lenet5', 'lenet', 'resnet20']);
    expect(rows.map((r) => r.params)).toEqual([61706, 1256080, 272474]);
    expect(rows[2].flops).toBeGreaterThan(rows[0].flops);
    const svg = join(dir, 'cmp.svg');
    expect(await main(['compare', 'lenet5', 'resnet20', '--svg', svg, '--json'])).toBe(0);
    expect(JSON.parse(out.at(-1)!).models).toHaveLength(2);
    expect(readFileSync(svg, 'utf8')).toContain('parameters (M)');
    expect(await main(['compare'])).toBe(2);
  });
  it('convnet experiment init writes the figure, the results and the table', async () => {
    const progress: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...a) => void progress.push(a.join(' ')));
    try {
      expect(await main(['experiment', 'init', '--set', 'width=256', '--out', dir, '--json'])).toBe(0);
    } finally {
      spy.mockRestore();
    }
    // Progress on stderr while it runs (stdout stays one JSON object).
    expect(progress).toHaveLength(9); // eight configurations, then the symmetry runs
    expect(progress[0]).toBe('experiment init: configuration 1/8: tanh with N(0, 0.01²) initialization');
    const r = JSON.parse(out.at(-1)!);
    expect(r.results.configurations).toHaveLength(8);
    expect(r.results.width).toBe(256);
    for (const f of ['figure.svg', 'results.json', 'table.md']) expect(existsSync(join(dir, f)), f).toBe(true);
    expect(await main(['experiment', 'dropout'])).toBe(2);
  }, 300_000);
});
