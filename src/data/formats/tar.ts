/** A minimal, defensive reader of (ustar) tar archives: regular files by name. */
import { DatasetFileError } from './errors.js';

export interface TarEntry {
  name: string;
  data: Uint8Array;
}

function field(b: Uint8Array, off: number, len: number): string {
  let end = off;
  while (end < off + len && b[end] !== 0) end++;
  return new TextDecoder().decode(b.subarray(off, end));
}

/** The header checksum: the sum of its bytes with the checksum field read as spaces (unsigned, or signed by old tars). */
function checkChecksum(h: Uint8Array, off: number, name: string): void {
  const stored = field(h, 148, 8).trim();
  if (!/^[0-7]{1,7}$/.test(stored))
    throw new DatasetFileError('tar', `${name}: corrupt tar header at offset ${off} (checksum field '${stored.slice(0, 8)}' is not octal)`);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < 512; i++) {
    const b = i >= 148 && i < 156 ? 32 : h[i];
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  const want = parseInt(stored, 8);
  if (want !== unsigned && want !== signed)
    throw new DatasetFileError('tar', `${name}: corrupt tar header at offset ${off} (checksum ${want} ≠ ${unsigned}: the archive is damaged)`);
}

export function readTar(bytes: Uint8Array, name: string): TarEntry[] {
  const out: TarEntry[] = [];
  let off = 0;
  while (off + 512 <= bytes.length) {
    const header = bytes.subarray(off, off + 512);
    if (header.every((v) => v === 0)) break;
    checkChecksum(header, off, name);
    const sizeStr = field(header, 124, 12).trim();
    if (!/^[0-7]*$/.test(sizeStr)) throw new DatasetFileError('tar', `${name}: corrupt tar header at offset ${off}`);
    const size = parseInt(sizeStr || '0', 8);
    const type = String.fromCharCode(header[156] || 48);
    const prefix = field(header, 345, 155);
    const entryName = (prefix ? `${prefix}/` : '') + field(header, 0, 100);
    const start = off + 512;
    if (start + size > bytes.length) throw new DatasetFileError('tar', `${name}: truncated tar archive (entry ${entryName} needs ${size} bytes)`);
    if (type === '0' || type === '\0') out.push({ name: entryName, data: bytes.subarray(start, start + size) });
    off = start + Math.ceil(size / 512) * 512;
  }
  return out;
}
