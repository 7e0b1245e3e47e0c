/**
 * TensorProto → values, defensively: dims, element counts and byte lengths are checked before anything is
 * allocated. Floats (f32/f64/f16/bf16) become float32 Tensors; integers and bools become HostInts (plain
 * numbers: shapes, axes and Slice's INT64_MAX "to the end" fit), turned into int32 tensors only when used as data.
 */
import { tensor } from '../../tensor/creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import { bf16ToFloat, halfToFloat } from '../half.js';
import { OnnxError } from './errors.js';
import { DType, type TensorProto } from './proto.js';

/** Integer data kept on the host (shapes, indices, axes). */
export class HostInts {
  constructor(
    readonly data: number[],
    readonly shape: number[],
  ) {}
  get size(): number {
    return this.data.length;
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Elements an initializer or constant may hold (2^31 − 1: a typed array's and the kernels' limit). */
const MAX_ELEMENTS = 2 ** 31 - 1;

const NAMES: Record<number, string> = {
  1: 'FLOAT',
  2: 'UINT8',
  3: 'INT8',
  4: 'UINT16',
  5: 'INT16',
  6: 'INT32',
  7: 'INT64',
  8: 'STRING',
  9: 'BOOL',
  10: 'FLOAT16',
  11: 'DOUBLE',
  12: 'UINT32',
  13: 'UINT64',
  14: 'COMPLEX64',
  15: 'COMPLEX128',
  16: 'BFLOAT16',
};
const BYTES: Record<number, number> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 16: 2 };

export function dtypeName(t: number | undefined): string {
  return NAMES[t ?? 0] ?? `unknown type ${t}`;
}

/** Checks dims and returns the element count. */
export function checkDims(dims: readonly number[], what: string): number {
  let n = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) throw new OnnxError(`importOnnx: ${what} has an invalid dim ${d} (shape [${dims.join(', ')}])`);
    n *= d;
    if (n > MAX_ELEMENTS) throw new OnnxError(`importOnnx: ${what} has an absurd shape [${dims.join(', ')}] (more than ${MAX_ELEMENTS} elements)`);
  }
  return n;
}

/** Decodes a TensorProto into a float32 Tensor or HostInts. */
export function decodeTensorProto(t: TensorProto, what: string): Tensor | HostInts {
  const dims = (t.dims ?? []).map(Number);
  const n = checkDims(dims, what);
  const type = t.data_type ?? 0;
  if (t.data_location === 1 || (t.external_data && t.external_data.length)) {
    throw new OnnxError(
      `importOnnx: ${what} keeps its data in an external file, which is not supported; save the model with its weights inside (onnx.save(model, path, save_as_external_data=False))`,
    );
  }
  const bytesPer = BYTES[type];
  if (bytesPer === undefined) throw new OnnxError(`importOnnx: ${what} has unsupported element type ${dtypeName(type)}`);
  const raw = t.raw_data;
  let values: ArrayLike<number>;
  if (raw && raw.length) {
    if (raw.length !== n * bytesPer) {
      throw new OnnxError(`importOnnx: ${what} has ${raw.length} bytes of data, expected ${n * bytesPer} for shape [${dims.join(', ')}] of ${dtypeName(type)}`);
    }
    values = fromRaw(raw, type, n, what);
  } else {
    const field =
      type === DType.FLOAT || type === DType.FLOAT16 || type === DType.BFLOAT16
        ? type === DType.FLOAT
          ? t.float_data
          : t.int32_data
        : type === DType.DOUBLE
          ? t.double_data
          : type === DType.INT64
            ? t.int64_data
            : t.int32_data;
    const list = field ?? [];
    if (list.length !== n) throw new OnnxError(`importOnnx: ${what} has ${list.length} values, expected ${n} for shape [${dims.join(', ')}]`);
    values =
      type === DType.FLOAT16 ? Float32Array.from(list, (h) => halfToFloat(h)) : type === DType.BFLOAT16 ? Float32Array.from(list, (h) => bf16ToFloat(h)) : list;
  }
  if (type === DType.FLOAT || type === DType.DOUBLE || type === DType.FLOAT16 || type === DType.BFLOAT16) {
    return tensor(values instanceof Float32Array ? values : Float32Array.from(values), dims);
  }
  return new HostInts(Array.from(values, Number), dims);
}

function fromRaw(raw: Uint8Array, type: number, n: number, what: string): ArrayLike<number> {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  switch (type) {
    case DType.FLOAT: {
      if (LITTLE_ENDIAN) {
        const copy = new Uint8Array(raw.length); // aligned; raw may be a view into a larger (Node Buffer) pool
        copy.set(raw);
        return new Float32Array(copy.buffer, 0, n);
      }
      return Float32Array.from({ length: n }, (_, i) => view.getFloat32(i * 4, true));
    }
    case DType.DOUBLE:
      return Float32Array.from({ length: n }, (_, i) => view.getFloat64(i * 8, true));
    case DType.FLOAT16:
      return Float32Array.from({ length: n }, (_, i) => halfToFloat(view.getUint16(i * 2, true)));
    case DType.BFLOAT16:
      return Float32Array.from({ length: n }, (_, i) => bf16ToFloat(view.getUint16(i * 2, true)));
    case DType.INT32:
      return Int32Array.from({ length: n }, (_, i) => view.getInt32(i * 4, true));
    case 12:
      return Float64Array.from({ length: n }, (_, i) => view.getUint32(i * 4, true));
    case DType.INT64:
    case 13: {
      // INT64_MAX/MIN (Slice's "to the end") become ±2^63 as doubles, which every consumer clamps.
      return Float64Array.from({ length: n }, (_, i) => Number(type === 13 ? view.getBigUint64(i * 8, true) : view.getBigInt64(i * 8, true)));
    }
    case DType.INT8:
      return Int8Array.from({ length: n }, (_, i) => view.getInt8(i));
    case DType.UINT8:
    case DType.BOOL:
      return Uint8Array.from({ length: n }, (_, i) => view.getUint8(i));
    case 4:
      return Uint16Array.from({ length: n }, (_, i) => view.getUint16(i * 2, true));
    case 5:
      return Int16Array.from({ length: n }, (_, i) => view.getInt16(i * 2, true));
    default:
      throw new OnnxError(`importOnnx: ${what} has unsupported element type ${dtypeName(type)}`);
  }
}
