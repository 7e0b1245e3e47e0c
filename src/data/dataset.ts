/**
 * Datasets hand out whole batches (float32 NCHW images and int32 labels) so transforms and the loader work on
 * contiguous arrays. ImageDataset keeps uint8 pixels (MNIST: 47 MB instead of 188 MB) and scales to [0, 1].
 */
import { Generator } from '../tensor/random.js';
import { shapeToString } from '../backend/shape.js';
import type { Tensor } from '../tensor/tensor.js';

export interface Batch {
  /** Images (or features), row-major. */
  x: Float32Array;
  /** Shape of x, batch first: [B, C, H, W] for images. */
  shape: number[];
  /** Class indices. */
  y: Int32Array;
}

/** The raw arrays behind a dataset, so a DataLoader worker can rebuild it (built-in datasets only). */
export type RawSource =
  { kind: 'image'; images: Uint8Array; labels: Int32Array; sampleShape: number[] } | { kind: 'tensor'; x: Float32Array; y: Int32Array; sampleShape: number[] };

export interface Dataset {
  readonly length: number;
  /** Class names, when known (index = label). */
  readonly classes?: readonly string[];
  /** Shape of one sample, e.g. [1, 28, 28]. */
  readonly sampleShape: readonly number[];
  /** The samples at `indices`, untransformed. */
  getBatch(indices: readonly number[]): Batch;
  /** The raw arrays and the map from this dataset's indices to theirs (null: identity), if rebuildable elsewhere. */
  rawSource?(): { source: RawSource; indexMap: readonly number[] | null } | null;
}

function checkIndices(indices: readonly number[], length: number, who: string): void {
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0 || i >= length) throw new Error(`${who}: index ${i} is out of range for a dataset of ${length} samples`);
  }
}

/** Images stored as uint8 [N, C, H, W] with int32 labels; batches are scaled to [0, 1] (torchvision's ToTensor). */
export class ImageDataset implements Dataset {
  readonly length: number;
  readonly sampleShape: readonly number[];
  constructor(
    readonly images: Uint8Array,
    readonly labels: Int32Array,
    shape: readonly [number, number, number],
    readonly classes?: readonly string[],
  ) {
    const per = shape[0] * shape[1] * shape[2];
    if (images.length !== labels.length * per) {
      throw new Error(`ImageDataset: ${images.length} pixels do not make ${labels.length} images of shape ${shapeToString(shape)}`);
    }
    this.length = labels.length;
    this.sampleShape = shape;
  }

  rawSource(): { source: RawSource; indexMap: null } {
    return { source: { kind: 'image', images: this.images, labels: this.labels, sampleShape: [...this.sampleShape] }, indexMap: null };
  }

  getBatch(indices: readonly number[]): Batch {
    checkIndices(indices, this.length, 'ImageDataset');
    const per = this.sampleShape[0] * this.sampleShape[1] * this.sampleShape[2];
    const x = new Float32Array(indices.length * per);
    const y = new Int32Array(indices.length);
    indices.forEach((idx, b) => {
      const src = idx * per;
      const dst = b * per;
      for (let k = 0; k < per; k++) x[dst + k] = this.images[src + k] / 255;
      y[b] = this.labels[idx];
    });
    return { x, shape: [indices.length, ...this.sampleShape], y };
  }
}

/** Samples are rows of `x` (first dim) with int32 labels `y` (torch.utils.data.TensorDataset). */
export class TensorDataset implements Dataset {
  readonly length: number;
  readonly sampleShape: readonly number[];
  private readonly xs: Float32Array;
  private readonly ys: Int32Array;
  constructor(
    x: Tensor,
    y: Tensor,
    readonly classes?: readonly string[],
  ) {
    if (x.ndim < 1 || y.ndim !== 1 || x.shape[0] !== y.shape[0]) {
      throw new Error(`TensorDataset: x ${shapeToString(x.shape)} and labels ${shapeToString(y.shape)} must have the same first dim (labels 1-D)`);
    }
    if (y.dtype !== 'int32') throw new Error(`TensorDataset: labels must be int32, got ${y.dtype}`);
    this.length = x.shape[0];
    this.sampleShape = x.shape.slice(1);
    this.xs = x.float().data() as Float32Array;
    this.ys = y.data() as Int32Array;
  }
  rawSource(): { source: RawSource; indexMap: null } {
    return { source: { kind: 'tensor', x: this.xs, y: this.ys, sampleShape: [...this.sampleShape] }, indexMap: null };
  }

  getBatch(indices: readonly number[]): Batch {
    checkIndices(indices, this.length, 'TensorDataset');
    return gatherRows(this.xs, this.ys, this.sampleShape, indices);
  }
}

/** The rows `indices` of float features x (each of sampleShape) with their labels y. */
export function gatherRows(xs: Float32Array, ys: Int32Array, sampleShape: readonly number[], indices: readonly number[]): Batch {
  const per = sampleShape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(indices.length * per);
  const y = new Int32Array(indices.length);
  indices.forEach((idx, b) => {
    x.set(xs.subarray(idx * per, (idx + 1) * per), b * per);
    y[b] = ys[idx];
  });
  return { x, shape: [indices.length, ...sampleShape], y };
}

/** A view of some samples of another dataset. */
export class Subset implements Dataset {
  readonly length: number;
  constructor(
    readonly dataset: Dataset,
    readonly indices: readonly number[],
  ) {
    checkIndices(indices, dataset.length, 'Subset');
    this.length = indices.length;
  }
  get classes(): readonly string[] | undefined {
    return this.dataset.classes;
  }
  get sampleShape(): readonly number[] {
    return this.dataset.sampleShape;
  }
  rawSource(): { source: RawSource; indexMap: readonly number[] } | null {
    const inner = this.dataset.rawSource?.();
    if (!inner) return null;
    const map = inner.indexMap;
    return { source: inner.source, indexMap: map ? this.indices.map((i) => map[i]) : this.indices };
  }

  getBatch(indices: readonly number[]): Batch {
    checkIndices(indices, this.length, 'Subset');
    return this.dataset.getBatch(indices.map((i) => this.indices[i]));
  }
}

/** A seeded random permutation of 0..n-1 (Fisher–Yates). */
export function permutation(n: number, gen: Generator): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = gen.randint(0, i + 1);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/**
 * Splits a dataset into random disjoint subsets, e.g. train/validation: randomSplit(train, [55000, 5000], { seed: 0 })
 * or by fractions: randomSplit(train, [0.9, 0.1]). The same seed gives the same split.
 */
export function randomSplit(dataset: Dataset, lengths: readonly number[], opts: { seed?: number } = {}): Subset[] {
  let sizes = [...lengths];
  const total = sizes.reduce((a, b) => a + b, 0);
  if (sizes.every((s) => s >= 0 && s <= 1) && Math.abs(total - 1) < 1e-9 && dataset.length > 1) {
    sizes = sizes.map((f) => Math.floor(f * dataset.length));
    for (let i = 0; sizes.reduce((a, b) => a + b, 0) < dataset.length; i = (i + 1) % sizes.length) sizes[i]++;
  } else if (sizes.some((s) => !Number.isInteger(s) || s < 0) || total !== dataset.length) {
    throw new Error(`randomSplit: lengths ${JSON.stringify(lengths)} must be non-negative integers summing to ${dataset.length} or fractions summing to 1`);
  }
  const perm = permutation(dataset.length, new Generator(opts.seed ?? 0));
  let start = 0;
  return sizes.map((s) => {
    const sub = new Subset(dataset, perm.slice(start, start + s));
    start += s;
    return sub;
  });
}
