/** `convnet search`: the NASNet search space, regularized evolution and random search, the report, and training what it found. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as ct from '../src/index.js';
import { main } from '../src/cli/main.js';
import { architectureSearch, genotypeKey, mutateGenotype, randomGenotype, cellDiagram } from '../src/experiments/search/index.js';
import { renderSvg } from '../src/chart/render.js';
import { Generator } from '../src/tensor/random.js';
import { tempDir } from './helpers/tmp.js';
import { writeMnist } from './helpers/synthetic.js';

const dir = tempDir('search');
const mnistDir = join(dir, 'mnist');
writeMnist(mnistDir, 700, 100);
const space = { blocks: 5, ops: ct.models.NAS_OPS };

describe('the NASNet search space', () => {
  it('random genotypes are valid cells and differ by seed; the same seed draws the same', () => {
    const keys = new Set<string>();
    for (let seed = 0; seed < 50; seed++) {
      const g = randomGenotype(space, new Generator(seed));
      expect(() => ct.models.validateGenotype(g)).not.toThrow();
      keys.add(genotypeKey(g));
    }
    expect(keys.size).toBe(50);
    expect(randomGenotype(space, new Generator(7))).toEqual(randomGenotype(space, new Generator(7)));
  });

  it("a mutation changes exactly one input or operation to a different value (Real et al.'s two mutations)", () => {
    const g = new Generator(3);
    const kinds = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const parent = randomGenotype(space, g);
      const { child, mutation } = mutateGenotype(parent, space, g);
      kinds.add(mutation.kind);
      expect(() => ct.models.validateGenotype(child)).not.toThrow();
      const diffs: string[] = [];
      for (const cell of ['normal', 'reduction'] as const)
        parent[cell].blocks.forEach((b, k) => {
          for (const h of [0, 1]) {
            if (b.inputs[h] !== child[cell].blocks[k].inputs[h]) diffs.push(`${cell}.${k}.input${h}`);
            if (b.ops[h] !== child[cell].blocks[k].ops[h]) diffs.push(`${cell}.${k}.op${h}`);
          }
        });
      expect(diffs).toEqual([`${mutation.cell}.${mutation.block}.${mutation.kind}${mutation.half}`]);
      expect(mutation.to).not.toBe(mutation.from);
    }
    expect([...kinds].sort()).toEqual(['input', 'op']);
  });

  it('the cell diagram draws every operation, the inputs, the adds and the concatenation, with one edge per connection', async () => {
    const spec = cellDiagram(ct.models.NASNET_A, 'NASNet-A') as unknown as { layer: { data: { values: Record<string, unknown>[] } }[] };
    const [edges, arrows, boxes, adds, labels] = spec.layer.map((l) => l.data.values);
    // Normal: 10 operation inputs + 10 into the adds + 6 concatenated states; reduction: 10 + 10 + 4.
    expect(new Set(edges.map((e) => e.edge)).size).toBe(50);
    expect(arrows.length).toBe(50);
    expect(boxes.length).toBe(2 * (2 + 10 + 1)); // inputs, operations, concat
    expect(adds.length).toBe(10);
    expect(labels.filter((l) => l.text === 'sep_conv_5x5').length).toBe(4);
    const svg = await renderSvg(spec as never);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('sep_conv_7x7');
    expect(svg).toContain('concat');
  });
});

describe('architecture search', () => {
  it('is deterministic for a seed, and evolution mutates the best of its sample', async () => {
    const opts = { dataDir: mnistDir, candidates: 4, population: 2, sampleSize: 2, epochs: 1, trainImages: 96, valImages: 64, filters: 4, blocks: 2, seed: 5 };
    const a = await architectureSearch(opts);
    const b = await architectureSearch(opts);
    expect(a.candidates.map((c) => [c.key, c.valAccuracy, c.macs])).toEqual(b.candidates.map((c) => [c.key, c.valAccuracy, c.macs]));
    const [c0, c1, c2, c3] = a.candidates;
    expect([c0.parent, c1.parent]).toEqual([null, null]);
    // With S = P = 2 the parent is always the population's best (the newest on a tie); the oldest leaves.
    const best01 = c1.valAccuracy >= c0.valAccuracy ? c1 : c0;
    expect(c2.parent).toBe(best01.id);
    expect(c2.mutation).not.toBeNull();
    expect(c3.parent).toBe((c2.valAccuracy >= c1.valAccuracy ? c2 : c1).id);
    expect(a.best.valAccuracy).toBe(Math.max(...a.candidates.map((c) => c.valAccuracy)));
  }, 120_000);

  describe('convnet search', () => {
    let out: string[] = [];
    let err: string[] = [];
    beforeEach(() => {
      out = [];
      err = [];
      vi.spyOn(console, 'log').mockImplementation((...x) => void out.push(x.join(' ')));
      vi.spyOn(console, 'error').mockImplementation((...x) => void err.push(x.join(' ')));
    });
    afterEach(() => vi.restoreAllMocks());

    it('--quick finds a cell, writes the report, and `convnet train --model model.json` trains it from scratch', async () => {
      const runDir = join(dir, 'quick');
      expect(await main(['search', '--quick', '--data-dir', mnistDir, '--out', runDir])).toBe(0);
      for (const f of ['results.json', 'candidates.svg', 'best_cell.svg', 'table.md', 'model.json']) expect(existsSync(join(runDir, f)), f).toBe(true);
      const r = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as Awaited<ReturnType<typeof architectureSearch>>;
      expect(r.candidates.length).toBe(6);
      expect(r.candidates.filter((c) => c.parent !== null).length).toBe(3); // population 3, then children
      expect(r.candidates.every((c) => c.macs > 0 && c.params > 0 && c.valAccuracy >= 0 && c.valAccuracy <= 1)).toBe(true);
      expect(r.info.wallSeconds).toBeGreaterThan(0);
      expect(err.filter((l) => /^#\d+ evolution: val/.test(l)).length).toBe(6); // progress, one line per candidate
      expect(out.join('\n')).toMatch(/best cell: #\d+ \(evolution\)/);
      expect(readFileSync(join(runDir, 'candidates.svg'), 'utf8')).toContain('multiply-adds per image');
      // The definition builds the same network the search scored, and trains through the CLI.
      const def = ct.models.parseModelDefinition(readFileSync(join(runDir, 'model.json'), 'utf8'), 'model.json');
      expect(def.options.genotype).toEqual(r.best.genotype);
      const net = ct.models.fromDefinition(def, { inChannels: 1 });
      expect(net.numParameters()).toBe(r.best.params);
      const trainDir = join(dir, 'train-found');
      const args = [
        'train',
        '--model',
        join(runDir, 'model.json'),
        '--dataset',
        'mnist',
        '--data-dir',
        mnistDir,
        '--epochs',
        '1',
        '--val-split',
        '100',
        '--out',
        trainDir,
        '--json',
      ];
      expect(await main(args)).toBe(0);
      const trained = JSON.parse(out.at(-1)!) as { model: string; testAccuracy: number };
      expect(trained.model).toBe('nasnet');
      expect(existsSync(join(trainDir, 'model.safetensors'))).toBe(true);
      expect(
        await main(['eval', '--model', 'nasnet', '--weights', join(trainDir, 'model.safetensors'), '--dataset', 'mnist', '--data-dir', mnistDir, '--json']),
      ).toBe(0);
      // The weights file's card carries the genotype, so `--model nasnet` rebuilds the found cells: the same accuracy.
      const evaluated = JSON.parse(out.at(-1)!) as { testAccuracy: number };
      expect(evaluated.testAccuracy).toBeCloseTo(trained.testAccuracy, 6);
    }, 240_000);

    it('bad settings and bad definition files are clear errors', async () => {
      expect(await main(['search', '--population', '2', '--sample', '3'])).toBe(2);
      expect(err.at(-1)).toContain('--sample 3 cannot exceed --population 2');
      expect(await main(['search', '--ops', 'sep_conv_3x3,conv_9x9'])).toBe(2);
      expect(err.at(-1)).toContain("unknown operation 'conv_9x9'");
      expect(await main(['search', '--filters', '6'])).toBe(2);
      expect(err.at(-1)).toContain('--filters must be a multiple of 4, got 6');
      expect(await main(['search', '--strategy', 'rl'])).toBe(2);
      expect(await main(['search', '--quick', '--dataset', 'cifar10', '--data-dir', join(dir, 'none'), '--out', join(dir, 'x')])).toBe(1);
      expect(err.at(-1)).toMatch(/CIFAR-10 is needed.*--data-dir DIR/);
      const bad = join(dir, 'bad.json');
      const { writeFileSync } = await import('node:fs');
      writeFileSync(bad, JSON.stringify({ format: 'convnet-ts.model-definition/1', model: 'nasnet9', options: {} }));
      expect(await main(['train', '--model', bad, '--dataset', 'mnist', '--data-dir', mnistDir])).toBe(1);
      expect(err.at(-1)).toContain("bad.json: 'model' must name a zoo model");
      writeFileSync(bad, '{"format": ');
      expect(await main(['train', '--model', bad, '--dataset', 'mnist', '--data-dir', mnistDir])).toBe(1);
      expect(err.at(-1)).toContain('bad.json: not valid JSON');
    });
  });
});
