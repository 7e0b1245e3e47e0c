/** `convnet experiment` (the lectures' claims, measured) and `convnet compare` (models side by side). */
import { EXPERIMENTS, experiment, readReports, runExperiment, writeGallery, type Report } from '../experiments/index.js';
import { compareModels, comparisonFigure, comparisonTable } from '../analysis/compare.js';
import { renderSvg } from '../chart/render.js';
import { joinPath, writeFileAtomic } from '../platform/node.js';
import { intFlag, parse, UsageError } from './args.js';

export const EXPERIMENT_HELP = `convnet experiment — the lectures' claims as experiments: a figure, a table and a verdict each

Usage: convnet experiment NAME [--quick] [--out DIR] [--seed S] [--set KEY=VALUE,...] [--json]
       convnet experiment all [--quick] [--out DIR] [--seed S]
       convnet experiment gallery [--out DIR]
       convnet experiment list

Each run writes DIR/results.json (every plotted number, the machine, backend, threads, version and wall time),
DIR/figure.svg (its title states the claim) and DIR/table.md, and prints a one-line verdict: the claim, what was
measured, and whether it held by the stated criterion. 'all' runs every experiment into DIR/NAME/ and writes the
gallery DIR/README.md (npm run experiments: into docs/experiments). 'gallery' rewrites DIR/README.md from the
reports already in DIR/NAME/, so experiments run at different budgets can share one page.

Options:
  --quick          the quick budget (about a minute or less each on 2 cores) instead of the full one
  --out DIR        where the files go (default runs/experiments/NAME; for 'all', runs/experiments)
  --seed S         seed of every generator (default 0): the same seed gives the same numbers
  --set K=V,...    the experiment's own settings (listed by 'convnet experiment list')
  --json           print the report as JSON instead of the table and verdict

Experiments:
${EXPERIMENTS.map((e) => `  ${e.name.padEnd(16)} ${e.description} (lectures ${e.lectures})`).join('\n')}

Examples:
  convnet experiment init --quick
  convnet experiment finetune --out runs/finetune --set epochs=10
  convnet experiment all --out docs/experiments`;

function settings(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (text ?? '').split(',').filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new UsageError(`experiment: --set expects KEY=VALUE pairs separated by commas, got '${part}'`);
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

export async function experimentCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(
    'experiment',
    argv,
    {
      quick: { type: 'boolean' },
      out: { type: 'string' },
      seed: { type: 'string' },
      set: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
  const [name, ...extra] = positionals;
  if (values.help || !name) return void console.log(EXPERIMENT_HELP);
  if (extra.length) throw new UsageError(`experiment: one experiment at a time, got ${positionals.join(' ')} (or 'all')`);
  if (name === 'gallery') {
    const dir = (values.out as string | undefined) ?? 'runs/experiments';
    const reports = await readReports(
      dir,
      EXPERIMENTS.map((e) => e.name),
    );
    if (reports.length === 0) throw new UsageError(`experiment gallery: no reports in ${dir}/NAME/ (run 'convnet experiment NAME --out ${dir}/NAME' first)`);
    return void console.log(`wrote ${await writeGallery(reports, dir)} (${reports.length} experiments)`);
  }
  if (name === 'list') {
    for (const e of EXPERIMENTS) {
      console.log(`${e.name} (lectures ${e.lectures}): ${e.claim}.`);
      for (const [k, v] of Object.entries(e.params ?? {})) console.log(`  --set ${k}=…  ${v}`);
    }
    return;
  }
  const quick = values.quick === true;
  const seed = intFlag(values, 'seed', 0, 0);
  const params = settings(values.set as string | undefined);
  const names = name === 'all' ? EXPERIMENTS.map((e) => e.name) : [name];
  if (name !== 'all') {
    try {
      experiment(name);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  } else if (Object.keys(params).length) throw new UsageError("experiment: --set applies to one experiment, not to 'all'");
  const root = (values.out as string | undefined) ?? (name === 'all' ? 'runs/experiments' : await joinPath('runs/experiments', name));
  const reports: Report[] = [];
  for (const n of names) {
    const out = name === 'all' ? await joinPath(root, n) : root;
    // Progress on stderr (stdout stays the verdict, the table or the JSON).
    const r = await runExperiment(experiment(n), { quick, seed, out, params, onProgress: (l) => console.error(`experiment ${n}: ${l}`) });
    reports.push(r);
    if (values.json)
      console.log(JSON.stringify({ verdictLine: r.verdictLine, verdict: r.verdict, info: r.info, files: r.files, table: r.table, results: r.results }));
    else console.log(`${r.table}\n\n${r.verdictLine}\nwrote ${r.files.results}, ${r.files.figure}, ${r.files.table} (${r.info.wallSeconds} s)\n`);
  }
  if (name === 'all') {
    const gallery = await writeGallery(reports, root);
    if (!values.json) console.log(`wrote ${gallery}`);
  }
}

export const COMPARE_HELP = `convnet compare — parameters, multiply-adds and activation memory of models side by side

Usage: convnet compare MODEL... [--svg FILE] [--json]

Example:
  convnet compare alexnet vgg16 googlenet resnet50 --svg runs/compare.svg`;

export async function compareCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse('compare', argv, { svg: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, true);
  if (values.help) return void console.log(COMPARE_HELP);
  if (positionals.length === 0) throw new UsageError("compare: give one or more model names (see 'convnet summary --list')");
  const rows = compareModels(positionals);
  if (values.svg) await writeFileAtomic(values.svg as string, await renderSvg(comparisonFigure(rows)), 'compare');
  if (values.json) return void console.log(JSON.stringify({ models: rows, svg: values.svg ?? null }));
  console.log(comparisonTable(rows));
  if (values.svg) console.log(`wrote ${values.svg}`);
}
