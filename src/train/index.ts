/**
 * Training: fit() with metrics, schedules, early stopping, callbacks, checkpoints, JSONL logs and SVG curves (drawn by chart/).
 * Example:
 *   const result = await train.fit(model, { optimizer, trainLoader, valLoader, testLoader, epochs: 10, outDir: 'runs/lenet5' });
 */
export {
  fit,
  evaluate,
  type FitOptions,
  type FitResult,
  type EpochRecord,
  type Callback,
  type FitContext,
  type EarlyStoppingOptions,
  type Monitor,
  previousCheckpointPath,
} from './fit.js';
export { NonFiniteError } from './nonfinite.js';
export {
  saveCheckpoint,
  loadCheckpoint,
  encodeCheckpoint,
  decodeCheckpoint,
  applyCheckpoint,
  CheckpointError,
  type Checkpoint,
  type CheckpointMeta,
} from './checkpoint.js';
export { MetricAccumulator, topkCorrect, type EpochMetrics } from './metrics.js';
export { lineProgress, barProgress, silentProgress, eventProgress, formatDuration, type Progress, type StepInfo, type ProgressEvent } from './progress.js';
