/** Datasets in their real formats (from small generated files), corrupt-file errors, transforms and the DataLoader. */
import { mkdirSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encode as encodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import * as ct from '../src/index.js';
import { data } from '../src/index.js';
import { tempDir } from './helpers/tmp.js';
import { cifar10Archive, writeCifar10, writeMnist } from './helpers/synthetic.js';

const T = data.transforms;
const dir = tempDir('data');

describe('IDX (MNIST format)', () => {
  it('round-trips and checks every header field', () => {
    const img = data.encodeIdx(
      [2, 3, 3],
      Uint8Array.from({ length: 18 }, (_, i) => i),
    );
    const parsed = data.parseIdx(img, 'x', 3);
    expect(parsed.dims).toEqual([2, 3, 3]);
    expect([...parsed.data]).toEqual(Array.from({ length: 18 }, (_, i) => i));
    expect(() => data.parseIdx(img.subarray(0, 20), 'f.idx')).toThrow('f.idx: truncated IDX data (4 bytes for 2×3×3 = 18 values)');
    expect(() => data.parseIdx(img.subarray(0, 2), 'f.idx')).toThrow(/f.idx: truncated IDX file/);
    const bad = img.slice();
    bad[0] = 7;
    expect(() => data.parseIdx(bad, 'f.idx')).toThrow(/f.idx: not an IDX file/);
    const badType = img.slice();
    badType[2] = 0x0d;
    expect(() => data.parseIdx(badType, 'f.idx')).toThrow(/unsupported IDX element type 0xd/);
    expect(() => data.parseIdx(img, 'f.idx', 1)).toThrow(/expected 1 dims, the file has 3/);
    const trailing = new Uint8Array(img.length + 3);
    trailing.set(img);
    expect(() => data.parseIdx(trailing, 'f.idx')).toThrow(/3 unexpected trailing bytes/);
  });
  it('loads MNIST from a folder of gzipped IDX files', async () => {
    const root = join(dir, 'mnist');
    writeMnist(root, 50, 20);
    const train = await data.mnist({ root });
    const test = await data.mnist({ root, train: false });
    expect(train.length).toBe(50);
    expect(test.length).toBe(20);
    expect(train.sampleShape).toEqual([1, 28, 28]);
    expect(train.classes).toEqual(data.MNIST_CLASSES);
    const b = train.getBatch([0, 11]);
    expect(b.shape).toEqual([2, 1, 28, 28]);
    expect([...b.y]).toEqual([0, 1]);
    expect(Math.max(...b.x)).toBeLessThanOrEqual(1);
  });
  it('the bundled MNIST is the real one (60,000 + 10,000, first labels 5 0 4 1 9)', async () => {
    const train = await data.mnist();
    expect(train.length).toBe(60000);
    expect([...train.getBatch([0, 1, 2, 3, 4]).y]).toEqual([5, 0, 4, 1, 9]);
    expect((await data.mnist({ train: false })).length).toBe(10000);
  });
  it('corrupt, truncated or missing files give errors naming the file', async () => {
    const root = join(dir, 'bad-mnist');
    writeMnist(root, 10, 10);
    const gz = join(root, 'train-images-idx3-ubyte.gz');
    const noisy = gzipSync(
      data.encodeIdx(
        [10, 28, 28],
        Uint8Array.from({ length: 10 * 784 }, (_, i) => (i * 7919) % 251),
      ),
    );
    writeFileSync(gz, noisy.subarray(0, noisy.length >> 1));
    await expect(data.mnist({ root })).rejects.toThrow(`${gz} is a corrupt or truncated gzip file`);
    writeFileSync(gz, Buffer.from('not gzip at all, just text......'));
    await expect(data.mnist({ root })).rejects.toThrow(`${gz} is not a gzip file (bad magic bytes)`);
    writeFileSync(gz, gzipSync(data.encodeIdx([10, 28, 28], new Uint8Array(10 * 784 - 5))));
    await expect(data.mnist({ root })).rejects.toThrow(/train-images-idx3-ubyte: truncated IDX data/);
    writeFileSync(gz, gzipSync(data.encodeIdx([12, 28, 28], new Uint8Array(12 * 784))));
    await expect(data.mnist({ root })).rejects.toThrow(/12 images but 10 labels/);
    await expect(data.mnist({ root: join(dir, 'nowhere') })).rejects.toThrow(/train-images-idx3-ubyte.gz not found in .*nowhere \(pass download: true/);
  });
  it('downloading while offline fails with the folder to put the files in', async () => {
    const root = join(dir, 'fashion');
    await expect(data.fashionMnist({ root, download: true })).rejects.toThrow(
      new RegExp(`cannot download .*train-images-idx3-ubyte.gz.*; put the files in ${root}`),
    );
  }, 300_000);
});

describe('CIFAR binary', () => {
  it('loads .bin files from the folder or its cifar-10-batches-bin sub-folder, gzipped or not', async () => {
    const a = join(dir, 'c10a');
    writeCifar10(a, 8);
    const train = await data.cifar10({ root: a });
    expect(train.length).toBe(40);
    expect(train.sampleShape).toEqual([3, 32, 32]);
    expect(train.classes![0]).toBe('airplane');
    const b = join(dir, 'c10b');
    writeCifar10(join(b, 'cifar-10-batches-bin'), 4, { gzip: true });
    expect((await data.cifar10({ root: b, train: false })).length).toBe(4);
  });
  it('loads CIFAR-100 (coarse + fine label bytes) from train.bin/test.bin', async () => {
    const root = join(dir, 'c100', 'cifar-100-binary');
    mkdirSync(root, { recursive: true });
    const imgs = new Uint8Array(3 * 3072).fill(9);
    const rec = data.encodeCifar(imgs, [5, 99, 42], 'cifar100');
    writeFileSync(join(root, 'train.bin'), rec);
    writeFileSync(join(root, 'test.bin'), rec.subarray(0, 3074));
    const ds = await data.cifar100({ root: join(dir, 'c100') });
    expect(ds.length).toBe(3);
    expect([...ds.getBatch([0, 1, 2]).y]).toEqual([5, 99, 42]);
    expect((await data.cifar100({ root: join(dir, 'c100'), train: false })).length).toBe(1);
  });
  it('a missing CIFAR folder explains where to put files; downloading offline fails clearly', async () => {
    await expect(data.cifar10({ root: join(dir, 'no-cifar') })).rejects.toThrow(/data_batch_1.bin not found in .*no-cifar or .*cifar-10-batches-bin/);
    await expect(data.cifar10({ root: join(dir, 'no-cifar'), download: true })).rejects.toThrow(
      /cannot download https:\/\/www.cs.toronto.edu\/~kriz\/cifar-10-binary.tar.gz .*; put the files in/,
    );
  }, 300_000);
  it('rejects truncated files and impossible labels', () => {
    const rec = data.encodeCifar(new Uint8Array(3072 * 2), [1, 2], 'cifar10');
    expect(() => data.parseCifar(rec.subarray(0, 5000), 'b.bin', 'cifar10')).toThrow(
      'b.bin: 5000 bytes is not a whole number of cifar10 records of 3073 bytes',
    );
    const bad = rec.slice();
    bad[3073] = 42;
    expect(() => data.parseCifar(bad, 'b.bin', 'cifar10')).toThrow(/record 1 has label 42, outside 0..9/);
    const c100 = data.parseCifar(data.encodeCifar(new Uint8Array(3072), [77], 'cifar100'), 'c.bin', 'cifar100');
    expect([...c100.labels]).toEqual([77]);
  });
  it('reads CIFAR-10 from the official archive given as bytes, a Blob or a file: URL, in memory', async () => {
    const archive = cifar10Archive(3);
    const fromBytes = await data.cifar10({ archive, train: false });
    expect(fromBytes.length).toBe(3);
    expect((await data.cifar10({ archive: new Blob([archive]) })).length).toBe(15);
    const file = join(dir, 'cifar-10-binary.tar.gz');
    writeFileSync(file, archive);
    const fromUrl = await data.cifar10({ archive: pathToFileURL(file), train: false });
    expect([...fromUrl.getBatch([0, 1, 2]).y]).toEqual([...fromBytes.getBatch([0, 1, 2]).y]);
    await expect(data.cifar100({ archive })).rejects.toThrow(
      /cifar100: the archive .* has no train.bin \(is it the binary version, cifar-100-binary.tar.gz\?\)/,
    );
  });
  it('reads MNIST from files given by name (File objects from a picker, bytes), gzipped or not', async () => {
    const src = join(dir, 'mnist-files');
    writeMnist(src, 6, 4);
    const names = readdirSync(src);
    const files = Object.fromEntries(names.map((n) => [n, new Blob([readFileSync(join(src, n))])]));
    const ds = await data.mnist({ files, train: false });
    expect(ds.length).toBe(4);
    await expect(data.mnist({ files: { 'x.gz': new Uint8Array(1) } })).rejects.toThrow(/mnist: train-images-idx3-ubyte.gz not found in the given files/);
  });
  it('reads tar archives (the official CIFAR download) defensively', () => {
    const header = new Uint8Array(512);
    const enc = new TextEncoder();
    header.set(enc.encode('cifar-10-batches-bin/test_batch.bin'), 0);
    header.set(enc.encode('00000000005\0'), 124);
    header[156] = 48;
    header.fill(32, 148, 156); // the checksum counts its own field as spaces
    header.set(
      enc.encode(
        `${header
          .reduce((a, b) => a + b, 0)
          .toString(8)
          .padStart(6, '0')}\0 `,
      ),
      148,
    );
    const tar = new Uint8Array(512 * 4);
    tar.set(header, 0);
    tar.set([1, 2, 3, 4, 5], 512);
    const entries = data.readTar(tar, 't.tar');
    expect(entries.map((e) => [e.name, [...e.data]])).toEqual([['cifar-10-batches-bin/test_batch.bin', [1, 2, 3, 4, 5]]]);
    expect(() => data.readTar(tar.subarray(0, 515), 't.tar')).toThrow(/truncated tar archive/);
    // A damaged header (one byte of the name) no longer matches its checksum.
    const damaged = tar.slice();
    damaged[3] ^= 1;
    expect(() => data.readTar(damaged, 't.tar')).toThrow(/t\.tar: corrupt tar header at offset 0 \(checksum \d+ ≠ \d+/);
  });
});

describe('ImageFolder', () => {
  const root = join(dir, 'folder');
  const writePng = (path: string, w: number, h: number, v: number) => {
    const rgba = new Uint8Array(w * h * 4).fill(v);
    for (let i = 3; i < rgba.length; i += 4) rgba[i] = 255;
    writeFileSync(path, encodePng({ width: w, height: h, data: rgba, channels: 4, depth: 8 }));
  };
  const writeJpeg = (path: string, w: number, h: number, v: number) => {
    const raw = Buffer.alloc(w * h * 4, v);
    writeFileSync(path, jpeg.encode({ data: raw, width: w, height: h }, 95).data);
  };
  it('reads one sub-folder per class of PNG and JPEG files', async () => {
    mkdirSync(join(root, 'cat'), { recursive: true });
    mkdirSync(join(root, 'dog'), { recursive: true });
    writePng(join(root, 'cat', 'a.png'), 8, 6, 200);
    writeJpeg(join(root, 'dog', 'b.jpg'), 8, 6, 50);
    writePng(join(root, 'dog', 'c.png'), 8, 6, 10);
    const ds = await data.imageFolder(root);
    expect(ds.classes).toEqual(['cat', 'dog']);
    expect(ds.length).toBe(3);
    expect(ds.sampleShape).toEqual([3, 6, 8]);
    const b = ds.getBatch([0, 1]);
    expect([...b.y]).toEqual([0, 1]);
    expect(b.x[0]).toBeCloseTo(200 / 255, 5);
    expect(Math.abs(b.x[3 * 48] - 50 / 255)).toBeLessThan(0.02);
    const gray = await data.imageFolder(root, { mode: 'grayscale', size: [4, 4] });
    expect(gray.sampleShape).toEqual([1, 4, 4]);
  });
  it('names the file that is corrupt or has another size', async () => {
    writePng(join(root, 'dog', 'd.png'), 5, 5, 1);
    await expect(data.imageFolder(root)).rejects.toThrow(/d.png is 5×5 but earlier images are 8×6; pass size to resize/);
    writeFileSync(join(root, 'dog', 'd.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]));
    await expect(data.imageFolder(root, { size: [6, 8] })).rejects.toThrow(/d.png: cannot decode image/);
    await expect(data.imageFolder(join(dir, 'empty-nothing'))).rejects.toThrow(/imageFolder: cannot list/);
  });
});

describe('transforms', () => {
  const batch = (): data.Batch => ({ x: Float32Array.from({ length: 2 * 1 * 4 * 4 }, (_, i) => (i % 16) / 16), shape: [2, 1, 4, 4], y: new Int32Array(2) });
  const g = () => new ct.Generator(3);
  it('normalize and pad', () => {
    const n = T.normalize([0.5], [0.25]).apply(batch(), g());
    expect(n.x[0]).toBeCloseTo(-2, 6);
    const p = T.pad(2).apply(batch(), g());
    expect(p.shape).toEqual([2, 1, 8, 8]);
    expect(p.x[2 * 8 + 2]).toBe(0);
    expect(p.x[2 * 8 + 3]).toBeCloseTo(1 / 16, 6);
  });
  it('flip, crop, translate, rotation, resized crop keep shapes; flip(p=1) mirrors; rotation(0) is identity', () => {
    const f = T.randomHorizontalFlip(1).apply(batch(), g());
    expect(f.x[0]).toBeCloseTo(3 / 16, 6);
    expect(T.randomCrop(3, { padding: 1 }).apply(batch(), g()).shape).toEqual([2, 1, 3, 3]);
    expect(T.randomTranslate(0).apply(batch(), g()).x).toEqual(batch().x);
    const r0 = T.randomRotation(0).apply(batch(), g()).x;
    batch().x.forEach((v, i) => expect(r0[i]).toBeCloseTo(v, 5));
    expect(T.randomResizedCrop(6).apply(batch(), g()).shape).toEqual([2, 1, 6, 6]);
  });
  it('jitter, noise, erasing and cutout change values within range', () => {
    const rgb: data.Batch = { x: new Float32Array(1 * 3 * 4 * 4).fill(0.5), shape: [1, 3, 4, 4], y: new Int32Array(1) };
    const j = T.colorJitter({ brightness: 0.5, contrast: 0.5, saturation: 0.5 }).apply(rgb, g());
    expect(j.x.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(T.gaussianNoise(0.1).apply(batch(), g()).x).not.toEqual(batch().x);
    const ones: data.Batch = { x: new Float32Array(16 * 16).fill(1), shape: [1, 1, 16, 16], y: new Int32Array(1) };
    expect(
      T.cutout(4)
        .apply(ones, g())
        .x.filter((v) => v === 0).length,
    ).toBeGreaterThan(0);
    expect(
      T.randomErasing({ p: 1 })
        .apply(ones, g())
        .x.filter((v) => v === 0).length,
    ).toBeGreaterThan(0);
  });
  it('the same seed gives the same augmentation', () => {
    const t = T.compose(T.randomTranslate(1), T.randomHorizontalFlip(), T.gaussianNoise(0.1));
    expect(t.apply(batch(), new ct.Generator(9)).x).toEqual(t.apply(batch(), new ct.Generator(9)).x);
    expect(t.name).toBe('randomTranslate(1) → randomHorizontalFlip(0.5) → gaussianNoise(0.1)');
  });
});

describe('DataLoader and splits', () => {
  const ds = new data.TensorDataset(ct.arange(0, 10).float().reshape(10, 1), ct.arange(10));
  it('batches, drops the last partial batch on request, and covers every sample once per epoch', () => {
    const l = new data.DataLoader(ds, { batchSize: 4, shuffle: true, seed: 1 });
    expect(l.length).toBe(3);
    const seen = [...l.iterEpoch(0)].flatMap((b) => [...(b.y.data() as Int32Array)]);
    expect([...seen].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(new data.DataLoader(ds, { batchSize: 4, dropLast: true }).length).toBe(2);
    expect([...new data.DataLoader(ds, { batchSize: 4 })][2].x.shape).toEqual([2, 1]);
  });
  it('shuffles reproducibly per (seed, epoch) and differently across epochs', () => {
    const order = (seed: number, epoch: number) => [...new data.DataLoader(ds, { batchSize: 10, shuffle: true, seed }).iterEpoch(epoch)][0].y.toArray();
    expect(order(1, 0)).toEqual(order(1, 0));
    expect(order(1, 0)).not.toEqual(order(1, 1));
    expect(order(1, 0)).not.toEqual(order(2, 0));
  });
  it('randomSplit makes disjoint, seeded subsets', () => {
    const [a, b] = data.randomSplit(ds, [7, 3], { seed: 5 });
    const ids = [...a.indices, ...b.indices].sort((x, y) => x - y);
    expect(ids).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(data.randomSplit(ds, [7, 3], { seed: 5 })[1].indices).toEqual(b.indices);
    expect(data.randomSplit(ds, [0.8, 0.2])[0].length).toBe(8);
    expect(() => data.randomSplit(ds, [5, 6])).toThrow(/must be non-negative integers summing to 10/);
  });
  it('rejects bad arguments', () => {
    expect(() => new data.DataLoader(ds, { batchSize: 0 })).toThrow(/batchSize must be a positive integer/);
    expect(() => ds.getBatch([10])).toThrow(/index 10 is out of range for a dataset of 10 samples/);
    expect(() => new data.TensorDataset(ct.zeros(3, 2), ct.zeros(3))).toThrow(/labels must be int32/);
  });
});

describe('safetensors', () => {
  const record = () => ({ 'layer.weight': ct.randn(3, 4), 'layer.bias': ct.randn(4), count: ct.tensor([7], undefined, { dtype: 'int32' }) });
  it('round-trips tensors and metadata, through bytes and files', async () => {
    const r = record();
    const bytes = ct.io.encodeSafetensors(r, { note: 'hi' });
    const back = ct.io.decodeSafetensors(bytes);
    expect(back.metadata).toEqual({ note: 'hi' });
    for (const [k, v] of Object.entries(r)) expect(back.tensors[k].toArray()).toEqual(v.toArray());
    expect(back.tensors.count.dtype).toBe('int32');
    const path = join(dir, 'w.safetensors');
    await ct.io.saveSafetensors(path, r);
    expect((await ct.io.loadSafetensors(path))['layer.weight'].toArray()).toEqual(r['layer.weight'].toArray());
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
  it('decodes a Node Buffer (readFileSync) and a view into a larger buffer, not only a fresh Uint8Array', async () => {
    const r = record();
    const path = join(dir, 'buf.safetensors');
    await ct.io.saveSafetensors(path, r);
    // A Buffer's slice() is a view: reading tensor data must respect byteOffset.
    const fromBuffer = ct.io.decodeSafetensors(readFileSync(path)).tensors;
    for (const [k, v] of Object.entries(r)) expect(fromBuffer[k].toArray(), k).toEqual(v.toArray());
    const bytes = ct.io.encodeSafetensors(r);
    const padded = new Uint8Array(bytes.length + 13);
    padded.set(bytes, 13);
    const fromView = ct.io.decodeSafetensors(padded.subarray(13)).tensors;
    for (const [k, v] of Object.entries(r)) expect(fromView[k].toArray(), k).toEqual(v.toArray());
  });
  const file = (header: object, data: Uint8Array) => {
    const h = new TextEncoder().encode(JSON.stringify(header));
    const out = new Uint8Array(8 + h.length + data.length);
    new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
    out.set(h, 8);
    out.set(data, 8 + h.length);
    return out;
  };
  it('reads F16, BF16, F64 and I64 as float32/int32', () => {
    const d = new Uint8Array(2 + 2 + 8 + 8);
    const v = new DataView(d.buffer);
    v.setUint16(0, 0x3c00, true); // 1.0 in f16
    v.setUint16(2, 0x4040, true); // 3.0 in bf16
    v.setFloat64(4, 2.5, true);
    v.setBigInt64(12, -3n, true);
    const t = ct.io.decodeSafetensors(
      file(
        {
          h: { dtype: 'F16', shape: [1], data_offsets: [0, 2] },
          b: { dtype: 'BF16', shape: [1], data_offsets: [2, 4] },
          d: { dtype: 'F64', shape: [], data_offsets: [4, 12] },
          i: { dtype: 'I64', shape: [1], data_offsets: [12, 20] },
        },
        d,
      ),
    ).tensors;
    expect([t.h.item(), t.b.item(), t.d.item(), t.i.item()]).toEqual([1, 3, 2.5, -3]);
    expect(t.i.dtype).toBe('int32');
  });
  it('treats files as untrusted: each malformation is a typed error', () => {
    const E = ct.io.SafetensorsError;
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 2n ** 60n, true);
    expect(() => ct.io.decodeSafetensors(huge)).toThrow(E);
    expect(() => ct.io.decodeSafetensors(huge)).toThrow(/header length .* exceeds the file/);
    expect(() => ct.io.decodeSafetensors(new Uint8Array(4))).toThrow(/file too short/);
    const notJson = file({}, new Uint8Array(0));
    notJson[8] = 0x7b + 1;
    expect(() => ct.io.decodeSafetensors(notJson)).toThrow(/header is not valid JSON/);
    expect(() => ct.io.decodeSafetensors(file({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, new Uint8Array(4)))).toThrow(
      /fall outside the 4 data bytes/,
    );
    expect(() => ct.io.decodeSafetensors(file({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)))).toThrow(
      /has 8 bytes but shape \[3\] of F32 needs 12/,
    );
    expect(() => ct.io.decodeSafetensors(file({ a: { dtype: 'Q8', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)))).toThrow(/unsupported dtype "Q8"/);
    expect(() => ct.io.decodeSafetensors(file({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4)))).toThrow(/invalid shape/);
    expect(() =>
      ct.io.decodeSafetensors(
        file({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)),
      ),
    ).toThrow(/overlap/);
    expect(() => ct.io.decodeSafetensors(file({ a: { dtype: 'F32', shape: [1e6, 1e6], data_offsets: [0, 4] } }, new Uint8Array(4)))).toThrow(/too large/);
  });
});

describe('DataLoader worker prefetch', () => {
  const images = Uint8Array.from({ length: 40 * 1 * 6 * 6 }, (_, i) => (i * 37) % 256);
  const ds = new data.ImageDataset(
    images,
    Int32Array.from({ length: 40 }, (_, i) => i % 10),
    [1, 6, 6],
  );
  const sub = new data.Subset(
    ds,
    Array.from({ length: 30 }, (_, i) => 39 - i),
  );
  const aug = T.compose(T.pad(1), T.randomTranslate(1), T.randomHorizontalFlip(), T.gaussianNoise(0.05), T.normalize([0.5], [0.25]));
  const collect = async (l: data.DataLoader, epoch: number) => {
    const out: { x: number[]; y: number[] }[] = [];
    for await (const b of l.epochAsync(epoch)) out.push({ x: [...b.x.data()], y: [...b.y.data()] });
    return out;
  };
  it('yields exactly the in-thread batches, epoch after epoch', async () => {
    const plain = new data.DataLoader(sub, { batchSize: 7, shuffle: true, transform: aug, seed: 4 });
    const worker = new data.DataLoader(sub, { batchSize: 7, shuffle: true, transform: aug, seed: 4, workers: 1, prefetch: 3 });
    for (const epoch of [0, 1]) {
      const a = await collect(plain, epoch);
      const b = await collect(worker, epoch);
      expect(b).toHaveLength(5);
      expect(b).toEqual(a);
    }
    await worker.close();
  });
  it('an epoch abandoned early does not shift the next one', async () => {
    const worker = new data.DataLoader(sub, { batchSize: 4, shuffle: true, transform: aug, seed: 2, workers: 1 });
    for await (const _ of worker.epochAsync(0)) break;
    const plain = new data.DataLoader(sub, { batchSize: 4, shuffle: true, transform: aug, seed: 2 });
    expect(await collect(worker, 1)).toEqual(await collect(plain, 1));
    await worker.close();
  });
  it('falls back to in-thread preparation for custom transforms; worker errors reach the caller', async () => {
    const custom: data.Transform = { name: 'custom', apply: (b) => ({ ...b, x: b.x.map((v) => v * 2) }) };
    const l = new data.DataLoader(ds, { batchSize: 8, transform: custom, workers: 1 });
    expect((await collect(l, 0))[0].x[1]).toBeCloseTo((37 / 255) * 2, 5);
    const bad = new data.DataLoader(ds, { batchSize: 8, transform: T.randomCrop(20), workers: 1 });
    await expect(collect(bad, 0)).rejects.toThrow('DataLoader worker: randomCrop: crop 20 is larger than the padded image 6×6');
    await bad.close();
    expect(() => new data.DataLoader(ds, { workers: 2 })).toThrow(/workers must be 0 or 1/);
  });
});

describe('the dataset registry', () => {
  it('lists every dataset with its statistics, loads by name, and names the known ones for an unknown name', async () => {
    expect(data.listDatasets().map((d) => d.name)).toEqual(['mnist', 'fashion-mnist', 'cifar10', 'cifar100', 'imagefolder']);
    expect(data.datasetInfo('mnist')).toMatchObject({ sampleShape: [1, 28, 28], normalization: { mean: [0.1307], std: [0.3081] } });
    const test = await data.loadDataset('mnist', { train: false });
    expect(test.length).toBe(10000);
    expect(() => data.datasetInfo('imagenet')).toThrow("unknown dataset 'imagenet' (expected one of: mnist, fashion-mnist, cifar10, cifar100, imagefolder)");
    await expect(data.loadDataset('imagefolder')).rejects.toThrow(/imagefolder: give root/);
  });
});
