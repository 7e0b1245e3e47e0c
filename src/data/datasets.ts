/**
 * Dataset loaders in the original formats: MNIST and Fashion-MNIST (IDX, gzipped or not), CIFAR-10 and CIFAR-100
 * (binary versions), and ImageFolder (one sub-folder per class of PNG/JPEG files). Files are read from `root`;
 * MNIST falls back to the copy bundled with the package; with `download: true`, missing files are fetched from the
 * official URLs into the cache (~/.cache/convnet-ts or $CONVNET_TS_CACHE) and verified by MD5. In a browser, `root` is
 * a base URL, `files` maps file names to File objects or bytes, and CIFAR's `archive` is the official tar.gz.
 */
import { defaultCacheDir, download as fetchBytes, fileExists, gunzip, joinPath, listDir, md5, readFileBytes, writeFileAtomic } from '../platform/node.js';
import { builtin } from '../platform/builtins.js';
import { readSource, type ByteSource } from '../platform/source.js';
import { cachedFetch } from '../platform/browser_cache.js';
import { folderOf, type Folder } from './folder.js';
import { ImageDataset } from './dataset.js';
import { decodeImage, rgbaToPlanar } from './image.js';
import { parseCifar } from './formats/cifar.js';
import { parseIdx } from './formats/idx.js';
import { readTar } from './formats/tar.js';

export interface DatasetOptions {
  /**
   * Where the files are: a folder (Node), a base URL (a URL object, an http(s) string, or in a browser any string,
   * relative to the page). Default: the bundled copy for MNIST, else the cache folder.
   */
  root?: string | URL;
  /** The files themselves, by name (e.g. 'train-images-idx3-ubyte.gz' → a File from a picker, bytes or a URL). */
  files?: Record<string, ByteSource>;
  /** CIFAR: the official archive (cifar-10-binary.tar.gz / cifar-100-binary.tar.gz) as bytes, a File or a URL. */
  archive?: ByteSource;
  /** In a browser: keep what is fetched from a URL `root` or `archive` in IndexedDB (io.cache), checked by SHA-256. */
  cache?: boolean;
  /** The training split (default) or the test split. */
  train?: boolean;
  /** Fetch missing files from the official URLs into the cache folder (default false: never touches the network). */
  download?: boolean;
}

export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

interface IdxSource {
  name: string;
  folder: string;
  urls: string[];
  md5: Record<string, string>;
  classes: string[];
}

const MNIST: IdxSource = {
  name: 'mnist',
  folder: 'mnist',
  urls: ['https://ossci-datasets.s3.amazonaws.com/mnist/', 'http://yann.lecun.com/exdb/mnist/'],
  md5: {
    'train-images-idx3-ubyte.gz': 'f68b3c2dcbeaaa9fbdd348bbdeb94873',
    'train-labels-idx1-ubyte.gz': 'd53e105ee54ea40749a09fcbcd1e9432',
    't10k-images-idx3-ubyte.gz': '9fb629c4189551a2d022fa330f9573f3',
    't10k-labels-idx1-ubyte.gz': 'ec29112dd5afa0611ce80d1b7f02629c',
  },
  classes: MNIST_CLASSES,
};

const FASHION: IdxSource = {
  name: 'fashion-mnist',
  folder: 'fashion-mnist',
  urls: ['http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'],
  md5: {
    'train-images-idx3-ubyte.gz': '8d4fb7e6c68d591d4c3dfef9ec88bf0d',
    'train-labels-idx1-ubyte.gz': '25c81989df183df01b3e8a0aad5dffbe',
    't10k-images-idx3-ubyte.gz': 'bef4ecab320f06d8554ea6380940ec79',
    't10k-labels-idx1-ubyte.gz': 'bb300cfdad3c16e7a12a480ee83cd310',
  },
  classes: FASHION_MNIST_CLASSES,
};

/** The MNIST copy shipped with the package (datasets/mnist at the package root). */
async function bundledMnistDir(): Promise<string | null> {
  const url = await builtin<typeof import('node:url')>('node:url');
  if (!url || !import.meta.url.startsWith('file:')) return null;
  const { fileURLToPath } = url;
  const dir = fileURLToPath(new URL(/* @vite-ignore */ '../../datasets/mnist/', import.meta.url));
  return (await fileExists(await joinPath(dir, 'train-images-idx3-ubyte.gz'))) ? dir : null;
}

function isGzip(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

/** Reads `file` (or `file` without .gz) from the folder; with download, fetches the .gz into it first and checks its MD5. */
async function readMaybeGz(
  dir: Folder,
  gzName: string,
  src: { urls: string[]; md5: Record<string, string> } | null,
  downloadMissing: boolean,
  who: string,
): Promise<Uint8Array> {
  const rawName = gzName.replace(/\.gz$/, '');
  const where = `${dir.name.replace(/\/+$/, '')}/`;
  if (await dir.has(gzName)) {
    const bytes = await dir.read(gzName, who);
    // A server may have decompressed it already (Content-Encoding); a local .gz must be gzip.
    return isGzip(bytes) || dir.writable ? gunzip(bytes, where + gzName) : bytes;
  }
  if (await dir.has(rawName)) {
    const bytes = await dir.read(rawName, who);
    return isGzip(bytes) ? gunzip(bytes, where + rawName) : bytes;
  }
  const gzPath = await dir.pathOf(gzName);
  if (!downloadMissing || !src || !gzPath) {
    throw new Error(
      `${who}: ${gzName} not found in ${dir.name} (${gzPath ? 'pass download: true / --download to fetch it, or put the files there' : 'give it in files, or serve it at that URL'})`,
    );
  }
  let bytes: Uint8Array | null = null;
  let lastError: Error | null = null;
  for (const base of src.urls) {
    try {
      bytes = await fetchBytes(base + gzName, dir.name);
      break;
    } catch (e) {
      lastError = e as Error;
    }
  }
  if (!bytes) throw lastError!;
  const sum = await md5(bytes);
  if (src.md5[gzName] && sum !== src.md5[gzName])
    throw new Error(`${who}: downloaded ${gzName} has MD5 ${sum}, expected ${src.md5[gzName]} (corrupt download)`);
  await writeFileAtomic(gzPath, bytes, who);
  return gunzip(bytes, gzPath);
}

async function loadIdx(src: IdxSource, opts: DatasetOptions): Promise<ImageDataset> {
  const train = opts.train ?? true;
  const who = src.name;
  const dir = folderOf(opts.files ?? opts.root ?? (src === MNIST ? await bundledMnistDir() : null) ?? (await joinPath(await defaultCacheDir(), src.folder)), {
    cache: opts.cache,
  });
  const prefix = train ? 'train' : 't10k';
  const imgBytes = await readMaybeGz(dir, `${prefix}-images-idx3-ubyte.gz`, src, opts.download ?? false, who);
  const lblBytes = await readMaybeGz(dir, `${prefix}-labels-idx1-ubyte.gz`, src, opts.download ?? false, who);
  const images = parseIdx(imgBytes, `${dir.name}/${prefix}-images-idx3-ubyte`, 3);
  const labels = parseIdx(lblBytes, `${dir.name}/${prefix}-labels-idx1-ubyte`, 1);
  const [n, h, w] = images.dims;
  if (labels.dims[0] !== n) throw new Error(`${who}: ${n} images but ${labels.dims[0]} labels in ${dir.name} (${prefix} files do not belong together)`);
  const lab = Int32Array.from(labels.data);
  const bad = lab.findIndex((l) => l > 9);
  if (bad >= 0) throw new Error(`${who}: label ${lab[bad]} at index ${bad} is not a digit class 0..9 (${dir.name}/${prefix}-labels-idx1-ubyte)`);
  return new ImageDataset(images.data, lab, [1, h, w], src.classes);
}

/** MNIST handwritten digits: 60,000 train / 10,000 test images of 1×28×28. Bundled with the package. */
export function mnist(opts: DatasetOptions = {}): Promise<ImageDataset> {
  return loadIdx(MNIST, opts);
}

/** Fashion-MNIST: 10 clothing classes in MNIST's format. */
export function fashionMnist(opts: DatasetOptions = {}): Promise<ImageDataset> {
  return loadIdx(FASHION, opts);
}

const CIFAR = {
  cifar10: {
    url: 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz',
    md5: 'c32a1d4ab5d03f1284b67883e8d87530',
    folder: 'cifar-10-batches-bin',
    train: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'],
    test: ['test_batch.bin'],
  },
  cifar100: {
    url: 'https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz',
    md5: '03b5dce01913d631647c71ecec9e9cb8',
    folder: 'cifar-100-binary',
    train: ['train.bin'],
    test: ['test.bin'],
  },
} as const;

/** Finds the folder holding the batch files: root itself or its standard sub-folder. */
async function cifarDir(root: Folder, variant: 'cifar10' | 'cifar100', file: string): Promise<Folder | null> {
  for (const dir of [root, root.sub(CIFAR[variant].folder)]) {
    // .gz first, as readMaybeGz reads: a served folder of .gz files then answers every probe with 200.
    if ((await dir.has(`${file}.gz`)) || (await dir.has(file))) return dir;
  }
  return null;
}

/** The batch files of a CIFAR archive (tar.gz or tar), in memory. */
async function archiveFiles(bytes: Uint8Array, name: string): Promise<Record<string, Uint8Array>> {
  const tar = isGzip(bytes) ? await gunzip(bytes, name) : bytes;
  const out: Record<string, Uint8Array> = {};
  for (const entry of readTar(tar, name)) {
    const base = entry.name.split('/').pop()!;
    if (base.endsWith('.bin') || base.endsWith('.txt')) out[base] = entry.data;
  }
  return out;
}

async function loadCifar(variant: 'cifar10' | 'cifar100', opts: DatasetOptions): Promise<ImageDataset> {
  const spec = CIFAR[variant];
  const files = (opts.train ?? true) ? spec.train : spec.test;
  let dir: Folder | null;
  if (opts.archive !== undefined) {
    const name = typeof opts.archive === 'string' ? opts.archive : opts.archive instanceof URL ? opts.archive.href : `${variant} archive`;
    const archive =
      opts.cache && (typeof opts.archive === 'string' || opts.archive instanceof URL)
        ? await cachedFetch(opts.archive)
        : await readSource(opts.archive, variant);
    dir = folderOf(await archiveFiles(archive, name));
    if (!(await dir.has(files[0])))
      throw new Error(`${variant}: the archive ${name} has no ${files[0]} (is it the binary version, ${spec.url.split('/').pop()}?)`);
  } else {
    const root = folderOf(opts.files ?? opts.root ?? (await joinPath(await defaultCacheDir(), variant)), { cache: opts.cache });
    dir = await cifarDir(root, variant, files[0]);
    if (!dir) {
      const rootPath = await root.pathOf('');
      if (!opts.download || !rootPath) {
        throw new Error(
          `${variant}: ${files[0]} not found in ${root.name} or ${root.name.replace(/\/+$/, '')}/${spec.folder} (${rootPath ? 'pass download: true / --download, or put the binary files there' : 'pass the official archive as archive, or the files as files'})`,
        );
      }
      const archive = await fetchBytes(spec.url, root.name);
      const sum = await md5(archive);
      if (sum !== spec.md5) throw new Error(`${variant}: downloaded archive has MD5 ${sum}, expected ${spec.md5} (corrupt download)`);
      for (const [base, data] of Object.entries(await archiveFiles(archive, spec.url))) {
        await writeFileAtomic(await joinPath(rootPath, spec.folder, base), data, variant);
      }
      dir = root.sub(spec.folder);
    }
  }
  const where = dir.name.replace(/\/+$/, '');
  const parts = await Promise.all(files.map((f) => readMaybeGz(dir!, `${f}.gz`, null, false, variant).then((b) => parseCifar(b, `${where}/${f}`, variant))));
  const n = parts.reduce((s, p) => s + p.labels.length, 0);
  const images = new Uint8Array(n * 3072);
  const labels = new Int32Array(n);
  let off = 0;
  for (const p of parts) {
    images.set(p.images, off * 3072);
    labels.set(p.labels, off);
    off += p.labels.length;
  }
  const classes = variant === 'cifar10' ? CIFAR10_CLASSES : Array.from({ length: 100 }, (_, i) => String(i));
  return new ImageDataset(images, labels, [3, 32, 32], classes);
}

/** CIFAR-10 (binary version): 50,000 train / 10,000 test images of 3×32×32 in 10 classes. */
export function cifar10(opts: DatasetOptions = {}): Promise<ImageDataset> {
  return loadCifar('cifar10', opts);
}

/** CIFAR-100 (binary version, fine labels): 100 classes. */
export function cifar100(opts: DatasetOptions = {}): Promise<ImageDataset> {
  return loadCifar('cifar100', opts);
}

export interface ImageFolderOptions {
  /** Resize every image to [H, W] (bilinear); without it, all images must share one size. */
  size?: [number, number];
  /** 'rgb' (default, 3 channels) or 'grayscale' (1 channel). */
  mode?: 'rgb' | 'grayscale';
}

/** One sub-folder per class (sorted names = class indices) of .png/.jpg/.jpeg files, loaded into memory. */
export async function imageFolder(root: string, opts: ImageFolderOptions = {}): Promise<ImageDataset> {
  const who = 'imageFolder';
  const classes = (await listDir(root, who))
    .filter((d) => d.isDir)
    .map((d) => d.name)
    .sort();
  if (classes.length === 0) throw new Error(`${who}: ${root} has no class sub-folders`);
  const files: { path: string; label: number }[] = [];
  for (const [label, cls] of classes.entries()) {
    const dir = await joinPath(root, cls);
    for (const f of (await listDir(dir, who))
      .filter((d) => !d.isDir && /\.(png|jpe?g)$/i.test(d.name))
      .map((d) => d.name)
      .sort()) {
      files.push({ path: await joinPath(dir, f), label });
    }
  }
  if (files.length === 0) throw new Error(`${who}: no .png/.jpg/.jpeg files under ${root}`);
  const channels = opts.mode === 'grayscale' ? 1 : 3;
  let size = opts.size;
  const decoded = [];
  for (const f of files) {
    const img = await decodeImage(await readFileBytes(f.path, who), f.path);
    if (!size) size = [img.height, img.width];
    else if (!opts.size && (img.height !== size[0] || img.width !== size[1])) {
      throw new Error(`${who}: ${f.path} is ${img.width}×${img.height} but earlier images are ${size[1]}×${size[0]}; pass size to resize`);
    }
    decoded.push(img);
  }
  const per = channels * size![0] * size![1];
  const images = new Uint8Array(files.length * per);
  decoded.forEach((img, i) => rgbaToPlanar(img, channels as 1 | 3, opts.size, (j, v) => (images[i * per + j] = Math.round(v))));
  return new ImageDataset(images, Int32Array.from(files.map((f) => f.label)), [channels, size![0], size![1]], classes);
}
