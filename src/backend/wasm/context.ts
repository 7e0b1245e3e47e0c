/** What every wasm kernel needs: the heap, the pool, the argument block and helpers to marshal TensorInfos. */
import type { DType, TensorInfo } from '../backend.js';
import { sizeOf } from '../shape.js';
import { Heap, WasmHandle } from './heap.js';
import { ARGS_ADDR, ThreadPool } from './thread_pool.js';

export class WasmContext {
  constructor(
    readonly heap: Heap,
    public pool: ThreadPool,
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

  /**
   * Writes integer argument words from word 0 of the argument block, then f64 values at the given (even) word
   * offsets and f32 values at the given word offsets.
   */
  args(words: readonly number[], f64s?: Record<number, number>, f32s?: Record<number, number>): number {
    const buf = this.heap.memory.buffer;
    const i32 = new Int32Array(buf, ARGS_ADDR, 256);
    for (let i = 0; i < words.length; i++) i32[i] = words[i];
    if (f64s) {
      const f64 = new Float64Array(buf, ARGS_ADDR, 128);
      for (const [w, v] of Object.entries(f64s)) f64[Number(w) / 2] = v;
    }
    if (f32s) {
      const f32 = new Float32Array(buf, ARGS_ADDR, 256);
      for (const [w, v] of Object.entries(f32s)) f32[Number(w)] = v;
    }
    return ARGS_ADDR;
  }

  /** Parts for a memory-bound loop over `n` items: one part per thread when the loop is long enough to pay. */
  partsFor(n: number, minPerPart = PARALLEL_MIN_ELEMENTS): number {
    return Math.max(1, Math.min(this.threads, Math.floor(n / minPerPart)));
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

/** Task ids of the kernel module (generated from interface.json, as is the module's dispatch). */
export { TASK } from './generated/interface.js';

/** Elements below which a memory-bound loop stays on one thread. */
export const PARALLEL_MIN_ELEMENTS = 1 << 15;

/** Below this many multiply-adds a kernel runs as one part: waking a worker costs ~10–50 µs. */
export const PARALLEL_MIN_MACS = 1 << 18;
