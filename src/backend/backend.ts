/**
 * The Backend interface: allocate, read, write, free, and a table of kernels keyed by op name.
 * Tensors never touch raw memory; they hold a handle owned by the backend that created it.
 */
import type { Shape } from './shape.js';
import type { Kernels } from './kernels.js';

export type DType = 'float32' | 'int32';
export type TypedArray = Float32Array | Int32Array;

/** Opaque to everything but the backend that made it. */
export type DataHandle = object;

/** What a kernel receives and returns: a handle plus the metadata needed to index it. */
export interface TensorInfo {
  readonly handle: DataHandle;
  readonly shape: Shape;
  readonly dtype: DType;
}

export interface Backend {
  readonly name: string;
  /** Copies `data` into backend memory. */
  upload(data: TypedArray): DataHandle;
  /** Takes ownership of `data` (the caller will not touch it again); backends that can, avoid the copy. */
  adopt?(data: TypedArray): DataHandle;
  /** The values behind a handle; callers must treat the result as read-only. */
  read(handle: DataHandle, dtype: DType, size: number): TypedArray;
  /**
   * The values behind a handle once the device has computed them (GPU backends, whose `read` works only for values
   * already on the host); backends without it read synchronously.
   */
  readAsync?(handle: DataHandle, dtype: DType, size: number): Promise<TypedArray>;
  /** The values if they are on the host now, else null (GPU results not yet read back); backends without it read. */
  peek?(handle: DataHandle): TypedArray | null;
  /** Resolves when every kernel already started has finished (GPU backends; host backends finish as they go). */
  sync?(): Promise<void>;
  /** Copies `size` values from one handle to another on the device (`copy_` without a round trip through the host). */
  copy?(src: DataHandle, dst: DataHandle, size: number): void;
  /** Overwrites the values behind a handle in place (optimizer updates, running statistics). */
  write(handle: DataHandle, data: TypedArray): void;
  /** Releases memory; called by the library when the last tensor viewing it is garbage collected. */
  free(handle: DataHandle): void;
  /**
   * What the garbage-collection finalizer holds (and later passes to `free`) instead of the handle, so that the
   * finalizer does not keep the handle's data alive until it runs (default: the handle).
   */
  finalizationToken?(handle: DataHandle): object;
  readonly kernels: Partial<Kernels>;
  /** True when handles hold memory the garbage collector cannot see (wasm); the library then frees them. */
  readonly needsFree: boolean;
  /** Resolves when the backend is fully started (the wasm backend's worker threads); see `initBackend`. */
  ready?(): Promise<void>;
  /** Threads its kernels split work across, for backends that have threads. */
  readonly threads?: number;
  /** Changes that thread count (`setNumThreads`). */
  setThreads?(n: number): void;
}
