/**
 * The training Worker: owns the data and the TrainingSession, runs steps in slices of ~40 ms and yields between
 * them (so pause, step and hyperparameter edits arrive at once, and the browser frees dropped tensors), and posts
 * progress about five times a second. The page never computes anything heavier than drawing.
 */
import { initBackend, getBackend, data, io, nn } from '../../../src/index.js';
import { activeBackend } from '../../../src/backend/registry.js';
import { TrainingSession, type Task } from './session.js';
import type { DataSource, FromWorker, ModelInfo, ToWorker } from './protocol.js';
import type { StepStats } from './session.js';
import type { BackendName } from './protocol.js';
import type { TrainConfig } from './config.js';
import { turn } from './turn.js';

const post = (m: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);

const STATS: Record<string, { mean: number[]; std: number[] }> = {
  mnist: { mean: [0.1307], std: [0.3081] },
  cifar10: { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] },
};
const VAL_IMAGES = 5000;
const PREVIEW = 24; // test images shown with their top-3 predictions

let task: Task | null = null;
let session: TrainingSession | null = null;
let threads = 1;
let backendNote: string | undefined;
let running = false;
let untilStep = Infinity;
let pending: StepStats[] = [];
let lastPost = 0;
let imagesSince = 0;
let timeSince = 0;
let example = 0;
let lastViews = 0;
let lastEval = 0;
let evalCost = 0;

/** Splits the training split into train and a held-out validation set (its last VAL_IMAGES images). */
function split(ds: data.ImageDataset, limit: number | undefined): { train: data.ImageDataset; val: data.ImageDataset } {
  const shape = ds.sampleShape as [number, number, number];
  const per = shape[0] * shape[1] * shape[2];
  const nVal = Math.min(VAL_IMAGES, Math.floor(ds.length / 6));
  const nTrain = Math.min(limit ?? Infinity, ds.length - nVal);
  const at = (from: number, n: number) =>
    new data.ImageDataset(ds.images.subarray(from * per, (from + n) * per), ds.labels.subarray(from, from + n), shape, ds.classes);
  return { train: at(0, nTrain), val: at(ds.length - nVal, nVal) };
}

async function loadTask(src: DataSource): Promise<Task> {
  post({ type: 'status', message: `loading ${src.dataset === 'mnist' ? 'MNIST' : 'CIFAR-10'}…` });
  const opts = src.archive ? { archive: src.archive, cache: false } : { root: src.root, cache: true };
  const load = src.dataset === 'mnist' ? data.mnist : data.cifar10;
  const [trainSplit, test] = (await Promise.all([load({ ...opts, train: true }), load({ ...opts, train: false })])) as data.ImageDataset[];
  const { train, val } = split(trainSplit, src.trainImages);
  return {
    name: src.dataset === 'mnist' ? 'MNIST' : 'CIFAR-10',
    classes: src.dataset === 'mnist' ? data.MNIST_CLASSES : data.CIFAR10_CLASSES,
    sampleShape: train.sampleShape as [number, number, number],
    ...STATS[src.dataset],
    train,
    val,
    test,
  };
}

function info(s: TrainingSession): ModelInfo {
  const children = [...s.model.children()] as nn.Module[];
  return {
    backend: getBackend(),
    adapter: getBackend() === 'webgpu' ? ((activeBackend() as { adapterName?: string }).adapterName ?? undefined) : undefined,
    backendNote,
    threads,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    parameters: s.parameterCount,
    layers: children.map((m, i) => ({ name: s.layerNames[i], shape: s.shapes[i], parameters: m.parameters().reduce((a, p) => a + p.numel(), 0) })),
    classes: s.task.classes,
    sampleShape: [...s.task.sampleShape],
    trainImages: s.task.train.length,
    valImages: s.task.val.length,
    testImages: s.task.test.length,
    stepsPerEpoch: s.stepsPerEpoch,
  };
}

async function build(config: TrainConfig): Promise<boolean> {
  try {
    session = new TrainingSession(task!, config);
  } catch (e) {
    const err = e as Error & { line?: number };
    post({ type: 'error', message: err.message, line: err instanceof nn.NetworkTextError ? err.line : undefined });
    return false;
  }
  pending = [];
  post({ type: 'ready', info: info(session) });
  postImages();
  await postEvaluation();
  await postViews();
  return true;
}

/** The preview's test images and (once) nothing else: the page keeps them. */
function postImages() {
  const s = session!;
  const per = s.task.sampleShape.reduce((a, b) => a * b, 1);
  const indices = Array.from({ length: PREVIEW }, (_, i) => i);
  post({ type: 'images', indices, pixels: indices.map((i) => s.task.test.images.slice(i * per, (i + 1) * per)) });
}

async function postEvaluation() {
  const s = session!;
  const t0 = performance.now();
  const evaluation = await s.evaluate();
  const per = s.task.sampleShape.reduce((a, b) => a * b, 1);
  const wrongPixels = evaluation.wrong.map((w) => s.task.val.images.slice(w.index * per, (w.index + 1) * per));
  post({ type: 'evaluation', evaluation, wrongPixels });
  const now = performance.now();
  evalCost = now - t0;
  lastEval = now;
}

async function postViews() {
  const s = session!;
  const { activations, probs } = await s.activations(example);
  post({
    type: 'views',
    example,
    activations,
    probs,
    filters: await s.filters(),
    predictions: await s.predict(Array.from({ length: PREVIEW }, (_, i) => i)),
  });
  lastViews = performance.now();
}

function postProgress(force = false) {
  const now = performance.now();
  if (!force && now - lastPost < 200) return;
  post({ type: 'progress', stats: pending, imagesPerSecond: timeSince > 0 ? (imagesSince * 1000) / timeSince : 0, running });
  pending = [];
  lastPost = now;
  imagesSince = 0;
  timeSince = 0;
}

/** Evaluation and views 60 ms after the last of a burst of single steps (one refresh, not one per click). */
let refreshTimer: ReturnType<typeof setTimeout> | null = null;
function refreshSoon() {
  if (refreshTimer) clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    if (session && !running) void postEvaluation().then(postViews).catch(reportError);
  }, 60);
}

async function steps(n: number): Promise<boolean> {
  const s = session!;
  const t0 = performance.now();
  try {
    for (let i = 0; i < n; i++) pending.push(await s.trainStep());
  } catch (e) {
    running = false;
    console.error(e); // the stack, for the console; the page shows the message
    post({ type: 'error', message: (e as Error).message });
    return false;
  }
  timeSince += performance.now() - t0;
  imagesSince += n * Math.min(s.config.batchSize, s.task.train.length);
  return true;
}

async function loop() {
  while (running && session) {
    const t0 = performance.now();
    while (running && performance.now() - t0 < 40) {
      if (!(await steps(1))) break;
      if (session.step >= untilStep) {
        running = false;
        postProgress(true);
        await postEvaluation();
        await postViews();
        return;
      }
    }
    postProgress();
    const now = performance.now();
    // Validation (the whole held-out set) every 3 s, or rarer when it is slow, so it takes at most a sixth of the
    // time; the per-example views every ~1.5 s.
    if (now - lastEval > Math.max(3000, 5 * evalCost)) await postEvaluation();
    else if (now - lastViews > 1500) await postViews();
    await turn();
  }
}

/** Errors of work started without waiting for it (the training loop, delayed refreshes): shown on the page. */
function reportError(err: unknown) {
  running = false;
  console.error(err);
  post({ type: 'error', message: (err as Error).message });
}

/** Starts a backend; webgpu where it cannot start says why and leaves wasm running. */
async function useBackend(name: BackendName): Promise<void> {
  backendNote = undefined;
  try {
    threads = await initBackend(name);
  } catch (e) {
    threads = await initBackend('wasm');
    backendNote = `${name} is not available here (${(e as Error).message})`;
  }
}

// Messages are handled one at a time, in order: a handler that waits (for data, or for the GPU) finishes first.
let handling: Promise<void> = Promise.resolve();
self.onmessage = (e: MessageEvent<ToWorker>) => {
  handling = handling.then(() => handle(e.data));
};

async function handle(m: ToWorker): Promise<void> {
  try {
    switch (m.type) {
      case 'init':
        await useBackend(m.backend ?? 'wasm');
        task = await loadTask(m.source);
        await build(m.config);
        break;
      case 'backend':
        running = false;
        await useBackend(m.name);
        if (task) await build(m.config);
        break;
      case 'run':
        if (!session || running) break;
        running = true;
        untilStep = m.untilStep ?? Infinity;
        postProgress(true);
        void loop().catch(reportError);
        break;
      case 'pause':
        running = false;
        break;
      case 'step':
        if (!session || running) break;
        if (await steps(m.steps)) {
          postProgress(true);
          refreshSoon();
        }
        break;
      case 'reset':
        running = false;
        if (task) await build(m.config);
        break;
      case 'update':
        session?.update(m.config);
        break;
      case 'inspect':
        example = m.example;
        if (session) await postViews();
        break;
      case 'draw':
        if (session) post({ type: 'drawing', ...(await session.activations(m.pixels)) });
        break;
      case 'save': {
        if (!session) break;
        await Promise.all(Object.values(session.model.stateDict()).map((t) => t.dataAsync()));
        const bytes = io.encodeSafetensors(session.model.stateDict(), { 'convnet-ts.playground': JSON.stringify(session.config), step: String(session.step) });
        const copy = bytes.slice().buffer;
        post({ type: 'saved', bytes: copy }, [copy]);
        break;
      }
      case 'load': {
        running = false;
        if (!task || !(await build(m.config))) break;
        const { tensors } = io.decodeSafetensors(new Uint8Array(m.bytes), { name: 'snapshot' });
        session!.model.loadStateDict(tensors, { strict: true });
        await postEvaluation();
        await postViews();
        break;
      }
    }
  } catch (err) {
    reportError(err);
  }
}
