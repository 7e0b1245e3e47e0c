/**
 * A defensive reader of ZIP archives as torch.save writes them (entries stored uncompressed, zip64 records for
 * large files). Every offset and size is checked against the buffer before use; anything malformed is a ZipError
 * naming the file and what was wrong. Deflated entries are refused: torch.save never writes them.
 */
import { FormatError } from './format_error.js';

export class ZipError extends FormatError {
  constructor(message: string) {
    super('pth', message);
    this.name = 'ZipError';
  }
}

export interface ZipEntry {
  name: string;
  /** Byte offset of the entry's data in the archive. */
  offset: number;
  size: number;
}

const EOCD = 0x06054b50;
const EOCD64_LOCATOR = 0x07064b50;
const EOCD64 = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** Entries an archive may list before we call it absurd (a state dict has one per tensor storage). */
const MAX_ENTRIES = 1_000_000;

function u64(view: DataView, at: number, what: string): number {
  const lo = view.getUint32(at, true);
  const hi = view.getUint32(at + 4, true);
  if (hi > 0x1fffff) throw new ZipError(`${what} is too large (${hi} * 2^32)`);
  return hi * 2 ** 32 + lo;
}

/** Lists the entries of the archive in `bytes`; `name` is used in error messages. */
export function readZip(bytes: Uint8Array, name = 'archive'): Map<string, ZipEntry> {
  const fail = (msg: string): never => {
    throw new ZipError(`${name}: not a valid zip archive (${msg})`);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.byteLength;
  if (n < 22) fail(`${n} bytes, shorter than an end-of-central-directory record`);
  // The end record is in the last 22 + 65535 bytes (its comment is at most 64 KiB).
  let eocd = -1;
  for (let i = n - 22; i >= Math.max(0, n - 22 - 65535); i--) {
    if (view.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) fail('no end-of-central-directory record; truncated, or not a zip file');
  let count = view.getUint16(eocd + 10, true);
  let cdSize = view.getUint32(eocd + 12, true);
  let cdOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || view.getUint32(loc, true) !== EOCD64_LOCATOR) fail('zip64 sizes without a zip64 locator');
    const rec = u64(view, loc + 8, 'zip64 record offset');
    if (rec + 56 > n || view.getUint32(rec, true) !== EOCD64) fail('zip64 end record missing or out of bounds');
    count = u64(view, rec + 32, 'entry count');
    cdSize = u64(view, rec + 40, 'central directory size');
    cdOffset = u64(view, rec + 48, 'central directory offset');
  }
  if (count > MAX_ENTRIES) fail(`${count} entries`);
  if (cdOffset + cdSize > n) fail(`central directory at ${cdOffset} (+${cdSize} bytes) is beyond the ${n}-byte file`);
  const entries = new Map<string, ZipEntry>();
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let p = cdOffset;
  for (let e = 0; e < count; e++) {
    if (p + 46 > n || view.getUint32(p, true) !== CENTRAL) fail(`central directory entry ${e} is malformed`);
    const method = view.getUint16(p + 10, true);
    let compressed = view.getUint32(p + 20, true);
    let size = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    let local = view.getUint32(p + 42, true);
    if (p + 46 + nameLen + extraLen + commentLen > n) fail(`central directory entry ${e} runs past the end`);
    const entryName = decoder.decode(bytes.subarray(p + 46, p + 46 + nameLen));
    // zip64 extra field (id 1): the 64-bit values, in this order, for those stored as 0xffffffff.
    let x = p + 46 + nameLen;
    const xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      const id = view.getUint16(x, true);
      const len = view.getUint16(x + 2, true);
      if (x + 4 + len > xEnd) fail(`extra field of '${entryName}' runs past its entry`);
      if (id === 1) {
        let q = x + 4;
        const take = (what: string) => {
          if (q + 8 > x + 4 + len) fail(`zip64 field of '${entryName}' is short`);
          const v = u64(view, q, what);
          q += 8;
          return v;
        };
        if (size === 0xffffffff) size = take('size');
        if (compressed === 0xffffffff) compressed = take('compressed size');
        if (local === 0xffffffff) local = take('local header offset');
      }
      x += 4 + len;
    }
    if (method !== 0) {
      throw new ZipError(
        `${name}: entry '${entryName}' is compressed (method ${method}); torch.save writes stored entries, re-save the checkpoint with torch.save`,
      );
    }
    if (compressed !== size) fail(`stored entry '${entryName}' has compressed size ${compressed} ≠ size ${size}`);
    if (local + 30 > n || view.getUint32(local, true) !== LOCAL) fail(`local header of '${entryName}' missing at ${local}`);
    const dataStart = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (dataStart + size > n) fail(`data of '${entryName}' (${size} bytes at ${dataStart}) is beyond the ${n}-byte file; truncated?`);
    entries.set(entryName, { name: entryName, offset: dataStart, size });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}
