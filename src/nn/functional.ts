/**
 * torch.nn.functional in camelCase: `import { nn } from 'convnet-ts'; const F = nn.functional;`.
 * Every function here is the same op as the root export; the layers in nn/layers wrap them.
 */
export {
  conv2d, linear, matmul,
  relu, relu6, leakyRelu, elu, selu, gelu, sigmoid, tanh, softplus, silu, hardswish, hardsigmoid, maxout,
  softmax, logSoftmax,
  maxPool2d, avgPool2d, adaptiveAvgPool2d, adaptiveMaxPool2d,
  batchNorm, layerNorm, groupNorm, instanceNorm, localResponseNorm,
  dropout, dropout2d,
  crossEntropy, nllLoss, mseLoss, l1Loss, smoothL1Loss, huberLoss, binaryCrossEntropyWithLogits, multiMarginLoss,
  pad, clamp,
} from '../ops/index.js';
export type {
  BatchNormOptions, LayerNormOptions, InstanceNormOptions, LocalResponseNormOptions, DropoutOptions, CrossEntropyOptions,
  NllLossOptions, Reduction, BceWithLogitsOptions, MultiMarginOptions, MaxPool2dOptions,
} from '../ops/index.js';
export type { Conv2dOptions, Pool2dOptions } from '../backend/geometry.js';
