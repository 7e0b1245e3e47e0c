/** What every wasm kernel needs: the heap, the pool, the argument block and helpers to marshal TensorInfos. */
import type { DType, TensorInfo } from '../backend.js';
import { sizeOf } from '../../tensor/shape.js';
import { Heap, WasmHandle } from './heap.js';
import { ARGS_ADDR, ThreadPool } from './pool.js';

export class WasmContext {
  constructor(
    readonly heap: Heap,
    readonly pool: ThreadPool,
    readonly gemmScratchBytes: number,
  ) {}

  get threads(): number {
    return this.pool.threads;
  }

  /** Byte address of a tensor's values in the heap (bringing evicted values back). */
  ptr(t: TensorInfo): number {
    return this.heap.ptr(t.handle as WasmHandle);
  }

  /** A new output tensor (contents undefined until the kernel writes them). */
  output(shape: readonly number[], dtype: DType = 'float32'): TensorInfo {
    return { handle: this.heap.allocHandle(sizeOf(shape), dtype), shape: [...shape], dtype };
  }

  /** Writes integer argument words starting at word 0 of the argument block. */
  args(words: readonly number[]): number {
    const i32 = this.heap.heapI32;
    const base = ARGS_ADDR >> 2;
    for (let i = 0; i < words.length; i++) i32[base + i] = words[i];
    return ARGS_ADDR;
  }

  /** Runs `nparts` parts of a task over the pool. */
  run(task: number, nparts: number): void {
    this.pool.run(task, ARGS_ADDR, nparts);
  }

  /** A temporary block (scratch) of at least `bytes`; release it with `done`. */
  temp(bytes: number): { ptr: number; done: () => void } {
    const { ptr, cls } = this.heap.alloc(bytes);
    return { ptr, done: () => this.heap.release(ptr, cls) };
  }
}

/** Task ids, mirrored from assembly/index.ts's runTask switch. */
export const TASK = {
  matmul: 1,
  convForward: 2,
  convBackwardInput: 3,
  convBackwardWeight: 4,
  sumBlocks: 5,
} as const;

/** Below this many multiply-adds a kernel runs as one part: waking a worker costs ~10–50 µs. */
export const PARALLEL_MIN_MACS = 1 << 18;
