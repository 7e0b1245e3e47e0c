/**
 * safetensors: 8-byte little-endian header length, a JSON header { name: { dtype, shape, data_offsets } ,
 * __metadata__? }, then the raw little-endian data. Reading validates everything (this file may be untrusted):
 * header length, JSON, dtypes, shapes, offsets inside the buffer, no overlaps, sizes matching shapes.
 */
import { tensor } from '../tensor/creation.js';
import { Tensor } from '../tensor/tensor.js';
import { bf16ToFloat, halfToFloat } from './half.js';
import { describeValue, FormatError } from './format_error.js';

const DTYPE_BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8, I32: 4, U8: 1, I8: 1, I16: 2, BOOL: 1 };
/** Refuse headers beyond this size (the format's own limit is 100 MB). */
const MAX_HEADER = 100 * 1024 * 1024;

export class SafetensorsError extends FormatError {
  constructor(message: string) {
    super('safetensors', `safetensors: ${message}`);
    this.name = 'SafetensorsError';
  }
}

/** Decodes a safetensors buffer into tensors (floats → float32, integers → int32). */
export function decodeSafetensors(bytes: Uint8Array, opts: { name?: string } = {}): { tensors: Record<string, Tensor>; metadata: Record<string, string> } {
  const where = opts.name ? ` (${opts.name})` : '';
  if (bytes.length < 8) throw new SafetensorsError(`file too short for a header${where}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = Number(view.getBigUint64(0, true));
  if (headerLen > MAX_HEADER || headerLen > bytes.length - 8) {
    throw new SafetensorsError(`header length ${headerLen} exceeds the file (${bytes.length} bytes) or the 100 MB limit${where}`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen)));
  } catch (e) {
    throw new SafetensorsError(`header is not valid JSON${where}: ${(e as Error).message}`);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) throw new SafetensorsError(`header must be a JSON object${where}`);
  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  const tensors: Record<string, Tensor> = {};
  let metadata: Record<string, string> = {};
  const ranges: [number, number, string][] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (!entry || typeof entry !== 'object' || Array.isArray(entry))
        throw new SafetensorsError(`__metadata__ must be an object of strings, got ${describeValue(entry)}${where}`);
      for (const [k, v] of Object.entries(entry)) {
        if (typeof v !== 'string') throw new SafetensorsError(`__metadata__ '${k}' must be a string, got ${describeValue(v)}${where}`);
      }
      metadata = Object.fromEntries(Object.entries(entry)) as Record<string, string>;
      continue;
    }
    // A record keyed by tensor name must not reach a prototype (and no real checkpoint names a tensor so).
    if (name === '__proto__') throw new SafetensorsError(`a tensor named '__proto__' is not allowed${where}`);
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (!e || typeof e.dtype !== 'string' || !(e.dtype in DTYPE_BYTES))
      throw new SafetensorsError(`tensor '${name}' has unsupported dtype ${describeValue(e?.dtype)}${where}`);
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0))
      throw new SafetensorsError(`tensor '${name}' has an invalid shape ${describeValue(e.shape)}${where}`);
    if (!Array.isArray(e.data_offsets) || e.data_offsets.length !== 2 || !e.data_offsets.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new SafetensorsError(`tensor '${name}' has invalid data_offsets ${describeValue(e.data_offsets)}${where}`);
    }
    const [begin, end] = e.data_offsets as [number, number];
    const shape = e.shape as number[];
    const count = shape.reduce((a, b) => a * b, 1);
    if (!Number.isSafeInteger(count) || count > 2 ** 31) throw new SafetensorsError(`tensor '${name}' shape ${describeValue(shape)} is too large${where}`);
    const size = DTYPE_BYTES[e.dtype];
    if (end < begin || end > dataLen)
      throw new SafetensorsError(`tensor '${name}' data_offsets [${begin}, ${end}] fall outside the ${dataLen} data bytes${where}`);
    if (end - begin !== count * size)
      throw new SafetensorsError(`tensor '${name}' has ${end - begin} bytes but shape ${describeValue(shape)} of ${e.dtype} needs ${count * size}${where}`);
    ranges.push([begin, end, name]);
    const raw = bytes.slice(dataStart + begin, dataStart + end);
    // raw.byteOffset: a Node Buffer's slice() is a view, not a copy (so raw.buffer is the whole input).
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    let values: Float32Array | Int32Array;
    switch (e.dtype) {
      case 'F32':
        values = new Float32Array(count);
        for (let i = 0; i < count; i++) values[i] = dv.getFloat32(4 * i, true);
        break;
      case 'F64':
        values = new Float32Array(count);
        for (let i = 0; i < count; i++) values[i] = dv.getFloat64(8 * i, true);
        break;
      case 'F16':
        values = new Float32Array(count);
        for (let i = 0; i < count; i++) values[i] = halfToFloat(dv.getUint16(2 * i, true));
        break;
      case 'BF16':
        values = new Float32Array(count);
        for (let i = 0; i < count; i++) values[i] = bf16ToFloat(dv.getUint16(2 * i, true));
        break;
      case 'I64':
        values = new Int32Array(count);
        for (let i = 0; i < count; i++) {
          const v = dv.getBigInt64(8 * i, true);
          if (v > 2147483647n || v < -2147483648n) throw new SafetensorsError(`tensor '${name}' holds ${v}, outside int32${where}`);
          values[i] = Number(v);
        }
        break;
      case 'I32':
        values = new Int32Array(count);
        for (let i = 0; i < count; i++) values[i] = dv.getInt32(4 * i, true);
        break;
      case 'I16':
        values = new Int32Array(count);
        for (let i = 0; i < count; i++) values[i] = dv.getInt16(2 * i, true);
        break;
      case 'I8':
        values = new Int32Array(count);
        for (let i = 0; i < count; i++) values[i] = dv.getInt8(i);
        break;
      default:
        values = new Int32Array(count);
        for (let i = 0; i < count; i++) values[i] = dv.getUint8(i);
        break;
    }
    tensors[name] = tensor(values, shape);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i][0] < ranges[i - 1][1]) throw new SafetensorsError(`tensors '${ranges[i - 1][2]}' and '${ranges[i][2]}' overlap${where}`);
  }
  return { tensors, metadata };
}

/** Encodes tensors (float32 → F32, int32 → I32) with optional string metadata. Keys are written sorted. */
export function encodeSafetensors(record: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  const names = Object.keys(record).sort();
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const t = record[name];
    if (!(t instanceof Tensor)) throw new SafetensorsError(`'${name}' is not a Tensor`);
    const bytes = t.numel() * 4;
    header[name] = { dtype: t.dtype === 'int32' ? 'I32' : 'F32', shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((json.length + 8) % 8)) % 8); // align the data to 8 bytes
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const name of names) {
    const data = record[name].data();
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), pos);
    pos += data.byteLength;
  }
  return out;
}
