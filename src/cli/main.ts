/** The `convnet` command: train, finetune, eval, predict, export, summary, compare, experiment, search, bench, playground. */
import { UsageError } from './args.js';
import { benchCommand, BENCH_HELP } from './bench.js';
import { exportCommand, EXPORT_HELP } from './export.js';
import { evalCommand, EVAL_HELP, predictCommand, PREDICT_HELP } from './evaluate.js';
import { summaryCommand, SUMMARY_HELP } from './summary.js';
import { finetuneCommand, FINETUNE_HELP, Interrupted, trainCommand, TRAIN_HELP } from './train.js';
import { playgroundCommand, PLAYGROUND_HELP } from './playground.js';
import { compareCommand, COMPARE_HELP, experimentCommand, EXPERIMENT_HELP } from './experiment.js';
import { searchCommand, SEARCH_HELP } from './search.js';

const HELP = `convnet — convolutional neural networks in TypeScript

Usage: convnet <command> [options]

Commands:
  train     train a model on a dataset (checkpoints, logs, curves, weights)
  eval      evaluate trained weights on a test set
  predict   classify image files with trained weights
  export    write a model (trained or PyTorch weights) as ONNX for ONNX Runtime, Triton, TensorRT
  summary   the per-layer table of a model (memory, params, multiply-adds, receptive field)
  compare   several models' size and cost side by side
  experiment  run a lecture experiment (init: activation statistics by initialization; finetune: transfer vs scratch)
  search    find a convolutional cell by architecture search (NASNet's space: random search, regularized evolution)
  finetune  transfer learning from PyTorch or convnet-ts weights: new head, frozen layers, slower backbone
  bench     measure the benchmark workloads
  playground  serve the playground: the lectures' CNNs training live in a web page

Run 'convnet <command> --help' for a command's options and examples.

Examples:
  convnet train --model lenet5 --model-opts activation=relu,pooling=max --dataset mnist --epochs 8
  convnet eval --model lenet5 --weights runs/lenet5-mnist/model.safetensors --dataset mnist
  convnet summary lenet5`;

const COMMANDS: Record<string, [(argv: string[]) => Promise<void>, string]> = {
  train: [trainCommand, TRAIN_HELP],
  eval: [evalCommand, EVAL_HELP],
  predict: [predictCommand, PREDICT_HELP],
  summary: [summaryCommand, SUMMARY_HELP],
  bench: [benchCommand, BENCH_HELP],
  compare: [compareCommand, COMPARE_HELP],
  experiment: [experimentCommand, EXPERIMENT_HELP],
  search: [searchCommand, SEARCH_HELP],
  finetune: [finetuneCommand, FINETUNE_HELP],
  export: [exportCommand, EXPORT_HELP],
  playground: [playgroundCommand, PLAYGROUND_HELP],
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    if (command === 'help' && rest[0] && COMMANDS[rest[0]]) console.log(COMMANDS[rest[0]][1]);
    else console.log(HELP);
    return command ? 0 : 2;
  }
  const entry = COMMANDS[command];
  if (!entry) {
    console.error(`convnet: unknown command '${command}' (expected one of: ${Object.keys(COMMANDS).join(', ')}; see 'convnet --help')`);
    return 2;
  }
  try {
    await entry[0](rest);
    return 0;
  } catch (e) {
    if (e instanceof Interrupted) return 130;
    // Messages may already start with the command's name (errors raised by the library name the op): say it once.
    const message = (e as Error).message.replace(new RegExp(`^${command}: `), '');
    console.error(`convnet ${command}: ${message}`);
    return e instanceof UsageError ? 2 : 1;
  }
}
