/**
 * Architecture search over the NASNet cell space (`convnet search`): each candidate is a pair of cells, built into a
 * small NASNet, trained for a few epochs on a subset of the training images and scored by its accuracy on other
 * training images held out for validation (the test set stays untouched for the final model). Two strategies:
 * random search, and regularized evolution (Real et al. 2019: sample S of the population, mutate the best, add the
 * child and remove the oldest) — which the paper found as good as the reinforcement-learning controller here.
 */
import { summary } from '../../analysis/summary.js';
import { getBackend, getNumThreads } from '../../backend/registry.js';
import { NASNet, NAS_OPS, type Genotype, type NasOp } from '../../models/nasnet.js';
import { Adam } from '../../optim/adam.js';
import { Generator, manualSeed } from '../../tensor/random.js';
import { machine, VERSION, type RunInfo } from '../experiment.js';
import { loadTask, trainEpochs, type Split } from '../mnist_task.js';
import { genotypeKey, mutateGenotype, randomGenotype, type Mutation, type SpaceOptions } from './space.js';

export type SearchStrategy = 'evolution' | 'random';

export interface SearchOptions {
  /** 'mnist' (bundled) or 'cifar10' (from dataDir). */
  dataset?: 'mnist' | 'cifar10';
  dataDir?: string;
  /** 'evolution' (default), 'random', or 'both' (the same budget each, for comparison). */
  strategy?: SearchStrategy | 'both';
  /** Candidates trained per strategy. */
  candidates?: number;
  /** Evolution's population size P (the first P candidates are random). */
  population?: number;
  /** Evolution's sample size S (the parent is the best of S drawn from the population). */
  sampleSize?: number;
  /** Epochs each candidate trains. */
  epochs?: number;
  trainImages?: number;
  /** Training images held out to score candidates. */
  valImages?: number;
  batchSize?: number;
  /** Adam's learning rate (cosine decay to 0 over the candidate's training). */
  lr?: number;
  /** The proxy network each candidate is built into: N cells per stack, F filters in the first stack. */
  cellsPerStack?: number;
  filters?: number;
  /** Blocks per cell (the paper's B = 5). */
  blocks?: number;
  /** Operations to choose from (default: the paper's 13). */
  ops?: readonly NasOp[];
  seed?: number;
  onProgress?: (line: string) => void;
}

export interface Candidate {
  id: number;
  strategy: SearchStrategy;
  genotype: Genotype;
  key: string;
  /** The candidate it mutates (evolution after the first population), and how. */
  parent: number | null;
  mutation: Mutation | null;
  /** Top-1 accuracy on the held-out training images (0–1). */
  valAccuracy: number;
  trainLoss: number;
  diverged: boolean;
  params: number;
  /** Multiply-adds of one forward pass at the dataset's image size. */
  macs: number;
  seconds: number;
}

export interface SearchSettings {
  dataset: 'mnist' | 'cifar10';
  strategies: SearchStrategy[];
  candidates: number;
  population: number;
  sampleSize: number;
  epochs: number;
  trainImages: number;
  valImages: number;
  batchSize: number;
  lr: number;
  cellsPerStack: number;
  filters: number;
  blocks: number;
  ops: NasOp[];
  seed: number;
}

export interface SearchResult {
  settings: SearchSettings;
  candidates: Candidate[];
  best: Candidate;
  bestByStrategy: Partial<Record<SearchStrategy, Candidate>>;
  /** Where and how it ran (the experiments' RunInfo fields that apply). */
  info: Pick<RunInfo, 'backend' | 'threads' | 'version' | 'runtime' | 'cpu' | 'cores' | 'startedAt' | 'wallSeconds'>;
}

/** The quick budget (what the tests run; under a minute on 2 cores) and the default one. */
export const QUICK_SEARCH: Partial<SearchOptions> = {
  dataset: 'mnist',
  candidates: 6,
  population: 3,
  sampleSize: 2,
  epochs: 1,
  trainImages: 400,
  valImages: 300,
  cellsPerStack: 1,
  filters: 8,
  blocks: 3,
};
export const DEFAULT_SEARCH: Partial<SearchOptions> = {
  dataset: 'mnist',
  candidates: 20,
  population: 8,
  sampleSize: 3,
  epochs: 2,
  trainImages: 1000,
  valImages: 500,
  cellsPerStack: 1,
  filters: 8,
  blocks: 5,
};

function settingsOf(opts: SearchOptions): SearchSettings {
  const d = DEFAULT_SEARCH;
  const s: SearchSettings = {
    dataset: opts.dataset ?? d.dataset!,
    strategies: opts.strategy === 'both' ? ['random', 'evolution'] : [opts.strategy ?? 'evolution'],
    candidates: opts.candidates ?? d.candidates!,
    population: opts.population ?? d.population!,
    sampleSize: opts.sampleSize ?? d.sampleSize!,
    epochs: opts.epochs ?? d.epochs!,
    trainImages: opts.trainImages ?? d.trainImages!,
    valImages: opts.valImages ?? d.valImages!,
    batchSize: opts.batchSize ?? 64,
    lr: opts.lr ?? 0.008,
    cellsPerStack: opts.cellsPerStack ?? d.cellsPerStack!,
    filters: opts.filters ?? d.filters!,
    blocks: opts.blocks ?? d.blocks!,
    ops: [...(opts.ops ?? NAS_OPS)],
    seed: opts.seed ?? 0,
  };
  const int = (name: keyof SearchSettings, min: number) => {
    const v = s[name] as number;
    if (!Number.isInteger(v) || v < min) throw new Error(`search: ${name} must be an integer ≥ ${min}, got ${String(v)}`);
  };
  for (const k of ['candidates', 'population', 'sampleSize', 'epochs', 'trainImages', 'valImages', 'batchSize', 'cellsPerStack', 'blocks'] as const) int(k, 1);
  int('filters', 4);
  if (s.filters % 4 !== 0) throw new Error(`search: filters must be a multiple of 4, got ${s.filters}`);
  if (!(s.lr > 0)) throw new Error(`search: lr must be positive, got ${s.lr}`);
  if (s.sampleSize > s.population) throw new Error(`search: sampleSize (${s.sampleSize}) cannot exceed population (${s.population})`);
  if (!['mnist', 'cifar10'].includes(s.dataset)) throw new Error(`search: dataset must be 'mnist' or 'cifar10', got '${s.dataset}'`);
  for (const st of s.strategies)
    if (st !== 'evolution' && st !== 'random') throw new Error(`search: strategy must be 'evolution', 'random' or 'both', got '${String(opts.strategy)}'`);
  if (s.ops.length === 0) throw new Error('search: ops must list at least one operation');
  for (const op of s.ops)
    if (!(NAS_OPS as readonly string[]).includes(op)) throw new Error(`search: unknown operation '${op}' (expected some of ${NAS_OPS.join(', ')})`);
  return s;
}

/** Training images for candidates and held-out training images to score them (never the test split). */
async function searchData(
  s: SearchSettings,
  dataDir: string | undefined,
): Promise<{ data: { train: Split; test: Split }; inChannels: number; hw: [number, number] }> {
  let task;
  try {
    task = await loadTask('search', s.dataset, s.trainImages + s.valImages, 1, s.seed, dataDir);
  } catch (e) {
    throw new Error(`search: ${(e as Error).message.replace(/^experiment search: /, '').replace('--set data=DIR', '--data-dir DIR')}`);
  }
  const all = task.data.train;
  const n = all.labels.length;
  if (n < s.trainImages + s.valImages)
    throw new Error(`search: the ${s.dataset} training split has ${n} images, fewer than trainImages + valImages = ${s.trainImages + s.valImages}`);
  const part = (start: number, count: number): Split => ({
    x: all.x.narrow(0, start, count),
    y: all.y.narrow(0, start, count),
    labels: all.labels.slice(start, start + count),
  });
  const [, , h, w] = all.x.shape;
  return { data: { train: part(0, s.trainImages), test: part(s.trainImages, s.valImages) }, inChannels: task.inChannels, hw: [h, w] };
}

/**
 * Runs the search and returns every candidate and the best.
 *
 * Args: opts — budget and space (see SearchOptions; QUICK_SEARCH and DEFAULT_SEARCH are the CLI's presets).
 * Example: const r = await architectureSearch({ ...QUICK_SEARCH, strategy: 'evolution' }); console.log(r.best.valAccuracy);
 */
export async function architectureSearch(opts: SearchOptions = {}): Promise<SearchResult> {
  const s = settingsOf(opts);
  const say = opts.onProgress ?? (() => {});
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const { data, inChannels, hw } = await searchData(s, opts.dataDir);
  const space: SpaceOptions = { blocks: s.blocks, ops: s.ops };
  const candidates: Candidate[] = [];

  const evaluate = (genotype: Genotype, strategy: SearchStrategy, parent: Candidate | null, mutation: Mutation | null): Candidate => {
    const id = candidates.length;
    const t = performance.now();
    manualSeed(s.seed * 100_003 + id);
    const model = new NASNet({ genotype, stem: 'cifar', cellsPerStack: s.cellsPerStack, filters: s.filters, inChannels, numClasses: 10 });
    const macs = summary(model, [inChannels, ...hw]).total.flops;
    // Adam: a proxy trained for a few dozen steps learns under it whatever the cell; SGD's rate suits some cells only.
    const opt = new Adam(model.parameters(), { lr: s.lr });
    const steps = s.epochs * Math.ceil(s.trainImages / s.batchSize);
    const run = trainEpochs(model, opt, data, {
      epochs: s.epochs,
      batchSize: s.batchSize,
      seed: s.seed * 100_003 + id,
      // BatchNorm's running statistics lag after so few steps: re-estimate them before scoring ("precise BN").
      preciseBn: Math.min(256, s.trainImages),
      afterStep: (step) => {
        opt.paramGroups[0].lr = (s.lr * (1 + Math.cos((Math.PI * Math.min(step, steps)) / steps))) / 2;
      },
    });
    const last = run.logs.at(-1);
    const c: Candidate = {
      id,
      strategy,
      genotype,
      key: genotypeKey(genotype),
      parent: parent ? parent.id : null,
      mutation,
      valAccuracy: run.diverged || !last ? 0 : last.testAcc,
      trainLoss: last ? last.trainLoss : NaN,
      diverged: run.diverged,
      params: model.numParameters(),
      macs,
      seconds: Math.round((performance.now() - t) / 100) / 10,
    };
    candidates.push(c);
    const from = parent
      ? ` (mutates #${parent.id}: ${mutation!.cell} block ${mutation!.block} ${mutation!.kind} ${String(mutation!.from)} → ${String(mutation!.to)})`
      : '';
    say(
      `#${id} ${strategy}: val ${(c.valAccuracy * 100).toFixed(1)}%${c.diverged ? ' (diverged)' : ''}, ${(c.macs / 1e6).toFixed(1)}M multiply-adds, ${c.params.toLocaleString('en-US')} parameters, ${c.seconds}s${from}`,
    );
    return c;
  };

  for (const strategy of s.strategies) {
    // Each strategy draws from its own stream, so 'both' gives each the choices it would have alone.
    const g = new Generator(s.seed * 7919 + (strategy === 'random' ? 1 : 2));
    if (strategy === 'random') {
      for (let i = 0; i < s.candidates; i++) evaluate(randomGenotype(space, g), strategy, null, null);
      continue;
    }
    const population: Candidate[] = [];
    for (let i = 0; i < s.candidates; i++) {
      let child: Candidate;
      if (population.length < s.population) child = evaluate(randomGenotype(space, g), strategy, null, null);
      else {
        // Tournament: S distinct members drawn uniformly; the most accurate (the newest on a tie) is the parent.
        const pool = [...population];
        const sample: Candidate[] = [];
        for (let k = 0; k < s.sampleSize; k++) sample.push(pool.splice(Math.floor(g.random() * pool.length), 1)[0]);
        const parent = sample.reduce((a, b) => (b.valAccuracy > a.valAccuracy || (b.valAccuracy === a.valAccuracy && b.id > a.id) ? b : a));
        const { child: genotype, mutation } = mutateGenotype(parent.genotype, space, g);
        child = evaluate(genotype, strategy, parent, mutation);
      }
      population.push(child);
      // Aging: the oldest leaves, however good it was (what makes the evolution "regularized").
      if (population.length > s.population) population.shift();
    }
  }

  const better = (a: Candidate, b: Candidate) => (b.valAccuracy > a.valAccuracy || (b.valAccuracy === a.valAccuracy && b.macs < a.macs) ? b : a);
  const best = candidates.reduce(better);
  const bestByStrategy: Partial<Record<SearchStrategy, Candidate>> = {};
  for (const st of s.strategies) bestByStrategy[st] = candidates.filter((c) => c.strategy === st).reduce(better);
  const m = await machine();
  return {
    settings: s,
    candidates,
    best,
    bestByStrategy,
    info: { backend: getBackend(), threads: getNumThreads(), version: VERSION, ...m, startedAt, wallSeconds: Math.round((performance.now() - t0) / 100) / 10 },
  };
}
