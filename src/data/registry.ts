/**
 * The one list of datasets: names, what they hold, the statistics to normalize them with, and how to load each.
 * The CLI, the experiments and user code all read it, so a dataset added here is a dataset everywhere.
 * Example: const ds = await data.loadDataset('cifar10', { root: 'data/cifar-10', train: false });
 */
import { fileExists, joinPath } from '../platform/node.js';
import type { ImageDataset } from './dataset.js';
import { CIFAR10_CLASSES, FASHION_MNIST_CLASSES, MNIST_CLASSES, cifar10, cifar100, fashionMnist, imageFolder, mnist, type DatasetOptions } from './datasets.js';

export interface DatasetInfo {
  name: string;
  description: string;
  /** [C, H, W] of the images as stored (null: set by the files, as for an image folder). */
  sampleShape: [number, number, number] | null;
  classes: readonly string[] | null;
  /** Per-channel statistics of the training images in [0, 1] (the usual published values). */
  normalization: { mean: number[]; std: number[] };
}

export interface LoadDatasetOptions extends DatasetOptions {
  /** Image folders: resize every image to [H, W]. */
  size?: [number, number];
}

interface Entry extends DatasetInfo {
  load(opts: LoadDatasetOptions): Promise<ImageDataset>;
}

/** An image folder with 'train' and 'test' sub-folders uses the split's; otherwise the folder itself. */
async function loadImageFolder(opts: LoadDatasetOptions): Promise<ImageDataset> {
  if (!opts.root || typeof opts.root !== 'string') {
    throw new Error("imagefolder: give root, a folder with 'train' and 'test' sub-folders (one sub-folder per class in each), or one sub-folder per class");
  }
  const split = await joinPath(opts.root, opts.train === false ? 'test' : 'train');
  return imageFolder((await fileExists(split)) ? split : opts.root, { size: opts.size });
}

const ENTRIES: Entry[] = [
  {
    name: 'mnist',
    description: 'handwritten digits, 60,000 train / 10,000 test, 1×28×28 (bundled)',
    sampleShape: [1, 28, 28],
    classes: MNIST_CLASSES,
    normalization: { mean: [0.1307], std: [0.3081] },
    load: (o) => mnist(o),
  },
  {
    name: 'fashion-mnist',
    description: 'clothing in MNIST format, 60,000 / 10,000, 1×28×28',
    sampleShape: [1, 28, 28],
    classes: FASHION_MNIST_CLASSES,
    normalization: { mean: [0.286], std: [0.353] },
    load: (o) => fashionMnist(o),
  },
  {
    name: 'cifar10',
    description: '10 classes of objects, 50,000 / 10,000, 3×32×32',
    sampleShape: [3, 32, 32],
    classes: CIFAR10_CLASSES,
    normalization: { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] },
    load: (o) => cifar10(o),
  },
  {
    name: 'cifar100',
    description: '100 classes (fine labels), 50,000 / 10,000, 3×32×32',
    sampleShape: [3, 32, 32],
    classes: null,
    normalization: { mean: [0.5071, 0.4865, 0.4409], std: [0.2673, 0.2564, 0.2762] },
    load: (o) => cifar100(o),
  },
  {
    name: 'imagefolder',
    description: 'your images: one sub-folder per class of PNG/JPEG files',
    sampleShape: null,
    classes: null,
    normalization: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
    load: loadImageFolder,
  },
];

const BY_NAME = new Map(ENTRIES.map((e) => [e.name, e]));

/** Every dataset's description (without its loader). */
export function listDatasets(): DatasetInfo[] {
  return ENTRIES.map(({ load: _load, ...info }) => info);
}

/** One dataset's description; an unknown name is an error listing the known ones. */
export function datasetInfo(name: string): DatasetInfo {
  const e = BY_NAME.get(name);
  if (!e) throw new Error(`unknown dataset '${name}' (expected one of: ${ENTRIES.map((x) => x.name).join(', ')})`);
  const { load: _load, ...info } = e;
  return info;
}

/**
 * Loads a dataset by name.
 * Args: name — see listDatasets(); opts — root (folder or URL), train (default true), download, files, archive, size.
 */
export function loadDataset(name: string, opts: LoadDatasetOptions = {}): Promise<ImageDataset> {
  datasetInfo(name);
  return BY_NAME.get(name)!.load(opts);
}
