/**
 * The optimizers race's Worker: the 2-D trajectories with the contour grid, and the network race — one copy of the
 * network per optimizer, identical initial weights, the same batch for all at every step.
 */
import { crossEntropy, data, initBackend, manualSeed, tensor, nn, Generator } from '../../../src/index.js';
import { RACERS, SURFACES, surfacePath } from './race.js';
import type { RaceFromWorker, RaceToWorker } from './protocol.js';
import { turn } from '../trainer/turn.js';

const post = (m: RaceFromWorker) => (self as unknown as Worker).postMessage(m);
const TRAIN_IMAGES = 10_000;
const BATCH = 32;

interface Runner {
  id: string;
  model: nn.Sequential;
  opt: ReturnType<(typeof RACERS)[number]['make']>;
  loss: number;
  accuracy: number;
}

let images: data.ImageDataset | null = null;
let runners: Runner[] = [];
let running = false;
let step = 0;
let order: number[] = [];
let gen = new Generator(0);

function batch() {
  const n = images!.length;
  if (order.length < BATCH) order = data.permutation(n, gen);
  const idx = order.splice(0, BATCH);
  const b = images!.getBatch(idx);
  for (let i = 0; i < b.x.length; i++) b.x[i] = (b.x[i] - 0.1307) / 0.3081;
  return { x: tensor(b.x, b.shape), y: tensor(b.y, [b.y.length], { dtype: 'int32' }), labels: b.y };
}

function report() {
  const loss: Record<string, number> = {};
  const accuracy: Record<string, number> = {};
  for (const r of runners) {
    loss[r.id] = r.loss;
    accuracy[r.id] = r.accuracy;
  }
  post({ type: 'race', step, epoch: (step * BATCH) / images!.length, loss, accuracy, running });
}

async function loop() {
  let last = 0;
  while (running) {
    const t0 = performance.now();
    while (running && performance.now() - t0 < 40) {
      const { x, y, labels } = batch();
      for (const r of runners) {
        r.opt.zeroGrad();
        const logits = r.model.forward(x);
        const loss = crossEntropy(logits, y);
        loss.backward();
        r.opt.step();
        const l = loss.item();
        const pred = logits.argmax(1).data() as Int32Array;
        let right = 0;
        for (let i = 0; i < pred.length; i++) right += pred[i] === labels[i] ? 1 : 0;
        // Smoothed over ~50 steps, as the curves show them; a diverged optimizer stays at its last finite value.
        if (Number.isFinite(l)) r.loss = Number.isNaN(r.loss) ? l : 0.96 * r.loss + 0.04 * l;
        r.accuracy = Number.isNaN(r.accuracy) ? right / pred.length : 0.96 * r.accuracy + 0.04 * (right / pred.length);
      }
      step++;
    }
    if (performance.now() - last > 200) {
      report();
      last = performance.now();
    }
    await turn();
  }
  report();
}

self.onmessage = async (e: MessageEvent<RaceToWorker>) => {
  const m = e.data;
  try {
    switch (m.type) {
      case 'surface': {
        const s = SURFACES[m.surface];
        const paths: Record<string, [number, number][]> = {};
        for (const r of RACERS) if (m.enabled.includes(r.id)) paths[r.id] = surfacePath(m.surface, r, m.lrs[r.id], m.steps);
        // f at every pixel of the picture, for its contours.
        const grid = new Float32Array(m.width * m.height);
        for (let row = 0; row < m.height; row++)
          for (let col = 0; col < m.width; col++) {
            const x = s.view.x[0] + ((col + 0.5) / m.width) * (s.view.x[1] - s.view.x[0]);
            const y = s.view.y[1] - ((row + 0.5) / m.height) * (s.view.y[1] - s.view.y[0]);
            grid[row * m.width + col] = s.value(x, y);
          }
        post({ type: 'paths', surface: m.surface, paths, grid });
        break;
      }
      case 'init': {
        running = false;
        await initBackend('wasm');
        if (!images) {
          post({ type: 'status', message: 'loading MNIST…' });
          const all = await data.mnist({ root: m.root, cache: true, train: true });
          images = new data.ImageDataset(all.images.subarray(0, TRAIN_IMAGES * 784), all.labels.subarray(0, TRAIN_IMAGES), [1, 28, 28], all.classes);
        }
        runners = [];
        for (const r of RACERS) {
          if (!m.enabled.includes(r.id)) continue;
          manualSeed(m.seed); // every optimizer starts from the same weights
          const { model, shapes } = nn.sequentialFromText(m.network, { inputShape: [1, 28, 28] });
          const out = shapes.at(-1)!;
          if (out.length !== 1 || out[0] !== 10)
            throw new nn.NetworkTextError(
              m.network.split('\n').length,
              `the network must end with 10 outputs (one per digit), it ends with shape [${out.join(', ')}]`,
            );
          runners.push({ id: r.id, model, opt: r.make(model.parameters(), m.lrs[r.id]), loss: NaN, accuracy: NaN });
        }
        step = 0;
        gen = new Generator(m.seed);
        order = [];
        post({ type: 'ready', parameters: runners[0]?.model.parameters().reduce((a, p) => a + p.numel(), 0) ?? 0, trainImages: images.length });
        break;
      }
      case 'lrs':
        for (const r of runners) for (const g of r.opt.paramGroups) g.lr = m.lrs[r.id];
        break;
      case 'run':
        if (running || !runners.length) break;
        running = true;
        void loop();
        break;
      case 'pause':
        running = false;
        break;
    }
  } catch (err) {
    running = false;
    post({ type: 'error', message: (err as Error).message, line: err instanceof nn.NetworkTextError ? err.line : undefined });
  }
};
