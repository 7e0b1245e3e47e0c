/**
 * fit(): the training loop. Each epoch trains on trainLoader, evaluates on valLoader, steps the schedule, logs
 * metrics (JSONL + SVG curves), writes `last` and `best` checkpoints, and applies early stopping; at the end the
 * model (best weights if restoreBest) is evaluated once on testLoader — the test set is used only there.
 */
import { noGrad } from '../autograd/grad_mode.js';
import type { DataLoader } from '../data/loader.js';
import type { AnyModule } from '../nn/module.js';
import { crossEntropy } from '../ops/loss.js';
import type { Optimizer } from '../optim/optimizer.js';
import { ReduceLROnPlateau } from '../optim/schedulers/compose.js';
import { appendText, fileExists, joinPath, writeFileAtomic } from '../platform/node.js';
import { loadSafetensors, saveSafetensors } from '../io/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { renderTrainingChart } from './chart.js';
import { loadCheckpoint, saveCheckpoint, type Schedulable } from './checkpoint.js';
import { MetricAccumulator, type EpochMetrics } from './metrics.js';
import { silentProgress, type Progress } from './progress.js';

export type Monitor = 'valLoss' | 'valAcc' | 'trainLoss' | 'trainAcc';

export interface EarlyStoppingOptions {
  monitor?: Monitor;
  mode?: 'min' | 'max';
  /** Epochs without improvement (by more than minDelta) before stopping. */
  patience: number;
  minDelta?: number;
  /** Put the best epoch's weights back when training ends. */
  restoreBest?: boolean;
}

export interface EpochRecord {
  epoch: number;
  lr: number;
  train: EpochMetrics;
  val?: EpochMetrics;
  seconds: number;
  imagesPerSecond: number;
}

export interface FitContext {
  epoch: number;
  history: EpochRecord[];
  model: AnyModule;
  /** Set to true in a callback to stop after this epoch. */
  stop: boolean;
}

export interface Callback {
  onEpochEnd?(record: EpochRecord, ctx: FitContext): void | Promise<void>;
  onTrainEnd?(ctx: FitContext): void | Promise<void>;
}

export type Scheduler = (Schedulable & { step(): void }) | ReduceLROnPlateau;

export interface FitOptions {
  optimizer: Optimizer;
  trainLoader: DataLoader;
  valLoader?: DataLoader | null;
  testLoader?: DataLoader | null;
  epochs: number;
  scheduler?: Scheduler | null;
  /** When a non-plateau scheduler steps: after every batch ('step', e.g. OneCycleLR) or every epoch (default). */
  scheduleEvery?: 'step' | 'epoch';
  lossFn?: (logits: Tensor, labels: Tensor) => Tensor;
  earlyStopping?: EarlyStoppingOptions | null;
  callbacks?: Callback[];
  /** Folder for checkpoints (last/best), final weights, metrics.jsonl and curves.svg (Node). */
  outDir?: string | null;
  /** A checkpoint to continue from. */
  resume?: string | null;
  progress?: Progress;
  /** Saved into checkpoints and logs, e.g. the CLI flags. */
  config?: Record<string, unknown>;
}

export interface FitResult {
  history: EpochRecord[];
  test: EpochMetrics | null;
  bestEpoch: number | null;
  stoppedEarly: boolean;
  trainSeconds: number;
  paths: { lastCheckpoint?: string; bestCheckpoint?: string; weights?: string; log?: string; chart?: string };
}

/** Mean loss and top-1/top-5 accuracy of the model on a loader, in eval mode without gradients. */
export function evaluate(model: AnyModule, loader: DataLoader, lossFn: FitOptions['lossFn'] = (l, y) => crossEntropy(l, y)): EpochMetrics {
  const wasTraining = model.training;
  model.eval();
  const acc = new MetricAccumulator();
  noGrad(() => {
    for (const { x, y } of loader.iterEpoch(0)) {
      const logits = model.forward(x) as Tensor;
      acc.add(lossFn!(logits, y).item(), logits, y);
    }
  });
  model.train(wasTraining);
  return acc.result();
}

/**
 * Lets timers (the progress bar), I/O, messages and finalizers run between steps: setImmediate in Node, a
 * MessageChannel round trip in browsers (a zero timeout there is clamped to 4 ms once nested, a quarter of a LeNet step).
 */
let channel: MessageChannel | null = null;
const waiting: (() => void)[] = [];
const yieldToEventLoop = (): Promise<void> => {
  if (typeof setImmediate === 'function') return new Promise((r) => setImmediate(r));
  if (typeof MessageChannel === 'undefined') return new Promise((r) => setTimeout(r, 0));
  if (!channel) {
    channel = new MessageChannel();
    channel.port1.onmessage = () => waiting.shift()?.();
  }
  return new Promise((r) => {
    waiting.push(r);
    channel!.port2.postMessage(null);
  });
};

function monitorValue(r: EpochRecord, m: Monitor): number {
  const src = m.startsWith('val') ? r.val : r.train;
  if (!src) throw new Error(`fit: early stopping monitors '${m}' but there is no validation loader`);
  return m.endsWith('Loss') ? src.loss : src.acc;
}

export async function fit(model: AnyModule, opts: FitOptions): Promise<FitResult> {
  const { optimizer, trainLoader, valLoader = null, testLoader = null, epochs, scheduler = null, outDir = null } = opts;
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`fit: epochs must be a positive integer, got ${epochs}`);
  const lossFn = opts.lossFn ?? ((l: Tensor, y: Tensor) => crossEntropy(l, y));
  const progress = opts.progress ?? silentProgress;
  const scheduleEvery = opts.scheduleEvery ?? 'epoch';
  const es = opts.earlyStopping ?? null;
  const monitor: Monitor = es?.monitor ?? (valLoader ? 'valLoss' : 'trainLoss');
  const mode = es?.mode ?? (monitor.endsWith('Acc') ? 'max' : 'min');
  const better = (a: number, b: number) => (mode === 'min' ? a < b - (es?.minDelta ?? 0) : a > b + (es?.minDelta ?? 0));
  const paths: FitResult['paths'] = {};
  if (outDir) {
    paths.lastCheckpoint = await joinPath(outDir, 'last.ckpt.safetensors');
    paths.bestCheckpoint = await joinPath(outDir, 'best.ckpt.safetensors');
    paths.weights = await joinPath(outDir, 'model.safetensors');
    paths.log = await joinPath(outDir, 'metrics.jsonl');
    paths.chart = await joinPath(outDir, 'curves.svg');
    // A new run starts its own log (a resumed one continues it), so metrics.jsonl and curves.svg tell one story.
    if (!opts.resume) await writeFileAtomic(paths.log, '', 'fit');
  }

  let history: EpochRecord[] = [];
  let best = mode === 'min' ? Infinity : -Infinity;
  let bestEpoch: number | null = null;
  let badEpochs = 0;
  let bestWeights: Record<string, Tensor> | null = null;
  let startEpoch = 1;
  if (opts.resume) {
    const meta = await loadCheckpoint(opts.resume, model, optimizer, scheduler as Schedulable | null);
    const extra = meta.extra as { history: EpochRecord[]; best: number; bestEpoch: number | null; badEpochs: number };
    history = extra.history ?? [];
    best = extra.best ?? best;
    bestEpoch = extra.bestEpoch ?? null;
    badEpochs = extra.badEpochs ?? 0;
    startEpoch = meta.epoch + 1;
    if (es?.restoreBest && paths.bestCheckpoint && (await fileExists(paths.bestCheckpoint))) {
      const all = await loadSafetensors(paths.bestCheckpoint);
      bestWeights = Object.fromEntries(
        Object.entries(all)
          .filter(([k]) => k.startsWith('model.'))
          .map(([k, v]) => [k.slice(6), v]),
      );
    }
    progress.log(`resumed from ${opts.resume} at epoch ${meta.epoch}`);
  }

  const ctx: FitContext = { epoch: startEpoch, history, model, stop: false };
  let stoppedEarly = false;
  const t0 = performance.now();
  model.train();
  for (let epoch = startEpoch; epoch <= epochs && !ctx.stop; epoch++) {
    ctx.epoch = epoch;
    const steps = trainLoader.length;
    const lr = optimizer.paramGroups[0].lr;
    await progress.startEpoch(epoch, epochs, steps);
    const acc = new MetricAccumulator();
    const te = performance.now();
    let step = 0;
    for await (const { x, y } of trainLoader.epochAsync(epoch - 1)) {
      optimizer.zeroGrad();
      const logits = model.forward(x) as Tensor;
      const loss = lossFn(logits, y);
      loss.backward();
      optimizer.step();
      if (scheduler && scheduleEvery === 'step' && !(scheduler instanceof ReduceLROnPlateau)) scheduler.step();
      const l = loss.item();
      if (!Number.isFinite(l)) throw new Error(`fit: the loss became ${l} at epoch ${epoch}, step ${step + 1} (lower the learning rate?)`);
      acc.add(l, logits, y);
      step++;
      const m = acc.result();
      progress.step({ epoch, epochs, step, steps, loss: m.loss, acc: m.acc, imagesPerSecond: acc.count / ((performance.now() - te) / 1000) });
      await yieldToEventLoop();
    }
    const seconds = (performance.now() - te) / 1000;
    const record: EpochRecord = { epoch, lr, train: acc.result(), seconds, imagesPerSecond: acc.count / seconds };
    if (valLoader) record.val = evaluate(model, valLoader, lossFn);
    history.push(record);
    if (scheduler instanceof ReduceLROnPlateau) scheduler.step(monitorValue(record, monitor));
    else if (scheduler && scheduleEvery === 'epoch') scheduler.step();

    const value = monitorValue(record, monitor);
    const improved = better(value, best);
    if (improved) {
      best = value;
      bestEpoch = epoch;
      badEpochs = 0;
      if (es?.restoreBest) bestWeights = Object.fromEntries(Object.entries(model.stateDict()).map(([k, v]) => [k, v.clone()]));
    } else badEpochs++;
    const fmt = (m?: EpochMetrics) => (m ? `loss ${m.loss.toFixed(4)} acc ${(m.acc * 100).toFixed(2)}%` : '');
    progress.endEpoch(
      `epoch ${epoch}/${epochs}  train ${fmt(record.train)}${record.val ? `  val ${fmt(record.val)}` : ''}  lr ${lr.toPrecision(3)}  ${seconds.toFixed(1)}s (${record.imagesPerSecond.toFixed(0)} img/s)${improved ? '  *' : ''}`,
    );
    for (const cb of opts.callbacks ?? []) await cb.onEpochEnd?.(record, ctx);
    if (es && badEpochs >= es.patience) {
      stoppedEarly = true;
      ctx.stop = true;
      progress.log(`early stopping: ${monitor} has not improved for ${es.patience} epochs (best ${best.toFixed(4)} at epoch ${bestEpoch})`);
    }
    if (outDir) {
      const extra = { history, best, bestEpoch, badEpochs, config: opts.config ?? {} };
      await saveCheckpoint(paths.lastCheckpoint!, model, optimizer, scheduler as Schedulable | null, epoch, extra);
      if (improved) await saveCheckpoint(paths.bestCheckpoint!, model, optimizer, scheduler as Schedulable | null, epoch, extra);
      await appendText(paths.log!, JSON.stringify({ ...record, time: new Date().toISOString() }) + '\n', 'fit');
      const chart = renderTrainingChart(
        history.map((h) => ({ epoch: h.epoch, trainLoss: h.train.loss, trainAcc: h.train.acc, valLoss: h.val?.loss, valAcc: h.val?.acc })),
      );
      await writeFileAtomic(paths.chart!, chart, 'fit');
    }
  }
  if (es?.restoreBest && bestWeights) {
    model.loadStateDict(bestWeights);
    progress.log(`restored the best weights (epoch ${bestEpoch})`);
  }
  const trainSeconds = (performance.now() - t0) / 1000;
  for (const cb of opts.callbacks ?? []) await cb.onTrainEnd?.(ctx);
  if (outDir) await saveSafetensors(paths.weights!, model.stateDict(), { format: 'pt' });
  const test = testLoader ? evaluate(model, testLoader, lossFn) : null;
  return { history, test, bestEpoch, stoppedEarly, trainSeconds, paths };
}
