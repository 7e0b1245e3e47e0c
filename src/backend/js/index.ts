/** The `js` reference backend: plain TypeScript, the living definition every faster backend must match. */
import type { Backend, DataHandle, DType, TypedArray } from '../backend.js';
import { BINARY_OPS, UNARY_OPS, type CoreKernels, type Kernels, type UpdateKernelName, type FusedKernelName } from '../kernels.js';
import type { JsHandle } from './handle.js';
import { registerBackend } from '../backends.js';
import { ELEMENTWISE_KERNELS, makeBinary, makeUnary, makeUnaryBackward } from './elementwise.js';
import { REDUCE_KERNELS } from './reduce.js';
import { LAYOUT_KERNELS } from './layout.js';
import { MATMUL_KERNELS } from './matmul.js';
import { CONV_KERNELS } from './conv.js';
import { POOL_KERNELS } from './pool.js';
import { SOFTMAX_KERNELS } from './softmax.js';
import { NORM_KERNELS } from './norm.js';

/** Every kernel but the optional fast optimizer updates (their reference loops live with each optimizer in src/optim/). */
function buildKernels(): Omit<Kernels, UpdateKernelName | FusedKernelName> {
  // Typed as CoreKernels: a kernel declared in kernels.ts that no family provides, or one with the wrong signature, fails tsc.
  const core: CoreKernels = {
    ...ELEMENTWISE_KERNELS,
    ...REDUCE_KERNELS,
    ...LAYOUT_KERNELS,
    ...MATMUL_KERNELS,
    ...CONV_KERNELS,
    ...POOL_KERNELS,
    ...SOFTMAX_KERNELS,
    ...NORM_KERNELS,
  };
  const table: Record<string, unknown> = { ...core };
  for (const op of BINARY_OPS) table[op] = makeBinary(op);
  for (const op of UNARY_OPS) {
    table[op] = makeUnary(op);
    table[`${op}Backward`] = makeUnaryBackward(op);
  }
  return table as unknown as Omit<Kernels, UpdateKernelName | FusedKernelName>;
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
