/**
 * The `wasm` backend: tensors live in one WebAssembly memory; hot kernels (GEMM, convolution, ...) are
 * AssemblyScript compiled to 128-bit SIMD and split across a worker pool sharing that memory. Kernels it does not
 * implement run the `js` reference kernels on views of the same memory, and their outputs stay on the host until
 * a wasm kernel needs them.
 */
import type { Backend, DataHandle, DType, TensorInfo, TypedArray } from '../backend.js';
import { BINARY_OPS, UNARY_OPS, type Kernels } from '../kernels.js';
import { createJsBackend } from '../js/index.js';
import { Heap, Lease, WasmHandle } from './heap.js';
import { blockingAllowed, ThreadPool } from './thread_pool.js';
import { WasmContext } from './context.js';
import { defaultThreads, kernelModule, threadsSupported, wasmSupported, type KernelExports, type WasmVariant } from './module.js';
import { registerBackend } from '../backends.js';
import { matmul } from './kernels/matmul.js';
import { conv2d, conv2dBackwardInput, conv2dBackwardWeight, depthwiseBackwardInput, depthwiseBackwardWeight, depthwiseForward } from './kernels/conv.js';
import { binary, fill, stridedCopy, unary, unaryBackward } from './kernels/elementwise.js';
import { broadcastStrides } from '../strided.js';
import { sizeOf, stridesOf } from '../shape.js';
import { sum } from './kernels/reduce.js';
import { avgPool2d, avgPool2dBackward, maxPool2d, maxPool2dBackward } from './kernels/pool.js';
import { adamUpdate, sgdUpdate } from './kernels/optim.js';
import { batchNormTrain, batchNormTrainBackward } from './kernels/norm.js';
import { softmax, softmaxBackward } from './kernels/softmax.js';
import { isDepthwiseInfo } from './kernels/shared.js';

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
}

export interface WasmBackend extends Backend {
  readonly variant: WasmVariant;
  /** Threads kernels split work across, the caller included. */
  readonly threads: number;
  /** Restarts the pool with `n` threads (1 without shared memory). */
  setThreads(n: number): void;
  readonly heap: Heap;
  /** Stops the worker threads. */
  terminate(): void;
}

export function createWasmBackend(opts: WasmBackendOptions = {}): WasmBackend {
  const variant: WasmVariant = opts.variant ?? (threadsSupported() ? 'threads' : 'single');
  const module = kernelModule(variant);
  const heap = new Heap({ shared: variant === 'threads', budget: opts.heapBudget, collect: opts.collect });
  const instance = new WebAssembly.Instance(module, { env: { memory: heap.memory } });
  const exports = instance.exports as unknown as KernelExports;
  // A browser's main thread cannot block, so its kernels would busy-wait on workers: one thread there by default.
  const threads = variant === 'threads' ? (opts.threads ?? (blockingAllowed() ? defaultThreads() : 1)) : 1;
  const pool = new ThreadPool(heap.memory, module, exports.runTask, threads);
  const ctx = new WasmContext(heap, pool, exports.GEMM_SCRATCH_BYTES.value as number);

  const jsBackend = createJsBackend();
  const js = jsBackend.kernels as Kernels;
  const table: Record<string, unknown> = {};
  // Every js kernel, run on views of wasm memory; outputs are adopted (kept on the host until needed).
  for (const [name, fn] of Object.entries(js)) {
    table[name] = (...args: unknown[]) => {
      heap.safePoint(handlesIn(args));
      return adoptOutputs(heap, jsBackend, (fn as (...a: unknown[]) => unknown)(...args));
    };
  }
  const js$ = js; // the reference kernels, for cases the wasm kernels leave to them
  /** Runs `fast` (null: not handled) at a safe point, else the js kernel with adopted outputs. */
  const withFallback = <K extends keyof Kernels>(name: K, fast: (...a: Parameters<Kernels[K]>) => ReturnType<Kernels[K]> | null) =>
    ((...a: Parameters<Kernels[K]>) => {
      heap.safePoint(handlesIn(a));
      const r = fast(...a);
      if (r !== null) return r;
      return adoptOutputs(heap, jsBackend, (js$[name] as (...b: unknown[]) => unknown)(...a));
    }) as unknown as Kernels[K];

  const wasmKernels: Partial<Kernels> = {
    matmul: withFallback('matmul', (a, b, transA, transB) => (a.dtype === 'float32' && b.dtype === 'float32' ? matmul(ctx, a, b, transA, transB) : null)),
    conv2d: withFallback('conv2d', (x, w, bias, c) => (isDepthwiseInfo(c) ? depthwiseForward(ctx, x, w, bias, c) : conv2d(ctx, x, w, bias, c))),
    conv2dBackwardInput: withFallback('conv2dBackwardInput', (dy, w, c) =>
      isDepthwiseInfo(c) ? depthwiseBackwardInput(ctx, dy, w, c) : conv2dBackwardInput(ctx, dy, w, c),
    ),
    conv2dBackwardWeight: withFallback('conv2dBackwardWeight', (x, dy, c) =>
      isDepthwiseInfo(c) ? depthwiseBackwardWeight(ctx, x, dy, c) : conv2dBackwardWeight(ctx, x, dy, c),
    ),
    fill: withFallback('fill', (shape, value, dtype) => fill(ctx, shape, value, dtype)),
    sum: withFallback('sum', (x, dims) => sum(ctx, x, dims)),
    maxPool2d: withFallback('maxPool2d', (x, p) => (x.dtype === 'float32' ? maxPool2d(ctx, x, p) : null)),
    maxPool2dBackward: withFallback('maxPool2dBackward', (dy, ind, shape) => maxPool2dBackward(ctx, dy, ind, shape)),
    avgPool2d: withFallback('avgPool2d', (x, p) => (x.dtype === 'float32' ? avgPool2d(ctx, x, p) : null)),
    avgPool2dBackward: withFallback('avgPool2dBackward', (dy, p) => avgPool2dBackward(ctx, dy, p)),
    // Optimizer updates: parameters are float32 (the optimizers check), so these have no js fallback to fall to.
    sgdUpdate: (param, grad, state, h) => (heap.safePoint(handlesIn([param, grad, state])), sgdUpdate(ctx, param, grad, state, h)),
    adamUpdate: (param, grad, state, h) => (heap.safePoint(handlesIn([param, grad, state])), adamUpdate(ctx, param, grad, state, h)),
    batchNormTrain: withFallback('batchNormTrain', (x, w, b, eps) => batchNormTrain(ctx, x, w, b, eps)),
    batchNormTrainBackward: withFallback('batchNormTrainBackward', (x, dy, m, v, w, eps) => batchNormTrainBackward(ctx, x, dy, m, v, w, eps)),
    softmax: withFallback('softmax', (x, dim) => softmax(ctx, x, dim, false)),
    logSoftmax: withFallback('logSoftmax', (x, dim) => softmax(ctx, x, dim, true)),
    softmaxBackward: withFallback('softmaxBackward', (y, dy, dim) => softmaxBackward(ctx, y, dy, dim, false)),
    logSoftmaxBackward: withFallback('logSoftmaxBackward', (y, dy, dim) => softmaxBackward(ctx, y, dy, dim, true)),
    transpose: withFallback('transpose', (x, perm) => {
      const strides = stridesOf(x.shape);
      return stridedCopy(
        ctx,
        x,
        perm.map((p) => x.shape[p]),
        perm.map((p) => strides[p]),
      );
    }),
    broadcastTo: withFallback('broadcastTo', (x, shape) => stridedCopy(ctx, x, shape, broadcastStrides(x.shape, shape))),
    slice: withFallback('slice', (x, starts, steps, outShape) => {
      const strides = stridesOf(x.shape);
      const base = starts.reduce((s, st, d) => s + st * strides[d], 0);
      return stridedCopy(
        ctx,
        x,
        outShape,
        strides.map((s, d) => s * steps[d]),
        base,
      );
    }),
  };
  for (const op of BINARY_OPS) {
    (wasmKernels as Record<string, unknown>)[op] = withFallback(op, (a, b, shape) => binary(ctx, op, a, b, shape));
  }
  for (const op of UNARY_OPS) {
    (wasmKernels as Record<string, unknown>)[op] = withFallback(op, (x, p) => unary(ctx, op, x, p));
    (wasmKernels as Record<string, unknown>)[`${op}Backward`] = withFallback(`${op}Backward`, (x, y, dy, p) => unaryBackward(ctx, op, x, y, dy, p));
  }
  Object.assign(table, wasmKernels);

  return {
    name: 'wasm',
    needsFree: true,
    variant,
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
