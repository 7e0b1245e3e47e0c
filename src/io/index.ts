/**
 * Model files: safetensors, PyTorch checkpoints (.pth, read without executing anything) and ONNX (export and
 * import), from any byte source — bytes, ArrayBuffer, Blob/File, URL or Response anywhere, a path in Node — and to
 * bytes or Blobs (browsers) or files (Node).
 * Example: await io.saveSafetensors('model.safetensors', model.stateDict()); model.loadStateDict(await io.loadSafetensors('model.safetensors'));
 */
import { writeFileAtomic } from '../platform/node.js';
import { readSource, sourceName, toBlob, type ByteSource } from '../platform/source.js';
import type { Tensor } from '../tensor/tensor.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';
import { decodePth, extractStateDict, type StateDictOptions } from './pth.js';
import type { AnyModule } from '../nn/module.js';
import { exportOnnx, type ExportOnnxOptions } from './onnx/export.js';
import { importOnnx, type OnnxModel } from './onnx/import.js';

export { decodeSafetensors, encodeSafetensors, SafetensorsError } from './safetensors.js';
export { decodePth, extractStateDict, PthError, type StateDictOptions } from './pth.js';
export { PickleError } from './pickle.js';
export { FormatError } from './format_error.js';
export { readSource, toBlob, downloadBlob, type ByteSource } from '../platform/source.js';
export * as cache from './cache.js';
export { ZipError } from './zip.js';
export { exportOnnx, ONNX_EXPORT_OPSET, type ExportOnnxOptions } from './onnx/export.js';
export { OnnxError } from './onnx/errors.js';
export { importOnnx, OnnxModel, OnnxScope, OnnxBatchNorm, ONNX_IMPORT_MAX_OPSET, type ImportOnnxOptions } from './onnx/import.js';

/** A name for messages when the source has none of its own (bytes). */
function named(src: ByteSource): string | undefined {
  const n = sourceName(src, '');
  return n === '' ? undefined : n;
}

/**
 * Reads a safetensors file into a record of name → Tensor.
 * Args: source — a path (Node), URL, bytes, ArrayBuffer, Blob/File or Response.
 * Example: model.loadStateDict(await io.loadSafetensors(fileInput.files[0]));
 */
export async function loadSafetensors(source: ByteSource): Promise<Record<string, Tensor>> {
  return decodeSafetensors(await readSource(source, 'loadSafetensors'), { name: named(source) }).tensors;
}

/** Writes a record of tensors as safetensors, atomically (temporary file + rename). */
export async function saveSafetensors(path: string, record: Record<string, Tensor>, metadata?: Record<string, string>): Promise<void> {
  await writeFileAtomic(path, encodeSafetensors(record, metadata), 'saveSafetensors');
}

/**
 * Reads a PyTorch checkpoint (torch.save, .pt/.pth) — any ByteSource — with a restricted unpickler: only
 * what a tensor checkpoint needs is allowed, nothing in the file is executed. Returns the checkpoint's values:
 * objects for dicts, arrays for tuples and lists, Tensors for tensors (floats as float32, integers as int32).
 * Example: const ckpt = await io.loadPth('resnet18.pth');
 */
export async function loadPth(source: ByteSource): Promise<unknown> {
  return decodePth(await readSource(source, 'loadPth'), { name: named(source) });
}

/**
 * The state dict of a PyTorch checkpoint, found inside nested checkpoints ({ state_dict, epoch, ... }) and with
 * prefixes stripped or keys remapped as asked; ready for model.loadStateDict(dict, { strict }).
 * Example: model.loadStateDict(await io.loadPthStateDict('ckpt.pth', { stripPrefix: 'module.' }));
 */
export async function loadPthStateDict(source: ByteSource, opts: StateDictOptions = {}): Promise<Record<string, Tensor>> {
  return extractStateDict(await loadPth(source), opts, named(source) ?? 'checkpoint');
}

/**
 * Exports a model to an ONNX file (opset 17; see exportOnnx), atomically.
 * Example: await io.saveOnnx('resnet18.onnx', model, [1, 3, 224, 224]);
 */
export async function saveOnnx(path: string, model: AnyModule, inputShape: readonly number[], opts: ExportOnnxOptions = {}): Promise<void> {
  await writeFileAtomic(path, exportOnnx(model, inputShape, opts), 'saveOnnx');
}

/**
 * Reads an ONNX file (any ByteSource: path in Node, URL, bytes, Blob/File) into a runnable, trainable OnnxModel (see importOnnx).
 * Example: const net = await io.loadOnnx('model.onnx'); const y = net.forward(x);
 */
export async function loadOnnx(source: ByteSource): Promise<OnnxModel> {
  return importOnnx(await readSource(source, 'loadOnnx'), { name: named(source) });
}

/**
 * The state dict as a safetensors Blob, to download or store in a browser.
 * Example: io.downloadBlob(io.safetensorsBlob(model.stateDict()), 'model.safetensors');
 */
export function safetensorsBlob(record: Record<string, Tensor>, metadata?: Record<string, string>): Blob {
  return toBlob(encodeSafetensors(record, metadata));
}

/**
 * A model exported to ONNX as a Blob (see exportOnnx), to download in a browser.
 * Example: io.downloadBlob(io.onnxBlob(model, [1, 1, 28, 28]), 'model.onnx');
 */
export function onnxBlob(model: AnyModule, inputShape: readonly number[], opts: ExportOnnxOptions = {}): Blob {
  return toBlob(exportOnnx(model, inputShape, opts));
}

/** The kinds of weight file `loadWeights` recognises. */
export type WeightsFormat = 'safetensors' | 'pth' | 'onnx';

/**
 * Which weight format `bytes` hold, judged by their content (never the file name): a safetensors header (8-byte
 * length, then JSON), a zip (PyTorch ≥ 1.6) or legacy pickle (torch.save), or an ONNX protobuf (ir_version first).
 */
export function weightsFormat(bytes: Uint8Array, name = 'weights'): WeightsFormat {
  if (bytes.length >= 9) {
    const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
    if (n > 1n && n < BigInt(bytes.length) && bytes[8] === 0x7b /* { */) return 'safetensors';
  }
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return 'pth';
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] >= 2 && bytes[1] <= 5) return 'pth'; // a pickle (legacy torch.save)
  if (bytes.length >= 2 && bytes[0] === 0x08) return 'onnx'; // field 1 (ir_version), varint
  throw new Error(
    `${name}: not a weights file convnet-ts reads (safetensors, PyTorch .pth/.pt or ONNX; first bytes ${[...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ')})`,
  );
}

export interface LoadedWeights {
  format: WeightsFormat;
  /** Tensors by state-dict name (for ONNX: the imported model's state dict). */
  stateDict: Record<string, Tensor>;
  /** safetensors metadata or ONNX metadata_props ({} for .pth). */
  metadata: Record<string, string>;
  /** The runnable model when the file is ONNX (its graph is the architecture). */
  onnxModel: OnnxModel | null;
}

/**
 * Weights from any file convnet-ts reads — safetensors, a PyTorch checkpoint or ONNX — recognised by its bytes.
 * Args: source — a path (Node), URL, bytes, Blob/File; opts — for .pth: key, stripPrefix, remap (see loadPthStateDict).
 * Example: model.loadStateDict((await io.loadWeights('resnet18.pth')).stateDict);
 */
export async function loadWeights(source: ByteSource, opts: StateDictOptions = {}): Promise<LoadedWeights> {
  const bytes = await readSource(source, 'loadWeights');
  const name = named(source) ?? 'weights';
  const format = weightsFormat(bytes, name);
  if (format === 'safetensors') {
    const { tensors, metadata } = decodeSafetensors(bytes, { name });
    return { format, stateDict: tensors, metadata, onnxModel: null };
  }
  if (format === 'pth') return { format, stateDict: extractStateDict(decodePth(bytes, { name }), opts, name), metadata: {}, onnxModel: null };
  const model = importOnnx(bytes, { name });
  return { format, stateDict: model.stateDict(), metadata: model.metadata, onnxModel: model };
}
