/** The `js` reference backend: plain TypeScript, the living definition every faster backend must match. */
import type { Backend, DataHandle, DType, TypedArray } from '../backend.js';
import { BINARY_OPS, UNARY_OPS, type CoreKernels, type Kernels, type UpdateKernelName } from '../kernels.js';
import type { JsHandle } from './handle.js';
import { registerBackend } from '../backends.js';
import { cast, fill, makeBinary, makeUnary, makeUnaryBackward, where } from './elementwise.js';
import { argReduce, sum } from './reduce.js';
import { broadcastTo, concat, gather, pad, padBackward, scatterAdd, slice, sliceBackward, transpose } from './layout.js';
import { matmul } from './matmul.js';
import { conv2d, conv2dBackwardInput, conv2dBackwardWeight } from './conv.js';
import { adaptiveAvgPool2d, adaptiveAvgPool2dBackward, adaptiveMaxPool2d, avgPool2d, avgPool2dBackward, maxPool2d, maxPool2dBackward } from './pool.js';
import { logSoftmax, logSoftmaxBackward, softmax, softmaxBackward } from './softmax.js';
import { batchNormTrain, batchNormTrainBackward } from './norm.js';

/** Every kernel but the optional fast optimizer updates (their reference loops live with each optimizer in src/optim/). */
function buildKernels(): Omit<Kernels, UpdateKernelName> {
  // Typed as CoreKernels so tsc checks every hand-written kernel's signature.
  const core: CoreKernels = {
    fill,
    cast,
    where,
    sum,
    argReduce,
    transpose,
    broadcastTo,
    concat,
    slice,
    sliceBackward,
    gather,
    scatterAdd,
    pad,
    padBackward,
    matmul,
    conv2d,
    conv2dBackwardInput,
    conv2dBackwardWeight,
    maxPool2d,
    maxPool2dBackward,
    avgPool2d,
    avgPool2dBackward,
    adaptiveAvgPool2d,
    adaptiveAvgPool2dBackward,
    adaptiveMaxPool2d,
    softmax,
    softmaxBackward,
    logSoftmax,
    logSoftmaxBackward,
    batchNormTrain,
    batchNormTrainBackward,
  };
  const table: Record<string, unknown> = { ...core };
  for (const op of BINARY_OPS) table[op] = makeBinary(op);
  for (const op of UNARY_OPS) {
    table[op] = makeUnary(op);
    table[`${op}Backward`] = makeUnaryBackward(op);
  }
  return table as unknown as Omit<Kernels, UpdateKernelName>;
}

export function createJsBackend(): Backend {
  return {
    name: 'js',
    needsFree: false,
    upload(data: TypedArray): DataHandle {
      const h: JsHandle = { data: data.slice() };
      return h;
    },
    adopt(data: TypedArray): DataHandle {
      const h: JsHandle = { data };
      return h;
    },
    read(handle: DataHandle, _dtype: DType, _size: number): TypedArray {
      return (handle as JsHandle).data;
    },
    write(handle: DataHandle, data: TypedArray): void {
      (handle as JsHandle).data.set(data);
    },
    free(_handle: DataHandle): void {
      // Garbage collection reclaims typed arrays; nothing to do.
    },
    kernels: buildKernels(),
  };
}

registerBackend('js', createJsBackend);
