/** LeNet-5 (LeCun et al., 1998) and the lectures' larger LeNet (20/50/500). */
import * as nn from '../nn/index.js';

export interface LeNet5Options {
  numClasses?: number;
  inChannels?: number;
  /** 'tanh' as in 1998, or 'relu' (the modern option). */
  activation?: 'tanh' | 'relu';
  /** 'avg' (1998's subsampling) or 'max' (the modern option). */
  pooling?: 'avg' | 'max';
}

/**
 * LeNet-5 of the lectures' table: conv 6@5×5 → pool → conv 16@5×5 → pool → conv 120@5×5 → FC 84 → FC numClasses,
 * on 32×32 inputs (MNIST padded by 2). Shape: [N, C, 32, 32] → [N, numClasses]. 61,706 parameters for 10 classes.
 */
export function lenet5(opts: LeNet5Options = {}): nn.Sequential {
  const { numClasses = 10, inChannels = 1, activation = 'tanh', pooling = 'avg' } = opts;
  if (activation !== 'tanh' && activation !== 'relu') throw new Error(`lenet5: activation must be 'relu' or 'tanh', got '${String(activation)}'`);
  if (pooling !== 'avg' && pooling !== 'max') throw new Error(`lenet5: pooling must be 'max' or 'avg', got '${String(pooling)}'`);
  const act = () => (activation === 'relu' ? new nn.ReLU() : new nn.Tanh());
  const pool = () => (pooling === 'max' ? new nn.MaxPool2d(2) : new nn.AvgPool2d(2));
  return new nn.Sequential({
    features: new nn.Sequential(new nn.Conv2d(inChannels, 6, 5), act(), pool(), new nn.Conv2d(6, 16, 5), act(), pool(), new nn.Conv2d(16, 120, 5), act()),
    flatten: new nn.Flatten(),
    classifier: new nn.Sequential(new nn.Linear(120, 84), act(), new nn.Linear(84, numClasses)),
  });
}

/**
 * The lectures' LeNet variant: conv 20@5×5 pad 2 → ReLU → max-pool → conv 50@5×5 pad 2 → ReLU → max-pool →
 * FC 500 → ReLU → FC numClasses on 28×28 inputs. 1,256,080 parameters for 10 classes.
 */
export function lenet(opts: { numClasses?: number; inChannels?: number } = {}): nn.Sequential {
  const { numClasses = 10, inChannels = 1 } = opts;
  return new nn.Sequential({
    features: new nn.Sequential(
      new nn.Conv2d(inChannels, 20, 5, { padding: 2 }),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Conv2d(20, 50, 5, { padding: 2 }),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
    ),
    flatten: new nn.Flatten(),
    classifier: new nn.Sequential(new nn.Linear(2450, 500), new nn.ReLU(), new nn.Linear(500, numClasses)),
  });
}
