/**
 * The lectures' experiments (src/experiments/): the runner, the CLI and the gallery, and each experiment at its quick
 * budget with the direction of its effect asserted where the quick budget shows it. Which claims need the full
 * budget is said next to each assertion.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.js';
import {
  EXPERIMENTS,
  experiment,
  galleryMarkdown,
  runExperiment,
  type AugmentationResults,
  type NormalizationResults,
  type Report,
} from '../src/experiments/index.js';
import { VERSION } from '../src/experiments/experiment.js';
import { tempDir } from './helpers/tmp.js';

const dir = tempDir('experiments');

/**
 * The claims the quick budget cannot decide, and what their quick runs must still show. Every other experiment's
 * quick verdict must hold.
 */
const NEEDS_FULL_BUDGET: Record<string, (results: unknown) => void> = {
  // 1,000 images × 3 epochs: every normalization trains (the comparison across batch sizes is the full run's).
  normalization: (results) => {
    const { runs } = results as NormalizationResults;
    for (const r of runs) expect(r.testError, `${r.norm} at batch ${r.batchSize}`).toBeLessThan(15);
  },
  // 500 images × 12 epochs: translation helps and the flip helps less; the combination pays off only at the full budget (60 epochs, cosine).
  augmentation: (results) => {
    const acc = (a: string) => (results as AugmentationResults).runs.find((r) => r.augmentation === a)!.testAccuracy;
    expect(acc('translation ≤ 2 px')).toBeGreaterThan(acc('none'));
    expect(acc('horizontal flip')).toBeLessThan(acc('translation ≤ 2 px'));
  },
};

describe('experiments', () => {
  let out: string[] = [];
  let err: string[] = [];
  beforeEach(() => {
    out = [];
    err = [];
    vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
  });
  afterEach(() => vi.restoreAllMocks());

  it('each experiment states its lecture, claim and settings; the recorded version is the package’s', () => {
    expect(EXPERIMENTS.length).toBeGreaterThanOrEqual(2);
    for (const e of EXPERIMENTS) {
      expect(e.name).toMatch(/^[a-z][a-z-]*$/);
      expect(e.lectures).toMatch(/^\d{3}(, \d{3})*$/);
      expect(e.claim.length, e.name).toBeGreaterThan(30);
    }
    expect(VERSION).toBe(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version);
    expect(() => experiment('nope')).toThrow(
      /unknown experiment 'nope' \(available: init, nonlinearity, optimizers, schedules, batchnorm, normalization, bn-only, regularization, degradation, augmentation, architectures, design-rules, pooling, finetune, all\)/,
    );
  });

  it('the CLI lists them, rejects unknown names and settings, and one seed gives the same numbers', async () => {
    expect(await main(['experiment', 'list'])).toBe(0);
    expect(out.join('\n')).toMatch(/^init \(lectures 002, 004\): Too-small/m);
    expect(await main(['experiment', 'nope'])).toBe(2);
    expect(await main(['experiment', 'init', '--set', 'depth=3', '--out', join(dir, 'bad')])).toBe(1);
    expect(err.join('\n')).toMatch(/experiment init: no setting 'depth' \(its settings: width\)/);
    const run = async (seed: number) => {
      const r = await runExperiment(experiment('init'), { seed, params: { width: '128' } });
      return JSON.stringify(r.results);
    };
    const a = await run(3);
    expect(await run(3)).toBe(a);
    expect(await run(4)).not.toBe(a);
  }, 120_000);

  it("'all --quick' runs every experiment, writes each one's files and the gallery, and the quick verdicts hold", async () => {
    const root = join(dir, 'all');
    expect(await main(['experiment', 'all', '--quick', '--out', root, '--json'])).toBe(0);
    const reports = out.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Report & { verdictLine: string });
    expect(reports.map((r) => r.info.experiment)).toEqual(EXPERIMENTS.map((e) => e.name));
    for (const r of reports) {
      const name = r.info.experiment;
      for (const f of ['results.json', 'figure.svg', 'table.md']) expect(existsSync(join(root, name, f)), `${name}/${f}`).toBe(true);
      const saved = JSON.parse(readFileSync(join(root, name, 'results.json'), 'utf8'));
      expect(saved.info).toMatchObject({ experiment: name, quick: true, seed: 0, version: VERSION });
      expect(saved.info.backend).toMatch(/^(wasm|js)$/);
      expect(saved.info.threads).toBeGreaterThanOrEqual(1);
      expect(saved.info.wallSeconds).toBeGreaterThan(0);
      expect(saved.info.wallSeconds, `${name} quick budget`).toBeLessThan(120);
      expect(readFileSync(join(root, name, 'figure.svg'), 'utf8')).toContain('<svg');
      expect(readFileSync(join(root, name, 'table.md'), 'utf8')).toMatch(/^\| .* \|\n\| --- /);
      expect(r.verdictLine).toContain(experiment(name).claim);
      if (name in NEEDS_FULL_BUDGET) NEEDS_FULL_BUDGET[name](r.results);
      else expect(r.verdict.holds, `${name}: ${r.verdictLine}`).toBe(true);
    }
    const gallery = readFileSync(join(root, 'README.md'), 'utf8');
    for (const r of reports) {
      expect(gallery).toContain(`## ${r.info.experiment}`);
      expect(gallery).toContain(`![${r.info.experiment}](${r.info.experiment}/figure.svg)`);
    }
    expect(galleryMarkdown(reports)).toBe(gallery);
    // 'gallery' rebuilds the same page from the files alone (so runs at different budgets can share it).
    rmSync(join(root, 'README.md'));
    expect(await main(['experiment', 'gallery', '--out', root])).toBe(0);
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toBe(gallery);
  }, 900_000);
});
