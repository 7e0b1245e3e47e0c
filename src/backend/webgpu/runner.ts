/// <reference types="@webgpu/types" preserve="true" />
/**
 * Recording and submitting GPU work. Kernels describe a dispatch (WGSL source, buffers, a few words of parameters,
 * workgroup counts); the runner caches pipelines by source and parameter buffers by content, records dispatches into
 * one command encoder and submits it when a read or a write needs the queue, or every 64 dispatches. Nothing here
 * waits for the GPU except `read`, which maps a staging copy.
 */
import { BufferPool, USAGE, type GpuSlot } from './buffers.js';

/** Kinds of binding a kernel declares, in binding order after the parameters (binding 0). */
export type Access = 'read' | 'write' | 'atomic';

export interface Dispatch {
  /** Identifies the WGSL source; the source is built only on a cache miss. */
  key: string;
  code: () => string;
  /** Storage buffers at bindings 1, 2, …: inputs (read), outputs (write), scatter targets (atomic u32). */
  buffers: { slot: GpuSlot; access: Access }[];
  /** Parameters (u32 words; floats bit-cast) at binding 0 as `array<vec4<u32>, N>`; none when empty. */
  params?: Uint32Array;
  /** Binds the device-side error flags after the buffers (index checks). */
  errors?: boolean;
  /** Workgroups in x, y, z. */
  groups: readonly [number, number, number];
}

/** Words of kernel parameters, floats stored by their bits. */
export class Params {
  private readonly words: number[] = [];
  u(...v: number[]): this {
    for (const x of v) this.words.push(x >>> 0);
    return this;
  }
  i(...v: number[]): this {
    for (const x of v) this.words.push(x | 0);
    return this;
  }
  f(...v: number[]): this {
    const f = new Float32Array(1);
    const u = new Uint32Array(f.buffer);
    for (const x of v) {
      f[0] = x;
      this.words.push(u[0]);
    }
    return this;
  }
  done(): Uint32Array {
    return Uint32Array.from(this.words);
  }
}

/** Errors kernels report through the error flags, by flag index. */
export const ERROR_FLAGS = ['an index was out of range'] as const;

const MAX_DISPATCHES_PER_SUBMIT = 64;
const MAX_CACHED_PARAMS = 4096;

export class Runner {
  readonly pool: BufferPool;
  private encoder: GPUCommandEncoder | null = null;
  private recorded = 0;
  private readonly pipelines = new Map<string, { pipeline: GPUComputePipeline; layout: GPUBindGroupLayout }>();
  private readonly layouts = new Map<string, GPUBindGroupLayout>();
  private readonly paramBuffers = new Map<string, GPUBuffer>();
  private toDestroy: GPUBuffer[] = [];
  private readonly errorFlags: GPUBuffer;
  /** Names of the kernels that ran with error flags bound since the last check. */
  private checkedKernels = new Set<string>();
  private deviceError: string | null = null;
  /**
   * Dispatches recorded, submits, buffers read back, and waits: reads started while none was in flight (reads
   * started together, as a Promise.all, are one wait). For tests and profiles.
   */
  dispatches = 0;
  submits = 0;
  reads = 0;
  waits = 0;
  private readsInFlight = 0;

  constructor(
    readonly device: GPUDevice,
    maxBufferBytes: number,
  ) {
    this.pool = new BufferPool(device, maxBufferBytes, (b) => this.toDestroy.push(b));
    this.errorFlags = device.createBuffer({ size: 16, usage: USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST });
    device.addEventListener?.('uncapturederror', (e) => {
      this.deviceError ??= (e as GPUUncapturedErrorEvent).error.message;
    });
  }

  private layout(buffers: readonly { access: Access }[], params: boolean, errors: boolean): GPUBindGroupLayout {
    const sig = `${params ? 'p' : ''}:${buffers.map((b) => b.access[0]).join('')}:${errors ? 'e' : ''}`;
    let l = this.layouts.get(sig);
    if (!l) {
      const entries: GPUBindGroupLayoutEntry[] = [];
      const COMPUTE = 4; // GPUShaderStage.COMPUTE
      if (params) entries.push({ binding: 0, visibility: COMPUTE, buffer: { type: 'uniform' } });
      buffers.forEach((b, i) => entries.push({ binding: i + 1, visibility: COMPUTE, buffer: { type: b.access === 'read' ? 'read-only-storage' : 'storage' } }));
      if (errors) entries.push({ binding: buffers.length + 1, visibility: COMPUTE, buffer: { type: 'storage' } });
      l = this.device.createBindGroupLayout({ entries });
      this.layouts.set(sig, l);
    }
    return l;
  }

  private paramBuffer(words: Uint32Array): GPUBuffer {
    const key = words.join(',');
    let b = this.paramBuffers.get(key);
    if (b) {
      // Most recently used last, so the oldest go first when the cache is full.
      this.paramBuffers.delete(key);
      this.paramBuffers.set(key, b);
      return b;
    }
    const size = Math.max(16, Math.ceil(words.length / 4) * 16);
    b = this.device.createBuffer({ size, usage: USAGE.UNIFORM, mappedAtCreation: true });
    new Uint32Array(b.getMappedRange()).set(words);
    b.unmap();
    this.paramBuffers.set(key, b);
    if (this.paramBuffers.size > MAX_CACHED_PARAMS) {
      const [oldKey, old] = this.paramBuffers.entries().next().value as [string, GPUBuffer];
      this.paramBuffers.delete(oldKey);
      this.toDestroy.push(old);
    }
    return b;
  }

  private commandEncoder(): GPUCommandEncoder {
    this.encoder ??= this.device.createCommandEncoder();
    return this.encoder;
  }

  /** Records one dispatch. */
  run(d: Dispatch): void {
    const params = d.params && d.params.length > 0 ? d.params : null;
    const layout = this.layout(d.buffers, params !== null, d.errors ?? false);
    const pkey = `${d.key}|${params ? Math.ceil(params.length / 4) : 0}|${d.buffers.map((b) => b.access[0]).join('')}${d.errors ? 'e' : ''}`;
    let p = this.pipelines.get(pkey);
    if (!p) {
      const header = params ? `@group(0) @binding(0) var<uniform> PRM: array<vec4<u32>, ${Math.ceil(params.length / 4)}>;\n` : '';
      const module = this.device.createShaderModule({ code: header + d.code() });
      const pipeline = this.device.createComputePipeline({
        layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
        compute: { module, entryPoint: 'main' },
      });
      p = { pipeline, layout };
      this.pipelines.set(pkey, p);
    }
    const entries: GPUBindGroupEntry[] = [];
    if (params) entries.push({ binding: 0, resource: { buffer: this.paramBuffer(params) } });
    d.buffers.forEach((b, i) => entries.push({ binding: i + 1, resource: { buffer: b.slot.buffer, size: b.slot.bytes } }));
    if (d.errors) {
      entries.push({ binding: d.buffers.length + 1, resource: { buffer: this.errorFlags } });
      this.checkedKernels.add(d.key.split(':')[0]);
    }
    const bindGroup = this.device.createBindGroup({ layout: p.layout, entries });
    const pass = this.commandEncoder().beginComputePass();
    pass.setPipeline(p.pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(d.groups[0], d.groups[1], d.groups[2]);
    pass.end();
    this.dispatches++;
    if (++this.recorded >= MAX_DISPATCHES_PER_SUBMIT) this.flush();
  }

  /** Zero-fills a buffer (scatter targets) in command order. */
  clear(slot: GpuSlot): void {
    this.commandEncoder().clearBuffer(slot.buffer);
  }

  /** Copies `bytes` from one buffer to another in command order. */
  copy(src: GpuSlot, dst: GpuSlot, bytes: number): void {
    this.commandEncoder().copyBufferToBuffer(src.buffer, 0, dst.buffer, 0, roundUp4(bytes));
  }

  /** Submits everything recorded; then destroys the buffers retired while it was recorded. */
  flush(): void {
    if (this.encoder) {
      this.device.queue.submit([this.encoder.finish()]);
      this.submits++;
      this.encoder = null;
      this.recorded = 0;
    }
    if (this.toDestroy.length) {
      for (const b of this.toDestroy) b.destroy();
      this.toDestroy = [];
    }
  }

  /** Resolves when the GPU has run everything recorded so far; throws an error the device reported meanwhile. */
  async finish(): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
    if (this.deviceError) {
      const msg = this.deviceError;
      this.deviceError = null;
      throw new Error(`webgpu backend: the GPU reported an error: ${msg}`);
    }
  }

  /** Writes host data into a buffer, after the work already recorded (which may still read the buffer's old contents). */
  write(slot: GpuSlot, data: ArrayBufferView, byteLength: number): void {
    this.flush();
    this.device.queue.writeBuffer(slot.buffer, 0, data.buffer, data.byteOffset, roundUp4(byteLength));
  }

  /** The first `bytes` of a buffer, once the GPU has run everything recorded before; throws a kernel's or the device's error. */
  async read(slot: GpuSlot, bytes: number): Promise<ArrayBuffer> {
    this.reads++;
    if (this.readsInFlight++ === 0) this.waits++;
    try {
      return await this.readOnce(slot, bytes);
    } finally {
      this.readsInFlight--;
    }
  }

  private async readOnce(slot: GpuSlot, bytes: number): Promise<ArrayBuffer> {
    const size = roundUp4(Math.max(bytes, 4));
    // The error flags go after the values, at an offset getMappedRange accepts (a multiple of 8).
    const flagsAt = Math.ceil(size / 8) * 8;
    const staging = this.device.createBuffer({ size: flagsAt + 16, usage: USAGE.MAP_READ | USAGE.COPY_DST });
    const enc = this.commandEncoder();
    enc.copyBufferToBuffer(slot.buffer, 0, staging, 0, size);
    const checked = [...this.checkedKernels];
    if (checked.length) {
      enc.copyBufferToBuffer(this.errorFlags, 0, staging, flagsAt, 16);
      enc.clearBuffer(this.errorFlags);
      this.checkedKernels.clear();
    }
    this.flush();
    try {
      await staging.mapAsync(1 /* GPUMapMode.READ */);
    } catch (e) {
      staging.destroy();
      throw new Error(`webgpu backend: reading a tensor failed: ${this.deviceError ?? (e as Error).message}`);
    }
    const out = staging.getMappedRange(0, size).slice(0);
    const flags = checked.length ? new Uint32Array(staging.getMappedRange(flagsAt, 16).slice(0)) : null;
    staging.unmap();
    staging.destroy();
    if (this.deviceError) {
      const msg = this.deviceError;
      this.deviceError = null;
      throw new Error(`webgpu backend: the GPU reported an error: ${msg}`);
    }
    if (flags) {
      for (let i = 0; i < ERROR_FLAGS.length; i++) {
        if (flags[i]) throw new Error(`webgpu backend: ${checked.join(' or ')}: ${ERROR_FLAGS[i]} (checked on the GPU; the result is not valid)`);
      }
    }
    return out;
  }
}

export const roundUp4 = (n: number): number => Math.ceil(n / 4) * 4;
