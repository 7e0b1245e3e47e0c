/** `convnet summary`: the model tree, parameter count and output shape for its natural input. */
import { noGrad } from '../autograd/grad_mode.js';
import * as models from '../models/index.js';
import { zeros } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { keyValues, parse, UsageError } from './args.js';

export const SUMMARY_HELP = `convnet summary — describe a model

Usage: convnet summary MODEL [--model-opts K=V,...] [--json]
       convnet summary --list

Examples:
  convnet summary lenet5
  convnet summary lenet5 --model-opts activation=relu,pooling=max,numClasses=47`;

export async function summaryCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse('summary', argv, { 'model-opts': { type: 'string' }, list: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, true);
  if (values.help) return void console.log(SUMMARY_HELP);
  if (values.list) {
    for (const m of models.list()) console.log(`${m.name.padEnd(12)} input [${m.inputShape}]  ${m.description}`);
    return;
  }
  const name = positionals[0];
  if (!name) throw new UsageError("summary: give a model name (see 'convnet summary --list')");
  if (positionals.length > 1) throw new UsageError(`summary: unexpected argument '${positionals[1]}'`);
  const info = models.list().find((m) => m.name === name);
  if (!info) throw new UsageError(`summary: unknown model '${name}' (available: ${models.list().map((m) => m.name).join(', ')})`);
  const opts = keyValues(values['model-opts'] as string | undefined, 'model-opts');
  const model = models.create(name, opts);
  const input = [1, (opts.inChannels as number) ?? info.inputShape[0], info.inputShape[1], info.inputShape[2]];
  const out = noGrad(() => model.eval().forward(zeros(input)) as Tensor);
  const params = model.numParameters();
  if (values.json) return void console.log(JSON.stringify({ model: name, options: opts, parameters: params, inputShape: input, outputShape: out.shape }));
  console.log(model.toString());
  console.log(`parameters: ${params.toLocaleString('en-US')}  input: [${input}]  output: [${out.shape}]`);
}
