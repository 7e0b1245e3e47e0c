/**
 * A Storage owns one backend handle. Tensors that view the same memory (reshape) share one Storage, and the
 * handle is freed when the last of them is garbage collected: users never call dispose().
 */
import type { Backend, DataHandle, DType, TypedArray } from '../backend/backend.js';
import { createRegistry } from '../platform/collect.js';

const finalizer = createRegistry<{ backend: Backend; handle: DataHandle }>(({ backend, handle }) => {
  backend.free(handle);
});

/** Registers a storage for freeing, holding the backend's token rather than the handle (see finalizationToken). */
function register(s: Storage): void {
  finalizer.register(s, { backend: s.backend, handle: s.backend.finalizationToken?.(s.handle) ?? s.handle }, s);
}

export class Storage {
  /** Bumped by every in-place write (copy_, init): caches derived from the values (folded weights) compare it. */
  version = 0;

  constructor(
    public backend: Backend,
    public handle: DataHandle,
    readonly size: number,
    readonly dtype: DType,
  ) {
    if (backend.needsFree) register(this);
  }

  read(): TypedArray {
    return this.backend.read(this.handle, this.dtype, this.size);
  }

  /**
   * The values when the host has them without waiting, else null: index checks use it, and leave a GPU-computed
   * index to the kernel's own check (reported at the next read).
   */
  peek(): TypedArray | null {
    return this.backend.peek ? this.backend.peek(this.handle) : this.read();
  }

  /** The values, once the backend has computed them (GPU backends); the same as read() elsewhere. */
  readAsync(): Promise<TypedArray> {
    return this.backend.readAsync ? this.backend.readAsync(this.handle, this.dtype, this.size) : Promise.resolve(this.read());
  }

  /** Moves the data to another backend (used when the active backend changes). */
  moveTo(target: Backend): void {
    if (target === this.backend) return;
    const data = this.read();
    const handle = target.upload(data);
    if (this.backend.needsFree) {
      finalizer.unregister(this);
      this.backend.free(this.handle);
    }
    this.backend = target;
    this.handle = handle;
    if (target.needsFree) register(this);
  }
}

export function storageFrom(backend: Backend, data: TypedArray): Storage {
  return new Storage(backend, backend.upload(data), data.length, data instanceof Int32Array ? 'int32' : 'float32');
}

/** Like storageFrom for an array the caller just created and hands over (no copy where the backend allows). */
export function storageAdopting(backend: Backend, data: TypedArray): Storage {
  const handle = backend.adopt ? backend.adopt(data) : backend.upload(data);
  return new Storage(backend, handle, data.length, data instanceof Int32Array ? 'int32' : 'float32');
}
