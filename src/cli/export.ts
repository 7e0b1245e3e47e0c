/** `convnet export`: a zoo model (with trained or PyTorch weights) as an ONNX file for ONNX Runtime and friends. */
import { exportOnnx, importOnnx } from '../io/index.js';
import * as models from '../models/index.js';
import type { AnyModule } from '../nn/module.js';
import { noGrad } from '../autograd/grad_mode.js';
import { randn } from '../tensor/creation.js';
import { writeFileAtomic } from '../platform/node.js';
import { intFlag, keyValues, parse, UsageError, unknownName } from './args.js';
import { loadModelWithWeights, type ModelCard } from './model_files.js';

export const EXPORT_HELP = `convnet export — write a model as ONNX (opset 17) for ONNX Runtime, Triton, TensorRT or OpenVINO

Usage: convnet export --model NAME [--weights FILE] [--out FILE.onnx] [options]

Options:
  --weights FILE      trained weights (.safetensors from convnet train/finetune) or a PyTorch checkpoint (.pth/.pt)
  --out FILE          the ONNX file to write (default NAME.onnx)
  --input CxHxW       the input size (default: the weights' dataset, else the model's natural size)
  --batch N           the batch size traced and declared when --static-batch is given (default 1)
  --static-batch      a fixed batch size instead of a symbolic 'batch' dim
  --model-opts K=V,.. model options (numClasses=10, ...) when there is no model card
  --no-check          skip reading the file back and comparing its outputs with the model's
  --json              print a JSON summary

Initializers carry the model's state-dict names; class names (from the weights' card) go into the metadata.

Examples:
  convnet export --model lenet5 --weights runs/lenet5-mnist/model.safetensors --out lenet5.onnx
  convnet export --model resnet18 --weights resnet18.pth --input 3x224x224
  python -c "import onnxruntime as ort; print(ort.InferenceSession('lenet5.onnx').get_inputs()[0].shape)"`;

export async function exportCommand(argv: string[]): Promise<void> {
  const { values } = parse('export', argv, {
    model: { type: 'string' },
    weights: { type: 'string' },
    out: { type: 'string' },
    input: { type: 'string' },
    batch: { type: 'string' },
    'static-batch': { type: 'boolean' },
    'model-opts': { type: 'string' },
    'no-check': { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return void console.log(EXPORT_HELP);
  const name = values.model as string | undefined;
  if (!name) throw new UsageError("export: --model is required (see 'convnet export --help')");
  const info = models.list().find((m) => m.name === name);
  if (!info)
    throw new UsageError(
      `export: ${unknownName(
        'model',
        name,
        models.list().map((m) => m.name),
      )}`,
    );
  const opts = keyValues(values['model-opts'] as string | undefined, 'model-opts');
  const weights = values.weights as string | undefined;

  let model: AnyModule;
  let card: ModelCard | null = null;
  if (weights) {
    try {
      ({ model, card } = await loadModelWithWeights(name, weights, opts));
    } catch (e) {
      throw new Error(`${(e as Error).message} (give the model's options with --model-opts, e.g. numClasses=10)`);
    }
  } else model = models.create(name, opts);
  model.eval();

  let chw: number[] = card
    ? [card.sampleShape[0], info.inputShape[1], info.inputShape[2]]
    : [(opts.inChannels as number | undefined) ?? info.inputShape[0], info.inputShape[1], info.inputShape[2]];
  if (values.input !== undefined) {
    const parts = String(values.input).split(/x|×/).map(Number);
    if (parts.length !== 3 || !parts.every((v) => Number.isInteger(v) && v > 0))
      throw new UsageError(`--input must look like 3x224x224, got '${values.input}'`);
    chw = parts;
  }
  const batch = intFlag(values, 'batch', 1);
  const dynamicBatch = !values['static-batch'];
  const metadata: Record<string, string> = { model: name };
  if (card) {
    metadata.classes = JSON.stringify(card.classes);
    metadata.preprocess = JSON.stringify(card.preprocess);
  }
  const out = (values.out as string | undefined) ?? `${name}.onnx`;
  const started = performance.now();
  const bytes = exportOnnx(model, [batch, ...chw], { dynamicBatch, metadata });
  await writeFileAtomic(out, bytes, 'export');
  const seconds = (performance.now() - started) / 1000;

  // Read the file back with the importer and compare outputs at another batch size.
  let checkError: number | null = null;
  if (!values['no-check']) {
    const x = randn([dynamicBatch ? batch + 1 : batch, ...chw]);
    const want = noGrad(() => model.forward(x)).data();
    const got = noGrad(() => importOnnx(bytes, { name: out }).eval().forward(x)).data();
    let scale = 0;
    let worst = 0;
    for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
    checkError = worst / (scale || 1);
    if (!(checkError <= 1e-4)) throw new Error(`export: ${out} was written but its outputs differ from the model's (relative ${checkError.toExponential(2)})`);
  }
  const inputDesc = `[${dynamicBatch ? 'batch' : batch}, ${chw.join(', ')}]`;
  if (values.json) {
    console.log(JSON.stringify({ model: name, out, bytes: bytes.length, opset: 17, input: inputDesc, dynamicBatch, checkRelError: checkError, seconds }));
    return;
  }
  console.log(`wrote ${out}: ${name}, ONNX opset 17, input ${inputDesc}, ${(bytes.length / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s`);
  if (checkError !== null)
    console.log(
      `check: read back and run at batch ${dynamicBatch ? batch + 1 : batch}, outputs agree (max relative difference ${checkError.toExponential(1)})`,
    );
}
