/// <reference types="@webgpu/types" preserve="true" />
/**
 * GPU memory in size classes: a freed buffer goes back to a free list of its class and the next tensor of that class
 * reuses it, so a training loop that allocates the same shapes every step creates no buffer after its first steps.
 * Classes are 1, 1.25, 1.5 and 1.75 × a power of two (at most 25% wasted per buffer). Past `maxPooled` bytes the
 * least recently freed buffers are destroyed, so a pool filled by an earlier workload's large tensors never stops the
 * next workload's buffers from being pooled.
 */
import { OutOfMemoryError } from '../memory_error.js';
import { collectNow } from '../../platform/collect.js';

// GPUBufferUsage's values, written out so that no global from the WebGPU spec is needed at load time (Node).
export const USAGE = { MAP_READ: 1, COPY_SRC: 4, COPY_DST: 8, UNIFORM: 64, STORAGE: 128 } as const;
const DATA_USAGE = USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST;

/** What a tensor's handle points at; the finalizer holds this (not the handle with its CPU copy) to free it. */
export interface GpuSlot {
  buffer: GPUBuffer;
  bytes: number;
  freed: boolean;
}

/** The size class of `bytes`: the smallest 2^k·{1, 1.25, 1.5, 1.75} ≥ bytes (at least 16 bytes). */
export function sizeClass(bytes: number): number {
  const n = Math.max(16, bytes);
  const p = 2 ** Math.floor(Math.log2(n));
  if (p === n) return n;
  const quarter = p / 4;
  return p + Math.ceil((n - p) / quarter) * quarter;
}

export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  /** Every pooled buffer and its class, least recently freed first (a Map keeps insertion order). */
  private readonly byAge = new Map<GPUBuffer, number>();
  /** Bytes held in free lists; past `maxPooled` the least recently freed buffers are destroyed. */
  pooledBytes = 0;
  /** Bytes of live (in-use) buffers. */
  liveBytes = 0;
  created = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly maxBytes: number,
    /** Destroys a buffer once the commands already recorded that use it are submitted. */
    private readonly retire: (b: GPUBuffer) => void,
    private readonly maxPooled = 512 * 2 ** 20,
  ) {}

  /** Live bytes past which a new buffer first asks the collector for dropped tensors (raised as memory is really in use). */
  private collectAt = 1 << 30;

  acquire(bytes: number): GpuSlot {
    const size = sizeClass(bytes);
    if (size > this.maxBytes) throw new OutOfMemoryError(null, bytes, 'webgpu');
    if (this.liveBytes + size > this.collectAt) {
      // Finalizers run between event-loop turns; a loop that never yields gets its dropped buffers back here (Node).
      collectNow();
      this.collectAt = Math.max(this.collectAt, 2 * this.liveBytes);
    }
    const list = this.free.get(size);
    const reused = list?.pop();
    if (reused) {
      this.byAge.delete(reused);
      this.pooledBytes -= size;
      this.liveBytes += size;
      return { buffer: reused, bytes: size, freed: false };
    }
    this.created++;
    this.liveBytes += size;
    return { buffer: this.device.createBuffer({ size, usage: DATA_USAGE }), bytes: size, freed: false };
  }

  release(slot: GpuSlot): void {
    if (slot.freed) return;
    slot.freed = true;
    this.liveBytes -= slot.bytes;
    if (slot.bytes > this.maxPooled) {
      this.retire(slot.buffer); // would evict everything and still not fit
      return;
    }
    let list = this.free.get(slot.bytes);
    if (!list) this.free.set(slot.bytes, (list = []));
    list.push(slot.buffer);
    this.byAge.set(slot.buffer, slot.bytes);
    this.pooledBytes += slot.bytes;
    while (this.pooledBytes > this.maxPooled) this.evictOldest();
  }

  /** Destroys the least recently freed pooled buffer: the bottom of its class's stack (lists push and pop at the end). */
  private evictOldest(): void {
    const [buffer, size] = this.byAge.entries().next().value as [GPUBuffer, number];
    const list = this.free.get(size)!;
    list.splice(list[0] === buffer ? 0 : list.indexOf(buffer), 1);
    this.byAge.delete(buffer);
    this.pooledBytes -= size;
    this.retire(buffer);
  }

  /** Destroys every pooled buffer (live ones stay). */
  trim(): void {
    for (const list of this.free.values()) for (const b of list) this.retire(b);
    this.free.clear();
    this.byAge.clear();
    this.pooledBytes = 0;
  }
}
