/**
 * "Bring your own model"'s Worker: opens a .pth / .safetensors / .onnx file (a state dict finds its zoo architecture
 * by models.identify; an ONNX file is its own architecture), summarises it layer by layer, runs it on an image
 * (top-5, activations, first filters), fine-tunes a new head on the user's images, and exports the result.
 */
import { analysis, crossEntropy, data, initBackend, io, manualSeed, models, noGrad, softmax, tensor, nn, optim, type Tensor } from '../../../src/index.js';
import { withForwardTracer } from '../../../src/nn/module.js';
import { IMAGENET_CLASSES } from './imagenet_classes.js';
import type { ImageResult, LayerSummary, ModelFromWorker, ModelToWorker, OpenedModel } from './protocol.js';

const post = (m: ModelFromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

let model: nn.Module | null = null;
let info: OpenedModel | null = null;
let classes: string[] = [];
let fileName = 'model';

/** An image as the model's input [1, C, H, W]: the centre square, resized, in [0, 1], then ImageNet-normalised for RGB. */
async function prepare(bytes: ArrayBuffer, name: string, shape: number[]): Promise<{ x: Tensor; raw: Float32Array }> {
  const [c, hgt, wid] = shape;
  const img = await data.decodeImage(new Uint8Array(bytes), name);
  // Centre crop to the input's aspect ratio first (torchvision's Resize + CenterCrop, in one step).
  const target = wid / hgt;
  let cw = img.width;
  let ch = img.height;
  if (cw / ch > target) cw = Math.round(ch * target);
  else ch = Math.round(cw / target);
  const x0 = Math.floor((img.width - cw) / 2);
  const y0 = Math.floor((img.height - ch) / 2);
  const crop = new Uint8Array(cw * ch * 4);
  for (let y = 0; y < ch; y++) crop.set(img.rgba.subarray(((y0 + y) * img.width + x0) * 4, ((y0 + y) * img.width + x0 + cw) * 4), y * cw * 4);
  const raw = new Float32Array(c * hgt * wid);
  data.rgbaToPlanar({ width: cw, height: ch, rgba: crop }, c === 1 ? 1 : 3, [hgt, wid], (i, v) => (raw[i] = v / 255));
  const norm = raw.map((v, i) => (c === 3 ? (v - MEAN[Math.floor(i / (hgt * wid))]) / STD[Math.floor(i / (hgt * wid))] : v));
  return { x: tensor(norm, [1, c, hgt, wid]), raw };
}

function summarise(m: nn.Module, inputShape: number[]): Pick<OpenedModel, 'layers' | 'total'> {
  const s = analysis.summary(m, inputShape);
  const layers: LayerSummary[] = s.layers.map((r) => ({
    name: r.name,
    type: r.type,
    depth: r.depth,
    group: r.group,
    outputShape: r.outputShape,
    params: r.params,
    memoryKB: r.memoryKB,
    flops: r.flops,
    receptiveField: r.receptiveField,
  }));
  return { layers, total: s.total };
}

async function open(bytes: ArrayBuffer, name: string) {
  await initBackend('wasm');
  post({ type: 'status', message: `reading ${name}…` });
  const loaded = await io.loadWeights(new Uint8Array(bytes));
  let architecture: string | null = null;
  let alsoMatches: string[] = [];
  let inputShape: number[];
  if (loaded.onnxModel) {
    model = loaded.onnxModel;
    const shape = loaded.onnxModel.inputShapes[0] ?? [];
    inputShape = shape.slice(1).map((d, i) => d ?? [3, 224, 224][i] ?? 224);
  } else {
    const id = models.identify(loaded.stateDict);
    if (!id) {
      const n = Object.keys(loaded.stateDict).length;
      throw new Error(
        `${name}: its ${n} tensors fit no architecture of the zoo (names and shapes as torchvision writes them: resnet18's 'conv1.weight', 'layer1.0.bn1.weight', …); an ONNX file carries its own architecture`,
      );
    }
    architecture = id.name;
    alsoMatches = id.matches.slice(1);
    manualSeed(0);
    model = models.create(id.name, { numClasses: id.numClasses }) as nn.Module;
    model.loadStateDict(loaded.stateDict, { strict: true });
    inputShape = [...(models.list().find((m) => m.name === id.name)?.inputShape ?? [3, 224, 224])];
  }
  model.eval();
  fileName = name.replace(/\.(pth|pt|safetensors|onnx)$/i, '');
  const parameters = model.parameters().reduce((a, p) => a + p.numel(), 0);
  post({ type: 'status', message: `summarising ${architecture ?? 'the ONNX graph'}…` });
  const numClasses = noGrad(() =>
    (model!.forward(tensor(new Float32Array(inputShape.reduce((a, b) => a * b, 1)), [1, ...inputShape])) as Tensor).shape.at(-1)!,
  );
  classes = numClasses === 1000 ? [...IMAGENET_CLASSES] : Array.from({ length: numClasses }, (_, i) => `class ${i}`);
  info = {
    file: name,
    format: loaded.format,
    architecture,
    alsoMatches,
    numClasses,
    inputShape,
    parameters,
    ...summarise(model, inputShape),
    imagenet: numClasses === 1000,
  };
  post({ type: 'opened', model: info });
}

async function runImage(bytes: ArrayBuffer, name: string) {
  if (!model || !info) throw new Error('open a model first');
  const { x, raw } = await prepare(bytes, name, info.inputShape);
  const activations: ImageResult['activations'] = [];
  model.eval();
  const probs = noGrad(() =>
    withForwardTracer(
      {
        enter() {},
        exit(m, _inputs, output, depth) {
          if (depth !== 1 || !(output instanceof Object) || !('shape' in (output as Tensor))) return;
          const t = output as Tensor;
          if (t.ndim !== 4 && t.ndim !== 2) return;
          const shape = t.shape.slice(1);
          const per = shape.slice(1).reduce((a, b) => a * b, 1);
          const keep = t.ndim === 4 ? Math.min(shape[0], 16) * per : Math.min(t.numel(), 1000);
          activations.push({ layer: `${(m as nn.Module).typeName}`, shape, values: (t.data() as Float32Array).slice(0, keep) });
        },
      },
      () => softmax(model!.forward(x) as Tensor, 1).data() as Float32Array,
    ),
  );
  const order = Array.from(probs.keys()).sort((a, b) => probs[b] - probs[a]);
  const conv = [...model.modules()].find((m) => m instanceof nn.Conv2d) as nn.Conv2d | undefined;
  post({
    type: 'result',
    result: {
      input: raw,
      top: order.slice(0, 5).map((c) => ({ cls: c, label: classes[c], p: probs[c] })),
      activations,
      filters: conv ? { layer: 'first convolution', shape: conv.weight.shape.slice(), weights: conv.weight.data() as Float32Array } : null,
    },
  });
}

async function finetune(m: Extract<ModelToWorker, { type: 'finetune' }>) {
  if (!model || !info) throw new Error('open a model first');
  if (info.format === 'onnx')
    throw new Error('fine-tuning needs a zoo architecture (a .pth or .safetensors file); an imported ONNX graph has no trainable head here');
  if (m.classes.length < 2) throw new Error(`fine-tuning needs images of at least 2 classes (one folder each), got ${m.classes.length}`);
  post({ type: 'status', message: `preparing ${m.images.length} images…` });
  const xs: Tensor[] = [];
  for (const im of m.images) xs.push((await prepare(im.bytes, im.name, info.inputShape)).x);
  const labels = m.images.map((im) => im.label);
  manualSeed(0);
  nn.linearProbe(model, m.classes.length); // a new head for these classes; everything before it frozen
  const opt = new optim.Adam(
    model.parameters().filter((p) => p.requiresGrad),
    { lr: m.lr },
  );
  const batch = Math.min(16, xs.length);
  for (let step = 1; step <= m.steps; step++) {
    const idx = Array.from({ length: batch }, (_, i) => ((step - 1) * batch + i) % xs.length);
    const x = tensor(new Float32Array(idx.flatMap((i) => Array.from(xs[i].data() as Float32Array))), [batch, ...info.inputShape]);
    const y = tensor(Int32Array.from(idx.map((i) => labels[i])), [batch], { dtype: 'int32' });
    model.train();
    // BatchNorm stays in eval mode: a few images would overwrite the running statistics learned on ImageNet.
    for (const mod of model.modules()) if (mod instanceof nn.BatchNorm2d) mod.eval();
    opt.zeroGrad();
    const logits = model.forward(x) as Tensor;
    const loss = crossEntropy(logits, y);
    loss.backward();
    opt.step();
    const pred = logits.argmax(1).data() as Int32Array;
    const right = idx.filter((i, k) => pred[k] === labels[i]).length;
    post({ type: 'finetuned', step, steps: m.steps, loss: loss.item(), accuracy: right / batch, classes: m.classes });
  }
  model.eval();
  classes = [...m.classes];
  info = { ...info, numClasses: m.classes.length, imagenet: false, architecture: info.architecture };
}

function exportModel(format: 'safetensors' | 'onnx') {
  if (!model || !info) throw new Error('open a model first');
  const bytes =
    format === 'safetensors'
      ? io.encodeSafetensors(model.stateDict(), { 'convnet-ts.architecture': info.architecture ?? 'onnx', 'convnet-ts.classes': JSON.stringify(classes) })
      : new Uint8Array(io.exportOnnx(model, [1, ...info.inputShape]));
  const copy = bytes.slice().buffer;
  post({ type: 'exported', format, bytes: copy, name: `${fileName}-finetuned.${format === 'onnx' ? 'onnx' : 'safetensors'}` }, [copy]);
}

self.onmessage = async (e: MessageEvent<ModelToWorker>) => {
  const m = e.data;
  try {
    if (m.type === 'open') await open(m.bytes, m.name);
    else if (m.type === 'image') await runImage(m.bytes, m.name);
    else if (m.type === 'finetune') await finetune(m);
    else exportModel(m.format);
  } catch (err) {
    console.error(err);
    post({ type: 'error', message: (err as Error).message, during: m.type });
  }
};
