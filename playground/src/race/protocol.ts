/** Messages between the optimizers-race page and its Worker. */
import type { SurfaceName } from './race.js';

export type RaceToWorker =
  | { type: 'surface'; surface: SurfaceName; lrs: Record<string, number>; steps: number; enabled: string[]; width: number; height: number }
  | { type: 'init'; network: string; lrs: Record<string, number>; enabled: string[]; seed: number; root: string }
  | { type: 'lrs'; lrs: Record<string, number> }
  | { type: 'run' }
  | { type: 'pause' };

export type RaceFromWorker =
  | { type: 'status'; message: string }
  | {
      type: 'paths';
      surface: SurfaceName;
      paths: Record<string, [number, number][]>;
      /** f at each pixel of the requested picture, row-major, top row first. */ grid: Float32Array;
    }
  | { type: 'ready'; parameters: number; trainImages: number }
  | { type: 'race'; step: number; epoch: number; loss: Record<string, number>; accuracy: Record<string, number>; running: boolean }
  | { type: 'error'; message: string; line?: number };
