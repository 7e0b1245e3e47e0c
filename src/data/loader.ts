/**
 * DataLoader: batches of tensors from a Dataset with a seeded shuffle, dropLast and a batch transform.
 * Epoch e's shuffle and augmentation draw from a Generator seeded by (seed, e), so a run resumed at epoch e
 * sees exactly the batches an uninterrupted run would.
 *
 * With `workers: 1` (Node), epochAsync() prepares batches in a worker thread, `prefetch` batches ahead, while the
 * caller computes; the worker consumes the same random stream, so its batches are identical to the in-thread ones.
 * Built-in datasets and transforms can move to the worker; anything else is prepared in-thread.
 */
import { tensor } from '../tensor/creation.js';
import { Generator as Rng } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { permutation, type Batch, type Dataset } from './dataset.js';
import type { Transform } from './transforms.js';
import { builtin } from '../platform/builtins.js';

/** The Node worker's file, in a variable so that bundlers do not take it for a browser worker or an asset. */
const WORKER_FILE = './worker.js';

export interface DataLoaderOptions {
  batchSize?: number;
  shuffle?: boolean;
  dropLast?: boolean;
  transform?: Transform | null;
  /** Seed of the shuffling and augmentation streams (default 0). */
  seed?: number;
  /** Prepare batches in a worker thread (Node; 0 or 1, default 0). */
  workers?: number;
  /** Batches prepared ahead by the worker (default 2). */
  prefetch?: number;
}

type WorkerMessage = { type: 'batch'; x: Float32Array; shape: number[]; y: Int32Array } | { type: 'error'; message: string };

interface WorkerHandle {
  post(m: unknown): void;
  next(): Promise<WorkerMessage>;
  terminate(): void;
}

export interface TensorBatch {
  x: Tensor;
  y: Tensor;
}

export class DataLoader implements Iterable<TensorBatch> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly transform: Transform | null;
  readonly seed: number;
  /** The epoch whose order the next iteration uses; advanced after each full pass (or set to resume). */
  epoch = 0;
  readonly workers: number;
  readonly prefetch: number;
  private worker: Promise<WorkerHandle | null> | null = null;
  /** Batches requested from the worker by an epoch that was abandoned early; skipped before the next epoch. */
  private stale = 0;

  constructor(
    readonly dataset: Dataset,
    opts: DataLoaderOptions = {},
  ) {
    this.batchSize = opts.batchSize ?? 1;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new Error(`DataLoader: batchSize must be a positive integer, got ${opts.batchSize}`);
    this.shuffle = opts.shuffle ?? false;
    this.dropLast = opts.dropLast ?? false;
    this.transform = opts.transform ?? null;
    this.seed = opts.seed ?? 0;
    this.workers = opts.workers ?? 0;
    if (this.workers !== 0 && this.workers !== 1) throw new Error(`DataLoader: workers must be 0 or 1, got ${opts.workers}`);
    this.prefetch = opts.prefetch ?? 2;
    if (!Number.isInteger(this.prefetch) || this.prefetch < 1) throw new Error(`DataLoader: prefetch must be a positive integer, got ${opts.prefetch}`);
  }

  /** Number of batches per epoch. */
  get length(): number {
    const n = this.dataset.length / this.batchSize;
    return this.dropLast ? Math.floor(n) : Math.ceil(n);
  }

  /** The batches of epoch `epoch` (deterministic given seed and epoch). */
  *iterEpoch(epoch: number): Generator<TensorBatch> {
    const { gen, batches } = this.plan(epoch);
    for (const idx of batches) yield toTensors(this.prepare(idx, gen));
  }

  /** The epoch's generator (after drawing the shuffle) and its batches of indices. */
  private plan(epoch: number): { gen: Rng; batches: number[][] } {
    const gen = new Rng(this.seed * 100003 + epoch * 7919 + 17);
    const order = this.shuffle ? permutation(this.dataset.length, gen) : Array.from({ length: this.dataset.length }, (_, i) => i);
    const batches: number[][] = [];
    for (let b = 0; b < this.length; b++) batches.push(order.slice(b * this.batchSize, (b + 1) * this.batchSize));
    return { gen, batches };
  }

  /** The batches of epoch `epoch`, prepared in the worker when `workers` is 1 (identical to iterEpoch's). */
  async *epochAsync(epoch: number): AsyncGenerator<TensorBatch> {
    const w = this.workers ? await this.getWorker() : null;
    if (!w) {
      yield* this.iterEpoch(epoch);
      return;
    }
    for (; this.stale > 0; this.stale--) await w.next();
    const { gen, batches } = this.plan(epoch);
    const map = this.dataset.rawSource!()!.indexMap;
    w.post({ type: 'epoch', batches: map ? batches.map((b) => b.map((i) => map[i])) : batches, rng: gen.getState() });
    let requested = 0;
    let received = 0;
    try {
      for (; requested < Math.min(this.prefetch, batches.length); requested++) w.post({ type: 'next' });
      while (received < batches.length) {
        const m = await w.next();
        received++;
        if (m.type === 'error') throw new Error(`DataLoader worker: ${m.message}`);
        if (requested < batches.length) {
          w.post({ type: 'next' });
          requested++;
        }
        yield toTensors(m);
      }
    } finally {
      this.stale += requested - received;
    }
  }

  /** Starts the worker on first use; null where workers are unavailable or the data cannot move (custom dataset/transform). */
  private getWorker(): Promise<WorkerHandle | null> {
    this.worker ??= (async () => {
      const raw = this.dataset.rawSource?.();
      if (!raw || (this.transform && !this.transform.spec)) return null;
      const threads = await builtin<typeof import('node:worker_threads')>('node:worker_threads');
      if (!threads) return null;
      const { Worker } = threads;
      const workerData = { source: raw.source, transform: this.transform?.spec ?? null };
      // Running from TypeScript sources (tests, tsx): register tsx's loader in the worker, then load worker.ts.
      const tsUrl = import.meta.url.endsWith('.ts') ? new URL(WORKER_FILE.replace(/\.js$/, '.ts'), import.meta.url).href : null;
      const worker = tsUrl
        ? new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(tsUrl)}); })`, { eval: true, workerData })
        : new Worker(new URL(WORKER_FILE, import.meta.url), { workerData });
      worker.unref();
      const queue: WorkerMessage[] = [];
      const waiting: { resolve: (m: WorkerMessage) => void; reject: (e: Error) => void }[] = [];
      let failure: Error | null = null;
      worker.on('message', (m: WorkerMessage) => {
        const w = waiting.shift();
        if (w) w.resolve(m);
        else queue.push(m);
      });
      worker.on('error', (e) => {
        failure = new Error(`DataLoader worker crashed: ${e.message}`);
        for (const w of waiting.splice(0)) w.reject(failure);
      });
      return {
        post: (m) => worker.postMessage(m),
        next: () =>
          failure
            ? Promise.reject(failure)
            : queue.length
              ? Promise.resolve(queue.shift()!)
              : new Promise((resolve, reject) => waiting.push({ resolve, reject })),
        terminate: () => void worker.terminate(),
      };
    })();
    return this.worker;
  }

  /** Stops the worker thread, if one was started. */
  async close(): Promise<void> {
    const w = await this.worker;
    w?.terminate();
    this.worker = null;
    this.stale = 0;
  }

  private prepare(indices: number[], gen: Rng): Batch {
    const raw = this.dataset.getBatch(indices);
    return this.transform ? this.transform.apply(raw, gen) : raw;
  }

  [Symbol.iterator](): Iterator<TensorBatch> {
    const epoch = this.epoch++;
    return this.iterEpoch(epoch);
  }
}

export function toTensors(b: Batch): TensorBatch {
  return { x: tensor(b.x, b.shape), y: tensor(b.y, [b.y.length], { dtype: 'int32' }) };
}
