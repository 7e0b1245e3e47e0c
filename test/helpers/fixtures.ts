/** Loads the PyTorch-generated fixtures (scripts/gen_fixtures.py) into convnet-ts tensors. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tensor, type Tensor } from '../../src/index.js';

export interface EncodedTensor {
  shape: number[];
  dtype: 'float32' | 'int32';
  data: string;
}

export interface FixtureCase {
  id: string;
  op: string;
  attrs: Record<string, unknown>;
  inputs: EncodedTensor[];
  output: EncodedTensor;
  extras: Record<string, EncodedTensor>;
  upstream?: EncodedTensor;
  grads?: (EncodedTensor | null)[];
  tol?: number;
}

export function decode(e: EncodedTensor): { shape: number[]; data: Float32Array | Int32Array } {
  const bytes = Buffer.from(e.data, 'base64');
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return { shape: e.shape, data: e.dtype === 'int32' ? new Int32Array(buf) : new Float32Array(buf) };
}

export function toTensor(e: EncodedTensor, requiresGrad = false): Tensor {
  const { shape, data } = decode(e);
  return tensor(data, shape, { requiresGrad });
}

export function loadCases(file = 'ops.json'): FixtureCase[] {
  const path = fileURLToPath(new URL(`../fixtures/${file}`, import.meta.url));
  return JSON.parse(readFileSync(path, 'utf8')).cases as FixtureCase[];
}
