/** PyTorch fixtures' tensors (base64 float32/int32) to convnet-ts tensors; no Node API, so the browser suite uses it too. */
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
  const bin = atob(e.data);
  const buf = new ArrayBuffer(bin.length);
  const bytes = new Uint8Array(buf);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return { shape: e.shape, data: e.dtype === 'int32' ? new Int32Array(buf) : new Float32Array(buf) };
}

export function toTensor(e: EncodedTensor, requiresGrad = false): Tensor {
  const { shape, data } = decode(e);
  return tensor(data, shape, { requiresGrad });
}
