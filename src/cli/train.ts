/** `convnet train`: builds model, data, optimizer and schedule from flags and runs fit(). */
import * as data from '../data/index.js';
import * as models from '../models/index.js';
import * as optim from '../optim/index.js';
import { exportOnnx, loadWeights, saveSafetensors, weightsFormat } from '../io/index.js';
import { ensureWritableDir, fileExists, listDir, readFileBytes, writeFileAtomic } from '../platform/node.js';
import type { AnyModule } from '../nn/module.js';
import { freeze, linearProbe, paramGroups, replaceHead } from '../nn/transfer.js';
import { manualSeed } from '../tensor/random.js';
import { getFloat32MatmulPrecision, setFloat32MatmulPrecision } from '../backend/precision.js';
import { fit } from '../train/fit.js';
import { formatSummary, summary } from '../analysis/summary.js';
import { barProgress, lineProgress, silentProgress } from '../train/progress.js';
import type { Optimizer } from '../optim/optimizer.js';
import { choiceFlag, intFlag, keyValues, numFlag, parse, UsageError, unknownName } from './args.js';
import { cardMetadata, loadOnnxModel, type ModelCard } from './model_files.js';
import { AUGMENTATIONS, baseTransform, DATASETS, loadDataset, preprocessFor, trainTransform } from './recipes.js';

/** Named flag sets (`--recipe NAME`): what the README documents for a model and dataset. */
export const RECIPES: Record<string, { about: string; args: string[] }> = {
  'resnet20-cifar10': {
    about: "ResNet-20 on CIFAR-10 (He et al. 2016's model and augmentation, a 50-epoch cosine schedule for 2 cores)",
    args: [
      '--model',
      'resnet20',
      '--dataset',
      'cifar10',
      '--epochs',
      '50',
      '--batch-size',
      '128',
      '--optimizer',
      'nesterov',
      '--lr',
      '0.1',
      '--weight-decay',
      '5e-4',
      '--schedule',
      'cosine',
      '--warmup',
      '2',
      '--augment',
      'crop,flip',
      '--val-split',
      '0',
      '--precision',
      'high',
    ],
  },
};

/** argv with `--recipe NAME` replaced by the recipe's flags, placed first so that the user's own flags win. */
export function expandRecipe(argv: string[]): string[] {
  const at = argv.findIndex((a) => a === '--recipe' || a.startsWith('--recipe='));
  if (at < 0) return argv;
  const inline = argv[at].startsWith('--recipe=');
  const name = inline ? argv[at].slice('--recipe='.length) : argv[at + 1];
  const recipe = name === undefined ? undefined : RECIPES[name];
  if (!recipe) throw new UsageError(`--recipe: expected one of ${Object.keys(RECIPES).join(', ')}, got ${name === undefined ? 'nothing' : `'${name}'`}`);
  const rest = argv.filter((_, i) => i !== at && (inline || i !== at + 1));
  return [...recipe.args, ...rest];
}

export const TRAIN_HELP = `convnet train — train a model

Usage: convnet train --model NAME --dataset NAME [options]

  --model NAME            ${'model from `convnet summary --list`'} (e.g. lenet5, lenet), or a model definition FILE.json
                          (what convnet search writes: a zoo model and its options)
  --model-opts K=V,...    model options, e.g. activation=tanh,pooling=avg (lenet5 trains with relu,max unless given)
  --dataset NAME          ${DATASETS.join(' | ')}
  --data-dir DIR          folder with the dataset files (MNIST defaults to the bundled copy)
  --download              fetch missing dataset files from the official URLs into ~/.cache/convnet-ts
  --epochs N              default 10
  --batch-size B          default 64
  --optimizer NAME        sgd | momentum (0.9) | nesterov (0.9) | rmsprop | adam | adamw | adadelta (default adam)
  --lr X                  learning rate (default: 1e-3 for adam/adamw/rmsprop, 0.01 for sgd/momentum/nesterov, 1 for adadelta)
  --weight-decay X        L2 (decoupled for adamw), default 0
  --schedule NAME         none | step | cosine | linear | invsqrt | onecycle (default cosine)
  --milestones E1,E2,...  with --schedule step: the epochs after which the learning rate is multiplied by --gamma
                          (default: every third of the run), e.g. the ResNet paper's --epochs 164 --milestones 82,123
  --gamma X               the step schedule's factor (default 0.1)
  --warmup N              linear warmup epochs before the schedule
  --augment LIST          comma list of ${AUGMENTATIONS.join(', ')}
  --val-split N           training samples held out for validation (default 10%; 5000 for MNIST)
  --early-stop PATIENCE   stop when validation loss has not improved for PATIENCE epochs (restores the best weights)
  --seed S                default 0
  --workers N             0 or 1: prepare batches in a worker thread while the model computes (default 1)
  --out DIR               where checkpoints, weights, metrics.jsonl and curves.svg go (default runs/MODEL-DATASET, or -2, -3... when that holds an earlier run)
  --resume CKPT           continue from a checkpoint (run the same command with --resume); a damaged one falls back
                          to the previous checkpoint kept beside it; one of another model, dataset or option set is refused
  --on-nan stop|skip      a non-finite loss or gradient stops training, naming the step and where it appeared (default),
                          or skips that batch
  Ctrl-C finishes the current step, saves a checkpoint and prints the --resume command; a second Ctrl-C quits at once.
  --precision P           float32 precision of convolutions (setFloat32MatmulPrecision): highest (default), or high /
                          medium: faster Winograd F(4×4) convolutions and weight gradients, ~2e-5 relative error
  --recipe NAME           a documented set of the flags above, which flags given after it override:
${Object.entries(RECIPES)
  .map(([name, r]) => `                          ${name}: ${r.about}\n                            ${r.args.join(' ')}`)
  .join('\n')}
  --json                  print one JSON object with the results as the last line
  --quiet                 no progress output (the final test result is still printed)

Examples:
  convnet train --model lenet5 --model-opts activation=relu,pooling=max --dataset mnist --epochs 8
  convnet train --recipe resnet20-cifar10 --data-dir ../shared/datasets/cifar-10
  convnet train --model lenet5 --model-opts inChannels=3 --dataset cifar10 --data-dir ../shared/datasets/cifar-10 --augment crop,flip
  convnet train --model lenet5 --dataset mnist --out runs/a --resume runs/a/last.ckpt.safetensors`;

const OPTIONS = {
  model: { type: 'string' },
  'model-opts': { type: 'string' },
  dataset: { type: 'string' },
  'data-dir': { type: 'string' },
  download: { type: 'boolean' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  optimizer: { type: 'string' },
  lr: { type: 'string' },
  'weight-decay': { type: 'string' },
  schedule: { type: 'string' },
  milestones: { type: 'string' },
  gamma: { type: 'string' },
  'on-nan': { type: 'string' },
  warmup: { type: 'string' },
  augment: { type: 'string' },
  'val-split': { type: 'string' },
  'early-stop': { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string' },
  resume: { type: 'string' },
  workers: { type: 'string' },
  precision: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const FINETUNE_OPTIONS = {
  ...OPTIONS,
  weights: { type: 'string' },
  'weights-key': { type: 'string' },
  'strip-prefix': { type: 'string' },
  'num-classes': { type: 'string' },
  freeze: { type: 'string' },
  'backbone-lr-scale': { type: 'string' },
  'linear-probe': { type: 'boolean' },
} as const;

export const FINETUNE_HELP = `convnet finetune — transfer learning: pretrained weights, a new head, frozen layers, a slower backbone

Usage: convnet finetune --model NAME --weights FILE --dataset NAME [options]
       convnet finetune --weights MODEL.onnx --dataset NAME [options]

  --weights FILE            pretrained weights: a PyTorch checkpoint (.pth/.pt, read without executing it) or .safetensors,
                            or an ONNX model (architecture and weights; the result is also written as OUT/model.onnx)
  --weights-key KEY         where the state dict is in a nested checkpoint (default: found automatically)
  --strip-prefix P          remove P from every key (e.g. module. for DataParallel checkpoints)
  --num-classes N           classes of the new head (default: the dataset's; must match it)
  --freeze LIST             comma list of layers to freeze, e.g. conv1,bn1,layer1,layer2 (module paths, globs with *)
  --backbone-lr-scale X     learning rate of the backbone relative to the head's (default 0.1)
  --linear-probe            train the new head only (everything else frozen)
  and every option of 'convnet train' (--dataset, --data-dir, --epochs, --optimizer, --lr, --out, --json, ...)

Example:
  convnet finetune --model resnet18 --weights resnet18.pth --num-classes 5 --freeze layer1,layer2 \\
    --backbone-lr-scale 0.1 --dataset imagefolder --data-dir flowers --epochs 5`;

/** A run stopped by Ctrl-C after saving its checkpoint: the CLI exits 130, as a shell expects of SIGINT. */
export class Interrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}

/** `--milestones 82,123`: increasing epochs inside the run. */
function parseMilestones(text: string, epochs: number): number[] {
  const ms = text.split(',').map((t) => Number(t.trim()));
  if (!ms.length || !ms.every((m, i) => Number.isInteger(m) && m >= 1 && m < epochs && (i === 0 || m > ms[i - 1]))) {
    throw new UsageError(`--milestones must be increasing epochs between 1 and ${epochs - 1} (--epochs ${epochs}), got '${text}'`);
  }
  return ms;
}

export async function finetuneCommand(argv: string[]): Promise<void> {
  return trainCommand(argv, 'finetune');
}

/** Model options `convnet train` uses unless --model-opts overrides them (recipes that reach the documented accuracy). */
const TRAINING_DEFAULT_OPTIONS: Record<string, Record<string, unknown>> = { lenet5: { activation: 'relu', pooling: 'max' } };

const OPTIMIZERS = ['sgd', 'momentum', 'nesterov', 'rmsprop', 'adam', 'adamw', 'adadelta'] as const;
const SCHEDULES = ['none', 'step', 'cosine', 'linear', 'invsqrt', 'onecycle'] as const;

export async function trainCommand(argv: string[], mode: 'train' | 'finetune' = 'train'): Promise<void> {
  // --precision holds for this run only (the CLI's main can run several commands in one process).
  const previous = getFloat32MatmulPrecision();
  try {
    await trainRun(argv, mode);
  } finally {
    setFloat32MatmulPrecision(previous);
  }
}

async function trainRun(argv: string[], mode: 'train' | 'finetune'): Promise<void> {
  const { values } = parse(mode, expandRecipe(argv), mode === 'finetune' ? FINETUNE_OPTIONS : OPTIONS);
  if (values.help) return void console.log(mode === 'finetune' ? FINETUNE_HELP : TRAIN_HELP);
  if (values.precision !== undefined) {
    const p = String(values.precision);
    if (p !== 'highest' && p !== 'high' && p !== 'medium') throw new UsageError(`--precision: expected highest, high or medium, got '${p}'`);
    setFloat32MatmulPrecision(p);
  }
  if (mode === 'finetune' && !values.weights) throw new UsageError("finetune: --weights is required (see 'convnet finetune --help')");
  // Fine-tuning an ONNX file: the file is both the architecture and the weights.
  const weightsFile = mode === 'finetune' ? String(values.weights) : null;
  const weightsBytes = weightsFile ? await readFileBytes(weightsFile, 'finetune') : null;
  const onnxFile = weightsFile && weightsFormat(weightsBytes!, weightsFile) === 'onnx' ? weightsFile : null;
  if (onnxFile && values.model !== undefined)
    throw new UsageError('finetune: an .onnx file holds its own architecture; give --weights FILE.onnx without --model');
  // --model FILE.json: a model definition (convnet search writes one), i.e. a zoo name and its options.
  const definitionFile = !onnxFile && typeof values.model === 'string' && values.model.toLowerCase().endsWith('.json') ? values.model : null;
  const definition = definitionFile ? models.parseModelDefinition(new TextDecoder().decode(await readFileBytes(definitionFile, mode)), definitionFile) : null;
  const modelName = onnxFile ?? definition?.model ?? (values.model as string | undefined);
  const datasetName = values.dataset as string | undefined;
  if (!modelName) throw new UsageError("train: --model is required (see 'convnet train --help')");
  if (!datasetName) throw new UsageError("train: --dataset is required (see 'convnet train --help')");
  if (!onnxFile && !models.list().some((m) => m.name === modelName))
    throw new UsageError(
      `train: ${unknownName(
        'model',
        modelName,
        models.list().map((m) => m.name),
      )}`,
    );
  if (!DATASETS.includes(datasetName as never)) throw new UsageError(`train: ${unknownName('dataset', datasetName, DATASETS)}`);
  const epochs = intFlag(values, 'epochs', 10);
  const batchSize = intFlag(values, 'batch-size', 64);
  const optimizerName = choiceFlag(values, 'optimizer', OPTIMIZERS, 'adam');
  const scheduleName = choiceFlag(values, 'schedule', SCHEDULES, 'cosine');
  const onNan = choiceFlag(values, 'on-nan', ['stop', 'skip'] as const, 'stop');
  const gamma = numFlag(values, 'gamma', 0.1, { positive: true })!;
  const milestones = values.milestones === undefined ? null : parseMilestones(String(values.milestones), intFlag(values, 'epochs', 10));
  if ((milestones || values.gamma !== undefined) && scheduleName !== 'step') throw new UsageError('--milestones and --gamma go with --schedule step');
  const warmup = intFlag(values, 'warmup', 0, 0);
  const seed = intFlag(values, 'seed', 0, 0);
  const defaultLr = { sgd: 0.01, momentum: 0.01, nesterov: 0.01, rmsprop: 1e-3, adam: 1e-3, adamw: 1e-3, adadelta: 1 }[optimizerName];
  const lr = numFlag(values, 'lr', defaultLr, { positive: true })!;
  const weightDecay = numFlag(values, 'weight-decay', 0, { min: 0 })!;
  const patience = values['early-stop'] === undefined ? null : intFlag(values, 'early-stop', 5);
  const augment = ((values.augment as string | undefined) ?? '').split(',').filter(Boolean);
  for (const a of augment)
    if (!AUGMENTATIONS.includes(a as never)) throw new UsageError(`--augment: unknown augmentation '${a}' (expected some of: ${AUGMENTATIONS.join(', ')})`);
  // Training recipes: the library's lenet5() is the 1998 layout (tanh, average pooling); trained from scratch, the CLI
  // uses the modern variant unless --model-opts says otherwise, so the bare command reaches 99% on MNIST.
  const recipe = mode === 'train' ? (TRAINING_DEFAULT_OPTIONS[modelName] ?? {}) : {};
  const modelOpts = { ...recipe, ...(definition?.options ?? {}), ...keyValues(values['model-opts'] as string | undefined, 'model-opts') };
  if (warmup >= epochs && warmup > 0) throw new UsageError(`--warmup ${warmup} must be smaller than --epochs ${epochs}`);
  // Without --out, a new run never lands on an earlier one: runs/MODEL-DATASET, else -2, -3, ...
  const out =
    (values.out as string | undefined) ?? (values.resume ? `runs/${modelName}-${datasetName}` : await freshRunDir(`runs/${modelName}-${datasetName}`));
  await ensureWritableDir(out, `${mode}: --out`); // before any data is loaded or any step runs
  const json = Boolean(values.json);
  const say = (s: string) => (values.quiet ? undefined : console.log(s));

  manualSeed(seed);
  const onnx = onnxFile ? await loadOnnxModel(onnxFile) : null;
  const info = onnx ?? models.list().find((m) => m.name === modelName)!;
  const imageSize: [number, number] = [info.inputShape[1], info.inputShape[2]];
  const full = await loadDataset(datasetName, 'train', values['data-dir'] as string | undefined, Boolean(values.download), imageSize);
  const testSet = await loadDataset(datasetName, 'test', values['data-dir'] as string | undefined, Boolean(values.download), imageSize);
  const classes = [...(full.classes ?? [])];
  const inChannels = full.sampleShape[0];
  const numClasses = classes.length || 10;
  let model: AnyModule;
  let head: string | null = null;
  if (mode === 'finetune') {
    const wanted = values['num-classes'] === undefined ? numClasses : intFlag(values, 'num-classes', numClasses);
    if (wanted !== numClasses) throw new UsageError(`finetune: --num-classes ${wanted} does not match the ${numClasses} classes of the dataset`);
    // The architecture the weights were trained with (its own head), then the new head.
    const file = values.weights as string;
    if (onnx) {
      if (onnx.inputShape[0] !== inChannels)
        throw new UsageError(`finetune: ${file} takes ${onnx.inputShape[0]}-channel images, the dataset has ${inChannels}`);
      model = onnx.model;
    } else {
      model = models.create(modelName, { inChannels, ...modelOpts });
      const prefix = values['strip-prefix'] as string | undefined;
      // The format is read from the bytes: safetensors or a PyTorch checkpoint, whatever the file is called.
      const { stateDict } = await loadWeights(weightsBytes!, { key: values['weights-key'] as string | undefined, stripPrefix: prefix ? [prefix] : undefined });
      try {
        model.loadStateDict(stateDict);
      } catch (e) {
        throw new Error(`${file}: ${(e as Error).message}`);
      }
    }
    if (values['linear-probe']) head = linearProbe(model, numClasses);
    else {
      head = replaceHead(model, numClasses);
      const patterns = ((values.freeze as string | undefined) ?? '').split(',').filter(Boolean);
      if (patterns.length) freeze(model, patterns);
    }
  } else {
    model = models.create(modelName, { numClasses, inChannels, ...modelOpts });
  }
  const inputShape = [inChannels, imageSize[0], imageSize[1]];
  const pre = preprocessFor(datasetName, full.sampleShape, inputShape);
  const valCount =
    values['val-split'] === undefined
      ? datasetName === 'mnist' || datasetName === 'fashion-mnist'
        ? 5000
        : Math.round(full.length * 0.1)
      : intFlag(values, 'val-split', 0, 0);
  if (valCount >= full.length) throw new UsageError(`--val-split ${valCount} leaves no training samples (the training set has ${full.length})`);
  const [trainSet, valSet] = data.randomSplit(full, [full.length - valCount, valCount], { seed });

  const shownOpts = definitionFile ? { ...modelOpts, ...('genotype' in modelOpts ? { genotype: `<${definitionFile}>` } : {}) } : modelOpts;
  say(`model ${modelName} ${JSON.stringify(shownOpts)} — ${model.numParameters().toLocaleString('en-US')} parameters, input [${inputShape}]`);
  say(formatSummary(summary(model, inputShape)));
  say(
    `data ${datasetName}: ${trainSet.length} train / ${valSet.length} validation / ${testSet.length} test, batch ${batchSize}${augment.length ? `, augment ${augment.join(',')}` : ''}`,
  );

  const workers = intFlag(values, 'workers', 1, 0);
  if (workers > 1) throw new UsageError(`--workers must be 0 or 1, got ${workers}`);
  const trainLoader = new data.DataLoader(trainSet, { batchSize, shuffle: true, transform: trainTransform(pre, augment, imageSize[0]), seed, workers });
  const evalT = baseTransform(pre);
  const valLoader = valSet.length ? new data.DataLoader(valSet, { batchSize: 500, transform: evalT }) : null;
  const testLoader = new data.DataLoader(testSet, { batchSize: 500, transform: evalT });

  // Fine-tuning: the backbone at a fraction of the head's learning rate, frozen layers left out.
  const backboneLrScale = numFlag(values, 'backbone-lr-scale', 0.1, { min: 0 })!;
  const params = head ? paramGroups(model, { lr, head, backboneLrScale }) : model.parameters();
  const optimizer = makeOptimizer(optimizerName, params, lr, weightDecay);
  const main = epochs - warmup;
  let scheduler: { step(): void; stateDict(): Record<string, unknown>; loadStateDict(s: Record<string, unknown>): void } | null = null;
  let scheduleEvery: 'epoch' | 'step' = 'epoch';
  switch (scheduleName) {
    case 'step':
      // Milestones count epochs from the start of the run; the schedule after a warmup counts from its end.
      scheduler = milestones
        ? new optim.MultiStepLR(
            optimizer,
            milestones.map((m) => m - warmup).filter((m) => m > 0),
            gamma,
          )
        : new optim.StepLR(optimizer, Math.max(1, Math.floor(main / 3)), gamma);
      break;
    case 'cosine':
      scheduler = new optim.CosineAnnealingLR(optimizer, Math.max(1, main));
      break;
    case 'linear':
      scheduler = new optim.LinearLR(optimizer, 1, 0.01, Math.max(1, main));
      break;
    case 'invsqrt':
      scheduler = new optim.InverseSqrtLR(optimizer);
      break;
    case 'onecycle':
      scheduler = new optim.OneCycleLR(optimizer, lr, { totalSteps: epochs * trainLoader.length });
      scheduleEvery = 'step';
      break;
    case 'none':
      break;
  }
  if (warmup > 0) {
    if (scheduleEvery === 'step') throw new UsageError('--warmup cannot be combined with --schedule onecycle (it has its own warmup)');
    const warm = new optim.LinearLR(optimizer, 0.1, 1, warmup);
    scheduler = new optim.SequentialLR(optimizer, scheduler ? [warm, scheduler as optim.LRScheduler] : [warm, new optim.ConstantLR(optimizer, 1, 0)], [warmup]);
  }

  const card: ModelCard = {
    model: onnx ? 'onnx' : modelName,
    modelOptions: { numClasses: classes.length || 10, inChannels, ...modelOpts },
    dataset: datasetName,
    classes,
    sampleShape: [...full.sampleShape],
    preprocess: pre,
  };
  const config = {
    model: modelName,
    modelOptions: modelOpts,
    dataset: datasetName,
    epochs,
    batchSize,
    optimizer: optimizerName,
    lr,
    weightDecay,
    schedule: scheduleName,
    ...(milestones ? { milestones } : {}),
    ...(scheduleName === 'step' ? { gamma } : {}),
    warmup,
    augment,
    seed,
    valSplit: valCount,
  };
  // --quiet silences progress, not warnings (a resume that falls back to the previous checkpoint says so on stderr).
  const progress = values.quiet
    ? { ...silentProgress, log: (line: string) => console.error(line) }
    : process.stdout.isTTY && !json
      ? barProgress()
      : lineProgress((s) => console.log(s), Math.max(1, Math.ceil(trainLoader.length / 5)));
  // Ctrl-C: finish the step, save a checkpoint, say how to resume; a second Ctrl-C quits at once (checkpoints are
  // written to a temporary file and renamed, so quitting mid-write leaves the last good one).
  const interrupt = new AbortController();
  const onSigint = () => {
    if (interrupt.signal.aborted) {
      progress?.close?.();
      if (process.stdout.isTTY) process.stdout.write('\x1b[?25h\x1b[?7h\n'); // cursor and line wrap back
      process.exit(130);
    }
    interrupt.abort();
    progress?.close?.();
    console.error(`\n${mode}: stopping after this step and saving a checkpoint (Ctrl-C again to quit now)`);
  };
  process.on('SIGINT', onSigint);
  let result: Awaited<ReturnType<typeof fit>>;
  try {
    result = await fit(model, {
      optimizer,
      trainLoader,
      valLoader,
      testLoader,
      epochs,
      scheduler,
      scheduleEvery,
      outDir: out,
      resume: (values.resume as string | undefined) ?? null,
      progress,
      config,
      onNan,
      signal: interrupt.signal,
      earlyStopping: patience === null ? null : { patience, restoreBest: true, monitor: valLoader ? 'valLoss' : 'trainLoss' },
    });
  } finally {
    process.off('SIGINT', onSigint);
    progress?.close?.();
    // Stop the loader's thread whether training finished or failed, so an error ends the process.
    await trainLoader.close();
  }
  if (result.interrupted) {
    const at = result.interruptedAt!;
    const again = [
      ...argv.filter((a, i) => a !== '--resume' && argv[i - 1] !== '--resume' && !a.startsWith('--resume=')),
      ...(values.out ? [] : ['--out', out]),
    ];
    console.error(
      `${mode}: interrupted at epoch ${at.epoch}, step ${at.step}; saved ${result.paths.lastCheckpoint}. Continue with:\n  convnet ${mode} ${again.join(' ')} --resume ${result.paths.lastCheckpoint}`,
    );
    throw new Interrupted();
  }
  await saveSafetensors(result.paths.weights!, model.stateDict(), cardMetadata(card));
  // An ONNX model comes back out as ONNX (with its new head): `convnet eval --model OUT/model.onnx --weights ...`.
  const paths: Record<string, string | undefined> = { ...result.paths };
  if (onnx) {
    paths.onnx = `${out}/model.onnx`;
    await writeFileAtomic(paths.onnx, exportOnnx(model, [1, ...inputShape], { metadata: { classes: JSON.stringify(classes) } }), 'finetune');
    say(`wrote ${paths.onnx} (the fine-tuned model as ONNX)`);
  }
  const test = result.test!;
  // The result is printed even with --quiet (which silences progress, not the outcome); --json carries it instead.
  (json ? say : (s: string) => console.log(s))(
    `test: loss ${test.loss.toFixed(4)}, top-1 ${(test.acc * 100).toFixed(2)}%, top-5 ${(test.top5 * 100).toFixed(2)}% on ${testSet.length} images; trained ${result.history.length} epochs in ${result.trainSeconds.toFixed(1)} s`,
  );
  say(
    `wrote ${result.paths.weights} (weights), ${result.paths.lastCheckpoint} and ${result.paths.bestCheckpoint} (checkpoints), ${result.paths.log} (metrics), ${result.paths.chart} (curves)`,
  );
  if (json) {
    console.log(
      JSON.stringify({
        model: modelName,
        dataset: datasetName,
        epochs: result.history.length,
        config,
        precision: getFloat32MatmulPrecision(),
        trainSeconds: result.trainSeconds,
        testAccuracy: test.acc,
        testLoss: test.loss,
        testTop5: test.top5,
        bestEpoch: result.bestEpoch,
        stoppedEarly: result.stoppedEarly,
        history: result.history.map((h) => ({
          epoch: h.epoch,
          trainLoss: h.train.loss,
          trainAccuracy: h.train.acc,
          valLoss: h.val?.loss,
          valAccuracy: h.val?.acc,
        })),
        paths,
      }),
    );
  }
}

/** The optimizer a `--optimizer` name stands for (momentum and nesterov at 0.9). */
export function makeOptimizer(
  name: (typeof OPTIMIZERS)[number],
  params: ConstructorParameters<typeof optim.SGD>[0],
  lr: number,
  weightDecay: number,
): Optimizer {
  switch (name) {
    case 'sgd':
      return new optim.SGD(params, { lr, weightDecay });
    case 'momentum': // classical (heavy-ball) momentum, as the lectures write it; Nesterov is its own name
      return new optim.SGD(params, { lr, momentum: 0.9, weightDecay });
    case 'nesterov':
      return new optim.SGD(params, { lr, momentum: 0.9, nesterov: true, weightDecay });
    case 'rmsprop':
      return new optim.RMSprop(params, { lr, weightDecay });
    case 'adam':
      return new optim.Adam(params, { lr, weightDecay });
    case 'adamw':
      return new optim.AdamW(params, { lr, weightDecay });
    case 'adadelta':
      return new optim.Adadelta(params, { lr, rho: 0.95, weightDecay });
    default:
      throw new UsageError(`--optimizer must be one of ${OPTIMIZERS.join(', ')}, got '${name as string}'`);
  }
}

/** `base`, or `base-2`, `base-3`, ... : the first that does not exist yet or holds nothing. */
export async function freshRunDir(base: string): Promise<string> {
  for (let i = 1; ; i++) {
    const dir = i === 1 ? base : `${base}-${i}`;
    if (!(await fileExists(dir)) || (await listDir(dir, 'train')).length === 0) return dir;
  }
}
