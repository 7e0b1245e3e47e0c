/**
 * Optimizers, learning-rate schedules, gradient clipping and weight penalties with PyTorch's update rules.
 * Example:
 *   const opt = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
 *   const sched = new optim.MultiStepLR(opt, [30, 60, 90], 0.1);
 */
export { Optimizer, type OptimizerStateDict, type ParamGroup, type ParamGroupSpec, type Params } from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { RMSprop, type RMSpropOptions } from './rmsprop.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export { Adagrad, type AdagradOptions } from './adagrad.js';
export { Adadelta, type AdadeltaOptions } from './adadelta.js';
export type { UpdateRule } from './update.js';
export { clipGradNorm, clipGradValue, l1Penalty, l2Penalty } from './clip.js';
export { LRScheduler } from './schedulers/scheduler.js';
export { LambdaLR, MultiplicativeLR, StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR, InverseSqrtLR } from './schedulers/basic.js';
export { CosineAnnealingLR, OneCycleLR, type OneCycleOptions } from './schedulers/cosine.js';
export { SequentialLR, ChainedScheduler, ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './schedulers/compose.js';
