/**
 * fit(): the training loop. Each epoch trains on trainLoader, evaluates on valLoader, steps the schedule, logs
 * metrics (JSONL + SVG curves), writes `last` and `best` checkpoints, and applies early stopping; at the end the
 * model (best weights if restoreBest) is evaluated once on testLoader — the test set is used only there.
 */
import { noGrad } from '../autograd/grad_mode.js';
import { activeBackend } from '../backend/registry.js';
import type { DataLoader } from '../data/loader.js';
import type { AnyModule } from '../nn/module.js';
import { crossEntropy } from '../ops/loss.js';
import type { Optimizer } from '../optim/optimizer.js';
import { ReduceLROnPlateau } from '../optim/schedulers/compose.js';
import { acquireLock, appendText, ensureDir, fileExists, joinPath, renameIfExists, writeFileAtomic } from '../platform/node.js';
import { loadSafetensors, saveSafetensors } from '../io/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { renderSvg } from '../chart/render.js';
import { trainingCurves } from '../chart/training.js';
import { CheckpointError, loadCheckpoint, onHost, saveCheckpoint, type CheckpointMeta, type Schedulable } from './checkpoint.js';
import { FormatError } from '../io/format_error.js';
import { firstNonFiniteGrad, firstNonFiniteOutput, NonFiniteError } from './nonfinite.js';
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
  /** Batches skipped for a non-finite loss or gradient (onNan: 'skip'). */
  skippedSteps?: number;
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
  /**
   * Saved into checkpoints and logs, e.g. the CLI flags. A resumed run must have the same config (except
   * `epochs`, which may grow): a checkpoint of another model, dataset or option set is refused, naming what differs.
   */
  config?: Record<string, unknown>;
  /**
   * What a non-finite loss or gradient does: 'stop' (default) throws a NonFiniteError naming the step, where it
   * first appeared and what to try; 'skip' leaves the weights alone for that batch and goes on (counted per epoch).
   */
  onNan?: 'stop' | 'skip';
  /**
   * GPU backends (webgpu): read the losses, accuracies and the non-finite check back every this many steps (default
   * 25, and at the end of each epoch), so the loop does not wait for the GPU at every step. A step whose loss or
   * gradient is not finite is still never applied (decided on the device); with onNan 'stop' the error comes when it
   * is read. 1 reads every step. Host backends read every step at no cost.
   */
  readEvery?: number;
  /**
   * Stops training after the current step when aborted (Ctrl-C in the CLI): the `last` checkpoint then records the
   * epoch and step reached, and `resume` continues exactly there. The result has `interrupted: true`.
   */
  signal?: AbortSignal;
}

export interface FitResult {
  history: EpochRecord[];
  test: EpochMetrics | null;
  bestEpoch: number | null;
  stoppedEarly: boolean;
  trainSeconds: number;
  /** Stopped by `signal` before the last epoch ended; the `last` checkpoint resumes at `interruptedAt`. */
  interrupted: boolean;
  interruptedAt: { epoch: number; step: number } | null;
  paths: { lastCheckpoint?: string; bestCheckpoint?: string; weights?: string; log?: string; chart?: string };
}

/** The previous `last` checkpoint is kept beside it, so a damaged `last` still resumes. */
export function previousCheckpointPath(path: string): string {
  return path.endsWith('.ckpt.safetensors') ? `${path.slice(0, -'.ckpt.safetensors'.length)}.prev.ckpt.safetensors` : `${path}.prev`;
}

/** Where an interrupted epoch stopped, with its metrics so far (saved in the checkpoint's extra). */
interface PartialEpoch {
  epoch: number;
  step: number;
  metrics: ReturnType<MetricAccumulator['state']>;
  seconds: number;
  skipped: number;
}

/** Loads `path`, or its kept previous version when `path` is missing or damaged (saying so). */
async function loadResumable(
  path: string,
  model: AnyModule,
  optimizer: Optimizer,
  scheduler: Schedulable | null,
  log: (s: string) => void,
): Promise<CheckpointMeta> {
  try {
    return await loadCheckpoint(path, model, optimizer, scheduler);
  } catch (e) {
    const damaged = e instanceof FormatError || /no such file/.test((e as Error).message);
    const prev = previousCheckpointPath(path);
    if (!damaged || !(await fileExists(prev))) {
      if (damaged && e instanceof FormatError)
        throw new CheckpointError(`fit: cannot resume: ${(e as Error).message} (and there is no previous checkpoint ${prev})`);
      throw e;
    }
    log(`${path} cannot be used (${(e as Error).message}); resuming from the previous checkpoint ${prev}`);
    return loadCheckpoint(prev, model, optimizer, scheduler);
  }
}

/** Refuses a checkpoint written with another config (all keys but `epochs`), listing what differs. */
function checkSameRun(saved: unknown, now: Record<string, unknown> | undefined, path: string): void {
  if (!now || !saved || typeof saved !== 'object') return;
  const keys = new Set([...Object.keys(saved), ...Object.keys(now)]);
  keys.delete('epochs');
  const differ: string[] = [];
  for (const k of keys) {
    const a = JSON.stringify((saved as Record<string, unknown>)[k]);
    const b = JSON.stringify(now[k]);
    if (a !== b) differ.push(`${k}: ${a ?? 'unset'} in the checkpoint, ${b ?? 'unset'} now`);
  }
  if (differ.length) {
    throw new CheckpointError(
      `fit: ${path} was written by a different run (${differ.join('; ')}); resume with the same settings, or start a new run in another folder`,
    );
  }
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

/** Where a non-finite loss came from; on GPU backends, whose layer outputs cannot be read synchronously, unknown. */
function nonFiniteOrigin(model: AnyModule, x: Tensor): string | null {
  try {
    return firstNonFiniteOutput(model, x);
  } catch {
    return null;
  }
}

/** evaluate() for every backend, GPUs included: each batch's loss and logits are read back before they are counted. */
export async function evaluateAsync(model: AnyModule, loader: DataLoader, lossFn: FitOptions['lossFn'] = (l, y) => crossEntropy(l, y)): Promise<EpochMetrics> {
  const wasTraining = model.training;
  model.eval();
  const acc = new MetricAccumulator();
  try {
    for (const { x, y } of loader.iterEpoch(0)) {
      const { logits, loss } = noGrad(() => {
        const logits = model.forward(x) as Tensor;
        return { logits, loss: lossFn!(logits, y) };
      });
      await onHost([loss, logits, y]);
      acc.add(loss.item(), logits, y);
    }
  } finally {
    model.train(wasTraining);
  }
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
  const { valLoader = null, epochs, outDir = null } = opts;
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`fit: epochs must be a positive integer, got ${epochs}`);
  const lossFn = opts.lossFn ?? ((l: Tensor, y: Tensor) => crossEntropy(l, y));
  const progress = opts.progress ?? silentProgress;
  const scheduleEvery = opts.scheduleEvery ?? 'epoch';
  const es = opts.earlyStopping ?? null;
  const monitor: Monitor = es?.monitor ?? (valLoader ? 'valLoss' : 'trainLoss');
  const mode = es?.mode ?? (monitor.endsWith('Acc') ? 'max' : 'min');
  const better = (a: number, b: number) => (mode === 'min' ? a < b - (es?.minDelta ?? 0) : a > b + (es?.minDelta ?? 0));
  const paths: FitResult['paths'] = {};
  const onNan = opts.onNan ?? 'stop';
  if (onNan !== 'stop' && onNan !== 'skip') throw new Error(`fit: onNan must be 'stop' or 'skip', got ${String(onNan)}`);
  let lock: { release(): Promise<void> } | null = null;
  if (outDir) {
    paths.lastCheckpoint = await joinPath(outDir, 'last.ckpt.safetensors');
    paths.bestCheckpoint = await joinPath(outDir, 'best.ckpt.safetensors');
    paths.weights = await joinPath(outDir, 'model.safetensors');
    paths.log = await joinPath(outDir, 'metrics.jsonl');
    paths.chart = await joinPath(outDir, 'curves.svg');
    await ensureDir(outDir);
    // One run per folder at a time: a second would interleave its checkpoints and log with this one's.
    const l = await acquireLock(await joinPath(outDir, '.lock'), 'fit');
    if (l.tookOver) progress.log(`took over ${outDir}/.lock from ${l.tookOver}`);
    lock = l;
  }
  try {
    return await fitLoop(model, opts, { lossFn, progress, scheduleEvery, es, monitor, mode, better, paths, onNan });
  } finally {
    await lock?.release();
  }
}

interface LoopSettings {
  lossFn: (l: Tensor, y: Tensor) => Tensor;
  progress: Progress;
  scheduleEvery: 'step' | 'epoch';
  es: EarlyStoppingOptions | null;
  monitor: Monitor;
  mode: 'min' | 'max';
  better: (a: number, b: number) => boolean;
  paths: FitResult['paths'];
  onNan: 'stop' | 'skip';
}

async function fitLoop(model: AnyModule, opts: FitOptions, s: LoopSettings): Promise<FitResult> {
  const { optimizer, trainLoader, valLoader = null, testLoader = null, epochs, scheduler = null, outDir = null, signal } = opts;
  const readEvery = opts.readEvery ?? 25;
  if (!Number.isInteger(readEvery) || readEvery < 1) throw new Error(`fit: readEvery must be a positive integer, got ${String(opts.readEvery)}`);
  // Backends whose values are read asynchronously (webgpu) take the deferred path: no wait per step.
  const deferred = model.parameters().some((p) => p.storage.backend.readAsync !== undefined) || activeBackend().readAsync !== undefined;
  const { lossFn, progress, scheduleEvery, es, monitor, mode, better, paths, onNan } = s;
  // A new run starts its own log (a resumed one continues it), so metrics.jsonl and curves.svg tell one story.
  if (outDir && !opts.resume) await writeFileAtomic(paths.log!, '', 'fit');

  let history: EpochRecord[] = [];
  let best = mode === 'min' ? Infinity : -Infinity;
  let bestEpoch: number | null = null;
  let badEpochs = 0;
  let bestWeights: Record<string, Tensor> | null = null;
  let startEpoch = 1;
  let partial: PartialEpoch | null = null;
  if (opts.resume) {
    const meta = await loadResumable(opts.resume, model, optimizer, scheduler as Schedulable | null, (m) => progress.log(m));
    const extra = meta.extra as {
      history?: EpochRecord[];
      best?: number;
      bestEpoch?: number | null;
      badEpochs?: number;
      config?: unknown;
      partial?: PartialEpoch;
    };
    checkSameRun(extra.config, opts.config, opts.resume);
    history = Array.isArray(extra.history) ? extra.history : [];
    best = typeof extra.best === 'number' ? extra.best : best;
    bestEpoch = extra.bestEpoch ?? null;
    badEpochs = extra.badEpochs ?? 0;
    startEpoch = meta.epoch + 1;
    partial = extra.partial && extra.partial.epoch === startEpoch ? extra.partial : null;
    if (es?.restoreBest && paths.bestCheckpoint && (await fileExists(paths.bestCheckpoint))) {
      const all = await loadSafetensors(paths.bestCheckpoint);
      bestWeights = Object.fromEntries(
        Object.entries(all)
          .filter(([k]) => k.startsWith('model.'))
          .map(([k, v]) => [k.slice(6), v]),
      );
    }
    progress.log(`resumed from ${opts.resume} at epoch ${meta.epoch}${partial ? `, step ${partial.step} of epoch ${partial.epoch}` : ''}`);
  }

  const extraOf = (more: Record<string, unknown> = {}) => ({ history, best, bestEpoch, badEpochs, config: opts.config ?? {}, ...more });
  /** Writes `last` (keeping the previous one beside it) and, when asked, `best`. */
  const saveLast = async (epochDone: number, extra: Record<string, unknown>) => {
    await renameIfExists(paths.lastCheckpoint!, previousCheckpointPath(paths.lastCheckpoint!), 'fit');
    await saveCheckpoint(paths.lastCheckpoint!, model, optimizer, scheduler as Schedulable | null, epochDone, extra);
  };

  const ctx: FitContext = { epoch: startEpoch, history, model, stop: false };
  let stoppedEarly = false;
  let interruptedAt: FitResult['interruptedAt'] = null;
  const t0 = performance.now();
  model.train();
  for (let epoch = startEpoch; epoch <= epochs && !ctx.stop; epoch++) {
    ctx.epoch = epoch;
    const steps = trainLoader.length;
    const lr = optimizer.paramGroups[0].lr;
    await progress.startEpoch(epoch, epochs, steps);
    const acc = new MetricAccumulator();
    // A resumed interrupted epoch skips the batches it already trained on (reading them keeps the data's RNG in step).
    const resumeAt = partial?.epoch === epoch ? partial.step : 0;
    if (partial && resumeAt) acc.setState(partial.metrics);
    let skipped = partial?.epoch === epoch ? partial.skipped : 0;
    const te = performance.now() - (partial?.epoch === epoch ? partial.seconds * 1000 : 0);
    partial = null;
    let step = 0;
    // GPU backends: steps whose loss, guard and logits are still on the device, read every `readEvery` steps.
    const pending: { step: number; loss: Tensor; guard: Tensor; logits: Tensor; y: Tensor }[] = [];
    const settle = async () => {
      if (!pending.length) return;
      const batch = pending.splice(0);
      await onHost(batch.flatMap((b) => [b.loss, b.guard, b.logits, b.y]));
      for (const b of batch) {
        const l = b.loss.item();
        if (Number.isFinite(b.guard.item())) {
          acc.add(l, b.logits, b.y);
          continue;
        }
        const bad = Number.isFinite(l) ? `a gradient became non-finite (loss ${l.toPrecision(4)})` : `the loss became ${l}`;
        if (onNan === 'stop') {
          throw new NonFiniteError(
            `fit: ${bad} at epoch ${epoch}, step ${b.step} (seen when the GPU's results were read, at step ${step}); that step was not applied, and the last checkpoint is from epoch ${epoch - 1}. Try a lower learning rate (now ${optimizer.paramGroups[0].lr.toPrecision(3)}), a warmup (--warmup), gradient clipping, or onNan: 'skip' (--on-nan skip) to skip such batches`,
            epoch,
            b.step,
            Number.isFinite(l) ? 'a gradient' : 'the loss',
          );
        }
        skipped++;
        progress.log(`epoch ${epoch} step ${b.step}: ${bad}; skipped this batch (${skipped} this epoch)`);
      }
    };
    for await (const { x, y } of trainLoader.epochAsync(epoch - 1)) {
      if (step < resumeAt) {
        step++;
        continue;
      }
      optimizer.zeroGrad();
      const logits = model.forward(x) as Tensor;
      const loss = lossFn(logits, y);
      if (deferred) {
        loss.backward();
        // NaN exactly when the loss or a gradient is not finite; the optimizer then changes nothing, decided on the GPU.
        const guard = noGrad(() => model.parameters().reduce((sum, p) => (p.grad ? sum.add(p.grad.mul(0).sum()) : sum), loss.detach().mul(0)));
        optimizer.step({ guard });
        pending.push({ step: step + 1, loss: loss.detach(), guard, logits: logits.detach(), y });
      } else {
        const l = loss.item();
        let bad: string | null = Number.isFinite(l) ? null : `the loss became ${l}`;
        if (!bad) {
          loss.backward();
          const g = firstNonFiniteGrad(model);
          if (g) bad = `the gradient of ${g} became non-finite (loss ${l.toPrecision(4)})`;
        }
        if (bad) {
          if (onNan === 'stop') {
            const origin = Number.isFinite(l) ? bad.replace(/^the /, '') : (nonFiniteOrigin(model, x) ?? 'the loss');
            const lrNow = optimizer.paramGroups[0].lr;
            throw new NonFiniteError(
              `fit: ${bad} at epoch ${epoch}, step ${step + 1} (first non-finite: ${origin}); the weights were not updated and the last checkpoint is from epoch ${epoch - 1}. Try a lower learning rate (now ${lrNow.toPrecision(3)}), a warmup (--warmup), gradient clipping, or onNan: 'skip' (--on-nan skip) to skip such batches`,
              epoch,
              step + 1,
              origin,
            );
          }
          skipped++;
          optimizer.zeroGrad();
          progress.log(`epoch ${epoch} step ${step + 1}: ${bad}; skipped this batch (${skipped} this epoch)`);
        } else {
          optimizer.step();
          acc.add(l, logits, y);
        }
      }
      if (scheduler && scheduleEvery === 'step' && !(scheduler instanceof ReduceLROnPlateau)) scheduler.step();
      step++;
      if (deferred && (pending.length >= readEvery || step >= steps || signal?.aborted)) await settle();
      const m = acc.result();
      progress.step({ epoch, epochs, step, steps, loss: m.loss, acc: m.acc, imagesPerSecond: acc.count / ((performance.now() - te) / 1000) });
      await yieldToEventLoop();
      if (signal?.aborted && step < steps) {
        interruptedAt = { epoch, step };
        if (outDir) {
          const p: PartialEpoch = { epoch, step, metrics: acc.state(), seconds: (performance.now() - te) / 1000, skipped };
          await saveLast(epoch - 1, extraOf({ partial: p }));
        }
        break;
      }
    }
    await settle();
    if (interruptedAt) break;
    const seconds = (performance.now() - te) / 1000;
    const record: EpochRecord = { epoch, lr, train: acc.result(), seconds, imagesPerSecond: acc.count / seconds };
    if (skipped) record.skippedSteps = skipped;
    if (valLoader) record.val = await evaluateAsync(model, valLoader, lossFn);
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
      `epoch ${epoch}/${epochs}  train ${fmt(record.train)}${record.val ? `  val ${fmt(record.val)}` : ''}  lr ${lr.toPrecision(3)}  ${seconds.toFixed(1)}s (${record.imagesPerSecond.toFixed(0)} img/s)${skipped ? `  ${skipped} batches skipped (non-finite)` : ''}${improved ? '  *' : ''}`,
    );
    for (const cb of opts.callbacks ?? []) await cb.onEpochEnd?.(record, ctx);
    if (es && badEpochs >= es.patience) {
      stoppedEarly = true;
      ctx.stop = true;
      progress.log(`early stopping: ${monitor} has not improved for ${es.patience} epochs (best ${best.toFixed(4)} at epoch ${bestEpoch})`);
    }
    if (outDir) {
      const extra = extraOf();
      await saveLast(epoch, extra);
      if (improved) await saveCheckpoint(paths.bestCheckpoint!, model, optimizer, scheduler as Schedulable | null, epoch, extra);
      await appendText(paths.log!, JSON.stringify({ ...record, time: new Date().toISOString() }) + '\n', 'fit');
      const chart = await renderSvg(
        trainingCurves(history.map((h) => ({ epoch: h.epoch, trainLoss: h.train.loss, trainAcc: h.train.acc, valLoss: h.val?.loss, valAcc: h.val?.acc }))),
      );
      await writeFileAtomic(paths.chart!, chart, 'fit');
    }
    if (signal?.aborted && epoch < epochs) {
      interruptedAt = { epoch: epoch + 1, step: 0 };
      break;
    }
  }
  const trainSeconds = (performance.now() - t0) / 1000;
  if (interruptedAt) return { history, test: null, bestEpoch, stoppedEarly, trainSeconds, interrupted: true, interruptedAt, paths };
  if (es?.restoreBest && bestWeights) {
    model.loadStateDict(bestWeights);
    progress.log(`restored the best weights (epoch ${bestEpoch})`);
  }
  for (const cb of opts.callbacks ?? []) await cb.onTrainEnd?.(ctx);
  if (outDir) {
    await onHost(Object.values(model.stateDict()));
    await saveSafetensors(paths.weights!, model.stateDict(), { format: 'pt' });
  }
  const test = testLoader ? await evaluateAsync(model, testLoader, lossFn) : null;
  return { history, test, bestEpoch, stoppedEarly, trainSeconds, interrupted: false, interruptedAt: null, paths };
}
