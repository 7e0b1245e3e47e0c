/**
 * A demo's training configuration: plain data, so it crosses to the Worker, goes into the URL (a shared link
 * reproduces the setup) and into a saved snapshot. Validation here is the page's first line of defence; the
 * library's own errors (network text, optimizer options) are the second and are shown as they are.
 */

export const OPTIMIZERS = ['sgd', 'nesterov', 'rmsprop', 'adagrad', 'adadelta', 'adam', 'adamw'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];
export const SCHEDULES = ['constant', 'step', 'cosine', 'linear', 'warmup-cosine'] as const;
export type ScheduleName = (typeof SCHEDULES)[number];
export const AUGMENTATIONS = ['translate', 'rotate', 'noise', 'erase', 'flip'] as const;
export type AugmentationName = (typeof AUGMENTATIONS)[number];

export interface TrainConfig {
  /** The network as text, one PyTorch layer per line (nn.sequentialFromText). */
  network: string;
  optimizer: OptimizerName;
  lr: number;
  /** SGD's momentum; β1 for Adam/AdamW; α (smoothing) is RMSprop's own default. */
  momentum: number;
  weightDecay: number;
  batchSize: number;
  schedule: ScheduleName;
  /** The schedule's horizon in epochs (training goes on after it at the final rate). */
  epochs: number;
  augment: AugmentationName[];
  seed: number;
}

export const MNIST_NETWORK = `# LeNet-5 with ReLU and max pooling (edit me)
Conv2d(1, 8, kernel_size=5, padding=2)
ReLU()
MaxPool2d(2)
Conv2d(8, 16, kernel_size=5)
ReLU()
MaxPool2d(2)
Flatten()
Linear(400, 120)
ReLU()
Linear(120, 10)`;

export const CIFAR_NETWORK = `# a small VGG-style CNN (edit me)
Conv2d(3, 16, kernel_size=3, padding=1)
BatchNorm2d(16)
ReLU()
MaxPool2d(2)
Conv2d(16, 32, kernel_size=3, padding=1)
BatchNorm2d(32)
ReLU()
MaxPool2d(2)
Conv2d(32, 64, kernel_size=3, padding=1)
BatchNorm2d(64)
ReLU()
AdaptiveAvgPool2d(1)
Flatten()
Linear(64, 10)`;

export function defaultConfig(dataset: 'mnist' | 'cifar10'): TrainConfig {
  return {
    network: dataset === 'mnist' ? MNIST_NETWORK : CIFAR_NETWORK,
    optimizer: 'adam',
    lr: dataset === 'mnist' ? 0.002 : 0.003,
    momentum: 0.9,
    weightDecay: 0,
    batchSize: 32,
    schedule: 'constant',
    epochs: 2,
    augment: dataset === 'mnist' ? [] : ['flip', 'translate'],
    seed: 1,
  };
}

/** Checks a configuration (e.g. one read from a link), returning what is wrong, field by field. */
export function configErrors(c: TrainConfig): string[] {
  const errs: string[] = [];
  if (typeof c.network !== 'string' || !c.network.trim()) errs.push('network: empty');
  if (!OPTIMIZERS.includes(c.optimizer)) errs.push(`optimizer: one of ${OPTIMIZERS.join(', ')}, got '${c.optimizer}'`);
  if (!(c.lr > 0 && c.lr <= 10)) errs.push(`learning rate: in (0, 10], got ${c.lr}`);
  if (!(c.momentum >= 0 && c.momentum < 1)) errs.push(`momentum: in [0, 1), got ${c.momentum}`);
  if (!(c.weightDecay >= 0 && c.weightDecay <= 1)) errs.push(`weight decay: in [0, 1], got ${c.weightDecay}`);
  if (!(Number.isInteger(c.batchSize) && c.batchSize >= 1 && c.batchSize <= 1024)) errs.push(`batch size: an integer in 1…1024, got ${c.batchSize}`);
  if (!SCHEDULES.includes(c.schedule)) errs.push(`schedule: one of ${SCHEDULES.join(', ')}, got '${c.schedule}'`);
  if (!(Number.isInteger(c.epochs) && c.epochs >= 1 && c.epochs <= 1000)) errs.push(`epochs: an integer in 1…1000, got ${c.epochs}`);
  if (!Array.isArray(c.augment) || c.augment.some((a) => !AUGMENTATIONS.includes(a))) errs.push(`augmentation: any of ${AUGMENTATIONS.join(', ')}`);
  if (!Number.isSafeInteger(c.seed)) errs.push(`seed: an integer, got ${c.seed}`);
  return errs;
}

/**
 * The learning rate at a step: the schedule's closed form (PyTorch's StepLR ×0.1 at 1/2 and 3/4 of the horizon,
 * CosineAnnealingLR, LinearLR to 0, and cosine after a linear warmup over the first 5%), so it can follow a base
 * rate changed while training. After the horizon the final rate holds.
 */
export function scheduledLr(c: Pick<TrainConfig, 'lr' | 'schedule'>, step: number, totalSteps: number): number {
  const t = Math.min(step, totalSteps) / Math.max(1, totalSteps);
  switch (c.schedule) {
    case 'constant':
      return c.lr;
    case 'step':
      return c.lr * (t >= 0.75 ? 0.01 : t >= 0.5 ? 0.1 : 1);
    case 'cosine':
      return (c.lr * (1 + Math.cos(Math.PI * t))) / 2;
    case 'linear':
      return c.lr * (1 - t);
    case 'warmup-cosine': {
      const w = 0.05;
      if (t < w) return (c.lr * (step + 1)) / Math.max(1, w * totalSteps);
      return (c.lr * (1 + Math.cos((Math.PI * (t - w)) / (1 - w)))) / 2;
    }
  }
}
