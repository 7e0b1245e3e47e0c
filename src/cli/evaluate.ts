/** `convnet eval` and `convnet predict`. */
import * as data from '../data/index.js';
import { noGrad } from '../autograd/grad_mode.js';
import { readFileBytes } from '../platform/node.js';
import { tensor } from '../tensor/creation.js';
import { Generator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { evaluate } from '../train/fit.js';
import { intFlag, keyValues, parse, required, UsageError, unknownName } from './args.js';
import { isOnnxPath, loadModelWithWeights, loadOnnxModel } from './model_files.js';
import { baseTransform, loadDataset, preprocessFor } from './recipes.js';
import * as models from '../models/index.js';

export const EVAL_HELP = `convnet eval — evaluate trained weights on a dataset's test split

Usage: convnet eval --model NAME --weights FILE --dataset NAME [--model-opts K=V,...] [--data-dir DIR] [--batch-size B] [--json]

--model is a zoo model's name, or an .onnx file (e.g. the model.onnx 'convnet finetune' writes for an ONNX model).
--weights is any weights file, recognised by its contents: safetensors (convnet train writes them with the model's
options; otherwise give --model-opts), a PyTorch checkpoint (.pth/.pt) or ONNX.

Examples:
  convnet eval --model lenet5 --weights runs/lenet5-mnist/model.safetensors --dataset mnist
  convnet eval --model lenet5 --weights runs/c10/best.ckpt.safetensors --dataset cifar10 --data-dir ../shared/datasets/cifar-10 --json`;

export const PREDICT_HELP = `convnet predict — classify images (PNG or JPEG) with trained weights

Usage: convnet predict --model NAME --weights FILE [--top K] [--json] IMAGE...

Images are converted to the model's channels and the training images' size, then preprocessed as in training.

Example:
  convnet predict --model lenet5 --weights runs/lenet5-mnist/model.safetensors digit.png`;

export async function evalCommand(argv: string[]): Promise<void> {
  const { values } = parse('eval', argv, {
    model: { type: 'string' },
    weights: { type: 'string' },
    dataset: { type: 'string' },
    'data-dir': { type: 'string' },
    'model-opts': { type: 'string' },
    'batch-size': { type: 'string' },
    json: { type: 'boolean' },
    download: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return void console.log(EVAL_HELP);
  const modelOpts = keyValues(values['model-opts'] as string | undefined, 'model-opts');
  const modelName = required(values, 'model', 'eval');
  const weights = required(values, 'weights', 'eval');
  const datasetName = required(values, 'dataset', 'eval');
  const info = isOnnxPath(modelName) ? { inputShape: (await loadOnnxModel(modelName)).inputShape } : models.list().find((m) => m.name === modelName);
  if (!info)
    throw new UsageError(
      `eval: ${unknownName(
        'model',
        modelName,
        models.list().map((m) => m.name),
        ', or an .onnx file',
      )}`,
    );
  const testSet = await loadDataset(datasetName, 'test', values['data-dir'] as string | undefined, Boolean(values.download), [
    info.inputShape[1],
    info.inputShape[2],
  ]);
  const { model, card } = await loadModelWithWeights(modelName, weights, { inChannels: testSet.sampleShape[0], ...modelOpts });
  const pre = card?.preprocess ?? preprocessFor(datasetName, testSet.sampleShape, [testSet.sampleShape[0], info.inputShape[1], info.inputShape[2]]);
  const loader = new data.DataLoader(testSet, { batchSize: intFlag(values, 'batch-size', 500), transform: baseTransform(pre) });
  const t = performance.now();
  const m = evaluate(model, loader);
  const seconds = (performance.now() - t) / 1000;
  console.log(
    `${modelName} on ${datasetName} test (${testSet.length} images): loss ${m.loss.toFixed(4)}, top-1 ${(m.acc * 100).toFixed(2)}%, top-5 ${(m.top5 * 100).toFixed(2)}% in ${seconds.toFixed(1)} s`,
  );
  if (values.json)
    console.log(
      JSON.stringify({
        model: modelName,
        dataset: datasetName,
        weights,
        testAccuracy: m.acc,
        testLoss: m.loss,
        testTop5: m.top5,
        images: testSet.length,
        seconds,
      }),
    );
}

export async function predictCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(
    'predict',
    argv,
    {
      model: { type: 'string' },
      weights: { type: 'string' },
      top: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
  if (values.help) return void console.log(PREDICT_HELP);
  const modelName = required(values, 'model', 'predict');
  const weights = required(values, 'weights', 'predict');
  if (positionals.length === 0) throw new UsageError("predict: give at least one image file (see 'convnet predict --help')");
  const { model, card } = await loadModelWithWeights(modelName, weights, {});
  if (!card) throw new Error(`predict: ${weights} has no model card (train it with convnet train, which records the preprocessing)`);
  const k = Math.min(intFlag(values, 'top', 5), card.classes.length || 10);
  const [c, h, w] = card.sampleShape;
  const results = [];
  for (const file of positionals) {
    const img = await data.decodeImage(await readFileBytes(file, 'predict'), file);
    const pixels = toChannels(img, c, h, w);
    const batch = baseTransform(card.preprocess).apply({ x: pixels, shape: [1, c, h, w], y: new Int32Array(1) }, new Generator(0));
    const probs = noGrad(() => (model.forward(tensor(batch.x, batch.shape)) as Tensor).softmax(1)).data();
    const top = [...probs]
      .map((p, i) => ({ class: card.classes[i] ?? String(i), index: i, probability: p }))
      .sort((a, b) => b.probability - a.probability)
      .slice(0, k);
    results.push({ file, top });
    if (!values.json) console.log(`${file}: ${top.map((t) => `${t.class} ${(t.probability * 100).toFixed(1)}%`).join(', ')}`);
  }
  if (values.json) console.log(JSON.stringify({ model: modelName, weights, predictions: results }));
}

/** RGBA → [C, H, W] floats in [0, 1], resized (bilinear) to h×w, grayscale when c = 1. */
function toChannels(img: data.RgbaImage, c: number, h: number, w: number): Float32Array {
  const out = new Float32Array(c * h * w);
  data.rgbaToPlanar(img, c === 1 ? 1 : 3, [h, w], (i, v) => (out[i] = v / 255));
  return out;
}
