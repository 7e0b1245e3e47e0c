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
  for (const [prefix, n, s] of [
    ['train', nTrain, seed],
    ['t10k', nTest, seed + 1],
  ] as const) {
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

/** A ustar archive of the given files (name → bytes), as `tar` writes it: headers with octal sizes and checksums. */
export function makeTar(files: Record<string, Uint8Array>): Uint8Array {
  const enc = new TextEncoder();
  const blocks: Uint8Array[] = [];
  for (const [name, data] of Object.entries(files)) {
    const h = new Uint8Array(512);
    h.set(enc.encode(name), 0);
    h.set(enc.encode('0000644\0'), 100);
    h.set(enc.encode('0000000\0'), 108);
    h.set(enc.encode('0000000\0'), 116);
    h.set(enc.encode(`${data.length.toString(8).padStart(11, '0')}\0`), 124);
    h.set(enc.encode('00000000000\0'), 136);
    h[156] = 48; // '0': a regular file
    h.set(enc.encode('ustar\0' + '00'), 257);
    h.fill(32, 148, 156); // the checksum counts its own field as spaces
    const sum = h.reduce((a, b) => a + b, 0);
    h.set(enc.encode(`${sum.toString(8).padStart(6, '0')}\0 `), 148);
    blocks.push(h, data, new Uint8Array((512 - (data.length % 512)) % 512));
  }
  blocks.push(new Uint8Array(1024));
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let off = 0;
  for (const b of blocks) {
    out.set(b, off);
    off += b.length;
  }
  return out;
}

/** The official CIFAR-10 archive's layout (cifar-10-batches-bin/*.bin), gzipped, with `perBatch` images per batch. */
export function cifar10Archive(perBatch: number): Uint8Array<ArrayBuffer> {
  const files: Record<string, Uint8Array> = {};
  ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'].forEach((name, i) => {
    const { images, labels } = syntheticImages(perBatch, 10, 32, 3, 100 + i);
    files[`cifar-10-batches-bin/${name}`] = encodeCifar(images, labels, 'cifar10');
  });
  files['cifar-10-batches-bin/batches.meta.txt'] = new TextEncoder().encode('airplane\n');
  return new Uint8Array(gzipSync(makeTar(files)));
}
