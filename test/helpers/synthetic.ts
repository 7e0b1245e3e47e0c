/** Small datasets in the real on-disk formats (IDX gzip, CIFAR binary), learnable: each class has its own pattern. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeCifar, encodeIdx } from '../../src/data/index.js';
import { Generator } from '../../src/index.js';

/** A 28×28 digit-like image: class k lights a bar at a class-specific position, plus noise. */
export function syntheticImages(n: number, classes: number, size: number, channels: number, seed: number): { images: Uint8Array; labels: number[] } {
  const g = new Generator(seed);
  const images = new Uint8Array(n * channels * size * size);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = i % classes;
    labels.push(k);
    for (let c = 0; c < channels; c++) {
      for (let r = 0; r < size; r++) {
        for (let col = 0; col < size; col++) {
          const onBar = Math.abs(r - (3 + ((k * 2) % (size - 6)))) < 2 && col > 4 && col < size - 4;
          const v = (onBar ? 200 : 20) + g.randint(0, 40);
          images[((i * channels + c) * size + r) * size + col] = Math.min(255, v);
        }
      }
    }
  }
  return { images, labels };
}

/** Writes MNIST-format files (gzipped IDX) to dir. */
export function writeMnist(dir: string, nTrain: number, nTest: number, seed = 0): void {
  mkdirSync(dir, { recursive: true });
  for (const [prefix, n, s] of [['train', nTrain, seed], ['t10k', nTest, seed + 1]] as const) {
    const { images, labels } = syntheticImages(n, 10, 28, 1, s);
    writeFileSync(join(dir, `${prefix}-images-idx3-ubyte.gz`), gzipSync(encodeIdx([n, 28, 28], images)));
    writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte.gz`), gzipSync(encodeIdx([n], Uint8Array.from(labels))));
  }
}

/** Writes CIFAR-10 binary batches (5 train files + test_batch, optionally gzipped) to dir. */
export function writeCifar10(dir: string, perBatch: number, opts: { gzip?: boolean } = {}): void {
  mkdirSync(dir, { recursive: true });
  const names = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'];
  names.forEach((name, i) => {
    const { images, labels } = syntheticImages(perBatch, 10, 32, 3, 100 + i);
    const bytes = encodeCifar(images, labels, 'cifar10');
    writeFileSync(join(dir, opts.gzip ? `${name}.gz` : name), opts.gzip ? gzipSync(bytes) : bytes);
  });
}
