/**
 * The `wasm` backend: tensors live in one WebAssembly memory; hot kernels (GEMM, convolution, ...) are
 * AssemblyScript compiled to 128-bit SIMD and split across a worker pool sharing that memory. Kernels it does not
 * implement run the `js` reference kernels on views of the same memory, and their outputs stay on the host until
 * a wasm kernel needs them.
 */
import type { Backend, DataHandle, DType, TensorInfo, TypedArray } from '../backend.js';
import type { Kernels } from '../kernels.js';
import { sizeOf } from '../shape.js';
import { createJsBackend } from '../js/index.js';
import { Heap, Lease, WasmHandle } from './heap.js';
import { blockingAllowed, ThreadPool } from './thread_pool.js';
import { WasmContext } from './context.js';
import { defaultThreads, kernelModule, relaxedSimdSupported, threadsSupported, wasmSupported, type KernelExports, type WasmVariant } from './module.js';
import { registerBackend } from '../backends.js';
import { matmulKernels } from './kernels/matmul.js';
import { convKernels } from './kernels/conv.js';
import { elementwiseKernels } from './kernels/elementwise.js';
import { reduceKernels } from './kernels/reduce.js';
import { poolKernels } from './kernels/pool.js';
import { optimKernels } from './kernels/optim.js';
import { layoutKernels } from './kernels/layout.js';
import { normKernels } from './kernels/norm.js';
import { softmaxKernels } from './kernels/softmax.js';
import { checkConvAlgorithm, defaultConvAlgorithm, type ConvAlgorithm } from './kernels/winograd.js';

export interface WasmBackendOptions {
  /** 'single' forces plain (non-shared) memory and one thread, as in a page without cross-origin isolation. */
  variant?: WasmVariant;
  /**
   * Threads kernels split work across, the caller included (default: every core; 1 without shared memory, and 1 on
   * a browser's main thread, which cannot block while workers finish: train in a Worker for threads).
   */
  threads?: number;
  /** Heap bytes after which unreferenced-but-uncollected tensors are moved out of wasm memory (default 256 MiB). */
  heapBudget?: number;
  /** Collect dropped tensors synchronously before evicting (default true). */
  collect?: boolean;
  /**
   * Use the kernels built with relaxed SIMD (fused multiply-add in the GEMM) where the engine runs them (default:
   * where supported, see relaxedSimdSupported; CONVNET_WASM_RELAXED_SIMD=0 turns it off). Results differ from the
   * plain kernels by rounding only.
   */
  relaxedSimd?: boolean;
  /** How 3×3 stride-1 convs are computed (default: CONVNET_CONV_ALGORITHM in Node, else 'auto'; see ConvAlgorithm). */
  convAlgorithm?: ConvAlgorithm;
}

export interface WasmBackend extends Backend {
  readonly variant: WasmVariant;
  /** Whether the kernels are the relaxed-SIMD (fused multiply-add) build. */
  readonly relaxedSimd: boolean;
  /** Threads kernels split work across, the caller included. */
  readonly threads: number;
  /** Restarts the pool with `n` threads (1 without shared memory). */
  setThreads(n: number): void;
  readonly heap: Heap;
  /** How 3×3 stride-1 convs are computed: 'auto' picks per layer (im2col or Winograd F(2×2)/F(4×4), 3×3). */
  convAlgorithm: ConvAlgorithm;
  /** Calls that ran a `js` reference kernel (no wasm kernel, or one that declined the case), by kernel name. */
  readonly fallbacks: Map<string, number>;
  /** Stops the worker threads. */
  terminate(): void;
}

export function createWasmBackend(opts: WasmBackendOptions = {}): WasmBackend {
  const variant: WasmVariant = opts.variant ?? (threadsSupported() ? 'threads' : 'single');
  const relaxed = opts.relaxedSimd ?? relaxedSimdSupported();
  if (relaxed && !relaxedSimdSupported()) throw new Error('createWasmBackend: relaxedSimd: this engine does not run relaxed SIMD');
  const module = kernelModule(variant, relaxed);
  const heap = new Heap({ shared: variant === 'threads', budget: opts.heapBudget, collect: opts.collect });
  const instance = new WebAssembly.Instance(module, { env: { memory: heap.memory } });
  const exports = instance.exports as unknown as KernelExports;
  // A browser's main thread cannot block, so its kernels would busy-wait on workers: one thread there by default.
  const threads = variant === 'threads' ? (opts.threads ?? (blockingAllowed() ? defaultThreads() : 1)) : 1;
  const pool = new ThreadPool(heap.memory, module, exports.runTask, threads);
  const algorithm = opts.convAlgorithm === undefined ? defaultConvAlgorithm() : checkConvAlgorithm(opts.convAlgorithm, 'createWasmBackend: convAlgorithm');
  const ctx = new WasmContext(heap, pool, exports.GEMM_SCRATCH_BYTES.value as number, algorithm);

  const jsBackend = createJsBackend();
  const js = jsBackend.kernels as Kernels;
  const table: Record<string, unknown> = {};
  const fallbacks = new Map<string, number>();
  const countFallback = (name: string) => fallbacks.set(name, (fallbacks.get(name) ?? 0) + 1);
  // Every js kernel, run on views of wasm memory; outputs are adopted (kept on the host until needed).
  for (const [name, fn] of Object.entries(js)) {
    table[name] = (...args: unknown[]) => {
      heap.safePoint(handlesIn(args));
      countFallback(name);
      return adoptOutputs(heap, jsBackend, (fn as (...a: unknown[]) => unknown)(...args));
    };
  }
  const js$ = js; // the reference kernels, for cases the wasm kernels leave to them
  /** Runs `fast` (null: not handled) at a safe point, else the js kernel with adopted outputs (optimizer updates have none and never decline). */
  const withFallback = <K extends keyof Kernels>(name: K, fast: (...a: Parameters<Kernels[K]>) => ReturnType<Kernels[K]> | null) =>
    ((...a: Parameters<Kernels[K]>) => {
      heap.safePoint(handlesIn(a));
      const r = fast(...a);
      // An optional kernel the js backend lacks (fused ones) declines with null: its op composes other kernels.
      if (r !== null || !js$[name]) return r;
      countFallback(name);
      return adoptOutputs(heap, jsBackend, (js$[name] as (...b: unknown[]) => unknown)(...a));
    }) as unknown as Kernels[K];

  // Every family's fast kernels (kernels/<family>.ts), each falling back to the js kernel where it returns null.
  const families = [matmulKernels, convKernels, elementwiseKernels, reduceKernels, poolKernels, optimKernels, normKernels, softmaxKernels, layoutKernels];
  for (const family of families) {
    for (const [name, fast] of Object.entries(family(ctx))) table[name] = withFallback(name as keyof Kernels, fast as never);
  }

  return {
    name: 'wasm',
    needsFree: true,
    variant,
    relaxedSimd: relaxed,
    get threads() {
      return ctx.pool.threads;
    },
    setThreads(n: number) {
      if (!Number.isInteger(n) || n < 1) throw new Error(`setNumThreads: expected a positive integer, got ${n}`);
      if (variant !== 'threads' || n === ctx.pool.threads) return;
      ctx.pool.terminate();
      ctx.pool = new ThreadPool(heap.memory, module, exports.runTask, n);
    },
    heap,
    get convAlgorithm() {
      return ctx.convAlgorithm;
    },
    set convAlgorithm(a: ConvAlgorithm) {
      ctx.convAlgorithm = checkConvAlgorithm(a, 'wasm backend: convAlgorithm');
    },
    fallbacks,
    ready: async () => {
      await ctx.pool.ready();
    },
    upload: (data: TypedArray): DataHandle => heap.upload(data),
    adopt: (data: TypedArray): DataHandle => heap.adopt(data),
    read: (handle: DataHandle, _dtype: DType, _size: number): TypedArray => (handle as WasmHandle).data,
    write: (handle: DataHandle, data: TypedArray): void => {
      (handle as WasmHandle).data.set(data);
    },
    free: (handle: DataHandle): void => (handle instanceof Lease ? heap.freeLease(handle) : heap.freeHandle(handle as WasmHandle)),
    finalizationToken: (handle: DataHandle): object => (handle as WasmHandle).lease,
    kernels: table as Partial<Kernels>,
    terminate: () => ctx.pool.terminate(),
  };
}

/** The wasm handles among a kernel's arguments (tensor infos, arrays of them, records of them). */
function handlesIn(args: readonly unknown[]): Set<WasmHandle> {
  const out = new Set<WasmHandle>();
  const visit = (v: unknown, depth: number) => {
    if (isInfo(v)) {
      if (v.handle instanceof WasmHandle) out.add(v.handle);
    } else if (depth === 0 && typeof v === 'object' && v !== null) {
      for (const x of Array.isArray(v) ? v : Object.values(v)) visit(x, 1);
    }
  };
  for (const a of args) visit(a, 0);
  return out;
}

function isInfo(v: unknown): v is TensorInfo {
  return typeof v === 'object' && v !== null && 'handle' in v && 'shape' in v && 'dtype' in v;
}

/** Wraps the plain typed arrays a js kernel returned as wasm handles (views of wasm memory are copied). */
function adoptOutputs(heap: Heap, js: Backend, out: unknown): unknown {
  if (isInfo(out)) {
    if (out.handle instanceof WasmHandle) return out;
    // The js backend's own read: its handles stay its business.
    const data = js.read(out.handle, out.dtype, sizeOf(out.shape));
    const inHeap = data.buffer === heap.memory.buffer || (typeof SharedArrayBuffer !== 'undefined' && data.buffer instanceof SharedArrayBuffer);
    const handle = inHeap ? heap.upload(data.slice()) : heap.adopt(data);
    return { handle, shape: out.shape, dtype: out.dtype };
  }
  if (typeof out === 'object' && out !== null) {
    const o = out as Record<string, unknown>;
    const res: Record<string, unknown> = {};
    for (const k of Object.keys(o)) res[k] = adoptOutputs(heap, js, o[k]);
    return res;
  }
  return out;
}

if (wasmSupported()) registerBackend('wasm', () => createWasmBackend());
