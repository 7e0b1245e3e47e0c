/**
 * DataLoader worker (Node worker_threads): rebuilds the dataset from shared arrays and the transform from its spec,
 * then prepares one batch per 'next' request with the epoch's RNG state, so its batches equal the in-thread ones.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Generator } from '../tensor/random.js';
import { gatherRows, ImageDataset, type Dataset, type RawSource } from './dataset.js';
import { fromSpec, type TransformSpec } from './transforms.js';

const { source, transform } = workerData as { source: RawSource; transform: TransformSpec | null };
const dataset: Dataset =
  source.kind === 'image' ? new ImageDataset(source.images, source.labels, source.sampleShape as [number, number, number]) : tensorDataset(source);
const t = transform ? fromSpec(transform) : null;
let batches: number[][] = [];
let next = 0;
const gen = new Generator(0);

/** TensorDataset from raw arrays without going through Tensors. */
function tensorDataset(src: Extract<RawSource, { kind: 'tensor' }>): Dataset {
  return { length: src.y.length, sampleShape: src.sampleShape, getBatch: (indices) => gatherRows(src.x, src.y, src.sampleShape, indices) };
}

parentPort!.on('message', (m: { type: 'epoch'; batches: number[][]; rng: ReturnType<Generator['getState']> } | { type: 'next' }) => {
  try {
    if (m.type === 'epoch') {
      batches = m.batches;
      next = 0;
      gen.setState(m.rng);
      return;
    }
    const raw = dataset.getBatch(batches[next++]);
    const b = t ? t.apply(raw, gen) : raw;
    const x = b.x.buffer instanceof ArrayBuffer && b.x.byteOffset === 0 && b.x.byteLength === b.x.buffer.byteLength ? b.x : b.x.slice();
    parentPort!.postMessage({ type: 'batch', x, shape: b.shape, y: b.y }, [x.buffer as ArrayBuffer]);
  } catch (e) {
    parentPort!.postMessage({ type: 'error', message: (e as Error).message });
  }
});
