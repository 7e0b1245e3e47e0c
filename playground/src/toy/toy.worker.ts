/**
 * classify2d's Worker: a small network on 2-D points, trained full-batch, and every ~100 ms the decision surface
 * (class-1 probability on a grid over [-1, 1]²) and each hidden unit's response on a coarser grid.
 */
import { crossEntropy, manualSeed, noGrad, softmax, tensor, initBackend, nn, type Tensor } from '../../../src/index.js';
import { makeOptimizer } from '../trainer/session.js';
import type { TrainConfig } from '../trainer/config.js';
import { SURFACE_GRID, UNIT_GRID, type HiddenUnits, type ToyFromWorker, type ToyToWorker } from './protocol.js';
import { turn } from '../trainer/turn.js';

let model: nn.Sequential | null = null;
let opt: ReturnType<typeof makeOptimizer> | null = null;
let x: Tensor | null = null;
let y: Tensor | null = null;
let n = 0;
let step = 0;
let running = false;
let config: TrainConfig | null = null;

const post = (m: ToyFromWorker) => (self as unknown as Worker).postMessage(m);

/** Points of a g×g grid over [-1, 1]², top row first (y = +1), as a [g², 2] tensor. */
function grid(g: number): Tensor {
  const pts = new Float32Array(g * g * 2);
  for (let r = 0; r < g; r++)
    for (let c = 0; c < g; c++) {
      pts[(r * g + c) * 2] = -1 + (2 * (c + 0.5)) / g;
      pts[(r * g + c) * 2 + 1] = 1 - (2 * (r + 0.5)) / g;
    }
  return tensor(pts, [g * g, 2]);
}
const surfaceGrid = grid(SURFACE_GRID);
const unitGrid = grid(UNIT_GRID);

function setPoints(xy: number[], labels: number[]) {
  n = labels.length;
  x = tensor(Float32Array.from(xy), [n, 2]);
  y = tensor(Int32Array.from(labels), [n], { dtype: 'int32' });
}

function frame() {
  if (!model) return;
  let loss = NaN;
  let accuracy = NaN;
  const hidden: HiddenUnits[] = [];
  let surface = new Float32Array(0);
  model.eval();
  noGrad(() => {
    surface = (softmax(model!.forward(surfaceGrid), 1).data() as Float32Array).filter((_, i) => i % 2 === 1);
    // Each hidden layer's units after their nonlinearity: the output of every activation but the last layer.
    let h = unitGrid;
    const layers = [...model!.children()] as nn.Module[];
    layers.forEach((m, i) => {
      h = m.forward(h) as Tensor;
      if (i === layers.length - 1 || m instanceof nn.Linear || m instanceof nn.Dropout || h.ndim !== 2) return;
      hidden.push({ layer: String(m).split('\n')[0], values: h.transpose(0, 1).data() as Float32Array, units: h.shape[1] });
    });
    if (n > 0) {
      const logits = model!.forward(x!);
      loss = crossEntropy(logits, y!).item();
      const pred = logits.argmax(1).data() as Int32Array;
      const labels = y!.data() as Int32Array;
      let right = 0;
      for (let i = 0; i < n; i++) right += pred[i] === labels[i] ? 1 : 0;
      accuracy = right / n;
    }
  });
  model.train();
  post({ type: 'frame', step, loss, accuracy, surface, hidden, running });
}

async function loop() {
  let lastFrame = 0;
  while (running && model) {
    const t0 = performance.now();
    while (performance.now() - t0 < 30 && n > 0) {
      opt!.zeroGrad();
      const loss = crossEntropy(model.forward(x!), y!);
      loss.backward();
      opt!.step();
      step++;
      if (!Number.isFinite(loss.item())) {
        running = false;
        post({ type: 'error', message: `the loss became ${loss.item()} at step ${step}: lower the learning rate and reset` });
        break;
      }
    }
    if (performance.now() - lastFrame > 100) {
      frame();
      lastFrame = performance.now();
    }
    await turn();
  }
  frame();
}

self.onmessage = async (e: MessageEvent<ToyToWorker>) => {
  const m = e.data;
  try {
    switch (m.type) {
      case 'init': {
        running = false;
        await initBackend('wasm');
        config = m.config;
        manualSeed(config.seed);
        const built = nn.sequentialFromText(m.network, { inputShape: [2] });
        const out = built.shapes.at(-1)!;
        if (out.length !== 1 || out[0] !== 2)
          throw new nn.NetworkTextError(
            m.network.split('\n').length,
            `the network must end with 2 outputs (one per class), it ends with shape [${out.join(', ')}]`,
          );
        model = built.model;
        opt = makeOptimizer(config, model.parameters());
        step = 0;
        setPoints(m.xy, m.labels);
        post({ type: 'ready', parameters: model.parameters().reduce((a, p) => a + p.numel(), 0) });
        frame();
        break;
      }
      case 'points':
        setPoints(m.xy, m.labels);
        if (!running) frame();
        break;
      case 'update':
        if (!model || !config) break;
        if (m.config.optimizer !== config.optimizer || m.config.momentum !== config.momentum) opt = makeOptimizer(m.config, model.parameters());
        for (const g of opt!.paramGroups) {
          g.lr = m.config.lr;
          (g as { weightDecay?: number }).weightDecay = m.config.weightDecay;
        }
        config = m.config;
        break;
      case 'run':
        if (running || !model) break;
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
