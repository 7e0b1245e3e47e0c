/**
 * Neural-network building blocks with PyTorch's names: Module, Parameter, layers, containers, init and functional.
 * Example:
 *   const model = new nn.Sequential(new nn.Conv2d(1, 20, 5, { padding: 2 }), new nn.ReLU(), new nn.MaxPool2d(2));
 */
export * as functional from './functional.js';
export * as init from './init.js';
export { Module, StateDictError, STATE_DICT_METADATA, type StateDictMetadata, type LoadStateDictResult, type AnyModule, type ModuleClass } from './module.js';
export { Parameter } from './parameter.js';
export { ELEMENTWISE, type LayerInfo, type ChannelAffine, type OnnxLayerContext, type OnnxEmit, type OnnxValue, type OnnxAttr } from './describe.js';
export { Linear, Identity, Flatten } from './layers/linear.js';
export { Conv2d, type Conv2dLayerOptions, type PaddingMode } from './layers/conv.js';
export {
  ReLU,
  ReLU6,
  LeakyReLU,
  ELU,
  SELU,
  GELU,
  SiLU,
  Sigmoid,
  Tanh,
  Softplus,
  Hardswish,
  Hardsigmoid,
  Softmax,
  LogSoftmax,
  Maxout,
} from './layers/activation.js';
export { BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm, InstanceNorm2d, LocalResponseNorm, type BatchNormLayerOptions } from './layers/norm.js';
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d, type MaxPool2dLayerOptions } from './layers/pool.js';
export { Dropout, Dropout2d } from './layers/dropout.js';
export { Sequential, ModuleList, ModuleDict } from './layers/container.js';
export { convBnAct, foldBatchNorm, canFuse } from './fusion.js';
export { sequentialFromText, NetworkTextError, TEXT_LAYERS } from './from_text.js';
export { freeze, unfreeze, findHead, replaceHead, paramGroups, linearProbe } from './transfer.js';
