/**
 * Model files. safetensors from bytes (anywhere) or a path (Node); the interop issue adds PyTorch checkpoints and ONNX.
 * Example: await io.saveSafetensors('model.safetensors', model.stateDict()); model.loadStateDict(await io.loadSafetensors('model.safetensors'));
 */
import { readFileBytes, writeFileAtomic } from '../platform/node.js';
import type { Tensor } from '../tensor/tensor.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';

export { decodeSafetensors, encodeSafetensors, SafetensorsError } from './safetensors.js';

/** Reads a safetensors file (path, in Node) or buffer into a record of name → Tensor. */
export async function loadSafetensors(pathOrBytes: string | Uint8Array): Promise<Record<string, Tensor>> {
  const bytes = typeof pathOrBytes === 'string' ? await readFileBytes(pathOrBytes, 'loadSafetensors') : pathOrBytes;
  return decodeSafetensors(bytes, { name: typeof pathOrBytes === 'string' ? pathOrBytes : undefined }).tensors;
}

/** Writes a record of tensors as safetensors, atomically (temporary file + rename). */
export async function saveSafetensors(path: string, record: Record<string, Tensor>, metadata?: Record<string, string>): Promise<void> {
  await writeFileAtomic(path, encodeSafetensors(record, metadata), 'saveSafetensors');
}
