/**
 * classify2d (ConvNetJS's demo, and TensorFlow Playground's idea): a small network separating two classes of 2-D
 * points, the decision surface redrawn as it trains, every hidden unit's response beside it; click to add points.
 */
import { h, fill, numberField, selectField } from '../ui/dom.js';
import { blankCanvas, retain } from '../ui/views.js';
import { shareUrl } from '../share.js';
import { OPTIMIZERS, type TrainConfig } from '../trainer/config.js';
import { TOY_SETS, toySet, type ToySet } from '../toy/datasets.js';
import { SURFACE_GRID, UNIT_GRID, type HiddenUnits, type ToyFromWorker, type ToyToWorker } from '../toy/protocol.js';

export const TOY_NETWORK = `Linear(2, 16)
Tanh()
Linear(16, 16)
Tanh()
Linear(16, 2)`;

/** classify2d's settings ride in the same link format as the other demos (the toy set in `augment`'s place would be confusing: own fields). */
export interface ToyConfig extends TrainConfig {
  toySet?: ToySet;
  points?: number;
  noise?: number;
}

export function defaultToyConfig(): ToyConfig {
  return {
    network: TOY_NETWORK,
    optimizer: 'sgd',
    lr: 0.1,
    momentum: 0.9,
    weightDecay: 0,
    batchSize: 1,
    schedule: 'constant',
    epochs: 1,
    augment: [],
    seed: 1,
    toySet: 'spiral',
    points: 200,
    noise: 0.03,
  };
}

const SIZE = 400;
const COLORS = [
  [31, 95, 191],
  [214, 90, 40],
];

export function mountClassify2d(root: HTMLElement, initial: ToyConfig): { close(): void } {
  let config: ToyConfig = { ...defaultToyConfig(), ...initial };
  let points = toySet(config.toySet!, config.points!, config.noise!, config.seed);
  let surface: Float32Array | null = null;
  let running = false;
  let clickClass = 0;

  const worker = new Worker(new URL('../toy/toy.worker.ts', import.meta.url), { type: 'module' });
  const send = (m: ToyToWorker) => worker.postMessage(m);

  const canvas = h('canvas', {
    width: SIZE,
    height: SIZE,
    class: 'toy',
    'aria-label': 'the points and the decision surface: click to add a point of the selected class',
  });
  const ctx = canvas.getContext('2d')!;
  const status = h('div', { class: 'throughput', role: 'status', 'aria-live': 'polite' }, 'starting…');
  const networkId = 'toy-network';
  const network = h('textarea', { id: networkId, rows: 8, spellcheck: 'false', class: 'code', 'aria-describedby': `${networkId}-error` });
  network.value = config.network;
  const networkError = h('div', { id: `${networkId}-error`, class: 'error', role: 'alert' });
  const units = h('div', { class: 'units' });
  const runButton = h('button', { class: 'primary', onclick: () => toggle() }, 'Train');
  const resetButton = h('button', { onclick: () => reset() }, 'Reset');
  const classButtons = [0, 1].map((c) =>
    h(
      'button',
      { class: `class-pick c${c}`, 'aria-pressed': String(c === clickClass), onclick: () => pickClass(c) },
      `class ${c === 0 ? 'A (blue)' : 'B (orange)'}`,
    ),
  );

  const link = () => history.replaceState(null, '', shareUrl('classify2d', { ...config, network: network.value }));
  const changed = (patch: Partial<ToyConfig>) => {
    config = { ...config, ...patch };
    link();
    send({ type: 'update', config });
  };
  const dataChanged = (patch: Partial<ToyConfig>) => {
    config = { ...config, ...patch };
    link();
    points = toySet(config.toySet!, config.points!, config.noise!, config.seed);
    send({ type: 'points', ...points });
    draw();
  };

  function pickClass(c: number) {
    clickClass = c;
    classButtons.forEach((b, i) => b.setAttribute('aria-pressed', String(i === c)));
  }
  function toggle() {
    running = !running;
    send({ type: running ? 'run' : 'pause' });
    runButton.textContent = running ? 'Pause' : 'Train';
  }
  function reset() {
    running = false;
    runButton.textContent = 'Train';
    config = { ...config, network: network.value };
    link();
    surface = null;
    send({ type: 'init', network: network.value, config, ...points });
  }

  // The surface at the network's grid resolution, scaled up by drawImage (nearest neighbour): 64² pixels computed in
  // JS instead of 400², which kept the page's thread busy ~100 ms per frame before the JIT warmed up.
  const grid = h('canvas', { width: SURFACE_GRID, height: SURFACE_GRID });
  const gridCtx = grid.getContext('2d')!;
  function draw() {
    const img = gridCtx.createImageData(SURFACE_GRID, SURFACE_GRID);
    for (let i = 0; i < SURFACE_GRID * SURFACE_GRID; i++) {
      const p = surface ? surface[i] : 0.5;
      // Light tints: the class colour by its probability, white where the network is unsure.
      for (let ch = 0; ch < 3; ch++) img.data[i * 4 + ch] = Math.round(255 - (255 - (p > 0.5 ? COLORS[1][ch] : COLORS[0][ch])) * 0.45 * Math.abs(2 * p - 1));
      img.data[i * 4 + 3] = 255;
    }
    gridCtx.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(grid, 0, 0, SIZE, SIZE);
    for (let i = 0; i < points.labels.length; i++) {
      const [r, g, b] = COLORS[points.labels[i]];
      ctx.beginPath();
      ctx.arc(((points.xy[2 * i] + 1) / 2) * SIZE, ((1 - points.xy[2 * i + 1]) / 2) * SIZE, 4.5, 0, 2 * Math.PI);
      ctx.fillStyle = `rgb(${r},${g},${b})`;
      ctx.fill();
      ctx.strokeStyle = '#fff';
      ctx.lineWidth = 1.2;
      ctx.stroke();
    }
  }

  function showUnits(hidden: HiddenUnits[]) {
    // The same canvases repainted on every frame while the layers stay (creating them each time blocked the page).
    retain(units, hidden.map((l) => `${l.layer}:${l.units}`).join('|'), hidden, () => {
      const layers = hidden.map((layer) => {
        const name = layer.layer.split('(')[0];
        const canvases = Array.from({ length: layer.units }, (_, u) => blankCanvas(UNIT_GRID, UNIT_GRID, 48 / UNIT_GRID, `${name} unit ${u}`));
        return {
          el: h('div', { class: 'unit-layer' }, h('div', { class: 'layer-name' }, `${name}: ${layer.units} units`), h('div', { class: 'tiles' }, ...canvases)),
          canvases,
        };
      });
      return {
        nodes: layers.map((l) => l.el),
        paint: (data) =>
          data.forEach((layer, i) =>
            layers[i].canvases.forEach((c, u) => paintUnit(c, layer.values.subarray(u * UNIT_GRID * UNIT_GRID, (u + 1) * UNIT_GRID * UNIT_GRID))),
          ),
      };
    });
  }

  /** One hidden unit's response over the plane, from its lowest (black) to its highest value (white). */
  function paintUnit(c: HTMLCanvasElement, vals: Float32Array) {
    const g = c.getContext('2d')!;
    const im = g.createImageData(UNIT_GRID, UNIT_GRID);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of vals) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    for (let i = 0; i < vals.length; i++) {
      const t = hi > lo ? (vals[i] - lo) / (hi - lo) : 0.5;
      im.data[i * 4] = im.data[i * 4 + 1] = im.data[i * 4 + 2] = Math.round(255 * t);
      im.data[i * 4 + 3] = 255;
    }
    g.putImageData(im, 0, 0);
  }

  canvas.addEventListener('click', (e) => {
    const r = canvas.getBoundingClientRect();
    const x = ((e.clientX - r.left) / r.width) * 2 - 1;
    const y = 1 - ((e.clientY - r.top) / r.height) * 2;
    const cls = e.shiftKey ? 1 - clickClass : clickClass;
    points = { xy: [...points.xy, x, y], labels: [...points.labels, cls] };
    send({ type: 'points', ...points });
    draw();
  });

  worker.onmessage = (ev: MessageEvent<ToyFromWorker>) => {
    const m = ev.data;
    if (m.type === 'ready') {
      fill(networkError);
      network.removeAttribute('aria-invalid');
      fill(status, `${m.parameters.toLocaleString('en')} parameters · ready`);
    } else if (m.type === 'error') {
      if (m.line !== undefined) {
        fill(networkError, m.message);
        network.setAttribute('aria-invalid', 'true');
      } else fill(status, `error: ${m.message}`);
      if (running) toggle();
    } else {
      surface = m.surface;
      draw();
      showUnits(m.hidden);
      fill(status, `step ${m.step} · loss ${m.loss.toFixed(4)} · training accuracy ${(m.accuracy * 100).toFixed(1)}% · ${points.labels.length} points`);
    }
  };
  worker.onerror = (e) => fill(status, `the worker failed: ${e.message}`);

  root.append(
    h(
      'div',
      { class: 'demo' },
      h(
        'aside',
        { class: 'controls' },
        h('h2', {}, 'Data'),
        selectField('data set', TOY_SETS, config.toySet!, 'toyset', (v) => dataChanged({ toySet: v as ToySet })),
        numberField('points', config.points!, { name: 'points', min: 2, max: 2000, integer: true, step: 1 }, (v) => dataChanged({ points: v })),
        numberField('noise', config.noise!, { name: 'noise', min: 0, max: 0.5, step: 0.01 }, (v) => dataChanged({ noise: v })),
        h('p', { class: 'hint' }, 'Click the plot to add a point of the selected class (shift-click: the other class).'),
        h('div', { class: 'buttons', role: 'group', 'aria-label': 'class of new points' }, ...classButtons),
        h('h2', {}, 'Network'),
        h('label', { for: networkId }, 'one PyTorch layer per line; 2 inputs, 2 outputs'),
        network,
        networkError,
        h('h2', {}, 'Training (full batch)'),
        h('div', { class: 'buttons' }, runButton, resetButton),
        selectField('optimizer', OPTIMIZERS, config.optimizer, 'optimizer', (v) => changed({ optimizer: v as TrainConfig['optimizer'] })),
        numberField('learning rate', config.lr, { name: 'lr', min: 1e-6, max: 10 }, (v) => changed({ lr: v })),
        numberField('momentum / β1', config.momentum, { name: 'momentum', min: 0, max: 0.999, step: 0.05 }, (v) => changed({ momentum: v })),
        numberField('weight decay', config.weightDecay, { name: 'wd', min: 0, max: 1, step: 1e-4 }, (v) => changed({ weightDecay: v })),
      ),
      h(
        'section',
        { class: 'views' },
        h('h1', {}, 'Classify 2-D points'),
        status,
        h('div', { class: 'toy-row' }, canvas, h('div', { class: 'toy-units' }, h('h2', {}, 'Hidden units (response over the plane)'), units)),
      ),
    ),
  );
  draw();
  reset();
  return { close: () => worker.terminate() };
}
