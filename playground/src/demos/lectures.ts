/**
 * The lectures, interactive: a convolution's output size with its diagram; the zoo's per-layer tables with each
 * layer's receptive field; the init experiment's histograms; batch norm on and off (and its train/eval modes); and
 * regularizers on 500 images, the train/validation gap as it opens.
 */
import { figure, lineChart, row } from '../../../src/chart/spec.js';
import { h, fill, numberField, selectField } from '../ui/dom.js';
import { layerTable } from '../ui/layer_table.js';
import { LiveChart } from '../charts/live.js';
import { convSizePanel } from '../lectures/conv_size.js';
import { defaultConfig, type TrainConfig } from '../trainer/config.js';
import type { CompareRun, LectureFromWorker, LectureToWorker } from '../lectures/protocol.js';
import type { LayerSummary } from '../model/protocol.js';

export const ANATOMY_MODELS = ['lenet5', 'alexnet', 'vgg16', 'googlenet', 'resnet18', 'mobilenet_v2', 'resnet20'] as const;

const PLAIN_CNN = `Conv2d(1, 16, kernel_size=3, padding=1)
ReLU()
MaxPool2d(2)
Conv2d(16, 32, kernel_size=3, padding=1)
ReLU()
MaxPool2d(2)
Flatten()
Linear(1568, 10)`;
const BN_CNN = `Conv2d(1, 16, kernel_size=3, padding=1)
BatchNorm2d(16)
ReLU()
MaxPool2d(2)
Conv2d(16, 32, kernel_size=3, padding=1)
BatchNorm2d(32)
ReLU()
MaxPool2d(2)
Flatten()
Linear(1568, 10)`;
const DROPOUT_CNN = PLAIN_CNN.replace('Flatten()', 'Flatten()\nDropout(0.5)');

/** The comparisons: their runs and budgets. */
export function bnRuns(lr: number): CompareRun[] {
  const c: TrainConfig = { ...defaultConfig('mnist'), optimizer: 'sgd', lr, momentum: 0.9, batchSize: 32 };
  return [
    { label: 'without BN', config: { ...c, network: PLAIN_CNN } },
    { label: 'with BN', config: { ...c, network: BN_CNN } },
  ];
}
export function regularizationRuns(): CompareRun[] {
  const c: TrainConfig = { ...defaultConfig('mnist'), network: PLAIN_CNN, optimizer: 'adam', lr: 0.002, batchSize: 32 };
  return [
    { label: 'none', config: c },
    { label: 'L2 (weight decay 1e-3)', config: { ...c, weightDecay: 1e-3 } },
    { label: 'dropout 0.5', config: { ...c, network: DROPOUT_CNN } },
    { label: 'augmentation', config: { ...c, augment: ['translate', 'rotate'] } },
    { label: 'early stopping', config: c, earlyStopping: { patience: 3 } },
  ];
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd'];

export function mountLectures(root: HTMLElement, dataRoot: string): { close(): void } {
  const worker = new Worker(new URL('../lectures/lectures.worker.ts', import.meta.url), { type: 'module' });
  const send = (m: LectureToWorker) => worker.postMessage(m);

  // ---- anatomy: the zoo's tables and receptive fields -----------------------------------------------------------
  let anatomyModel: string = 'alexnet';
  let inputShape = [3, 224, 224];
  const anatomyStatus = h('p', { class: 'hint', role: 'status', 'aria-live': 'polite' });
  const anatomyTable = h('div', {});
  const rfCanvas = h('canvas', { width: 240, height: 240, class: 'rf', role: 'img', 'aria-label': 'the chosen layer’s receptive field on the input' });
  const rfCaption = h('p', { class: 'hint' }, 'Choose a layer in the table to see how much of the input one of its units sees.');
  const showRf = (l: LayerSummary) => {
    const ctx = rfCanvas.getContext('2d')!;
    const [, H] = inputShape;
    const scale = 220 / H;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, 240, 240);
    ctx.strokeStyle = '#9aa3ad';
    ctx.strokeRect(10, 10, H * scale, H * scale);
    const rf = Math.min(l.receptiveField, H);
    const side = rf * scale;
    ctx.fillStyle = 'rgba(31, 95, 191, 0.35)';
    ctx.fillRect(10 + (H * scale - side) / 2, 10 + (H * scale - side) / 2, side, side);
    ctx.strokeStyle = '#1f5fbf';
    ctx.strokeRect(10 + (H * scale - side) / 2, 10 + (H * scale - side) / 2, side, side);
    fill(
      rfCaption,
      `${l.name} (${l.type}): one unit sees ${l.receptiveField}×${l.receptiveField} pixels of the ${inputShape[1]}×${inputShape[2]} input` +
        (l.receptiveField > H ? ' (more than the whole image: its window reaches into the padding)' : ''),
    );
  };
  const loadAnatomy = () => {
    fill(anatomyStatus, `building ${anatomyModel} and tracing it…`);
    send({ type: 'anatomy', model: anatomyModel });
  };

  // ---- init histograms -----------------------------------------------------------------------------------------
  let initWidth = 1024;
  let initDepth = 6;
  const initBox = h('div', { class: 'chart', role: 'img', 'aria-label': 'activation histograms per layer for each initialization' });
  const initButton = h('button', { class: 'primary', onclick: () => runInit() }, 'Run');
  const runInit = () => {
    initButton.disabled = true;
    fill(initBox, h('p', { class: 'hint' }, `forwarding 16 random inputs through ${initDepth} layers of ${initWidth} units, 8 ways…`));
    send({ type: 'init', width: initWidth, depth: initDepth });
  };

  // ---- comparisons: batch norm, regularization -----------------------------------------------------------------
  interface Comparison {
    id: string;
    runs: CompareRun[];
    points: { train: [number, number][]; val: [number, number][] }[];
    diverged: Set<number>;
    status: HTMLElement;
    table: HTMLElement;
    chart: LiveChart;
    button: HTMLButtonElement;
  }
  const comparisons = new Map<string, Comparison>();
  function comparison(id: string, title: string, what: string): Comparison {
    const box = h('div', { class: 'chart', role: 'img', 'aria-label': `${title}: training and validation accuracy of each run` });
    const c: Comparison = {
      id,
      runs: [],
      points: [],
      diverged: new Set(),
      status: h('p', { class: 'throughput', role: 'status', 'aria-live': 'polite' }),
      table: h('div', {}),
      button: h('button', { class: 'primary' }, 'Train') as HTMLButtonElement,
      chart: new LiveChart(box, () =>
        figure(
          row(
            (['train', 'val'] as const).map((split) =>
              lineChart({
                title: split === 'train' ? 'training accuracy (the images it learns from)' : 'validation accuracy (held out)',
                x: { title: 'epoch' },
                y: { title: 'accuracy (%)', domain: [0, 100] },
                series: c.runs.map((r, i) => ({ name: r.label, color: COLORS[i], points: c.points[i]?.[split] ?? [] })),
                points: false,
                width: 300,
                height: 200,
                legend: 'bottom-right',
              }),
            ),
          ),
          `${title}: ${what}`,
        ),
      ),
    };
    comparisons.set(id, c);
    return c;
  }
  const start = (c: Comparison, runs: CompareRun[], trainImages: number, steps: number, evalEvery: number) => {
    c.runs = runs;
    c.points = runs.map(() => ({ train: [], val: [] }));
    c.diverged.clear();
    fill(c.table);
    c.button.disabled = true;
    fill(c.status, 'starting…');
    send({ type: 'compare', id: c.id, runs, trainImages, valImages: 1000, steps, evalEvery, root: dataRoot });
  };

  let bnLr = 0.1;
  const bn = comparison('bn', 'Batch norm', 'the same CNN with and without BatchNorm, the same learning rate');
  bn.button.addEventListener('click', () => start(bn, bnRuns(bnLr), 2000, 300, 25));
  const reg = comparison('reg', 'Regularization', '500 training images, so the network can memorise them');
  reg.button.addEventListener('click', () => start(reg, regularizationRuns(), 500, 320, 20));

  worker.onmessage = (e: MessageEvent<LectureFromWorker>) => {
    const m = e.data;
    if (m.type === 'anatomy') {
      if (m.model !== anatomyModel) return;
      inputShape = m.inputShape;
      fill(anatomyStatus, `${m.model}: input [${m.inputShape.join(', ')}]`);
      fill(anatomyTable, layerTable(m.layers, m.total, showRf));
      const last = [...m.layers].reverse().find((l) => !l.group && l.type === 'Conv2d');
      if (last) showRf(last);
    } else if (m.type === 'init') {
      initButton.disabled = false;
      initBox.innerHTML = m.svg;
    } else if (m.type === 'error') {
      const c = comparisons.get(m.id);
      if (c) {
        c.button.disabled = false;
        fill(c.status, h('span', { class: 'error' }, m.message));
      } else if (m.id === 'anatomy') fill(anatomyStatus, h('span', { class: 'error' }, m.message));
      else {
        initButton.disabled = false;
        fill(initBox, h('p', { class: 'error' }, m.message));
      }
    } else {
      const c = comparisons.get(m.id);
      if (!c) return;
      if (m.type === 'status') fill(c.status, m.message);
      else if (m.type === 'point') {
        c.points[m.run].train.push([m.epoch, m.trainAccuracy * 100]);
        c.points[m.run].val.push([m.epoch, m.valAccuracy * 100]);
        fill(
          c.status,
          `${c.runs[m.run].label}: step ${m.step}, train ${(m.trainAccuracy * 100).toFixed(1)}%, validation ${(m.valAccuracy * 100).toFixed(1)}%${m.stopped ? ' (stopped early)' : ''}`,
        );
        c.chart.invalidate();
      } else if (m.type === 'diverged') {
        c.diverged.add(m.run);
        c.table.append(
          h('p', { class: 'modes' }, `${c.runs[m.run].label}: diverged at step ${m.step} (the loss became NaN) — lower the learning rate to train it.`),
        );
      } else if (m.type === 'modes') {
        c.table.append(
          h(
            'p',
            { class: 'modes' },
            `${c.runs[m.run].label}, on the validation images: eval mode (running statistics) ${(m.evalMode * 100).toFixed(1)}% · ` +
              `train mode on batches of 2 (each batch's own statistics) ${(m.trainMode * 100).toFixed(1)}% — forgetting model.eval() is the bug this shows.`,
          ),
        );
      } else if (m.type === 'done') {
        c.button.disabled = false;
        const rows = c.runs.map((r, i) => {
          const t = c.points[i].train.at(-1)?.[1] ?? NaN;
          const v = c.points[i].val.at(-1)?.[1] ?? NaN;
          if (c.diverged.has(i)) return h('tr', {}, h('th', { scope: 'row' }, r.label), h('td', { colspan: 3 }, 'diverged'));
          return h(
            'tr',
            {},
            h('th', { scope: 'row' }, r.label),
            h('td', {}, `${t.toFixed(1)}%`),
            h('td', {}, `${v.toFixed(1)}%`),
            h('td', {}, `${(t - v).toFixed(1)} points`),
          );
        });
        c.table.prepend(
          h(
            'table',
            { class: 'layers gap' },
            h('caption', {}, 'at the end'),
            h('thead', {}, h('tr', {}, ...['run', 'train', 'validation', 'gap'].map((t) => h('th', { scope: 'col' }, t)))),
            h('tbody', {}, ...rows),
          ),
        );
        fill(c.status, 'done');
      }
    }
  };
  worker.onerror = (e) => console.error(`lectures worker: ${e.message}`);

  root.append(
    h('h1', {}, 'The lectures, interactive'),
    convSizePanel(),
    h(
      'section',
      { class: 'lecture', 'aria-labelledby': 'anatomy-title' },
      h('h2', { id: 'anatomy-title' }, 'Inside the classic networks: memory, parameters, multiply-adds, receptive fields'),
      selectField('model', ANATOMY_MODELS, anatomyModel, 'anatomy-model', (v) => {
        anatomyModel = v;
        loadAnatomy();
      }),
      anatomyStatus,
      h('div', { class: 'toy-row' }, h('div', { class: 'anatomy-table' }, anatomyTable), h('div', {}, rfCanvas, rfCaption)),
    ),
    h(
      'section',
      { class: 'lecture', 'aria-labelledby': 'init-title' },
      h('h2', { id: 'init-title' }, 'Initialization: activations layer by layer'),
      h(
        'p',
        { class: 'hint' },
        'A deep MLP of tanh or ReLU layers with weights from N(0, 0.01²), N(0, 0.05²), Xavier or Kaiming: too small and the activations shrink to zero, too large and tanh saturates.',
      ),
      h(
        'div',
        { class: 'inline-fields' },
        numberField('width', initWidth, { name: 'init-width', min: 16, max: 2048, integer: true, step: 1 }, (v) => (initWidth = v)),
        numberField('layers', initDepth, { name: 'init-depth', min: 1, max: 12, integer: true, step: 1 }, (v) => (initDepth = v)),
        initButton,
      ),
      initBox,
    ),
    ...[
      [
        bn,
        'bn-title',
        'Batch norm allows higher learning rates',
        [numberField('learning rate (SGD, momentum 0.9)', bnLr, { name: 'bn-lr', min: 1e-4, max: 5 }, (v) => (bnLr = v))],
      ],
      [reg, 'reg-title', 'Regularization shrinks the train/validation gap', []],
    ].map(([c, id, title, extra]) => {
      const comp = c as Comparison;
      return h(
        'section',
        { class: 'lecture', 'aria-labelledby': id as string },
        h('h2', { id: id as string }, title as string),
        h('div', { class: 'inline-fields' }, ...(extra as HTMLElement[]), comp.button),
        comp.status,
        comp.chart.el,
        comp.table,
      );
    }),
  );
  loadAnatomy();
  return {
    close: () => {
      send({ type: 'stop' });
      worker.terminate();
    },
  };
}
