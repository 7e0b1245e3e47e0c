/**
 * DataLoader: batches of tensors from a Dataset with a seeded shuffle, dropLast and a batch transform.
 * Epoch e's shuffle and augmentation draw from a Generator seeded by (seed, e), so a run resumed at epoch e
 * sees exactly the batches an uninterrupted run would.
 */
import { tensor } from '../tensor/creation.js';
import { Generator as Rng } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { permutation, type Batch, type Dataset } from './dataset.js';
import type { Transform } from './transforms.js';

export interface DataLoaderOptions {
  batchSize?: number;
  shuffle?: boolean;
  dropLast?: boolean;
  transform?: Transform | null;
  /** Seed of the shuffling and augmentation streams (default 0). */
  seed?: number;
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

  constructor(readonly dataset: Dataset, opts: DataLoaderOptions = {}) {
    this.batchSize = opts.batchSize ?? 1;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new Error(`DataLoader: batchSize must be a positive integer, got ${opts.batchSize}`);
    this.shuffle = opts.shuffle ?? false;
    this.dropLast = opts.dropLast ?? false;
    this.transform = opts.transform ?? null;
    this.seed = opts.seed ?? 0;
  }

  /** Number of batches per epoch. */
  get length(): number {
    const n = this.dataset.length / this.batchSize;
    return this.dropLast ? Math.floor(n) : Math.ceil(n);
  }

  /** The batches of epoch `epoch` (deterministic given seed and epoch). */
  *iterEpoch(epoch: number): Generator<TensorBatch> {
    const gen = new Rng(this.seed * 100003 + epoch * 7919 + 17);
    const order = this.shuffle ? permutation(this.dataset.length, gen) : Array.from({ length: this.dataset.length }, (_, i) => i);
    for (let b = 0; b < this.length; b++) {
      const idx = order.slice(b * this.batchSize, (b + 1) * this.batchSize);
      yield toTensors(this.prepare(idx, gen));
    }
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
