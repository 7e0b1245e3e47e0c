/**
 * A tensor that does not fit: the backend's address space (wasm32: 4 GiB), the engine's typed-array limit, or the
 * machine's memory. The message names the op (added by the kernel dispatcher), the size, and what to change.
 */
export class OutOfMemoryError extends Error {
  /**
   * Args:
   *   op: the op that asked for the memory, or null until the dispatcher knows it.
   *   bytes: the size of the allocation that failed.
   *   backend: the backend's name.
   */
  constructor(
    readonly op: string | null,
    readonly bytes: number,
    readonly backend: string,
  ) {
    super(oomMessage(op, bytes, backend));
    this.name = 'OutOfMemoryError';
  }
}

/** Bytes as KB/MB/GB for people. */
export function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(1)} GB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MB`;
  return `${Math.ceil(n / 2 ** 10)} KB`;
}

function oomMessage(op: string | null, bytes: number, backend: string): string {
  const where = backend === 'wasm' ? "the wasm backend's 4 GiB address space" : `the ${backend} backend's memory`;
  const hint =
    backend === 'wasm'
      ? "use a smaller batch size or input, or the js backend, which is not limited to 4 GiB (setBackend('js'); for the CLI, CONVNET_BACKEND=js)"
      : 'use a smaller batch size or input';
  if (!Number.isFinite(bytes)) return `${op ?? 'allocation'}: ran out of memory allocating a tensor on the ${backend} backend; ${hint}`;
  return `${op ?? 'allocation'}: needs ${formatBytes(bytes)} for one tensor (${Math.round(bytes / 4)} values), more than fits in ${where}; ${hint}`;
}

/** Errors the engine throws for an allocation it cannot make (typed-array length, ArrayBuffer, wasm memory). */
export function isAllocationFailure(e: unknown): boolean {
  return (
    e instanceof RangeError &&
    /Array buffer allocation failed|Invalid typed array length|Invalid array buffer length|out of memory|WebAssembly\.Memory/i.test(e.message)
  );
}
