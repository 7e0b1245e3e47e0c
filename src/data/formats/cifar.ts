/**
 * The binary CIFAR formats: each record is the label byte(s) then 3072 bytes (1024 R, 1024 G, 1024 B, row-major).
 * CIFAR-10 has 1 label byte; CIFAR-100 has 2 (coarse, fine).
 */
import { DatasetFileError } from './errors.js';

export interface CifarBatch {
  images: Uint8Array;
  labels: Int32Array;
  coarseLabels?: Int32Array;
}

const PIXELS = 3 * 32 * 32;

export function parseCifar(bytes: Uint8Array, name: string, variant: 'cifar10' | 'cifar100'): CifarBatch {
  const labelBytes = variant === 'cifar10' ? 1 : 2;
  const record = labelBytes + PIXELS;
  if (bytes.length === 0 || bytes.length % record !== 0) {
    throw new DatasetFileError(
      'cifar',
      `${name}: ${bytes.length} bytes is not a whole number of ${variant} records of ${record} bytes (truncated or not a ${variant} binary file)`,
    );
  }
  const n = bytes.length / record;
  const images = new Uint8Array(n * PIXELS);
  const labels = new Int32Array(n);
  const coarse = variant === 'cifar100' ? new Int32Array(n) : undefined;
  const maxLabel = variant === 'cifar10' ? 9 : 99;
  for (let i = 0; i < n; i++) {
    const off = i * record;
    const label = bytes[off + labelBytes - 1];
    if (label > maxLabel) throw new DatasetFileError('cifar', `${name}: record ${i} has label ${label}, outside 0..${maxLabel} (not a ${variant} file?)`);
    labels[i] = label;
    if (coarse) {
      if (bytes[off] > 19) throw new DatasetFileError('cifar', `${name}: record ${i} has coarse label ${bytes[off]}, outside 0..19 (not a cifar100 file?)`);
      coarse[i] = bytes[off];
    }
    images.set(bytes.subarray(off + labelBytes, off + record), i * PIXELS);
  }
  return { images, labels, coarseLabels: coarse };
}

export function encodeCifar(images: Uint8Array, labels: readonly number[], variant: 'cifar10' | 'cifar100'): Uint8Array {
  const labelBytes = variant === 'cifar10' ? 1 : 2;
  const record = labelBytes + PIXELS;
  const out = new Uint8Array(labels.length * record);
  labels.forEach((l, i) => {
    out[i * record + labelBytes - 1] = l;
    out.set(images.subarray(i * PIXELS, (i + 1) * PIXELS), i * record + labelBytes);
  });
  return out;
}
