/**
 * convnet-ts — convolutional neural networks in TypeScript with PyTorch's names and numerics.
 * This root entry is browser-safe: nothing here imports a Node-only module.
 */
import './ops/index.js';

export { Tensor, type NestedArray } from './tensor/tensor.js';
export {
  tensor,
  zeros,
  ones,
  full,
  zerosLike,
  onesLike,
  fullLike,
  arange,
  linspace,
  eye,
  rand,
  randn,
  randint,
  randLike,
  randnLike,
  type CreationOptions,
  type RandomOptions,
} from './tensor/creation.js';
export { manualSeed, getRngState, setRngState, Generator, type RngState } from './tensor/random.js';
export { noGrad, enableGrad, isGradEnabled } from './autograd/grad_mode.js';
export { gradcheck, gradcheckAsync, type GradcheckOptions } from './autograd/gradcheck.js';
export { setBackend, initBackend, getBackend, listBackends, registerBackend, setNumThreads, getNumThreads, synchronize } from './backend/registry.js';
export { setFloat32MatmulPrecision, getFloat32MatmulPrecision, type Float32Precision } from './backend/precision.js';
export { useWebGpu } from './backend/webgpu/device.js';
export type { Backend, DType, TypedArray, TensorInfo, DataHandle } from './backend/backend.js';
export { OutOfMemoryError } from './backend/memory_error.js';
export { FormatError } from './io/format_error.js';
export * from './ops/index.js';
export { PRIMITIVE_NAMES, PRIMITIVES, type PrimitiveName } from './ops/table.js';

export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as data from './data/index.js';
export * as models from './models/index.js';
export * as io from './io/index.js';
export * as analysis from './analysis/index.js';
export * as train from './train/index.js';
export * as chart from './chart/index.js';
