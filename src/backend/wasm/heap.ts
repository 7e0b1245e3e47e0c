/**
 * The wasm backend's memory: one WebAssembly.Memory (shared when threads are available), a size-class allocator
 * over it, and the handles tensors hold.
 *
 * Lifetimes (users never dispose): a handle's block is released when its Storage is garbage collected
 * (FinalizationRegistry, see tensor/storage.ts). Finalizers only run between event-loop turns, so a synchronous
 * training loop would grow the heap without bound. So when live blocks pass the budget, the next kernel call
 * (1) forces a collection and runs the finalizers synchronously where the host allows (Node; platform/collect.ts),
 * and otherwise (2, browsers) moves the least recently used blocks to plain typed arrays (which the collector reclaims
 * on its own), an eighth of the budget at a time so that no single kernel call stalls long; blocks in use come back
 * on their next kernel call. The budget doubles when the working set itself is near it. When free space is stranded
 * (fragmentation), every block is moved out and the heap starts afresh.
 */
import type { DType, TypedArray } from '../backend.js';
import { collectNow } from '../../platform/collect.js';
import { BlockAllocator } from './allocator.js';
import { OutOfMemoryError } from '../memory_error.js';

/** Bytes below the heap: [0, 64 KiB) unused (0 means "no pointer"), [64 KiB, 128 KiB) the control block. */
export const CONTROL_BASE = 64 * 1024;
const HEAP_BASE = 128 * 1024;
const PAGE = 65536;
/** The budget never grows past 3 GiB of the 4 GiB wasm32 address space. */
const MAX_BUDGET = 3 * 2 ** 30;
/** Free bytes below the heap top tolerated before compacting (at least the budget). */
const FRAGMENTATION_SLACK = 512 * 2 ** 20;
/** Without synchronous collection, each eviction frees this fraction of the budget below it (bounds each stall). */
const EVICT_SLICES = 8;
/** How far the budget grows for a program that yields but allocates more than the budget in one turn. */
const YIELDING_BUDGET_CAP = 2 ** 30;

/**
 * What the finalizer of a dropped tensor holds to free its block: an identity only. A FinalizationRegistry keeps its
 * held values alive until the callback runs — never inside a synchronous loop — so holding the handle itself kept
 * every evicted host copy alive there (1.8 GB over 200 LeNet steps); through a lease, the collector reclaims them.
 */
export class Lease {}

/** The memory a handle's values live in: a block of the heap (ptr > 0) or, once evicted, a plain array. */
export class WasmHandle {
  readonly lease = new Lease();
  /** Byte offset of the block, 0 when the values are in `host`, -1 once freed. */
  ptr = 0;
  /** Size class of the block in bytes. */
  cls = 0;
  host: TypedArray | null = null;
  private view: TypedArray | null = null;
  private viewEpoch = -1;
  private viewPtr = 0;

  constructor(
    readonly heap: Heap,
    readonly length: number,
    readonly dtype: DType,
  ) {}

  /** The values (a view of wasm memory or the evicted copy); read by the js kernels the backend falls back to. */
  get data(): TypedArray {
    if (this.ptr <= 0) {
      if (this.ptr < 0) throw new Error('wasm backend: use of a freed tensor buffer');
      return this.host!;
    }
    // Re-create the view after growth (non-shared memory detaches views) or a move (eviction, then re-upload).
    if (this.viewEpoch !== this.heap.epoch || this.viewPtr !== this.ptr || this.view === null) {
      this.view = this.heap.viewOf(this.ptr, this.length, this.dtype);
      this.viewEpoch = this.heap.epoch;
      this.viewPtr = this.ptr;
    }
    return this.view;
  }
}

export interface HeapOptions {
  shared: boolean;
  /** Bytes of live blocks after which the next kernel call evicts (default 256 MiB; doubles when evictions recur). */
  budget?: number;
  /** Try a synchronous collection before evicting (default true; tests turn it off to exercise eviction). */
  collect?: boolean;
}

export class Heap {
  readonly memory: WebAssembly.Memory;
  /** Changes whenever views of the memory must be re-created (growth of non-shared memory detaches them). */
  epoch = 0;
  private readonly blocks: BlockAllocator;
  /** Bytes in blocks handed out and not yet released. */
  private live = 0;
  /** Handles with a block in the heap, by lease (the only strong path from the heap to a handle). */
  private readonly resident = new Map<Lease, WasmHandle>();
  /**
   * Handles the running kernel reads. A forced collection can finalize a tensor whose handle a kernel still holds
   * (optimized code drops the Tensor once its info() is taken), so frees of pinned handles wait for the next kernel.
   */
  private pinned: ReadonlySet<WasmHandle> = new Set();
  private deferred: WasmHandle[] = [];
  private budget: number;
  private readonly collect: boolean;
  private f32: Float32Array;
  private i32: Int32Array;
  private u8: Uint8Array;
  private reuploadedBytes = 0;
  private evictedBytes = 0;
  /** Bytes freed by finalizers since the last eviction: the program yields to the event loop. */
  private finalizedBytes = 0;
  /** Counters for tests and diagnostics. */
  readonly stats = { evictions: 0, collections: 0, reuploads: 0, peakBytes: 0, evictMs: 0, reuploadMs: 0 };

  constructor(opts: HeapOptions) {
    const maximum = 65536; // 4 GiB, the wasm32 limit; shared memories must declare one
    this.memory = new WebAssembly.Memory({ initial: 64, maximum, shared: opts.shared } as WebAssembly.MemoryDescriptor);
    this.budget = opts.budget ?? 256 * 1024 * 1024;
    this.collect = opts.collect ?? true;
    this.blocks = new BlockAllocator(HEAP_BASE, (end) => {
      if (end > this.memory.buffer.byteLength) this.grow(end);
    });
    this.f32 = new Float32Array(this.memory.buffer);
    this.i32 = new Int32Array(this.memory.buffer);
    this.u8 = new Uint8Array(this.memory.buffer);
  }

  /** Bytes between the heap base and the highest block ever handed out since the last reset. */
  get used(): number {
    return this.blocks.top - HEAP_BASE;
  }

  /** Bytes in live blocks. */
  get liveBytes(): number {
    return this.live;
  }

  get budgetBytes(): number {
    return this.budget;
  }

  get residentCount(): number {
    return this.resident.size;
  }

  get heapF32(): Float32Array {
    this.refresh();
    return this.f32;
  }

  get heapI32(): Int32Array {
    this.refresh();
    return this.i32;
  }

  viewOf(ptr: number, length: number, dtype: DType): TypedArray {
    return dtype === 'int32' ? new Int32Array(this.memory.buffer, ptr, length) : new Float32Array(this.memory.buffer, ptr, length);
  }

  private refresh(): void {
    if (this.f32.buffer !== this.memory.buffer) {
      this.f32 = new Float32Array(this.memory.buffer);
      this.i32 = new Int32Array(this.memory.buffer);
      this.u8 = new Uint8Array(this.memory.buffer);
    }
  }

  /**
   * A block of at least `bytes` bytes (64-byte aligned); grows the memory when needed, and when it cannot, collects
   * dropped tensors first (safe mid-kernel: inputs are pinned, outputs are not registered yet). Never evicts.
   */
  alloc(bytes: number): { ptr: number; cls: number } {
    if (bytes > 2 ** 32 - HEAP_BASE) throw new OutOfMemoryError(null, bytes, 'wasm');
    let block;
    try {
      block = this.blocks.alloc(bytes);
    } catch {
      if (!(this.collect && collectNow())) throw new OutOfMemoryError(null, bytes, 'wasm');
      this.stats.collections++;
      try {
        block = this.blocks.alloc(bytes);
      } catch {
        throw new OutOfMemoryError(null, bytes, 'wasm');
      }
    }
    this.live += block.size;
    const used = this.blocks.top - HEAP_BASE;
    if (used > this.stats.peakBytes) this.stats.peakBytes = used;
    return { ptr: block.ptr, cls: block.size };
  }

  release(ptr: number, cls: number): void {
    this.live -= cls;
    this.blocks.release(ptr, cls);
  }

  private grow(end: number): void {
    const have = this.memory.buffer.byteLength;
    // Grow by at least 1/4 of the current size so repeated small growths stay rare.
    const want = Math.max(end, have * 1.25);
    const pages = Math.ceil((want - have) / PAGE);
    const maxPages = 65536 - have / PAGE;
    try {
      this.memory.grow(Math.min(pages, maxPages));
    } catch {
      try {
        this.memory.grow(Math.ceil((end - have) / PAGE));
      } catch {
        throw new Error(`wasm backend: out of memory (need ${end} bytes of the 4 GiB wasm32 address space)`);
      }
    }
    if (end > this.memory.buffer.byteLength) throw new Error(`wasm backend: out of memory (need ${end} bytes)`);
    this.epoch++;
    this.refresh();
  }

  // ---- handles ----

  /** A handle with a fresh block (contents undefined). */
  allocHandle(length: number, dtype: DType): WasmHandle {
    const h = new WasmHandle(this, length, dtype);
    const { ptr, cls } = this.alloc(Math.max(4, length * 4));
    h.ptr = ptr;
    h.cls = cls;
    this.resident.set(h.lease, h);
    return h;
  }

  /** A handle whose values are `data` (copied into the heap). */
  upload(data: TypedArray): WasmHandle {
    const h = this.allocHandle(data.length, data instanceof Int32Array ? 'int32' : 'float32');
    this.refresh();
    if (data instanceof Int32Array) this.i32.set(data, h.ptr >>> 2);
    else this.f32.set(data, h.ptr >>> 2);
    return h;
  }

  /** A handle keeping `data` on the host until a wasm kernel needs it (no copy now). */
  adopt(data: TypedArray): WasmHandle {
    const h = new WasmHandle(this, data.length, data instanceof Int32Array ? 'int32' : 'float32');
    h.host = data;
    return h;
  }

  /** The byte offset of a handle's values, bringing them back into the heap if they were evicted. */
  ptr(h: WasmHandle): number {
    if (h.ptr > 0) return h.ptr;
    if (h.ptr < 0) throw new Error('wasm backend: use of a freed tensor buffer');
    const t0 = performance.now();
    const host = h.host!;
    const { ptr, cls } = this.alloc(Math.max(4, h.length * 4));
    this.refresh();
    if (host instanceof Int32Array) this.i32.set(host, ptr >>> 2);
    else this.f32.set(host, ptr >>> 2);
    h.ptr = ptr;
    h.cls = cls;
    h.host = null;
    this.resident.set(h.lease, h);
    this.stats.reuploads++;
    this.reuploadedBytes += cls;
    this.stats.reuploadMs += performance.now() - t0;
    return ptr;
  }

  /** Frees the block behind a dropped tensor's lease; a no-op once evicted (the host copy is the collector's). */
  freeLease(lease: Lease): void {
    const h = this.resident.get(lease);
    if (h) {
      this.finalizedBytes += h.cls;
      this.freeHandle(h);
    }
  }

  freeHandle(h: WasmHandle): void {
    if (this.pinned.has(h)) {
      this.deferred.push(h);
      return;
    }
    if (h.ptr > 0) {
      this.resident.delete(h.lease);
      this.release(h.ptr, h.cls);
    }
    h.ptr = -1;
    h.host = null;
  }

  /**
   * Called at the start of every kernel, before it takes any pointer, with the handles it reads: reclaims memory
   * when live blocks pass the budget.
   */
  safePoint(pins: ReadonlySet<WasmHandle> = new Set()): void {
    this.pinned = pins;
    if (this.deferred.length > 0) {
      const waiting = this.deferred;
      this.deferred = [];
      for (const h of waiting) this.freeHandle(h);
    }
    // The resident map is kept in order of last use: a kernel's inputs move to its end.
    for (const h of pins) {
      if (h.ptr > 0) {
        this.resident.delete(h.lease);
        this.resident.set(h.lease, h);
      }
    }
    const used = this.blocks.top - HEAP_BASE;
    // Free space stranded below the top (blocks of sizes nobody asks for any more): compact by evicting.
    const fragmented = used - this.live > Math.max(this.budget, FRAGMENTATION_SLACK);
    if (this.live <= this.budget && !fragmented) return;
    if (this.live > this.budget && this.collect && collectNow()) {
      this.stats.collections++;
      // What survives is the working set: give it room so collections stay rare.
      this.budget = Math.min(Math.max(this.budget, 2 * this.live), MAX_BUDGET);
      if (this.blocks.top - HEAP_BASE - this.live <= Math.max(this.budget, FRAGMENTATION_SLACK)) return;
      this.evictAll();
      return;
    }
    if (fragmented) {
      this.evictAll();
      return;
    }
    // No synchronous collection here (browsers): move the least recently used blocks out, a slice at a time, so each
    // stall is short; what was evicted but is still used comes back, and when that is much, the budget grows.
    // A program that yields frees its garbage between turns: over budget here means one turn allocates more than
    // the budget, so grow it (as a collection does in Node) rather than copy that turn's garbage out. So does one
    // whose evicted blocks keep coming back (thrashing).
    const yields = this.finalizedBytes >= this.budget / 2 && this.budget < YIELDING_BUDGET_CAP;
    if ((yields || this.reuploadedBytes > this.budget / 8) && this.budget < MAX_BUDGET) {
      this.budget = Math.min(this.budget * 2, MAX_BUDGET);
      this.reuploadedBytes = 0;
      this.evictedBytes = 0;
      this.finalizedBytes = 0;
      if (this.live <= this.budget) return;
    }
    this.evictLeastRecentlyUsed(this.live - this.budget + this.budget / EVICT_SLICES);
  }

  /** Moves resident blocks out, least recently used first (never a running kernel's inputs), until `bytes` are freed. */
  evictLeastRecentlyUsed(bytes: number): void {
    const t0 = performance.now();
    this.refresh();
    let freed = 0;
    for (const [lease, h] of this.resident) {
      if (freed >= bytes) break;
      if (this.pinned.has(h)) continue;
      const start = h.ptr >>> 2;
      h.host = h.dtype === 'int32' ? this.i32.slice(start, start + h.length) : this.f32.slice(start, start + h.length);
      this.resident.delete(lease);
      this.release(h.ptr, h.cls);
      h.ptr = 0;
      freed += h.cls;
    }
    this.stats.evictions++;
    this.stats.evictMs += performance.now() - t0;
    this.finalizedBytes = 0;
    // Reuploads are judged per budget's worth of evictions: over half of it coming back means thrashing.
    this.evictedBytes += freed;
    if (this.evictedBytes >= this.budget) {
      this.evictedBytes = 0;
      this.reuploadedBytes = 0;
    }
  }

  /** Moves every resident block to the host and resets the allocator. */
  evictAll(): void {
    const t0 = performance.now();
    this.refresh();
    for (const h of this.resident.values()) {
      const start = h.ptr >>> 2;
      h.host = h.dtype === 'int32' ? this.i32.slice(start, start + h.length) : this.f32.slice(start, start + h.length);
      h.ptr = 0;
    }
    this.resident.clear();
    this.blocks.reset();
    this.live = 0;
    this.reuploadedBytes = 0;
    this.stats.evictions++;
    this.stats.evictMs += performance.now() - t0;
  }

  /** Zeroes `bytes` bytes at `ptr`. */
  zero(ptr: number, bytes: number): void {
    this.refresh();
    this.u8.fill(0, ptr, ptr + bytes);
  }
}
