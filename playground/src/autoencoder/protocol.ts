/** Messages between the autoencoder page and its Worker. */
import type { TrainConfig } from '../trainer/config.js';

export type AeToWorker =
  | { type: 'init'; encoder: string; decoder: string; config: TrainConfig; root: string }
  | { type: 'update'; config: TrainConfig }
  | { type: 'run' }
  | { type: 'pause' }
  | { type: 'decode'; code: [number, number] };

export type AeFromWorker =
  | { type: 'status'; message: string }
  | { type: 'ready'; parameters: number; trainImages: number }
  | { type: 'error'; message: string; part?: 'encoder' | 'decoder'; line?: number }
  | { type: 'progress'; step: number; epoch: number; loss: number; running: boolean }
  | {
      type: 'codes';
      step: number;
      /** [x0, y0, x1, y1, ...]: the validation images' 2-D codes. */
      codes: Float32Array;
      labels: Int32Array;
      /** Validation reconstruction error (mean squared, pixels in [0, 1]). */
      loss: number;
      /** Test images and their reconstructions, 784 values each in [0, 1]. */
      inputs: Float32Array[];
      outputs: Float32Array[];
    }
  | { type: 'decoded'; code: [number, number]; image: Float32Array };
