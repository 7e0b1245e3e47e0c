/**
 * Model files: safetensors, PyTorch checkpoints (.pth, read without executing anything) and ONNX (export and
 * import), from bytes (anywhere) or a path (Node).
 * Example: await io.saveSafetensors('model.safetensors', model.stateDict()); model.loadStateDict(await io.loadSafetensors('model.safetensors'));
 */
import { readFileBytes, writeFileAtomic } from '../platform/node.js';
import type { Tensor } from '../tensor/tensor.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';
import { decodePth, extractStateDict, type StateDictOptions } from './pth.js';
import type { Module } from '../nn/module.js';
import { exportOnnx, type ExportOnnxOptions } from './onnx/export.js';
import { importOnnx, type OnnxModel } from './onnx/import.js';

export { decodeSafetensors, encodeSafetensors, SafetensorsError } from './safetensors.js';
export { decodePth, extractStateDict, PthError, type StateDictOptions } from './pth.js';
export { PickleError } from './pickle.js';
export { ZipError } from './zip.js';
export { exportOnnx, ONNX_EXPORT_OPSET, type ExportOnnxOptions } from './onnx/export.js';
export { OnnxError } from './onnx/errors.js';
export { importOnnx, OnnxModel, OnnxScope, OnnxBatchNorm, ONNX_IMPORT_MAX_OPSET, type ImportOnnxOptions } from './onnx/import.js';

/** Reads a safetensors file (path, in Node) or buffer into a record of name → Tensor. */
export async function loadSafetensors(pathOrBytes: string | Uint8Array): Promise<Record<string, Tensor>> {
  const bytes = typeof pathOrBytes === 'string' ? await readFileBytes(pathOrBytes, 'loadSafetensors') : pathOrBytes;
  return decodeSafetensors(bytes, { name: typeof pathOrBytes === 'string' ? pathOrBytes : undefined }).tensors;
}

/** Writes a record of tensors as safetensors, atomically (temporary file + rename). */
export async function saveSafetensors(path: string, record: Record<string, Tensor>, metadata?: Record<string, string>): Promise<void> {
  await writeFileAtomic(path, encodeSafetensors(record, metadata), 'saveSafetensors');
}

/**
 * Reads a PyTorch checkpoint (torch.save, .pt/.pth) — path (Node) or bytes — with a restricted unpickler: only
 * what a tensor checkpoint needs is allowed, nothing in the file is executed. Returns the checkpoint's values:
 * objects for dicts, arrays for tuples and lists, Tensors for tensors (floats as float32, integers as int32).
 * Example: const ckpt = await io.loadPth('resnet18.pth');
 */
export async function loadPth(pathOrBytes: string | Uint8Array): Promise<unknown> {
  const bytes = typeof pathOrBytes === 'string' ? await readFileBytes(pathOrBytes, 'loadPth') : pathOrBytes;
  return decodePth(bytes, { name: typeof pathOrBytes === 'string' ? pathOrBytes : undefined });
}

/**
 * The state dict of a PyTorch checkpoint, found inside nested checkpoints ({ state_dict, epoch, ... }) and with
 * prefixes stripped or keys remapped as asked; ready for model.loadStateDict(dict, { strict }).
 * Example: model.loadStateDict(await io.loadPthStateDict('ckpt.pth', { stripPrefix: 'module.' }));
 */
export async function loadPthStateDict(pathOrBytes: string | Uint8Array, opts: StateDictOptions = {}): Promise<Record<string, Tensor>> {
  const name = typeof pathOrBytes === 'string' ? pathOrBytes : 'checkpoint';
  return extractStateDict(await loadPth(pathOrBytes), opts, name);
}

/**
 * Exports a model to an ONNX file (opset 17; see exportOnnx), atomically.
 * Example: await io.saveOnnx('resnet18.onnx', model, [1, 3, 224, 224]);
 */
export async function saveOnnx(path: string, model: Module<any, any>, inputShape: readonly number[], opts: ExportOnnxOptions = {}): Promise<void> {
  await writeFileAtomic(path, exportOnnx(model, inputShape, opts), 'saveOnnx');
}

/**
 * Reads an ONNX file (path, in Node) or bytes into a runnable, trainable OnnxModel (see importOnnx).
 * Example: const net = await io.loadOnnx('model.onnx'); const y = net.forward(x);
 */
export async function loadOnnx(pathOrBytes: string | Uint8Array): Promise<OnnxModel> {
  const bytes = typeof pathOrBytes === 'string' ? await readFileBytes(pathOrBytes, 'loadOnnx') : pathOrBytes;
  return importOnnx(bytes, { name: typeof pathOrBytes === 'string' ? pathOrBytes : undefined });
}
