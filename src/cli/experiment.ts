/** `convnet experiment init` and `convnet compare`: the lectures' initialization experiment and complexity comparison. */
import { initExperiment, initExperimentSvg, initExperimentTable } from '../analysis/experiment.js';
import { compareModels, comparisonSvg, comparisonTable } from '../analysis/compare.js';
import { joinPath, writeFileAtomic } from '../platform/node.js';
import { intFlag, parse, UsageError } from './args.js';

export const EXPERIMENT_HELP = `convnet experiment init — the lectures' weight-initialization experiment

Usage: convnet experiment init [--out DIR] [--width N] [--json]

A 6-layer MLP (4096 wide by default) with tanh and with ReLU, weights from N(0, 0.01²), N(0, 0.05²), Xavier and
Kaiming; prints each layer's activation std and writes the per-layer histograms as DIR/init-experiment.svg.

Example:
  convnet experiment init --out runs/init`;

export async function experimentCommand(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') return void console.log(EXPERIMENT_HELP);
  if (name !== 'init') throw new UsageError(`experiment: unknown experiment '${name}' (available: init)`);
  const { values } = parse('experiment', rest, { out: { type: 'string' }, width: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) return void console.log(EXPERIMENT_HELP);
  const rows = initExperiment({ width: intFlag(values, 'width', 4096, 2) });
  const out = (values.out as string | undefined) ?? 'runs/init-experiment';
  const svgPath = await joinPath(out, 'init-experiment.svg');
  await writeFileAtomic(svgPath, initExperimentSvg(rows), 'experiment');
  if (values.json) {
    console.log(JSON.stringify({ svg: svgPath, rows: rows.map((r) => ({ activation: r.activation, init: r.init, std: r.layers.map((l) => l.activation.std), zeroFraction: r.layers.map((l) => l.activation.zeroFraction) })) }));
    return;
  }
  console.log(initExperimentTable(rows));
  console.log(`wrote ${svgPath}`);
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
  if (values.svg) await writeFileAtomic(values.svg as string, comparisonSvg(rows), 'compare');
  if (values.json) return void console.log(JSON.stringify({ models: rows, svg: values.svg ?? null }));
  console.log(comparisonTable(rows));
  if (values.svg) console.log(`wrote ${values.svg}`);
}
