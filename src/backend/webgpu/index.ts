/// <reference types="@webgpu/types" preserve="true" />
/**
 * The `webgpu` backend: tensors live in GPU buffers and every kernel is a WGSL compute shader. Work is recorded and
 * submitted without waiting; reading values (`await t.dataAsync()`) is the one synchronisation. A kernel this
 * backend lacks is an error naming it — never a silent move to the CPU.
 *
 * Start it with `await initBackend('webgpu')` (in Node, first `useWebGpu(gpu)` with a GPU from the `webgpu` package).
 */
import type { Backend, DataHandle, DType, TypedArray } from '../backend.js';
import { BINARY_OPS, UNARY_OPS, type CoreKernels, type Kernels, type UpdateKernels } from '../kernels.js';
import { registerBackend } from '../backends.js';
import type { GpuSlot } from './buffers.js';
import { GpuContext, type GpuHandle } from './context.js';
import { acquireDevice } from './device.js';
import { Runner } from './runner.js';
import { elementwiseKernels } from './kernels/elementwise.js';
import { reduceKernels } from './kernels/reduce.js';
import { layoutKernels } from './kernels/layout.js';
import { matmulKernels } from './kernels/matmul.js';
import { convKernels } from './kernels/conv.js';
import { poolKernels } from './kernels/pool.js';
import { normKernels } from './kernels/norm.js';
import { softmaxKernels } from './kernels/softmax.js';
import { optimKernels } from './kernels/optim.js';

export { useWebGpu } from './device.js';

export interface WebGpuBackend extends Backend {
  /** The adapter's vendor, architecture and description, once started. */
  readonly adapterName: string | null;
  /** The runner (pipelines, buffer pool, submit counters), once started. */
  readonly runner: Runner | null;
}

/** Every kernel of kernels.ts. */
function kernelTable(ctx: GpuContext): Kernels {
  const ew = elementwiseKernels(ctx);
  // Typed: a kernel of kernels.ts that no family provides, or one with the wrong signature, fails tsc.
  const fixed: CoreKernels & UpdateKernels = {
    where: ew.where,
    fill: ew.fill,
    cast: ew.cast,
    ...reduceKernels(ctx),
    ...layoutKernels(ctx),
    ...matmulKernels(ctx),
    ...convKernels(ctx),
    ...poolKernels(ctx),
    ...normKernels(ctx),
    ...softmaxKernels(ctx),
    ...optimKernels(ctx),
  };
  const table: Record<string, unknown> = { ...fixed };
  for (const op of BINARY_OPS) table[op] = ew.binary(op);
  for (const op of UNARY_OPS) {
    table[op] = ew.unary(op);
    table[`${op}Backward`] = ew.unaryBackward(op);
  }
  return table as unknown as Kernels;
}

const notStarted = (): never => {
  throw new Error("webgpu backend: not started: call `await initBackend('webgpu')` first (it finds the GPU, which cannot be done synchronously)");
};

/** The backend object; it acquires its device in `ready()`. */
export function createWebGpuBackend(): WebGpuBackend {
  let runner: Runner | null = null;
  let adapterName: string | null = null;
  let starting: Promise<void> | null = null;
  const kernels: Partial<Kernels> = {};

  const rt = (): Runner => runner ?? notStarted();
  const bytesOf = (size: number) => size * 4;

  const backend: WebGpuBackend = {
    name: 'webgpu',
    needsFree: true,
    get adapterName() {
      return adapterName;
    },
    get runner() {
      return runner;
    },
    kernels,
    ready(): Promise<void> {
      starting ??= (async () => {
        const acquired = await acquireDevice();
        const limits = acquired.device.limits;
        runner = new Runner(acquired.device, Math.min(limits.maxBufferSize, limits.maxStorageBufferBindingSize));
        adapterName = acquired.adapterName;
        Object.assign(kernels, kernelTable(new GpuContext(runner)));
      })();
      return starting;
    },
    upload(data: TypedArray): DataHandle {
      const r = rt();
      const slot = r.pool.acquire(bytesOf(data.length));
      if (data.length) r.write(slot, data, bytesOf(data.length));
      const h: GpuHandle = { slot, cpu: data.slice() };
      return h;
    },
    adopt(data: TypedArray): DataHandle {
      const r = rt();
      const slot = r.pool.acquire(bytesOf(data.length));
      if (data.length) r.write(slot, data, bytesOf(data.length));
      const h: GpuHandle = { slot, cpu: data };
      return h;
    },
    read(handle: DataHandle, _dtype: DType, _size: number): TypedArray {
      const h = handle as GpuHandle;
      if (h.cpu) return h.cpu;
      throw new Error(
        'webgpu backend: this tensor was computed on the GPU, and a GPU result can only be read asynchronously: use `await t.dataAsync()` (or itemAsync/toArrayAsync), which also lets data() read it afterwards',
      );
    },
    peek(handle: DataHandle): TypedArray | null {
      return (handle as GpuHandle).cpu;
    },
    async readAsync(handle: DataHandle, dtype: DType, size: number): Promise<TypedArray> {
      const h = handle as GpuHandle;
      if (h.cpu) return h.cpu;
      const bytes = await rt().read(h.slot, bytesOf(size));
      const values = dtype === 'int32' ? new Int32Array(bytes, 0, size) : new Float32Array(bytes, 0, size);
      // Read once, known on the host until a kernel writes this buffer again.
      h.cpu = values;
      return values;
    },
    write(handle: DataHandle, data: TypedArray): void {
      const h = handle as GpuHandle;
      if (data.length) rt().write(h.slot, data, bytesOf(data.length));
      h.cpu = data.slice();
    },
    async sync(): Promise<void> {
      await rt().finish();
    },
    copy(src: DataHandle, dst: DataHandle, size: number): void {
      const s = src as GpuHandle;
      const d = dst as GpuHandle;
      if (size) rt().copy(s.slot, d.slot, bytesOf(size));
      d.cpu = s.cpu ? s.cpu.slice() : null;
    },
    free(handleOrToken: DataHandle): void {
      // The finalizer passes the token (the slot); moving a tensor to another backend passes the handle.
      const h = handleOrToken as Partial<GpuHandle>;
      runner?.pool.release(h.slot ?? (handleOrToken as GpuSlot));
    },
    finalizationToken(handle: DataHandle): object {
      return (handle as GpuHandle).slot;
    },
  };
  return backend;
}

registerBackend('webgpu', createWebGpuBackend);
