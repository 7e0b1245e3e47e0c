/** Messages between the classify2d page and its Worker. */
import type { TrainConfig } from '../trainer/config.js';

export type ToyToWorker =
  | { type: 'init'; network: string; config: TrainConfig; xy: number[]; labels: number[] }
  | { type: 'points'; xy: number[]; labels: number[] }
  | { type: 'update'; config: TrainConfig }
  | { type: 'run' }
  | { type: 'pause' };

export interface HiddenUnits {
  layer: string;
  /** units × UNIT_GRID² responses, row-major per unit (y from +1 at the top to −1). */
  values: Float32Array;
  units: number;
}

export type ToyFromWorker =
  | { type: 'ready'; parameters: number }
  | { type: 'error'; message: string; line?: number }
  | { type: 'frame'; step: number; loss: number; accuracy: number; surface: Float32Array; hidden: HiddenUnits[]; running: boolean };

/** The decision surface's grid over [-1, 1]² (points per side). */
export const SURFACE_GRID = 64;
/** Each hidden unit's response grid (points per side). */
export const UNIT_GRID = 24;
