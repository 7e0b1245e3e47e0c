/** `convnet search`: architecture search over the NASNet cell space (random search or regularized evolution). */
import { architectureSearch, DEFAULT_SEARCH, QUICK_SEARCH, writeSearchReport, type SearchOptions } from '../experiments/search/index.js';
import { NAS_OPS, type NasOp } from '../models/nasnet.js';
import { ensureWritableDir } from '../platform/node.js';
import { choiceFlag, intFlag, numFlag, parse, UsageError } from './args.js';

export const SEARCH_HELP = `convnet search — find a convolutional cell by architecture search (NASNet's space; Zoph et al. 2018)

Usage: convnet search [--quick] [--strategy evolution|random|both] [--candidates N] [--out DIR] [options]

Each candidate is a Normal and a Reduction cell of B blocks (each block: two earlier states, one operation on each,
added), built into a small NASNet (N cells per stack, F filters), trained for a few epochs on training images and
scored on other training images held out (the test set stays untouched). Regularized evolution (Real et al. 2019)
keeps a population, mutates the best of a random sample and retires the oldest; random search draws every candidate.

Writes DIR/results.json (every candidate: cells, accuracy, multiply-adds, parameters, time), DIR/candidates.svg
(accuracy against multiply-adds; best so far against candidates trained), DIR/best_cell.svg (the best cells),
DIR/table.md, and DIR/model.json: the found network as a model definition that trains from scratch with
  convnet train --model DIR/model.json --dataset cifar10 ...

Options:
  --quick              a search of ${QUICK_SEARCH.candidates} candidates on ${QUICK_SEARCH.trainImages} MNIST images (under a minute on 2 cores)
  --strategy S         evolution (default), random, or both (the same budget each, compared in the figure)
  --candidates N       candidates trained per strategy (default ${DEFAULT_SEARCH.candidates})
  --population P       evolution's population (default ${DEFAULT_SEARCH.population})
  --sample S           evolution's sample size: the parent is the best of S (default ${DEFAULT_SEARCH.sampleSize})
  --epochs E           epochs each candidate trains (default ${DEFAULT_SEARCH.epochs})
  --train-images N     training images (default ${DEFAULT_SEARCH.trainImages})
  --val-images N       held-out training images that score candidates (default ${DEFAULT_SEARCH.valImages})
  --cells N            cells per stack of each candidate network (default ${DEFAULT_SEARCH.cellsPerStack})
  --filters F          filters of the first stack, a multiple of 4 (default ${DEFAULT_SEARCH.filters})
  --blocks B           blocks per cell (default ${DEFAULT_SEARCH.blocks}, the paper's)
  --ops A,B,...        the operations to choose from (default all ${NAS_OPS.length}: ${NAS_OPS.join(', ')})
  --lr X               Adam's learning rate, cosine-decayed over each candidate's training (default 0.008)
  --dataset NAME       mnist (bundled; default) or cifar10 (with --data-dir)
  --data-dir DIR       where the dataset's files are
  --seed S             seed of the search and of every candidate's training (default 0)
  --out DIR            where the files go (default runs/search)
  --json               print the result as JSON

Examples:
  convnet search --quick
  convnet search --strategy both --candidates 40 --out runs/search
  convnet search --dataset cifar10 --data-dir ../shared/datasets/cifar-10 --ops sep_conv_3x3,sep_conv_5x5,max_pool_3x3,avg_pool_3x3,identity
  convnet train --model runs/search/model.json --model-opts cellsPerStack=2,filters=16 --dataset mnist --epochs 4`;

export async function searchCommand(argv: string[]): Promise<void> {
  const { values } = parse('search', argv, {
    quick: { type: 'boolean' },
    strategy: { type: 'string' },
    candidates: { type: 'string' },
    population: { type: 'string' },
    sample: { type: 'string' },
    epochs: { type: 'string' },
    'train-images': { type: 'string' },
    'val-images': { type: 'string' },
    cells: { type: 'string' },
    filters: { type: 'string' },
    blocks: { type: 'string' },
    ops: { type: 'string' },
    lr: { type: 'string' },
    dataset: { type: 'string' },
    'data-dir': { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return void console.log(SEARCH_HELP);
  const base = values.quick ? { ...DEFAULT_SEARCH, ...QUICK_SEARCH } : DEFAULT_SEARCH;
  let ops: NasOp[] | undefined;
  if (values.ops !== undefined) {
    ops = String(values.ops)
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean) as NasOp[];
    for (const op of ops)
      if (!(NAS_OPS as readonly string[]).includes(op)) throw new UsageError(`--ops: unknown operation '${op}' (expected some of: ${NAS_OPS.join(', ')})`);
  }
  const opts: SearchOptions = {
    dataset: choiceFlag(values, 'dataset', ['mnist', 'cifar10'] as const, base.dataset!),
    dataDir: values['data-dir'] as string | undefined,
    strategy: choiceFlag(values, 'strategy', ['evolution', 'random', 'both'] as const, 'evolution'),
    candidates: intFlag(values, 'candidates', base.candidates!),
    population: intFlag(values, 'population', base.population!),
    sampleSize: intFlag(values, 'sample', base.sampleSize!),
    epochs: intFlag(values, 'epochs', base.epochs!),
    trainImages: intFlag(values, 'train-images', base.trainImages!),
    valImages: intFlag(values, 'val-images', base.valImages!),
    cellsPerStack: intFlag(values, 'cells', base.cellsPerStack!),
    filters: intFlag(values, 'filters', base.filters!, 4),
    blocks: intFlag(values, 'blocks', base.blocks!),
    lr: numFlag(values, 'lr', 0.008, { positive: true }),
    ops,
    seed: intFlag(values, 'seed', 0, 0),
  };
  if (opts.sampleSize! > opts.population!) throw new UsageError(`--sample ${opts.sampleSize} cannot exceed --population ${opts.population}`);
  if (opts.filters! % 4 !== 0) throw new UsageError(`--filters must be a multiple of 4, got ${opts.filters}`);
  const out = (values.out as string | undefined) ?? 'runs/search';
  await ensureWritableDir(out, 'search: --out');
  const json = Boolean(values.json);
  const r = await architectureSearch({ ...opts, onProgress: json ? undefined : (line) => console.error(line) });
  const files = await writeSearchReport(r, out);
  if (json) return void console.log(JSON.stringify({ ...r, files }, null, 1));
  const b = r.best;
  for (const [st, c] of Object.entries(r.bestByStrategy))
    console.log(`best by ${st}: #${c.id}, ${(c.valAccuracy * 100).toFixed(1)}% validation accuracy, ${(c.macs / 1e6).toFixed(1)}M multiply-adds`);
  console.log(`best cell: #${b.id} (${b.strategy}) — ${(b.valAccuracy * 100).toFixed(1)}% in ${r.info.wallSeconds}s of search`);
  console.log(`wrote ${Object.values(files).join(', ')}`);
  console.log(`train it: convnet train --model ${files.model} --dataset ${r.settings.dataset} --epochs 10`);
}
