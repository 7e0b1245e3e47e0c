/**
 * The autoencoder's Worker: an encoder to a 2-D code and a decoder back to 28×28, trained to reproduce MNIST digits
 * (mean squared error on pixels in [0, 1]); it reports the validation images' codes (the code plane the page plots),
 * reconstructions, and decodes any point of the plane on request.
 */
import { data, initBackend, manualSeed, mseLoss, noGrad, tensor, nn, Generator, type Tensor } from '../../../src/index.js';
import { makeOptimizer } from '../trainer/session.js';
import type { TrainConfig } from '../trainer/config.js';
import type { AeFromWorker, AeToWorker } from './protocol.js';
import { turn } from '../trainer/turn.js';

const post = (m: AeFromWorker) => (self as unknown as Worker).postMessage(m);
const TRAIN = 20_000;
const VAL = 1_000;
const SHOWN = 8;

let train: data.ImageDataset | null = null;
let val: data.ImageDataset | null = null;
let encoder: nn.Sequential | null = null;
let decoder: nn.Sequential | null = null;
let opt: ReturnType<typeof makeOptimizer> | null = null;
let config: TrainConfig | null = null;
let gen = new Generator(0);
let order: number[] = [];
let step = 0;
let running = false;

function build(text: string, part: 'encoder' | 'decoder', input: number[], output: number[]): nn.Sequential {
  try {
    const { model, shapes } = nn.sequentialFromText(text, { inputShape: input });
    const out = shapes.at(-1)!;
    if (out.reduce((a, b) => a * b, 1) !== output.reduce((a, b) => a * b, 1))
      throw new nn.NetworkTextError(text.split('\n').length, `the ${part} must end with shape [${output.join(', ')}], it ends with [${out.join(', ')}]`);
    return model;
  } catch (e) {
    (e as { part?: string }).part = part;
    throw e;
  }
}

/** Pixels in [0, 1] of images of a split, as [n, 1, 28, 28]. */
function images(ds: data.ImageDataset, idx: number[]): Tensor {
  const b = ds.getBatch(idx);
  return tensor(b.x, b.shape);
}

function reconstruct(x: Tensor): Tensor {
  const code = encoder!.forward(x) as Tensor;
  return (decoder!.forward(code) as Tensor).reshape(x.shape);
}

function report() {
  encoder!.eval();
  decoder!.eval();
  noGrad(() => {
    const idx = Array.from({ length: VAL }, (_, i) => i);
    const x = images(val!, idx);
    const codes = (encoder!.forward(x) as Tensor).data() as Float32Array;
    const out = (decoder!.forward(tensor(codes, [VAL, 2])) as Tensor).reshape(x.shape);
    const loss = mseLoss(out, x).item();
    const all = out.data() as Float32Array;
    const xs = x.data() as Float32Array;
    post({
      type: 'codes',
      step,
      codes,
      labels: Int32Array.from(val!.labels.subarray(0, VAL)),
      loss,
      inputs: Array.from({ length: SHOWN }, (_, i) => xs.slice(i * 784, (i + 1) * 784)),
      outputs: Array.from({ length: SHOWN }, (_, i) => all.slice(i * 784, (i + 1) * 784)),
    });
  });
  encoder!.train();
  decoder!.train();
}

async function loop() {
  let lastCodes = 0;
  let lastProgress = 0;
  let smooth = NaN;
  while (running) {
    const t0 = performance.now();
    while (running && performance.now() - t0 < 40) {
      if (order.length < config!.batchSize) order = data.permutation(train!.length, gen);
      const x = images(train!, order.splice(0, config!.batchSize));
      opt!.zeroGrad();
      const loss = mseLoss(reconstruct(x), x);
      loss.backward();
      opt!.step();
      step++;
      const l = loss.item();
      if (!Number.isFinite(l)) {
        running = false;
        post({ type: 'error', message: `the loss became ${l} at step ${step}: lower the learning rate and reset` });
        break;
      }
      smooth = Number.isNaN(smooth) ? l : 0.98 * smooth + 0.02 * l;
    }
    const now = performance.now();
    if (now - lastProgress > 200) {
      post({ type: 'progress', step, epoch: (step * config!.batchSize) / train!.length, loss: smooth, running });
      lastProgress = now;
    }
    if (now - lastCodes > 1000) {
      report();
      lastCodes = performance.now();
    }
    await turn();
  }
  post({ type: 'progress', step, epoch: (step * config!.batchSize) / train!.length, loss: smooth, running });
  report();
}

self.onmessage = async (e: MessageEvent<AeToWorker>) => {
  const m = e.data;
  try {
    switch (m.type) {
      case 'init': {
        running = false;
        await initBackend('wasm');
        if (!train) {
          post({ type: 'status', message: 'loading MNIST…' });
          const all = await data.mnist({ root: m.root, cache: true, train: true });
          const at = (from: number, n: number) =>
            new data.ImageDataset(all.images.subarray(from * 784, (from + n) * 784), all.labels.subarray(from, from + n), [1, 28, 28], all.classes);
          train = at(0, TRAIN);
          val = at(all.length - VAL, VAL);
        }
        config = m.config;
        manualSeed(config.seed);
        encoder = build(m.encoder, 'encoder', [1, 28, 28], [2]);
        decoder = build(m.decoder, 'decoder', [2], [784]);
        opt = makeOptimizer(config, [...encoder.parameters(), ...decoder.parameters()]);
        gen = new Generator(config.seed);
        order = [];
        step = 0;
        post({ type: 'ready', parameters: [...encoder.parameters(), ...decoder.parameters()].reduce((a, p) => a + p.numel(), 0), trainImages: TRAIN });
        report();
        break;
      }
      case 'update':
        if (!opt || !config || !encoder || !decoder) break;
        if (m.config.optimizer !== config.optimizer || m.config.momentum !== config.momentum)
          opt = makeOptimizer(m.config, [...encoder.parameters(), ...decoder.parameters()]);
        for (const g of opt.paramGroups) g.lr = m.config.lr;
        config = m.config;
        break;
      case 'run':
        if (running || !encoder) break;
        running = true;
        void loop();
        break;
      case 'pause':
        running = false;
        break;
      case 'decode': {
        if (!decoder) break;
        decoder.eval();
        const image = noGrad(() => (decoder!.forward(tensor(m.code, [1, 2])) as Tensor).data() as Float32Array);
        decoder.train();
        post({ type: 'decoded', code: m.code, image });
        break;
      }
    }
  } catch (err) {
    running = false;
    const er = err as Error & { part?: 'encoder' | 'decoder' };
    post({ type: 'error', message: er.message, part: er.part, line: err instanceof nn.NetworkTextError ? err.line : undefined });
  }
};
