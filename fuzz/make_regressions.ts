/**
 * Writes fuzz/regressions/TARGET/*.bin: one hostile file for every class of failure a fuzzing campaign has found
 * in these readers (2026-12-01), built on purpose so the class stays covered even as the readers change. The
 * test suite (test/fuzz.test.ts) replays every file here, and every new failure's input joins them.
 * Run: tsx fuzz/make_regressions.ts
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { encode as encodePng } from 'fast-png';
import { decodeModelProto, encodeModelProto } from '../src/io/onnx/proto.js';
import { readZip } from '../src/io/zip.js';
import { FUZZ_DIR } from './campaign.js';
import { crc32, tarChecksum, writeZip } from './structured.js';
import { concat, latin1 } from './bytes.js';

const seed = (target: string, file: string) => new Uint8Array(readFileSync(join(FUZZ_DIR, 'seeds', target, file)));
const out: Record<string, Record<string, Uint8Array>> = {};
const put = (target: string, name: string, bytes: Uint8Array) => ((out[target] ??= {})[name] = bytes);
const enc = new TextEncoder();
const op = latin1;
const cat = concat;

/** A safetensors file from a header object (as JSON text) and data bytes. */
function safetensors(headerJson: string, data = new Uint8Array(0)): Uint8Array {
  const h = enc.encode(headerJson);
  const b = cat(new Uint8Array(8), h, data);
  new DataView(b.buffer).setBigUint64(0, BigInt(h.length), true);
  return b;
}

// ---- safetensors: a tensor named __proto__, deep JSON in an error message, non-string metadata ----
put('safetensors', 'proto-tensor-name', safetensors('{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', new Uint8Array(4)));
put('safetensors', 'deep-shape', safetensors(`{"t":{"dtype":"F32","shape":${'['.repeat(5000)}${']'.repeat(5000)},"data_offsets":[0,4]}}`, new Uint8Array(4)));
put(
  'safetensors',
  'metadata-not-strings',
  safetensors('{"__metadata__":{"a":{"b":1}},"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', new Uint8Array(4)),
);

// ---- .pth: cyclic and exponentially shared pickles, deep nesting, a stride-0 view claiming billions ----
function withPickle(mutate: (pkl: Uint8Array) => Uint8Array): Uint8Array {
  const base = seed('pth', 'state_dict.pth');
  const entries = readZip(base, 'seed');
  const files: [string, Uint8Array][] = [...entries.values()].map((e) => [e.name, base.subarray(e.offset, e.offset + e.size)]);
  const i = files.findIndex(([n]) => n.endsWith('data.pkl'));
  files[i] = [files[i][0], mutate(files[i][1])];
  return writeZip(files);
}
/** {'x': hostile, 'state_dict': the original root} */
const wrapRoot = (hostile: Uint8Array) => (p: Uint8Array) =>
  cat(p.subarray(0, 2), op('}(\x8c\x01x'), hostile, op('\x8c\x0astate_dict'), p.subarray(2, p.length - 1), op('u.'));
put('pth', 'cyclic-list', withPickle(wrapRoot(op(']q\xf0h\xf0a'))));
put('pth', 'cyclic-dict', withPickle(wrapRoot(op('}q\xf0\x8c\x01kh\xf0s'))));
// x = [x, x] sixty times (POP the previous x, build the next from the memo): 2^60 leaves if walked naively.
put('pth', 'shared-2-to-the-60', withPickle(wrapRoot(cat(op(']q\xf0'), ...Array.from({ length: 60 }, () => op('0(h\xf0h\xf0lq\xf0'))))));
put('pth', 'deep-lists', withPickle(wrapRoot(cat(op(']'.repeat(100_000)), op('a'.repeat(99_999))))));
put(
  'pth',
  'proto-key',
  withPickle((p) => cat(p.subarray(0, 2), op('}(\x8c\x09__proto__'), op(']'), op('u.'))),
);
put(
  'pth',
  'stride0-billions',
  withPickle((p) => {
    // fc.weight's size (4, 12) becomes (2^26, 12) and its stride (12, 1) becomes (0, 1): 800 M values from 48.
    const s = Buffer.from(p).toString('latin1');
    const t = s.replace('K\x04K\x0c\x86', 'J\x00\x00\x00\x04K\x0c\x86').replace('K\x0cK\x01\x86', 'K\x00K\x01\x86');
    if (t === s) throw new Error('the seed changed: fc.weight size/stride not found');
    return op(t);
  }),
);

// ---- ONNX: huge pads, a graph output renamed to an initializer, MaxPool pads ≥ kernel ----
function editOnnx(file: string, edit: (m: ReturnType<typeof decodeModelProto>) => void): Uint8Array {
  const m = decodeModelProto(seed('onnx', file), 'seed');
  edit(m);
  return encodeModelProto(m);
}
put(
  'onnx',
  'huge-conv-pads',
  editOnnx('small.onnx', (m) => {
    const conv = m.graph!.node!.find((n) => n.op_type === 'Conv')!;
    conv.attribute!.find((a) => a.name === 'pads')!.ints = [30000, 30000, 30000, 30000];
  }),
);
put(
  'onnx',
  'maxpool-pads-over-kernel',
  editOnnx('small.onnx', (m) => {
    const pool = m.graph!.node!.find((n) => n.op_type === 'MaxPool')!;
    const pads = pool.attribute!.find((a) => a.name === 'pads');
    if (pads) pads.ints = [2, 2, 2, 2];
    else pool.attribute!.push({ name: 'pads', type: 7, ints: [2, 2, 2, 2] });
  }),
);
put(
  'onnx',
  'output-is-initializer',
  editOnnx('small.onnx', (m) => {
    m.graph!.output![0].name = m.graph!.initializer![0].name;
  }),
);

// ---- tar: a damaged header whose checksum no longer matches; a base-256 size ----
{
  const t = seed('tar', 'batches.tar').slice();
  t[5] ^= 0x20; // a name byte: the checksum is now wrong
  put('tar', 'bad-checksum', t);
  const u = seed('tar', 'batches.tar').slice();
  u.set([0x80, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff], 124);
  tarChecksum(u.subarray(0, 512));
  put('tar', 'base256-size', u);
}

// ---- CIFAR-100: a coarse label > 19 ----
{
  const c = seed('cifar', 'train.bin').slice();
  c[0] = 57;
  put('cifar', 'cifar100-coarse-57', c);
}

// ---- images: a decompression bomb (a PNG header claiming 16 k × 16 k over zeros), an interlaced bomb ----
{
  const png = encodePng({ width: 1, height: 1, data: new Uint8Array(4), channels: 4, depth: 8 });
  const chunk = (type: string, data: Uint8Array) => {
    const head = new Uint8Array(8);
    new DataView(head.buffer).setUint32(0, data.length);
    head.set(op(type), 4);
    const crc = new Uint8Array(4);
    new DataView(crc.buffer).setUint32(0, crc32(cat(head.subarray(4), data)));
    return cat(head, data, crc);
  };
  for (const [name, w, h, interlace] of [
    ['png-bomb-16k', 16384, 16384, 0],
    ['png-bomb-interlaced', 4096, 4096, 1],
  ] as const) {
    const ihdr = new Uint8Array(13);
    const v = new DataView(ihdr.buffer);
    v.setUint32(0, w);
    v.setUint32(4, h);
    ihdr.set([8, 6, 0, 0, interlace], 8);
    const idat = new Uint8Array(deflateSync(new Uint8Array(2 ** 22), { level: 9 }));
    put('image', name, cat(png.subarray(0, 8), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))));
  }
}

// ---- checkpoints: metadata keys that would pollute Object.prototype; fields of the wrong type ----
function editCheckpoint(edit: (metaJson: string) => string, tensorRename?: [string, string]): Uint8Array {
  const b = seed('checkpoint', 'last.ckpt.safetensors');
  const len = Number(new DataView(b.buffer).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(b.subarray(8, 8 + len)));
  header.__metadata__['convnet-ts'] = edit(header.__metadata__['convnet-ts']);
  let text = JSON.stringify(header);
  if (tensorRename) text = text.replace(`"${tensorRename[0]}"`, `"${tensorRename[1]}"`);
  return safetensors(text, b.subarray(8 + len));
}
put(
  'checkpoint',
  'proto-in-numbers',
  editCheckpoint((m) => m.replace('"numbers":{}', '"numbers":{"__proto__":{"polluted":1}}')),
);
put(
  'checkpoint',
  'proto-in-param-group',
  editCheckpoint((m) => m.replace('"paramGroups":[{', '"paramGroups":[{"__proto__":{"polluted":1},')),
);
put(
  'checkpoint',
  'proto-tensor-name',
  editCheckpoint((m) => m, ['optimizer.state.0.momentum_buffer', 'optimizer.state.__proto__.polluted']),
);
put(
  'checkpoint',
  'epoch-is-a-string',
  editCheckpoint((m) => m.replace(/"epoch":\d+/, '"epoch":"2"')),
);
put(
  'checkpoint',
  'rng-missing',
  editCheckpoint((m) => m.replace(/"rng":\{[^}]*\},/, '')),
);

for (const [target, files] of Object.entries(out)) {
  const dir = join(FUZZ_DIR, 'regressions', target);
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, `${name}.bin`), bytes);
  console.log(`${target}: ${Object.keys(files).length} regression inputs`);
}
