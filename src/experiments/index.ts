/**
 * The lectures' experiments, as functions (the CLI runs them as `convnet experiment NAME`). Course material, kept out
 * of the library core: nothing in src/ imports this folder except the CLI. Published as `convnet-ts/experiments`.
 * Example:
 *   import { EXPERIMENTS, runExperiment } from 'convnet-ts/experiments';
 *   const r = await runExperiment(EXPERIMENTS.find((e) => e.name === 'init')!, { quick: true });
 *   console.log(r.verdictLine);
 */
import type { Experiment } from './experiment.js';
import { FINETUNE_EXPERIMENT } from './finetune.js';
export {
  nonlinearityExperiment,
  NONLINEARITY_EXPERIMENT,
  ACTIVATIONS,
  type ActivationName,
  type NonlinearityResults,
  type NonlinearityRun,
} from './nonlinearity.js';
export {
  measureArchitectures,
  ARCHITECTURES_EXPERIMENT,
  TORCHVISION_TOP1,
  CIFAR_MODELS,
  type ArchitectureMeasure,
  type CifarComparison,
  type CifarMeasure,
} from './architectures.js';
export { POOLING_EXPERIMENT, DOWNSAMPLING, shiftRight, type Downsampling, type PoolingRun } from './pooling.js';
export {
  mnistSubset,
  cifarSubset,
  loadTask,
  gapCnn,
  recalibrateBatchNorm,
  trainEpochs,
  accuracyOn,
  smallCnn,
  movingAverage,
  type Split,
  type EpochLog,
} from './mnist_task.js';
export {
  OPTIMIZERS_EXPERIMENT,
  OPTIMIZERS,
  SURFACES,
  surfaceRuns,
  type OptimizerName,
  type OptimizersResults,
  type SurfaceName,
  type Trajectory,
} from './optimizers.js';
export { SCHEDULES_EXPERIMENT, SCHEDULES, schedule, type ScheduleName, type ScheduleRun } from './schedules.js';
export { BATCHNORM_EXPERIMENT, type BatchNormResults } from './batchnorm.js';
export { NORMALIZATION_EXPERIMENT, NORMALIZATIONS, type NormalizationName, type NormalizationResults, type NormalizationRun } from './normalization.js';
export { BN_ONLY_EXPERIMENT, bnOnlyFigure, TRAINABLE, trainableParameters, type Trainable, type BnOnlyResults, type BnOnlyRun } from './bn_only.js';
export { AUGMENTATION_EXPERIMENT, AUGMENTATIONS, type AugmentationName, type AugmentationResults, type AugmentationRun } from './augmentation.js';
export { DEGRADATION_EXPERIMENT, degradationFigure, type DegradationResults, type DegradationRun } from './degradation.js';
export { REGULARIZATION_EXPERIMENT, REGULARIZERS, type Regularizer, type RegularizationRun } from './regularization.js';
export { designRules, DESIGN_RULES_EXPERIMENT, type DesignMeasure, type DesignRulesResults } from './design_rules.js';
import { INIT_EXPERIMENT } from './init.js';
import { DESIGN_RULES_EXPERIMENT } from './design_rules.js';
import { NONLINEARITY_EXPERIMENT } from './nonlinearity.js';
import { ARCHITECTURES_EXPERIMENT } from './architectures.js';
import { POOLING_EXPERIMENT } from './pooling.js';
import { OPTIMIZERS_EXPERIMENT } from './optimizers.js';
import { SCHEDULES_EXPERIMENT } from './schedules.js';
import { BATCHNORM_EXPERIMENT } from './batchnorm.js';
import { REGULARIZATION_EXPERIMENT } from './regularization.js';
import { DEGRADATION_EXPERIMENT } from './degradation.js';
import { NORMALIZATION_EXPERIMENT } from './normalization.js';
import { BN_ONLY_EXPERIMENT } from './bn_only.js';
import { AUGMENTATION_EXPERIMENT } from './augmentation.js';

export {
  runExperiment,
  verdictLine,
  markdownTable,
  type Experiment,
  type Outcome,
  type Report,
  type RunInfo,
  type RunOptions,
  type Verdict,
} from './experiment.js';
export { galleryMarkdown, readReports, writeGallery } from './gallery.js';
export {
  initExperiment,
  initExperimentTable,
  initExperimentFigure,
  symmetryExperiment,
  INIT_EXPERIMENT,
  INITS,
  type InitExperimentRow,
  type InitName,
  type InitResults,
  type SymmetryRun,
} from './init.js';
export {
  finetuneExperiment,
  finetuneTable,
  finetuneFigure,
  FINETUNE_EXPERIMENT,
  type FinetuneExperimentOptions,
  type FinetuneExperimentResult,
  type FinetuneRun,
} from './finetune.js';

/** Every experiment, in the gallery's order. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each experiment has its own results type
export const EXPERIMENTS: readonly Experiment<any>[] = [
  INIT_EXPERIMENT,
  NONLINEARITY_EXPERIMENT,
  OPTIMIZERS_EXPERIMENT,
  SCHEDULES_EXPERIMENT,
  BATCHNORM_EXPERIMENT,
  NORMALIZATION_EXPERIMENT,
  BN_ONLY_EXPERIMENT,
  REGULARIZATION_EXPERIMENT,
  DEGRADATION_EXPERIMENT,
  AUGMENTATION_EXPERIMENT,
  ARCHITECTURES_EXPERIMENT,
  DESIGN_RULES_EXPERIMENT,
  POOLING_EXPERIMENT,
  FINETUNE_EXPERIMENT,
];

/** The experiment called `name`, or an error listing them. */
export function experiment(name: string): Experiment {
  const e = EXPERIMENTS.find((x) => x.name === name);
  if (!e) throw new Error(`experiment: unknown experiment '${name}' (available: ${EXPERIMENTS.map((x) => x.name).join(', ')}, all)`);
  return e;
}
export * from './search/index.js';
