/**
 * The `wasm` backend: tensors live in one WebAssembly memory; hot kernels (GEMM, convolution, ...) are
 * AssemblyScript compiled to 128-bit SIMD and split across a worker pool sharing that memory. Kernels it does not
 * implement run the `js` reference kernels on views of the same memory, and their outputs stay on the host until
 * a wasm kernel needs them.
 */
import type { Backend, DataHandle, DType, TensorInfo, TypedArray } from '../backend.js';
import type { Kernels } from '../kernels.js';
import { createJsBackend } from '../js/index.js';
import type { JsHandle } from '../js/handle.js';
import { Heap, WasmHandle } from './heap.js';
import { ThreadPool } from './pool.js';
import { WasmContext } from './context.js';
import { defaultThreads, kernelModule, threadsSupported, type KernelExports, type WasmVariant } from './module.js';
import { matmul } from './kernels/matmul.js';
import { conv2d, conv2dBackwardInput, conv2dBackwardWeight } from './kernels/conv.js';
import { isDepthwiseInfo } from './kernels/shared.js';

export interface WasmBackendOptions {
  /** Threads kernels split work across, the caller included (default: every core; 1 without shared memory). */
  threads?: number;
  /** Heap bytes after which unreferenced-but-uncollected tensors are moved out of wasm memory (default 256 MiB). */
  heapBudget?: number;
}

export interface WasmBackend extends Backend {
  readonly variant: WasmVariant;
  readonly threads: number;
  readonly heap: Heap;
  /** Stops the worker threads. */
  terminate(): void;
}

export function createWasmBackend(opts: WasmBackendOptions = {}): WasmBackend {
  const variant: WasmVariant = threadsSupported() ? 'threads' : 'single';
  const module = kernelModule(variant);
  const heap = new Heap({ shared: variant === 'threads', budget: opts.heapBudget });
  const instance = new WebAssembly.Instance(module, { env: { memory: heap.memory } });
  const exports = instance.exports as unknown as KernelExports;
  const threads = variant === 'threads' ? (opts.threads ?? defaultThreads()) : 1;
  const pool = new ThreadPool(heap.memory, module, exports.runTask, threads);
  const ctx = new WasmContext(heap, pool, exports.GEMM_SCRATCH_BYTES.value as number);

  const js = createJsBackend().kernels as Kernels;
  const table: Record<string, unknown> = {};
  // Every js kernel, run on views of wasm memory; outputs are adopted (kept on the host until needed).
  for (const [name, fn] of Object.entries(js)) {
    table[name] = (...args: unknown[]) => {
      heap.safePoint();
      return adoptOutputs(heap, (fn as (...a: unknown[]) => unknown)(...args));
    };
  }
  const wasmKernels: Partial<Kernels> = {
    matmul: (a, b, transA, transB) => {
      if (a.dtype !== 'float32' || b.dtype !== 'float32') return (table.jsMatmul as Kernels['matmul'])(a, b, transA, transB);
      heap.safePoint();
      return matmul(ctx, a, b, transA, transB);
    },
    conv2d: (x, w, bias, c) => {
      if (isDepthwiseInfo(c)) return (table.jsConv2d as Kernels['conv2d'])(x, w, bias, c);
      heap.safePoint();
      return conv2d(ctx, x, w, bias, c);
    },
    conv2dBackwardInput: (dy, w, c) => {
      if (isDepthwiseInfo(c)) return (table.jsConv2dBackwardInput as Kernels['conv2dBackwardInput'])(dy, w, c);
      heap.safePoint();
      return conv2dBackwardInput(ctx, dy, w, c);
    },
    conv2dBackwardWeight: (x, dy, c) => {
      if (isDepthwiseInfo(c)) return (table.jsConv2dBackwardWeight as Kernels['conv2dBackwardWeight'])(x, dy, c);
      heap.safePoint();
      return conv2dBackwardWeight(ctx, x, dy, c);
    },
  };
  for (const [name, fn] of Object.entries(wasmKernels)) {
    table[`js${name[0].toUpperCase()}${name.slice(1)}`] = table[name];
    table[name] = fn;
  }

  return {
    name: 'wasm',
    needsFree: true,
    variant,
    threads: pool.threads,
    heap,
    upload: (data: TypedArray): DataHandle => heap.upload(data),
    adopt: (data: TypedArray): DataHandle => heap.adopt(data),
    read: (handle: DataHandle, _dtype: DType, _size: number): TypedArray => (handle as WasmHandle).data,
    write: (handle: DataHandle, data: TypedArray): void => {
      (handle as WasmHandle).data.set(data);
    },
    free: (handle: DataHandle): void => heap.freeHandle(handle as WasmHandle),
    kernels: table as Partial<Kernels>,
    terminate: () => pool.terminate(),
  };
}

function isInfo(v: unknown): v is TensorInfo {
  return typeof v === 'object' && v !== null && 'handle' in v && 'shape' in v && 'dtype' in v;
}

/** Wraps the plain typed arrays a js kernel returned as wasm handles (views of wasm memory are copied). */
function adoptOutputs(heap: Heap, out: unknown): unknown {
  if (isInfo(out)) {
    if (out.handle instanceof WasmHandle) return out;
    const data = (out.handle as JsHandle).data;
    const inHeap = data.buffer === heap.memory.buffer || (typeof SharedArrayBuffer !== 'undefined' && data.buffer instanceof SharedArrayBuffer);
    const handle = inHeap ? heap.upload(data.slice()) : heap.adopt(data);
    return { handle, shape: out.shape, dtype: out.dtype };
  }
  if (typeof out === 'object' && out !== null) {
    const o = out as Record<string, unknown>;
    const res: Record<string, unknown> = {};
    for (const k of Object.keys(o)) res[k] = adoptOutputs(heap, o[k]);
    return res;
  }
  return out;
}
