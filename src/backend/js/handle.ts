/** The js backend's handle is a typed array; these helpers unwrap inputs and wrap outputs. */
import type { DType, TensorInfo, TypedArray } from '../backend.js';
import { sizeOf } from '../shape.js';
import { OutOfMemoryError } from '../memory_error.js';

export interface JsHandle {
  data: TypedArray;
}

export function dataOf(t: TensorInfo): TypedArray {
  return (t.handle as JsHandle).data;
}

export function f32(t: TensorInfo): Float32Array {
  const d = dataOf(t);
  return d instanceof Float32Array ? d : Float32Array.from(d);
}

export function info(shape: readonly number[], data: TypedArray): TensorInfo {
  const handle: JsHandle = { data };
  return { handle, shape: [...shape], dtype: data instanceof Int32Array ? 'int32' : 'float32' };
}

/** Values one js tensor may hold: int32 indexing, and the engines' typed-array limits. */
const MAX_VALUES = 2 ** 31 - 1;

export function alloc(shape: readonly number[], dtype: DType = 'float32'): TypedArray {
  const n = sizeOf(shape);
  if (n > MAX_VALUES) throw new OutOfMemoryError(null, n * 4, 'js');
  return dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
}
