/**
 * The IDX format of MNIST and Fashion-MNIST: magic 0x0000 | type | ndims, big-endian int32 dims, then data.
 * Parsed defensively: the message names the file and what is wrong, never garbage images.
 */
import { DatasetFileError } from './errors.js';

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Parses an (already gunzipped) IDX file of unsigned bytes. `name` is used in errors. */
export function parseIdx(bytes: Uint8Array, name: string, expectDims?: number): IdxArray {
  if (bytes.length < 4) throw new DatasetFileError('idx', `${name}: truncated IDX file (${bytes.length} bytes, no header)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[0] !== 0 || bytes[1] !== 0)
    throw new DatasetFileError('idx', `${name}: not an IDX file (magic starts with ${bytes[0]}, ${bytes[1]} instead of 0, 0)`);
  const type = bytes[2];
  const ndims = bytes[3];
  if (type !== 0x08) throw new DatasetFileError('idx', `${name}: unsupported IDX element type 0x${type.toString(16)} (expected 0x08, unsigned bytes)`);
  if (ndims < 1 || ndims > 4) throw new DatasetFileError('idx', `${name}: IDX file with ${ndims} dims is not an image or label file`);
  if (expectDims !== undefined && ndims !== expectDims) throw new DatasetFileError('idx', `${name}: expected ${expectDims} dims, the file has ${ndims}`);
  const header = 4 + 4 * ndims;
  if (bytes.length < header) throw new DatasetFileError('idx', `${name}: truncated IDX header (${bytes.length} bytes, need ${header})`);
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < ndims; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    if (d > 1e8) throw new DatasetFileError('idx', `${name}: implausible IDX dimension ${d}`);
    dims.push(d);
    count *= d;
  }
  if (bytes.length - header < count) {
    throw new DatasetFileError('idx', `${name}: truncated IDX data (${bytes.length - header} bytes for ${dims.join('×')} = ${count} values)`);
  }
  if (bytes.length - header > count)
    throw new DatasetFileError('idx', `${name}: ${bytes.length - header - count} unexpected trailing bytes after ${dims.join('×')} values`);
  return { dims, data: bytes.subarray(header, header + count) };
}

/** Builds an IDX file (for tests and tools). */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
