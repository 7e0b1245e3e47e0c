/**
 * The autoencoder (ConvNetJS's demo): MNIST digits squeezed through a 2-D code and back. The code plane shows where
 * each validation digit lands, coloured by its class; click anywhere on it to see what the decoder draws there.
 */
import { h, fill, numberField, selectField } from '../ui/dom.js';
import { imageCanvas } from '../ui/views.js';
import { shareUrl } from '../share.js';
import { OPTIMIZERS, type TrainConfig } from '../trainer/config.js';
import type { AeFromWorker, AeToWorker } from '../autoencoder/protocol.js';

export const AE_ENCODER = `Flatten()
Linear(784, 128)
ReLU()
Linear(128, 32)
ReLU()
Linear(32, 2)`;

export const AE_DECODER = `Linear(2, 32)
ReLU()
Linear(32, 128)
ReLU()
Linear(128, 784)
Sigmoid()`;

export interface AeConfig extends TrainConfig {
  /** The decoder's text (`network` holds the encoder's). */
  decoder: string;
}

export function defaultAeConfig(): AeConfig {
  return {
    network: AE_ENCODER,
    decoder: AE_DECODER,
    optimizer: 'adam',
    lr: 0.002,
    momentum: 0.9,
    weightDecay: 0,
    batchSize: 64,
    schedule: 'constant',
    epochs: 1,
    augment: [],
    seed: 1,
  };
}

export const aeConfigErrors = (c: AeConfig): string[] => (typeof c.decoder === 'string' && c.decoder.length <= 20_000 ? [] : ['decoder: text']);

const DIGIT_COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const PLANE = 420;

export function mountAutoencoder(root: HTMLElement, dataRoot: string, initial: AeConfig): { close(): void } {
  let config: AeConfig = { ...initial };
  let running = false;
  let view = { x0: -1, x1: 1, y0: -1, y1: 1 };
  let codes: { xy: Float32Array; labels: Int32Array } | null = null;
  let picked: [number, number] | null = null;
  const worker = new Worker(new URL('../autoencoder/autoencoder.worker.ts', import.meta.url), { type: 'module' });
  const send = (m: AeToWorker) => worker.postMessage(m);

  const text = (id: string, value: string, rows: number) => {
    const t = h('textarea', { id, rows, spellcheck: 'false', class: 'code', 'aria-describedby': `${id}-error` });
    t.value = value;
    return t;
  };
  const encoderText = text('ae-encoder', config.network, 7);
  const decoderText = text('ae-decoder', config.decoder, 7);
  const encoderError = h('div', { id: 'ae-encoder-error', class: 'error', role: 'alert' });
  const decoderError = h('div', { id: 'ae-decoder-error', class: 'error', role: 'alert' });
  const status = h('div', { class: 'throughput', role: 'status', 'aria-live': 'polite' }, 'starting…');
  const valLine = h('div', { class: 'throughput val-line' });
  const runButton = h('button', { class: 'primary', disabled: true, onclick: () => toggle() }, 'Train');
  const resetButton = h('button', { onclick: () => reset() }, 'Reset');
  const plane = h('canvas', {
    width: PLANE,
    height: PLANE,
    class: 'plane',
    'aria-label': 'the code plane: each validation digit at its 2-D code; click to decode a point',
  });
  const decoded = h('div', { class: 'decoded' }, h('p', { class: 'hint' }, 'Click the plane to decode a point.'));
  const recon = h('div', { class: 'recon' });
  const legend = h(
    'div',
    { class: 'digit-legend' },
    ...DIGIT_COLORS.map((c, d) => h('span', {}, h('span', { class: 'swatch', style: `background:${c}` }), String(d))),
  );

  const link = () => history.replaceState(null, '', shareUrl('autoencoder', { ...config, network: encoderText.value, decoder: decoderText.value }));
  const changed = (patch: Partial<AeConfig>) => {
    config = { ...config, ...patch };
    link();
    send({ type: 'update', config });
  };

  function toggle() {
    running = !running;
    send({ type: running ? 'run' : 'pause' });
    runButton.textContent = running ? 'Pause' : 'Resume';
  }
  function reset() {
    running = false;
    runButton.textContent = 'Train';
    runButton.disabled = true;
    config = { ...config, network: encoderText.value, decoder: decoderText.value };
    link();
    send({ type: 'init', encoder: config.network, decoder: config.decoder, config, root: dataRoot });
  }

  function drawPlane() {
    const ctx = plane.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, PLANE, PLANE);
    if (!codes) return;
    const { xy, labels } = codes;
    const px = (x: number) => ((x - view.x0) / (view.x1 - view.x0)) * PLANE;
    const py = (y: number) => ((view.y1 - y) / (view.y1 - view.y0)) * PLANE;
    for (let i = 0; i < labels.length; i++) {
      ctx.fillStyle = DIGIT_COLORS[labels[i]];
      ctx.beginPath();
      ctx.arc(px(xy[2 * i]), py(xy[2 * i + 1]), 2.6, 0, 2 * Math.PI);
      ctx.fill();
    }
    if (picked) {
      ctx.strokeStyle = '#000';
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.arc(px(picked[0]), py(picked[1]), 7, 0, 2 * Math.PI);
      ctx.stroke();
    }
  }

  plane.addEventListener('click', (e) => {
    const r = plane.getBoundingClientRect();
    const x = view.x0 + ((e.clientX - r.left) / r.width) * (view.x1 - view.x0);
    const y = view.y1 - ((e.clientY - r.top) / r.height) * (view.y1 - view.y0);
    picked = [x, y];
    drawPlane();
    send({ type: 'decode', code: picked });
  });

  worker.onmessage = (e: MessageEvent<AeFromWorker>) => {
    const m = e.data;
    switch (m.type) {
      case 'status':
        fill(status, m.message);
        break;
      case 'ready':
        fill(encoderError);
        fill(decoderError);
        encoderText.removeAttribute('aria-invalid');
        decoderText.removeAttribute('aria-invalid');
        runButton.disabled = false;
        fill(status, `${m.parameters.toLocaleString('en')} parameters · ${m.trainImages.toLocaleString('en')} MNIST training images · ready`);
        break;
      case 'error': {
        const [area, box] = m.part === 'decoder' ? [decoderText, decoderError] : [encoderText, encoderError];
        if (m.line !== undefined) {
          fill(box, m.message);
          area.setAttribute('aria-invalid', 'true');
        } else fill(status, `error: ${m.message}`);
        running = false;
        runButton.textContent = 'Train';
        break;
      }
      case 'progress':
        fill(
          status,
          `step ${m.step} · epoch ${m.epoch.toFixed(2)} · training loss ${Number.isFinite(m.loss) ? m.loss.toFixed(4) : '–'}${m.running ? '' : ' · paused'}`,
        );
        break;
      case 'codes': {
        // Frame the codes (2nd–98th percentiles with a margin, so an outlier does not squash the picture).
        const xs = Array.from(m.codes.filter((_, i) => i % 2 === 0)).sort((a, b) => a - b);
        const ys = Array.from(m.codes.filter((_, i) => i % 2 === 1)).sort((a, b) => a - b);
        const q = (a: number[], f: number) => a[Math.min(a.length - 1, Math.floor(f * a.length))];
        const pad = (lo: number, hi: number): [number, number] => {
          const w = Math.max(hi - lo, 1e-3);
          return [lo - 0.15 * w, hi + 0.15 * w];
        };
        const [x0, x1] = pad(q(xs, 0.02), q(xs, 0.98));
        const [y0, y1] = pad(q(ys, 0.02), q(ys, 0.98));
        view = { x0, x1, y0, y1 };
        codes = { xy: m.codes, labels: m.labels };
        drawPlane();
        fill(valLine, `validation reconstruction error ${m.loss.toFixed(4)} (mean squared, step ${m.step})`);
        fill(
          recon,
          h(
            'div',
            { class: 'tiles' },
            h('span', { class: 'row-label' }, 'input'),
            ...m.inputs.map((p, i) => imageCanvas(p, 1, 28, 28, { lo: 0, hi: 1, zoom: 2, label: `input ${i}` })),
          ),
          h(
            'div',
            { class: 'tiles' },
            h('span', { class: 'row-label' }, 'output'),
            ...m.outputs.map((p, i) => imageCanvas(p, 1, 28, 28, { lo: 0, hi: 1, zoom: 2, label: `reconstruction ${i}` })),
          ),
        );
        if (picked) send({ type: 'decode', code: picked });
        break;
      }
      case 'decoded':
        fill(
          decoded,
          imageCanvas(m.image, 1, 28, 28, { lo: 0, hi: 1, zoom: 5, label: `the decoder's image at (${m.code[0].toFixed(2)}, ${m.code[1].toFixed(2)})` }),
          h('p', { class: 'hint' }, `decoded at (${m.code[0].toFixed(2)}, ${m.code[1].toFixed(2)})`),
        );
        break;
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
        h('h2', {}, 'Encoder'),
        h('label', { for: encoderText.id }, 'image [1, 28, 28] → code [2]'),
        encoderText,
        encoderError,
        h('h2', {}, 'Decoder'),
        h('label', { for: decoderText.id }, 'code [2] → 784 pixels in [0, 1]'),
        decoderText,
        decoderError,
        h('div', { class: 'buttons' }, runButton, resetButton),
        selectField('optimizer', OPTIMIZERS, config.optimizer, 'optimizer', (v) => changed({ optimizer: v as TrainConfig['optimizer'] })),
        numberField('learning rate', config.lr, { name: 'lr', min: 1e-6, max: 10 }, (v) => changed({ lr: v })),
        numberField('batch size', config.batchSize, { name: 'batch', min: 1, max: 1024, integer: true, step: 1 }, (v) => changed({ batchSize: v })),
      ),
      h(
        'section',
        { class: 'views' },
        h('h1', {}, 'Autoencoder: MNIST through a 2-D code'),
        status,
        valLine,
        h('div', { class: 'toy-row' }, h('div', {}, plane, legend), decoded),
        h('h2', {}, 'Reconstructions (validation images)'),
        recon,
      ),
    ),
  );
  drawPlane();
  reset();
  return { close: () => worker.terminate() };
}
