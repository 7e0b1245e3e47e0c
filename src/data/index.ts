/**
 * Data: datasets in their original formats, batch transforms with seeded augmentation, and the DataLoader.
 * Example:
 *   const train = await data.mnist({ train: true });
 *   const loader = new data.DataLoader(train, { batchSize: 64, shuffle: true, transform: data.transforms.pad(2) });
 */
export { ImageDataset, TensorDataset, Subset, randomSplit, permutation, type Batch, type Dataset } from './dataset.js';
export { DataLoader, toTensors, type DataLoaderOptions, type TensorBatch } from './loader.js';
export * as transforms from './transforms.js';
export type { Transform } from './transforms.js';
export {
  mnist,
  fashionMnist,
  cifar10,
  cifar100,
  imageFolder,
  MNIST_CLASSES,
  FASHION_MNIST_CLASSES,
  CIFAR10_CLASSES,
  type DatasetOptions,
  type ImageFolderOptions,
} from './datasets.js';
export {
  ImageError,
  decodeImage,
  decodeImageSync,
  readImage,
  imageToTensor,
  tensorToImageData,
  rgbaToPlanar,
  type RgbaImage,
  type ImageSource,
  type DecodeOptions,
  type ImageToTensorOptions,
  type ToImageDataOptions,
} from './image.js';
export { listDatasets, datasetInfo, loadDataset, type DatasetInfo, type LoadDatasetOptions } from './registry.js';
export { parseIdx, encodeIdx, type IdxArray } from './formats/idx.js';
export { parseCifar, encodeCifar, type CifarBatch } from './formats/cifar.js';
export { readTar } from './formats/tar.js';
export { DatasetFileError } from './formats/errors.js';
