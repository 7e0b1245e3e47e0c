/** Dataset conventions shared by the CLI commands: loading, normalization, input sizing and augmentation flags. */
import * as data from '../data/index.js';
import type { Dataset } from '../data/dataset.js';
import type { Transform } from '../data/transforms.js';

const T = data.transforms;

/** Dataset names, from the library's registry (data/registry.ts). */
export const DATASETS = data.listDatasets().map((d) => d.name);

/** Per-channel statistics used to normalize each dataset (the registry's). */
export const NORMALIZATION: Record<string, { mean: number[]; std: number[] }> = Object.fromEntries(data.listDatasets().map((d) => [d.name, d.normalization]));

export async function loadDataset(
  name: string,
  split: 'train' | 'test',
  dataDir: string | undefined,
  download: boolean,
  imageSize?: [number, number],
): Promise<Dataset> {
  if (name === 'imagefolder' && !dataDir)
    throw new Error("--dataset imagefolder needs --data-dir (a folder with 'train' and 'test' sub-folders, one sub-folder per class in each)");
  return data.loadDataset(name, { root: dataDir, train: split === 'train', download, size: imageSize });
}

export interface Preprocess {
  /** Pixels of zero padding on each side so the images reach the model's input size (MNIST 28 → 32 for LeNet-5). */
  pad: number;
  mean: number[];
  std: number[];
}

export function preprocessFor(dataset: string, sampleShape: readonly number[], modelInput: readonly number[]): Preprocess {
  const [c, h] = sampleShape;
  if (c !== modelInput[0]) {
    throw new Error(`the dataset has ${c}-channel images but the model expects ${modelInput[0]} channels (pass --model-opts inChannels=${c})`);
  }
  const pad = Math.max(0, (modelInput[1] - h) / 2);
  if (!Number.isInteger(pad)) throw new Error(`cannot pad ${h}×${h} images to the model's ${modelInput[1]}×${modelInput[2]} input`);
  const stats = NORMALIZATION[dataset] ?? NORMALIZATION.imagefolder;
  const mean = stats.mean.length === c ? stats.mean : Array(c).fill(stats.mean[0]);
  const std = stats.std.length === c ? stats.std : Array(c).fill(stats.std[0]);
  return { pad, mean, std };
}

/** The deterministic part of the input pipeline (evaluation and prediction). */
export function baseTransform(p: Preprocess): Transform {
  return T.compose(...(p.pad ? [T.pad(p.pad)] : []), T.normalize(p.mean, p.std));
}

export const AUGMENTATIONS = ['crop', 'flip', 'translate', 'rotate', 'resized-crop', 'jitter', 'noise', 'erase', 'cutout'] as const;

/** Training transform: padding, the requested augmentations (in [0, 1] pixel space), then normalization. */
export function trainTransform(p: Preprocess, augment: string[], size: number): Transform {
  const parts: Transform[] = p.pad ? [T.pad(p.pad)] : [];
  for (const a of augment) {
    switch (a) {
      case 'crop':
        parts.push(T.randomCrop(size, { padding: Math.max(2, Math.round(size / 8)) }));
        break;
      case 'flip':
        parts.push(T.randomHorizontalFlip());
        break;
      case 'translate':
        parts.push(T.randomTranslate(2));
        break;
      case 'rotate':
        parts.push(T.randomRotation(10));
        break;
      case 'resized-crop':
        parts.push(T.randomResizedCrop(size, { scale: [0.5, 1] }));
        break;
      case 'jitter':
        parts.push(T.colorJitter({ brightness: 0.2, contrast: 0.2, saturation: 0.2 }));
        break;
      case 'noise':
        parts.push(T.gaussianNoise(0.02));
        break;
      case 'erase':
        parts.push(T.randomErasing());
        break;
      case 'cutout':
        parts.push(T.cutout(Math.max(4, Math.round(size / 4))));
        break;
      default:
        throw new Error(`unknown augmentation '${a}' (expected some of: ${AUGMENTATIONS.join(', ')})`);
    }
  }
  parts.push(T.normalize(p.mean, p.std));
  return T.compose(...parts);
}
