/**
 * Structure-aware mutations: byte flips mostly break a container's framing (a JSON header, a zip directory, a
 * protobuf), so the reader rejects them at its door. These mutators decode the container, change one field to a
 * hostile value — a hostile key, a huge or negative dimension, deep nesting, a cyclic or exponentially shared
 * pickle, a PNG header claiming gigapixels over a zero-filled stream — and re-encode it validly.
 */
import { deflateSync } from 'node:zlib';
import { readZip } from '../src/io/zip.js';
import { decodeModelProto, encodeModelProto, type AttributeProto, type GraphProto } from '../src/io/onnx/proto.js';
import { INTERESTING } from './mutate.js';
import { concat, latin1 } from './bytes.js';

/** A small deterministic generator (mulberry32) for one mutation's choices. */
export class Rng {
  constructor(private s: number) {}
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

export type Structured = (bytes: Uint8Array, rng: Rng) => Uint8Array;

const enc = new TextEncoder();
const dec = new TextDecoder();
const DEEP = '\u0000DEEP\u0000';
const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', ''];

// ---- JSON trees (safetensors headers, checkpoint metadata) ----

function hostileValue(rng: Rng): unknown {
  return rng.pick<() => unknown>([
    () => rng.pick(INTERESTING),
    () => -rng.pick(INTERESTING),
    () => rng.pick([1.5, -0.5, 1e308, -1e308, 5e-324]),
    () => rng.pick(['', 'F32', 'x'.repeat(1000), '1']),
    () => null,
    () => rng.pick([true, false]),
    () => [],
    () => ({}),
    () => Array.from({ length: rng.pick([2, 4, 8, 64]) }, () => rng.pick(INTERESTING)),
    () => DEEP,
  ])();
}

/** Every container node of a JSON value, with the keys it holds. */
function containers(v: unknown, out: (Record<string, unknown> | unknown[])[] = [], depth = 0): (Record<string, unknown> | unknown[])[] {
  if (v && typeof v === 'object' && depth < 64) {
    out.push(v as Record<string, unknown>);
    for (const c of Object.values(v)) containers(c, out, depth + 1);
  }
  return out;
}

/** One hostile change to a JSON value (in place), then its text with deep nesting substituted. */
export function mutateJson(text: string, rng: Rng): string {
  let root: unknown;
  try {
    if (text.length > 1_000_000) return text;
    root = JSON.parse(text);
  } catch {
    return text;
  }
  const nodes = containers(root);
  if (!nodes.length) return text;
  const node = rng.pick(nodes);
  const keys = Object.keys(node);
  const op = rng.int(4);
  if (op === 0 && keys.length) {
    (node as Record<string, unknown>)[rng.pick(keys)] = hostileValue(rng);
  } else if (op === 1 && keys.length && !Array.isArray(node)) {
    // Rename a key to one that reaches a prototype when merged (an own property, as JSON.parse makes it).
    const k = rng.pick(keys);
    const v = (node as Record<string, unknown>)[k];
    delete (node as Record<string, unknown>)[k];
    Object.defineProperty(node, rng.pick(HOSTILE_KEYS), { value: v, enumerable: true, writable: true, configurable: true });
  } else if (op === 2 && keys.length) {
    if (Array.isArray(node)) node.splice(rng.int(node.length), 1);
    else delete (node as Record<string, unknown>)[rng.pick(keys)];
  } else if (!Array.isArray(node)) {
    Object.defineProperty(node, rng.pick([...HOSTILE_KEYS, 'extra', 'model.x']), {
      value: hostileValue(rng),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else node.push(hostileValue(rng));
  const depth = rng.pick([50, 1000, 20000]);
  try {
    return JSON.stringify(root).replaceAll(JSON.stringify(DEEP), '['.repeat(depth) + ']'.repeat(depth));
  } catch {
    return text; // already nested too deep to re-serialize
  }
}

/** safetensors: mutate the JSON header (or, for a checkpoint, often the training metadata inside it). */
export function safetensorsStructured(nestedKey?: string): Structured {
  return (bytes, rng) => {
    if (bytes.length < 8) return bytes;
    const len = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    if (len > bytes.length - 8) return bytes;
    let header = dec.decode(bytes.subarray(8, 8 + len));
    if (nestedKey && rng.chance(0.7)) {
      try {
        const h = JSON.parse(header);
        const inner = h?.__metadata__?.[nestedKey];
        if (typeof inner === 'string') {
          h.__metadata__[nestedKey] = mutateJson(inner, rng);
          header = JSON.stringify(h);
        }
      } catch {
        /* leave it */
      }
    } else header = mutateJson(header, rng);
    const h = enc.encode(header);
    const out = concat(new Uint8Array(8), h, bytes.subarray(8 + len));
    new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
    return out;
  };
}

// ---- .pth: the pickle inside the zip ----

const crcTable = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
export function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = crcTable[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A zip archive of stored entries, as torch.save writes it. */
export function writeZip(files: [string, Uint8Array][]): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let off = 0;
  for (const [name, data] of files) {
    const n = enc.encode(name);
    const local = new Uint8Array(30 + n.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint32(14, crc32(data), true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, n.length, true);
    local.set(n, 30);
    const c = new Uint8Array(46 + n.length);
    const cv = new DataView(c.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint32(16, crc32(data), true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, n.length, true);
    cv.setUint32(42, off, true);
    c.set(n, 46);
    parts.push(local, data);
    central.push(c);
    off += local.length + data.length;
  }
  const cd = concat(...central);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, files.length, true);
  ev.setUint16(10, files.length, true);
  ev.setUint32(12, cd.length, true);
  ev.setUint32(16, off, true);
  return concat(...parts, cd, end);
}

const op = latin1;

/** Pickle snippets that build hostile objects: deep nesting, cycles, exponential sharing. */
function hostilePickle(rng: Rng): Uint8Array {
  const d = rng.pick([100, 5000, 100_000]);
  switch (rng.int(5)) {
    case 0: // [[[[…]]]] d deep
      return concat(op(']'.repeat(d)), op('a'.repeat(d - 1)));
    case 1: // (((( … )))) tuples d deep
      return concat(op(')'), op('\x85'.repeat(d)));
    // Memo slot 0xf0: above the seeds' own slots, which the original pickle still uses after the snippet.
    case 2: // L = [L]
      return op(']q\xf0h\xf0a');
    case 3: // D = {'k': D}
      return op('}q\xf0\x8c\x01kh\xf0s');
    default: {
      // x = [x, x] sixty times: 2^60 leaves if anything walks it without remembering what it saw.
      const parts = [op(']q\xf0')];
      for (let i = 0; i < 60; i++) parts.push(op('0(h\xf0h\xf0lq\xf0'));
      return concat(...parts);
    }
  }
}

/** Replaces the pickle's root by {'x': hostile, 'state_dict': root}, or mutates the pickle's bytes; re-zips. */
export const pthStructured: Structured = (bytes, rng) => {
  let entries;
  try {
    entries = readZip(bytes, 'seed');
  } catch {
    return bytes;
  }
  const files: [string, Uint8Array][] = [...entries.values()].map((e) => [e.name, bytes.subarray(e.offset, e.offset + e.size)]);
  const pkl = files.find(([n]) => n.endsWith('data.pkl'));
  if (!pkl) return bytes;
  let p = pkl[1];
  if (rng.chance(0.5) && p.length > 3 && p[0] === 0x80 && p[p.length - 1] === 0x2e) {
    const body = p.subarray(2, p.length - 1);
    p = concat(p.subarray(0, 2), op('}(\x8c\x01x'), hostilePickle(rng), op('\x8c\x0astate_dict'), body, op('u.'));
  } else {
    // Retarget an integer argument (sizes, strides, offsets, memo ids): BININT1 'K', BININT2 'M', BININT 'J'.
    const ints: number[] = [];
    for (let i = 0; i < p.length; i++) if (p[i] === 0x4b || p[i] === 0x4d || p[i] === 0x4a || p[i] === 0x68 || p[i] === 0x71) ints.push(i);
    if (!ints.length) return bytes;
    const at = rng.pick(ints);
    const v = rng.pick(INTERESTING);
    p = p.slice();
    if (p[at] === 0x4a && at + 5 <= p.length) new DataView(p.buffer).setInt32(at + 1, v | 0, true);
    else if (at + 1 < p.length) p[at + 1] = rng.chance(0.5) ? 0 : v & 0xff;
  }
  pkl[1] = p;
  return writeZip(files);
};

// ---- ONNX: the protobuf tree ----

const OPS = [
  'Conv',
  'MaxPool',
  'AveragePool',
  'Gemm',
  'Relu',
  'Reshape',
  'Flatten',
  'Pad',
  'Concat',
  'Add',
  'BatchNormalization',
  'GlobalAveragePool',
  'Expand',
  'Tile',
  'Slice',
];

export const onnxStructured: Structured = (bytes, rng) => {
  let model;
  try {
    model = decodeModelProto(bytes, 'seed');
  } catch {
    return bytes;
  }
  const graph = model.graph as GraphProto | undefined;
  if (!graph) return bytes;
  const nodes = graph.node ?? [];
  const inits = graph.initializer ?? [];
  const choice = rng.int(5);
  if (choice === 0 && nodes.length) {
    const attrs = nodes.flatMap((n) => n.attribute ?? []).filter((a: AttributeProto) => a.ints?.length || a.i !== undefined);
    if (!attrs.length) return bytes;
    const a = rng.pick(attrs);
    const v = rng.chance(0.5) ? rng.pick(INTERESTING) : rng.pick([0, 1, 2, 3, 5, 100, 1000, -2]);
    if (a.ints?.length) a.ints[rng.int(a.ints.length)] = v;
    else a.i = v;
  } else if (choice === 1 && inits.length) {
    const t = rng.pick(inits);
    if (t.dims?.length) t.dims[rng.int(t.dims.length)] = rng.pick(INTERESTING);
  } else if (choice === 2 && graph.output?.length) {
    // A graph output renamed to an initializer, an input or another node's value.
    const names = [...inits.map((t) => t.name ?? ''), ...nodes.flatMap((n) => n.output ?? []), ...(graph.input ?? []).map((i) => i.name ?? '')];
    rng.pick(graph.output).name = rng.pick(names);
  } else if (choice === 3 && nodes.length) {
    rng.pick(nodes).op_type = rng.pick(OPS);
  } else if (nodes.length) {
    const n = rng.pick(nodes);
    const all = nodes.flatMap((x) => x.output ?? []);
    if (n.input?.length) n.input[rng.int(n.input.length)] = rng.pick([...all, '', ...inits.map((t) => t.name ?? '')]);
  }
  try {
    return encodeModelProto(model);
  } catch {
    return bytes;
  }
};

// ---- tar: header fields with a valid checksum ----

export function tarChecksum(h: Uint8Array): void {
  h.fill(32, 148, 156);
  const sum = h.reduce((a, b) => a + b, 0);
  h.set(enc.encode(`${sum.toString(8).padStart(6, '0')}\0 `), 148);
}

export const tarStructured: Structured = (bytes, rng) => {
  const headers: number[] = [];
  let off = 0;
  while (off + 512 <= bytes.length && bytes[off] !== 0) {
    headers.push(off);
    const size = Math.max(0, parseInt(dec.decode(bytes.subarray(off + 124, off + 135)), 8) || 0);
    off += 512 + Math.ceil(size / 512) * 512; // always forward: a negative size must not loop
  }
  if (!headers.length) return bytes;
  const out = bytes.slice();
  const at = rng.pick(headers);
  const h = out.subarray(at, at + 512);
  switch (rng.int(4)) {
    case 0:
      h.set(enc.encode(rng.pick(INTERESTING).toString(8).padStart(11, '0').slice(-11)), 124);
      break;
    case 1:
      h[156] = rng.pick([0x30, 0x35, 0x4c, 0x78, 0x67, 0x00, 0x31, 0x32]); // file, dir, GNU long name, pax, …
      break;
    case 2:
      h.set(enc.encode(rng.pick(['../../etc/passwd', '/abs/path', 'a'.repeat(100), '__proto__', ''].map((s) => s.padEnd(100, '\0')))), 0);
      break;
    default:
      h[124] = 0x80; // base-256 size (GNU extension)
  }
  if (rng.chance(0.9)) tarChecksum(h);
  return out;
};

// ---- images: PNG chunks with valid CRCs; JPEG frame sizes ----

function pngChunks(b: Uint8Array): { type: string; data: Uint8Array }[] | null {
  const out: { type: string; data: Uint8Array }[] = [];
  let p = 8;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  while (p + 12 <= b.length) {
    const len = v.getUint32(p);
    if (p + 12 + len > b.length) return null;
    out.push({ type: String.fromCharCode(...b.subarray(p + 4, p + 8)), data: b.slice(p + 8, p + 8 + len) });
    p += 12 + len;
  }
  return out;
}

function writePng(chunks: { type: string; data: Uint8Array }[]): Uint8Array {
  const parts: Uint8Array[] = [Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])];
  for (const c of chunks) {
    const head = new Uint8Array(8);
    new DataView(head.buffer).setUint32(0, c.data.length);
    head.set(op(c.type), 4);
    const crc = new Uint8Array(4);
    new DataView(crc.buffer).setUint32(0, crc32(concat(head.subarray(4), c.data)));
    parts.push(head, c.data, crc);
  }
  return concat(...parts);
}

export const imageStructured: Structured = (bytes, rng) => {
  if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    // JPEG: the first frame header's height/width.
    for (let i = 2; i + 9 < bytes.length; i++) {
      if (bytes[i] === 0xff && bytes[i + 1] >= 0xc0 && bytes[i + 1] <= 0xc2) {
        const out = bytes.slice();
        new DataView(out.buffer).setUint16(i + 5 + rng.int(2) * 2, rng.pick([0, 1, 0xffff, 8192, 4096, 3]));
        return out;
      }
    }
    return bytes;
  }
  const chunks = pngChunks(bytes);
  const ihdr = chunks?.find((c) => c.type === 'IHDR');
  if (!chunks || !ihdr || ihdr.data.length < 13) return bytes;
  const hv = new DataView(ihdr.data.buffer);
  switch (rng.int(4)) {
    case 0:
      hv.setUint32(rng.int(2) * 4, rng.pick([0, 1, 3, 1000, 4096, 65535, 2 ** 31 - 1, 2 ** 32 - 1]));
      break;
    case 1: // bit depth, colour type, interlace: combinations valid and not
      ihdr.data[8 + rng.int(5)] = rng.pick([0, 1, 2, 3, 4, 6, 8, 16, 255]);
      break;
    case 2: {
      // A decompression bomb: a header claiming a large image over a stream of zeros of that size.
      const w = rng.pick([1024, 2048, 4096, 8192]);
      const h = rng.pick([1024, 2048, 4096]);
      hv.setUint32(0, w);
      hv.setUint32(4, h);
      ihdr.data[8] = 8;
      ihdr.data[9] = rng.pick([0, 2, 6]);
      ihdr.data[12] = rng.pick([0, 1]);
      const idat = deflateSync(new Uint8Array(Math.min(w * h, 2 ** 24)), { level: 9 });
      return writePng([ihdr, { type: 'IDAT', data: new Uint8Array(idat) }, { type: 'IEND', data: new Uint8Array(0) }]);
    }
    default: {
      // Truncate or drop the image data.
      const i = chunks.findIndex((c) => c.type === 'IDAT');
      if (i >= 0) chunks[i].data = chunks[i].data.subarray(0, rng.int(chunks[i].data.length + 1));
    }
  }
  return writePng(chunks);
};
