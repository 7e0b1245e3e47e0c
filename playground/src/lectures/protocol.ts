/** Messages between the lectures page and its Worker. */
import type { LayerSummary } from '../model/protocol.js';
import type { TrainConfig } from '../trainer/config.js';

/** One of the runs a comparison trains side by side. */
export interface CompareRun {
  label: string;
  config: TrainConfig;
  /** Stop this run where its validation loss was lowest so far `patience` evaluations ago (early stopping). */
  earlyStopping?: { patience: number };
}

export type LectureToWorker =
  | { type: 'anatomy'; model: string }
  | { type: 'init'; width: number; depth: number }
  | { type: 'compare'; id: string; runs: CompareRun[]; trainImages: number; valImages: number; steps: number; evalEvery: number; root: string }
  | { type: 'stop' };

export type LectureFromWorker =
  | { type: 'status'; id: string; message: string }
  | { type: 'anatomy'; model: string; inputShape: number[]; layers: LayerSummary[]; total: { memoryKB: number; params: number; flops: number } }
  | { type: 'init'; svg: string; stds: { activation: string; init: string; std: number[] }[] }
  | {
      type: 'point';
      id: string;
      run: number;
      step: number;
      epoch: number;
      trainAccuracy: number;
      valAccuracy: number;
      trainLoss: number;
      valLoss: number;
      stopped: boolean;
    }
  | { type: 'modes'; id: string; run: number; evalMode: number; trainMode: number }
  | { type: 'diverged'; id: string; run: number; step: number; message: string }
  | { type: 'done'; id: string }
  | { type: 'error'; id: string; message: string };
