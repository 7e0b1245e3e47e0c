/**
 * The MNIST and CIFAR-10 demos (ConvNetJS's mnist and cifar10, and more): an editable network, live curves,
 * throughput, per-layer activations, filters and their gradients, top-3 predictions, a confusion matrix and the most
 * confidently wrong images; every hyperparameter editable while it trains; pause, step, resume, reset; the setup in
 * the URL and the trained network saved and loaded as a file.
 */
import { figure, lineChart, row } from '../../../src/chart/spec.js';
import { h, fill, numberField, selectField, checkboxes } from '../ui/dom.js';
import { confusionTable, imageCanvas, predictionTile, showActivations, showFilters } from '../ui/views.js';
import { LiveChart } from '../charts/live.js';
import { AUGMENTATIONS, OPTIMIZERS, SCHEDULES, configErrors, type TrainConfig } from '../trainer/config.js';
import type { BackendName, DataSource, DatasetName, FromWorker, ModelInfo, ToWorker } from '../trainer/protocol.js';
import type { Evaluation, Prediction } from '../trainer/session.js';
import { shareUrl } from '../share.js';
import { webgpuAvailable } from '../ui/webgpu.js';
import { drawPanel } from '../draw/draw_panel.js';

const OPTIMIZER_TEXT: Record<string, string> = {
  sgd: 'SGD',
  nesterov: 'SGD + Nesterov',
  rmsprop: 'RMSprop',
  adagrad: 'Adagrad',
  adadelta: 'Adadelta',
  adam: 'Adam',
  adamw: 'AdamW',
};

/** Points kept per curve (older ones are thinned), so charts stay cheap after hours of training. */
const MAX_POINTS = 400;

function push(points: [number, number][], p: [number, number]) {
  points.push(p);
  if (points.length > MAX_POINTS) for (let i = 1; i < points.length - 1; i++) points.splice(i, 1);
}

export interface TrainDemo {
  /** Stops the worker (leaving the page). */
  close(): void;
  /** The page's worker, for tests that drive it. */
  readonly state: { step: number; valAccuracy: number; running: boolean; info: ModelInfo | null };
}

/**
 * Mounts the demo into `root`. `source` says where the data is (for CIFAR-10 the page asks for the archive first
 * when the server has no data folder).
 */
export interface TrainDemoOptions {
  /** Where the "draw a digit" panel goes (MNIST): after the other views (default) or first. */
  draw?: 'first' | 'last' | 'none';
  /** Start training at once and pause after this many epochs (the draw page trains its model by itself). */
  autoTrainEpochs?: number;
}

export function mountTrainDemo(root: HTMLElement, dataset: DatasetName, source: DataSource, initial: TrainConfig, opts: TrainDemoOptions = {}): TrainDemo {
  let config: TrainConfig = structuredClone(initial);
  const state: TrainDemo['state'] = { step: 0, valAccuracy: 0, running: false, info: null };
  const curves = { loss: [] as [number, number][], acc: [] as [number, number][], valLoss: [] as [number, number][], valAcc: [] as [number, number][] };
  let smoothLoss = NaN;
  let smoothAcc = NaN;
  let testPixels: Uint8Array[] = [];
  let lastPredictions: Prediction[] = [];
  let example = 0;
  let autoStarted = false;

  const worker = new Worker(new URL('../trainer/trainer.worker.ts', import.meta.url), { type: 'module' });
  const send = (m: ToWorker) => worker.postMessage(m);

  // ---- controls -----------------------------------------------------------------------------------------------
  const networkId = `network-${dataset}`;
  const network = h('textarea', { id: networkId, rows: 14, spellcheck: 'false', class: 'code', 'aria-describedby': `${networkId}-error` });
  network.value = config.network;
  network.rows = Math.max(10, config.network.split('\n').length + 1);
  const networkError = h('div', { id: `${networkId}-error`, class: 'error', role: 'alert' });
  const layerTable = h('div', { class: 'layer-table' });
  const status = h('div', { class: 'status', role: 'status', 'aria-live': 'polite' }, 'starting…');
  const throughput = h('div', { class: 'throughput' });
  const runButton = h('button', { class: 'primary', disabled: true, onclick: () => toggle() }, 'Train');
  const stepButton = h('button', { disabled: true, onclick: () => send({ type: 'step', steps: 1 }) }, 'Step');
  const resetButton = h('button', { disabled: true, onclick: () => reset() }, 'Reset');
  const applyButton = h('button', { onclick: () => reset() }, 'Apply network (resets)');

  // The backend: wasm everywhere; webgpu offered once the browser shows it has an adapter. Switching resets.
  const backendField = h('div', { class: 'backend-field' });
  void webgpuAvailable().then((gpu) =>
    fill(
      backendField,
      selectField('backend', gpu ? ['wasm', 'webgpu'] : ['wasm'], 'wasm', 'backend', (v) => reset(v as BackendName), {
        wasm: 'wasm (CPU threads)',
        webgpu: 'webgpu (GPU)',
      }),
    ),
  );
  const changed = (patch: Partial<TrainConfig>) => {
    config = { ...config, ...patch };
    history.replaceState(null, '', shareUrl(dataset, config));
    send({ type: 'update', config });
  };
  const hyper = h('div', { class: 'hyper' });
  // The controls show `config`; rebuilt when a loaded snapshot brings its own settings.
  const renderHyper = () =>
    fill(
      hyper,
      selectField('optimizer', OPTIMIZERS, config.optimizer, 'optimizer', (v) => changed({ optimizer: v as TrainConfig['optimizer'] }), OPTIMIZER_TEXT),
      numberField('learning rate', config.lr, { name: 'lr', min: 1e-6, max: 10 }, (v) => changed({ lr: v })),
      numberField('momentum / β1', config.momentum, { name: 'momentum', min: 0, max: 0.999, step: 0.05 }, (v) => changed({ momentum: v })),
      numberField('batch size', config.batchSize, { name: 'batch', min: 1, max: 1024, integer: true, step: 1 }, (v) => changed({ batchSize: v })),
      numberField('weight decay', config.weightDecay, { name: 'wd', min: 0, max: 1, step: 1e-4 }, (v) => changed({ weightDecay: v })),
      selectField('schedule', SCHEDULES, config.schedule, 'schedule', (v) => changed({ schedule: v as TrainConfig['schedule'] })),
      numberField('schedule length (epochs)', config.epochs, { name: 'epochs', min: 1, max: 1000, integer: true, step: 1 }, (v) => changed({ epochs: v })),
      checkboxes('augmentation', AUGMENTATIONS, config.augment, 'augment', (v) => changed({ augment: v as TrainConfig['augment'] })),
    );
  renderHyper();

  const snapshotInput = h('input', { type: 'file', accept: '.safetensors', id: `snapshot-${dataset}`, class: 'visually-hidden' });
  snapshotInput.addEventListener('change', async () => {
    const f = snapshotInput.files?.[0];
    if (f) loadSnapshot(await f.arrayBuffer(), f.name);
    snapshotInput.value = '';
  });
  const shareButton = h(
    'button',
    {
      onclick: async () => {
        const url = shareUrl(dataset, { ...config, network: network.value });
        history.replaceState(null, '', url);
        await navigator.clipboard?.writeText(url).catch(() => undefined);
        fill(status, 'link copied: it reproduces this setup (same network, settings and seed)');
      },
    },
    'Copy link',
  );
  const saveButton = h('button', { disabled: true, onclick: () => send({ type: 'save' }) }, 'Save network');
  const loadLabel = h('label', { for: snapshotInput.id, class: 'button' }, 'Load network…');

  // ---- views --------------------------------------------------------------------------------------------------
  const lossChart = h('div', { class: 'chart', role: 'img', 'aria-label': 'training curves: loss and accuracy per epoch, train and validation' });
  const activations = h('div', { class: 'activations' });
  const filters = h('div', { class: 'filters' });
  const predictions = h('div', { class: 'predictions' });
  const confusion = h('div', { class: 'confusion-wrap' });
  const wrong = h('div', { class: 'wrong' });

  const drawWhere = dataset === 'mnist' ? (opts.draw ?? 'last') : 'none';
  const draw =
    drawWhere === 'none'
      ? null
      : drawPanel(
          (pixels) => send({ type: 'draw', pixels }),
          () => (testPixels.length ? testPixels[Math.floor(Math.random() * testPixels.length)] : null),
        );
  const drawSection = draw
    ? h('section', { class: 'draw-section', 'aria-labelledby': `draw-${dataset}` }, h('h2', { id: `draw-${dataset}` }, 'Draw a digit'), draw.el)
    : null;

  const curveChart = new LiveChart(lossChart, () =>
    figure(
      row([
        lineChart({
          title: 'loss',
          x: { title: 'epoch' },
          y: { title: 'cross-entropy', zero: true },
          series: [
            { name: 'train (smoothed)', points: curves.loss },
            { name: 'validation', points: curves.valLoss, dashed: true },
          ],
          points: false,
          width: 300,
          height: 170,
          legend: 'top-right',
        }),
        lineChart({
          title: 'accuracy',
          x: { title: 'epoch' },
          y: { title: 'accuracy (%)' },
          series: [
            { name: 'train (smoothed)', points: curves.acc },
            { name: 'validation', points: curves.valAcc, dashed: true },
          ],
          points: false,
          width: 300,
          height: 170,
          legend: 'bottom-right',
        }),
      ]),
      `${dataset === 'mnist' ? 'MNIST' : 'CIFAR-10'}: training curves`,
    ),
  );

  root.append(
    h(
      'div',
      { class: 'demo' },
      h(
        'aside',
        { class: 'controls' },
        h('h2', {}, 'Network'),
        h('label', { for: networkId }, 'one PyTorch layer per line (what print(model) shows pastes in)'),
        network,
        networkError,
        applyButton,
        layerTable,
        h('h2', {}, 'Training'),
        h('div', { class: 'buttons' }, runButton, stepButton, resetButton),
        backendField,
        hyper,
        h('div', { class: 'buttons' }, shareButton, saveButton, loadLabel, snapshotInput),
      ),
      h(
        'section',
        { class: 'views' },
        status,
        throughput,
        drawWhere === 'first' ? drawSection : null,
        lossChart,
        h('h2', {}, 'Test images and the top-3 predictions'),
        h('p', { class: 'hint' }, 'Click an image to see its activations below.'),
        predictions,
        h('h2', {}, 'Activations, layer by layer'),
        activations,
        h('h2', {}, 'Filters and their gradients'),
        filters,
        h(
          'div',
          { class: 'two' },
          h('div', {}, h('h2', {}, 'Confusion matrix (validation)'), confusion),
          h('div', {}, h('h2', {}, 'Most confidently wrong'), wrong),
        ),
        drawWhere === 'last' ? drawSection : null,
      ),
    ),
  );

  // ---- behaviour ----------------------------------------------------------------------------------------------
  function toggle() {
    state.running = !state.running;
    send({ type: state.running ? 'run' : 'pause' });
    runButton.textContent = state.running ? 'Pause' : 'Resume';
    stepButton.disabled = state.running;
  }

  function reset(backend?: BackendName) {
    const text = network.value;
    config = { ...config, network: text };
    history.replaceState(null, '', shareUrl(dataset, config));
    state.running = false;
    runButton.textContent = 'Train';
    curves.loss = [];
    curves.acc = [];
    curves.valLoss = [];
    curves.valAcc = [];
    smoothLoss = smoothAcc = NaN;
    send(backend ? { type: 'backend', name: backend, config } : { type: 'reset', config });
  }

  function loadSnapshot(bytes: ArrayBuffer, name: string) {
    // The snapshot carries its configuration (network text included) in its metadata.
    const view = new DataView(bytes);
    try {
      const headerLen = Number(view.getBigUint64(0, true));
      const header = JSON.parse(new TextDecoder().decode(new Uint8Array(bytes, 8, Math.min(headerLen, bytes.byteLength - 8))));
      const saved = header.__metadata__?.['convnet-ts.playground'];
      if (!saved) throw new Error('it was not saved by the playground (no configuration in its metadata)');
      const next: TrainConfig = { ...config, ...JSON.parse(saved) };
      const errs = configErrors(next);
      if (errs.length) throw new Error(`its configuration is invalid: ${errs.join('; ')}`);
      config = next;
      network.value = config.network;
      renderHyper();
      history.replaceState(null, '', shareUrl(dataset, config));
    } catch (e) {
      fill(networkError, `${name}: ${(e as Error).message}`);
      return;
    }
    curves.loss = [];
    curves.acc = [];
    curves.valLoss = [];
    curves.valAcc = [];
    send({ type: 'load', bytes, config });
  }

  function showInfo(info: ModelInfo) {
    state.info = info;
    fill(networkError);
    network.removeAttribute('aria-invalid');
    fill(
      layerTable,
      h(
        'table',
        { class: 'layers' },
        h('caption', {}, `${info.parameters.toLocaleString('en')} parameters`),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'layer'), h('th', { scope: 'col' }, 'output'), h('th', { scope: 'col' }, 'parameters'))),
        h(
          'tbody',
          {},
          ...info.layers.map((l) =>
            h(
              'tr',
              {},
              h('td', { title: l.name }, l.name.split('(')[0]),
              h('td', {}, l.shape.join('×')),
              h('td', {}, l.parameters ? l.parameters.toLocaleString('en') : ''),
            ),
          ),
        ),
      ),
    );
    fill(
      status,
      (info.backend === 'webgpu'
        ? `webgpu backend (${info.adapter ?? 'GPU'}) · `
        : `${info.backend} backend, ${info.threads} thread${info.threads > 1 ? 's' : ''}${info.crossOriginIsolated ? '' : ' (page not cross-origin isolated: one thread)'} · `) +
        (info.backendNote ? `${info.backendNote} · ` : '') +
        `${info.trainImages.toLocaleString('en')} training, ${info.valImages.toLocaleString('en')} validation images · ready`,
    );
    for (const b of [runButton, stepButton, resetButton, saveButton]) b.disabled = false;
    runButton.textContent = 'Train';
  }

  function showEvaluation(e: Evaluation, pixels: Uint8Array[]) {
    state.valAccuracy = e.accuracy;
    if (e.step > 0) {
      push(curves.valAcc, [e.epoch, e.accuracy * 100]);
      push(curves.valLoss, [e.epoch, e.loss]);
      curveChart.invalidate();
    }
    const classes = state.info!.classes;
    fill(confusion, confusionTable(e.confusion, classes));
    const shape = state.info!.sampleShape;
    fill(
      wrong,
      ...e.wrong.map((w, i) => {
        return h(
          'figure',
          { class: 'wrong-item' },
          imageCanvas(pixels[i], shape[0], shape[1], shape[2], { lo: 0, hi: 255, zoom: 2, label: `validation image ${w.index}` }),
          h('figcaption', {}, `${classes[w.predicted]} ${(w.confidence * 100).toFixed(0)}% (is ${classes[w.label]})`),
        );
      }),
    );
    fill(throughputLine(), `validation accuracy ${(e.accuracy * 100).toFixed(2)}% · loss ${e.loss.toFixed(4)} (step ${e.step})`);
  }

  const valLine = h('span', { class: 'val-line' });
  const speedLine = h('span', { class: 'speed-line' });
  throughput.append(speedLine, h('br'), valLine);
  const throughputLine = () => valLine;

  function showPredictions(ps: Prediction[]) {
    lastPredictions = ps;
    const info = state.info!;
    fill(
      predictions,
      ...ps.map((p, i) =>
        testPixels[i]
          ? predictionTile(testPixels[i], info.sampleShape, p, info.classes, () => {
              example = p.index;
              send({ type: 'inspect', example });
            })
          : null,
      ),
    );
  }

  worker.onmessage = (ev: MessageEvent<FromWorker>) => {
    const m = ev.data;
    switch (m.type) {
      case 'status':
        fill(status, m.message);
        break;
      case 'ready':
        showInfo(m.info);
        if (opts.autoTrainEpochs && !autoStarted) {
          autoStarted = true;
          state.running = true;
          send({ type: 'run', untilStep: opts.autoTrainEpochs * m.info.stepsPerEpoch });
          runButton.textContent = 'Pause';
          stepButton.disabled = true;
        }
        break;
      case 'drawing':
        draw?.show(m.probs, m.activations, state.info?.classes ?? []);
        break;
      case 'error':
        if (m.line !== undefined) {
          fill(networkError, m.message);
          network.setAttribute('aria-invalid', 'true');
        } else fill(status, `error: ${m.message}`);
        if (state.running) toggle();
        break;
      case 'progress': {
        for (const s of m.stats) {
          smoothLoss = Number.isNaN(smoothLoss) ? s.loss : 0.98 * smoothLoss + 0.02 * s.loss;
          smoothAcc = Number.isNaN(smoothAcc) ? s.accuracy : 0.98 * smoothAcc + 0.02 * s.accuracy;
          state.step = s.step;
          if (s.step % 5 === 0 || m.stats.length < 5) {
            push(curves.loss, [s.epoch, smoothLoss]);
            push(curves.acc, [s.epoch, smoothAcc * 100]);
          }
        }
        if (!m.running && state.running) {
          // The worker paused by itself (the end of an automatic run, or an error).
          state.running = false;
          runButton.textContent = 'Resume';
          stepButton.disabled = false;
        }
        const last = m.stats.at(-1);
        if (last) {
          fill(
            speedLine,
            `step ${last.step} · epoch ${last.epoch.toFixed(2)} · loss ${smoothLoss.toFixed(4)} · lr ${last.lr.toPrecision(3)} · ` +
              `${m.imagesPerSecond ? `${Math.round(m.imagesPerSecond).toLocaleString('en')} images/s · ` : ''}` +
              `forward ${last.forwardMs.toFixed(3)} ms, backward ${last.backwardMs.toFixed(3)} ms per example`,
          );
          curveChart.invalidate();
        }
        break;
      }
      case 'evaluation':
        showEvaluation(m.evaluation, m.wrongPixels);
        break;
      case 'images':
        testPixels = m.pixels;
        break;
      case 'views':
        showActivations(activations, m.activations, `test image ${m.example}`);
        showFilters(filters, m.filters);
        showPredictions(m.predictions);
        break;
      case 'saved': {
        const a = h('a', { href: URL.createObjectURL(new Blob([m.bytes])), download: `${dataset}-step${state.step}.safetensors` });
        a.click();
        setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
        break;
      }
    }
  };
  worker.onerror = (e) => fill(status, `the training worker failed: ${e.message}`);

  send({ type: 'init', source, config });
  void lastPredictions;
  return {
    close: () => worker.terminate(),
    state,
  };
}
