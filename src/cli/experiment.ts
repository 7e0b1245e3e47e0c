/** `convnet experiment init` and `convnet compare`: the lectures' initialization experiment and complexity comparison. */
import { finetuneExperiment, finetuneFigure, finetuneTable, initExperiment, initExperimentFigure, initExperimentTable } from '../experiments/index.js';
import { compareModels, comparisonFigure, comparisonTable } from '../analysis/compare.js';
import { renderSvg } from '../chart/render.js';
import { joinPath, writeFileAtomic } from '../platform/node.js';
import { intFlag, parse, UsageError } from './args.js';

export const EXPERIMENT_HELP = `convnet experiment — the lectures' experiments

Usage: convnet experiment init [--out DIR] [--width N] [--json]
       convnet experiment finetune [--out DIR] [--epochs N] [--per-class N] [--json]

init: a 6-layer MLP (4096 wide by default) with tanh and with ReLU, weights from N(0, 0.01²), N(0, 0.05²), Xavier
and Kaiming; prints each layer's activation std and writes the per-layer histograms as DIR/init-experiment.svg.

finetune: LeNet-5 pretrained on MNIST digits 0–4, then taught digits 5–9 from 50 images each, fine-tuned (backbone
at the head's learning rate and at 1/10 of it) and from scratch; prints test accuracy per epoch and writes
DIR/finetune.svg (about 40 s on 2 cores, on the bundled MNIST).

Examples:
  convnet experiment init --out runs/init
  convnet experiment finetune --out runs/finetune`;

export async function experimentCommand(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') return void console.log(EXPERIMENT_HELP);
  if (name === 'finetune') return finetuneCommand(rest);
  if (name !== 'init') throw new UsageError(`experiment: unknown experiment '${name}' (available: init, finetune)`);
  const { values } = parse('experiment', rest, {
    out: { type: 'string' },
    width: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return void console.log(EXPERIMENT_HELP);
  // Progress on stderr (stdout stays the table or the JSON): each configuration takes a few seconds.
  const rows = initExperiment({ width: intFlag(values, 'width', 4096, 2), onProgress: (l) => console.error(`experiment init: ${l}`) });
  const out = (values.out as string | undefined) ?? 'runs/init-experiment';
  const svgPath = await joinPath(out, 'init-experiment.svg');
  await writeFileAtomic(svgPath, await renderSvg(initExperimentFigure(rows)), 'experiment');
  if (values.json) {
    console.log(
      JSON.stringify({
        svg: svgPath,
        rows: rows.map((r) => ({
          activation: r.activation,
          init: r.init,
          std: r.layers.map((l) => l.activation.std),
          zeroFraction: r.layers.map((l) => l.activation.zeroFraction),
        })),
      }),
    );
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
  if (values.svg) await writeFileAtomic(values.svg as string, await renderSvg(comparisonFigure(rows)), 'compare');
  if (values.json) return void console.log(JSON.stringify({ models: rows, svg: values.svg ?? null }));
  console.log(comparisonTable(rows));
  if (values.svg) console.log(`wrote ${values.svg}`);
}

async function finetuneCommand(argv: string[]): Promise<void> {
  const { values } = parse('experiment', argv, {
    out: { type: 'string' },
    epochs: { type: 'string' },
    'per-class': { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return void console.log(EXPERIMENT_HELP);
  const r = await finetuneExperiment({
    epochs: intFlag(values, 'epochs', 20),
    perClass: intFlag(values, 'per-class', 50),
    onProgress: (l) => console.error(`experiment finetune: ${l}`),
  });
  const out = (values.out as string | undefined) ?? 'runs/finetune-experiment';
  const svgPath = await joinPath(out, 'finetune.svg');
  await writeFileAtomic(svgPath, await renderSvg(finetuneFigure(r)), 'experiment');
  if (values.json) return void console.log(JSON.stringify({ svg: svgPath, ...r }));
  console.log(finetuneTable(r));
  console.log(`wrote ${svgPath}`);
}
