/** Messages between a demo page and its training Worker (plain objects: structured-clone safe). */
import type { TrainConfig } from './config.js';
import type { Evaluation, FilterView, LayerActivation, Prediction, StepStats } from './session.js';

export type DatasetName = 'mnist' | 'cifar10';

/** Where the worker finds the data: served URLs (MNIST bundled, CIFAR from --data-dir) or a picked archive. */
export interface DataSource {
  dataset: DatasetName;
  /** Base URL of the dataset's files (relative to the page). */
  root?: string;
  /** CIFAR-10: the official cifar-10-binary.tar.gz picked by the user. */
  archive?: Blob;
  /** Training images to use (the rest of the split is not loaded into the model's epochs). */
  trainImages?: number;
}

/** The backends a demo can train on: wasm (CPU threads) everywhere, webgpu where the browser has an adapter. */
export type BackendName = 'wasm' | 'webgpu';

export type ToWorker =
  | { type: 'init'; source: DataSource; config: TrainConfig; backend?: BackendName }
  | { type: 'backend'; name: BackendName; config: TrainConfig }
  | { type: 'run'; /** Pause by itself after this step (e.g. one epoch). */ untilStep?: number }
  | { type: 'pause' }
  | { type: 'step'; steps: number }
  | { type: 'reset'; config: TrainConfig }
  | { type: 'update'; config: TrainConfig }
  | { type: 'inspect'; example: number }
  | { type: 'draw'; pixels: Float32Array }
  | { type: 'save' }
  | { type: 'load'; bytes: ArrayBuffer; config: TrainConfig };

export interface ModelInfo {
  backend: string;
  /** The GPU, on webgpu. */
  adapter?: string;
  /** Why the backend asked for is not the one running (webgpu unavailable), when so. */
  backendNote?: string;
  threads: number;
  crossOriginIsolated: boolean;
  parameters: number;
  layers: { name: string; shape: number[]; parameters: number }[];
  classes: readonly string[];
  sampleShape: number[];
  trainImages: number;
  valImages: number;
  testImages: number;
  stepsPerEpoch: number;
}

export type FromWorker =
  | { type: 'status'; message: string }
  | { type: 'ready'; info: ModelInfo }
  | { type: 'progress'; stats: StepStats[]; imagesPerSecond: number; running: boolean }
  | { type: 'evaluation'; evaluation: Evaluation; wrongPixels: Uint8Array[] }
  | { type: 'views'; example: number; activations: LayerActivation[]; probs: Float32Array; filters: FilterView[]; predictions: Prediction[] }
  | { type: 'drawing'; activations: LayerActivation[]; probs: Float32Array }
  | { type: 'images'; indices: number[]; pixels: Uint8Array[] }
  | { type: 'saved'; bytes: ArrayBuffer }
  | { type: 'error'; message: string; line?: number };
