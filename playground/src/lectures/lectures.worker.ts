/**
 * The lectures page's Worker: the zoo's per-layer tables (analysis.summary), the init experiment's histograms
 * (rendered to SVG here, by the library's chart module), and comparisons that train several small networks side by
 * side on the same MNIST subset (batch norm on/off, regularizers), evaluating train and validation accuracy.
 */
import { analysis, data, initBackend, manualSeed, models, noGrad, nn, tensor, type Tensor } from '../../../src/index.js';
import { renderSvg } from '../../../src/chart/render.js';
import { initExperiment, initExperimentFigure } from '../../../src/experiments/init.js';
import { TrainingSession, type Task } from '../trainer/session.js';
import type { LectureFromWorker, LectureToWorker } from './protocol.js';
import { turn } from '../trainer/turn.js';

const post = (m: LectureFromWorker) => (self as unknown as Worker).postMessage(m);
let mnist: { train: data.ImageDataset; test: data.ImageDataset } | null = null;
let current = 0; // the comparison running; a new one (or stop) ends the previous

/** Accuracy (%) with BatchNorm in train mode on batches of `batch` (statistics of the batch), running stats untouched. */
function trainModeAccuracy(s: TrainingSession, batch: number, n: number): number {
  const saved = Object.fromEntries(Object.entries(s.model.stateDict()).map(([k, t]) => [k, t.clone()]));
  let right = 0;
  noGrad(() => {
    s.model.train();
    for (let i = 0; i + batch <= n; i += batch) {
      const b = s.task.val.getBatch(Array.from({ length: batch }, (_, k) => i + k));
      const x = tensor(
        b.x.map((v) => (v - s.task.mean[0]) / s.task.std[0]),
        b.shape,
      );
      const pred = (s.model.forward(x) as Tensor).argmax(1).data() as Int32Array;
      for (let k = 0; k < batch; k++) right += pred[k] === b.y[k] ? 1 : 0;
    }
  });
  s.model.loadStateDict(saved);
  return right / (Math.floor(n / batch) * batch);
}

async function compare(m: Extract<LectureToWorker, { type: 'compare' }>) {
  const me = ++current;
  await initBackend('wasm');
  if (!mnist) {
    post({ type: 'status', id: m.id, message: 'loading MNIST…' });
    mnist = { train: await data.mnist({ root: m.root, cache: true, train: true }), test: await data.mnist({ root: m.root, cache: true, train: false }) };
  }
  const at = (ds: data.ImageDataset, from: number, n: number) =>
    new data.ImageDataset(ds.images.subarray(from * 784, (from + n) * 784), ds.labels.subarray(from, from + n), [1, 28, 28], ds.classes);
  const task: Task = {
    name: 'MNIST',
    classes: data.MNIST_CLASSES,
    sampleShape: [1, 28, 28],
    mean: [0.1307],
    std: [0.3081],
    train: at(mnist.train, 0, m.trainImages),
    val: at(mnist.train, 50_000, m.valImages),
    test: at(mnist.test, 0, 100),
  };
  const sessions = m.runs.map((r) => new TrainingSession(task, r.config));
  const stopped = m.runs.map(() => false);
  const best = m.runs.map(() => ({ loss: Infinity, at: 0 }));
  const evaluate = async (i: number) => {
    const s = sessions[i];
    const train = await s.evaluate(Infinity, 'train');
    const val = await s.evaluate();
    const es = m.runs[i].earlyStopping;
    if (es && !stopped[i]) {
      if (val.loss < best[i].loss) best[i] = { loss: val.loss, at: s.step };
      else if (s.step - best[i].at >= es.patience * m.evalEvery) stopped[i] = true;
    }
    post({
      type: 'point',
      id: m.id,
      run: i,
      step: s.step,
      epoch: s.step / s.stepsPerEpoch,
      trainAccuracy: train.accuracy,
      valAccuracy: val.accuracy,
      trainLoss: train.loss,
      valLoss: val.loss,
      stopped: stopped[i],
    });
  };
  for (let i = 0; i < sessions.length; i++) await evaluate(i);
  for (let step = 1; step <= m.steps && me === current; step++) {
    const t0 = performance.now();
    for (const [i, s] of sessions.entries()) {
      if (stopped[i]) continue;
      try {
        await s.trainStep();
      } catch (err) {
        // A run that diverges (the loss became NaN) stops; the others go on.
        stopped[i] = true;
        post({ type: 'diverged', id: m.id, run: i, step: s.step + 1, message: (err as Error).message });
        continue;
      }
      if (s.step % m.evalEvery === 0) await evaluate(i);
    }
    if (performance.now() - t0 > 30 || step % 10 === 0) await turn();
  }
  if (me !== current) return;
  // Batch norm's two modes on the validation images: running statistics (eval) vs each small batch's own (train).
  for (const [i, s] of sessions.entries()) {
    if ([...s.model.modules()].some((x) => x instanceof nn.BatchNorm2d))
      post({ type: 'modes', id: m.id, run: i, evalMode: (await s.evaluate()).accuracy, trainMode: trainModeAccuracy(s, 2, Math.min(1000, m.valImages)) });
  }
  post({ type: 'done', id: m.id });
}

self.onmessage = async (e: MessageEvent<LectureToWorker>) => {
  const m = e.data;
  const id = m.type === 'compare' ? m.id : m.type;
  try {
    if (m.type === 'anatomy') {
      await initBackend('wasm');
      manualSeed(0);
      const info = models.list().find((x) => x.name === m.model);
      if (!info) throw new Error(`no zoo model '${m.model}'`);
      const model = models.create(m.model) as nn.Module;
      const s = analysis.summary(model, info.inputShape);
      post({
        type: 'anatomy',
        model: m.model,
        inputShape: [...info.inputShape],
        layers: s.layers.map((r) => ({
          name: r.name,
          type: r.type,
          depth: r.depth,
          group: r.group,
          outputShape: r.outputShape,
          params: r.params,
          memoryKB: r.memoryKB,
          flops: r.flops,
          receptiveField: r.receptiveField,
        })),
        total: s.total,
      });
    } else if (m.type === 'init') {
      await initBackend('wasm');
      const rows = initExperiment({ width: m.width, depth: m.depth, batch: 16 });
      post({
        type: 'init',
        svg: await renderSvg(initExperimentFigure(rows)),
        stds: rows.map((r) => ({ activation: r.activation, init: r.init, std: r.layers.map((l) => l.activation.std) })),
      });
    } else if (m.type === 'compare') await compare(m);
    else current++;
  } catch (err) {
    console.error(err);
    post({ type: 'error', id, message: (err as Error).message });
  }
};
