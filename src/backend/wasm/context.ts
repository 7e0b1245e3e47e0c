/** What every wasm kernel needs: the heap, the pool, the argument block and helpers to marshal TensorInfos. */
import type { DType, TensorInfo } from '../backend.js';
import { sizeOf } from '../shape.js';
import { Heap, WasmHandle } from './heap.js';
import { ARGS_ADDR, ThreadPool } from './thread_pool.js';
import type { ConvAlgorithm } from './kernels/winograd.js';
import { TASK, TASK_ARGS, type TaskArgs, type TaskName } from './generated/interface.js';

/** Bytes of the argument block (the generator refuses a task whose arguments need more). */
const ARGS_BYTES = 1024;

export class WasmContext {
  constructor(
    readonly heap: Heap,
    public pool: ThreadPool,
    readonly gemmScratchBytes: number,
    /** How 3×3 stride-1 convs are computed (kernels/winograd.ts). */
    public convAlgorithm: ConvAlgorithm = 'auto',
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
   * Runs `nparts` parts of task `name` with its arguments written, by name, where interface.json's layout puts them
   * (generated/interface.ts); AssemblyScript reads them through the generated getters of the same layout.
   */
  task<K extends TaskName>(name: K, args: TaskArgs[K], nparts: number): void {
    const buf = this.heap.memory.buffer;
    const view = new DataView(buf, ARGS_ADDR, ARGS_BYTES);
    const values = args as unknown as Record<string, number | boolean | readonly number[]>;
    for (const [field, type, offset, length] of TASK_ARGS[name]) {
      const v = values[field];
      if (type === 'f64') view.setFloat64(offset, v as number, true);
      else if (type === 'f32') view.setFloat32(offset, v as number, true);
      else if (type === 'bool') view.setInt32(offset, v ? 1 : 0, true);
      else if (type === 'i32[]') {
        const a = v as readonly number[];
        if (a.length !== length) throw new Error(`wasm task ${name}: argument '${field}' needs ${length} values, got ${a.length}`);
        for (let i = 0; i < length; i++) view.setInt32(offset + 4 * i, a[i], true);
      } else view.setInt32(offset, v as number, true);
    }
    this.pool.run(TASK[name], ARGS_ADDR, nparts);
  }

  /** Parts for a memory-bound loop over `n` items: one part per thread when the loop is long enough to pay. */
  partsFor(n: number, minPerPart = PARALLEL_MIN_ELEMENTS): number {
    return Math.max(1, Math.min(this.threads, Math.floor(n / minPerPart)));
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
