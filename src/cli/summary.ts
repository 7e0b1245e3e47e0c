/** `convnet summary`: the lectures' per-layer table (shapes, memory, params, multiply-adds, receptive field). */
import * as models from '../models/index.js';
import { formatSummary, summary, summaryJson } from '../analysis/summary.js';
import { keyValues, parse, UsageError, unknownName } from './args.js';

export const SUMMARY_HELP = `convnet summary — the per-layer table of a model

Usage: convnet summary MODEL [--input CxHxW] [--model-opts K=V,...] [--json | --markdown] [--all]
       convnet summary --list

Columns: input and output shape, filters, kernel, stride, padding, memory (KB of float32 outputs, batch 1),
params (k), multiply-adds (M, "FLOPs" as the lectures count them), receptive field. --all also lists
activation and dropout layers; --json prints { layers: [...], total: { memoryKB, params, flops } }.

Examples:
  convnet summary alexnet --input 3x227x227
  convnet summary vgg16 --markdown
  convnet summary lenet5 --model-opts activation=relu,pooling=max --json`;

export async function summaryCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(
    'summary',
    argv,
    {
      'model-opts': { type: 'string' },
      input: { type: 'string' },
      list: { type: 'boolean' },
      json: { type: 'boolean' },
      markdown: { type: 'boolean' },
      all: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
  if (values.help) return void console.log(SUMMARY_HELP);
  if (values.list) {
    for (const m of models.list()) console.log(`${m.name.padEnd(18)} input [${m.inputShape}]  ${m.description}`);
    return;
  }
  const name = positionals[0];
  if (!name) throw new UsageError("summary: give a model name (see 'convnet summary --list')");
  if (positionals.length > 1) throw new UsageError(`summary: unexpected argument '${positionals[1]}'`);
  const info = models.list().find((m) => m.name === name);
  if (!info)
    throw new UsageError(
      `summary: ${unknownName(
        'model',
        name,
        models.list().map((m) => m.name),
      )}`,
    );
  const opts = keyValues(values['model-opts'] as string | undefined, 'model-opts');
  let input: number[] = [(opts.inChannels as number) ?? info.inputShape[0], info.inputShape[1], info.inputShape[2]];
  if (values.input !== undefined) {
    const parts = String(values.input).split(/x|×/).map(Number);
    if (parts.length !== 3 || !parts.every((v) => Number.isInteger(v) && v > 0))
      throw new UsageError(`--input must look like 3x224x224, got '${values.input}'`);
    input = parts;
  }
  const model = models.create(name, opts);
  const s = summary(model, input, { rows: values.all ? 'all' : 'compact' });
  if (values.json) return void console.log(JSON.stringify({ model: name, ...summaryJson(s) }));
  console.log(
    `${name} on ${input.join('×')}: ${s.total.params.toLocaleString('en-US')} parameters, ${humanCount(s.total.flops)} multiply-adds, ${humanBytes(s.total.memoryKB * 1024)} of activations`,
  );
  console.log(formatSummary(s, values.markdown ? 'markdown' : 'text'));
}

/** 416,520 → "417 K", 1.82e9 → "1.82 G": three significant digits with a unit, so small models do not read as 0. */
function humanCount(n: number): string {
  const [v, unit] = n >= 1e9 ? [n / 1e9, ' G'] : n >= 1e6 ? [n / 1e6, ' M'] : n >= 1e3 ? [n / 1e3, ' K'] : [n, ''];
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)}${unit}`;
}

/** Bytes in KB, MB or GB with three significant digits. */
function humanBytes(b: number): string {
  const [v, unit] = b >= 2 ** 30 ? [b / 2 ** 30, 'GB'] : b >= 2 ** 20 ? [b / 2 ** 20, 'MB'] : [b / 2 ** 10, 'KB'];
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${unit}`;
}
