/// <reference types="@webgpu/types" preserve="true" />
/**
 * What every WebGPU kernel works with: the runner, and handles. A handle is a pooled GPU buffer plus, when the values
 * are known on the host (uploaded, or read back once), a CPU copy — which lets `data()` and the ops' index checks read
 * it without waiting for the GPU.
 */
import type { DType, TensorInfo, TypedArray } from '../backend.js';
import { sizeOf } from '../shape.js';
import type { GpuSlot } from './buffers.js';
import type { Runner } from './runner.js';

export interface GpuHandle {
  slot: GpuSlot;
  /** The values on the host, when known; dropped when the buffer is written on the GPU. */
  cpu: TypedArray | null;
}

export class GpuContext {
  constructor(readonly runner: Runner) {}

  /** A fresh tensor of `shape` (contents undefined until a kernel writes it). */
  alloc(shape: readonly number[], dtype: DType): TensorInfo {
    const n = sizeOf(shape);
    const handle: GpuHandle = { slot: this.runner.pool.acquire(n * 4), cpu: null };
    return { handle, shape: [...shape], dtype };
  }

  /** A fresh tensor of zeros. */
  zeros(shape: readonly number[], dtype: DType): TensorInfo {
    const t = this.alloc(shape, dtype);
    this.runner.clear(slot(t));
    return t;
  }
}

export const slot = (t: TensorInfo): GpuSlot => (t.handle as GpuHandle).slot;
export const numel = (t: TensorInfo): number => sizeOf(t.shape);
