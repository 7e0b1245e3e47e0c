/** Every public op, and the binding that gives Tensor its methods. */
import { bindTensorOps } from '../tensor/tensor.js';
import { zerosLike, onesLike } from '../tensor/creation.js';
import * as elementwise from './elementwise.js';
import * as reduce from './reduce.js';
import * as shape from './shape.js';
import * as matmul from './matmul.js';
import * as activation from './activation.js';
import * as softmax from './softmax.js';
import * as conv from './conv.js';
import * as pool from './pool.js';
import * as norm from './norm.js';
import * as dropout from './dropout.js';
import * as loss from './loss.js';

export * from './elementwise.js';
export * from './reduce.js';
export * from './shape.js';
export * from './matmul.js';
export * from './activation.js';
export * from './softmax.js';
export * from './conv.js';
export * from './pool.js';
export * from './norm.js';
export * from './dropout.js';
export * from './loss.js';
export { zerosLike, onesLike };

// Copies from fully evaluated modules, so this works under ESM and CommonJS transpilation alike.
bindTensorOps({
  ...elementwise,
  ...reduce,
  ...shape,
  ...matmul,
  ...activation,
  ...softmax,
  ...conv,
  ...pool,
  ...norm,
  ...dropout,
  ...loss,
  zerosLike,
  onesLike,
});
