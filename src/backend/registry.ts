/** Registered backends, the active one, and kernel lookup with a clear error when a backend lacks a kernel. */
import { isAllocationFailure, OutOfMemoryError } from './memory_error.js';
import type { Backend } from './backend.js';
import type { KernelName, Kernels } from './kernels.js';
import { backendFactory, backendNames } from './backends.js';
import './builtin.js';

export { registerBackend } from './backends.js';

const instances = new Map<string, Backend>();
let active: Backend | null = null;
/** The thread count asked for with setNumThreads, applied to backends started later too. */
let requestedThreads: number | null = null;

/** Selects the backend new tensors and ops run on ('js' is always available). */
export function setBackend(name: string): void {
  active = instance(name);
}

/**
 * Selects a backend and waits until it is fully started: for 'wasm', until its worker threads run (in a page they
 * cannot start while the page's thread runs synchronous code, so a loop started at once would get one thread).
 *
 * Args: name — a registered backend (default: the active one, 'wasm' where WebAssembly SIMD exists).
 * Returns: the number of threads kernels will use.
 * Example: `await initBackend('wasm'); for (...) train step`
 */
export async function initBackend(name?: string): Promise<number> {
  if (name !== undefined) setBackend(name);
  const b = activeBackend();
  await b.ready?.();
  return getNumThreads();
}

/**
 * Waits until the active backend has finished every kernel started so far — the one way to time GPU work (as
 * torch.cuda.synchronize); immediate on the host backends, whose kernels finish before they return.
 * Example: `const t = performance.now(); model.forward(x); await synchronize(); console.log(performance.now() - t)`
 */
export async function synchronize(): Promise<void> {
  await activeBackend().sync?.();
}

/** The name of the active backend. */
export function getBackend(): string {
  return activeBackend().name;
}

/** Names of every registered backend. */
export function listBackends(): string[] {
  return backendNames();
}

export function activeBackend(): Backend {
  if (!active) active = instance(defaultBackendName());
  return active;
}

/** wasm where it runs, else js; CONVNET_BACKEND (Node) picks another, e.g. js for models beyond wasm's 4 GiB. */
function defaultBackendName(): string {
  const env = typeof process !== 'undefined' ? process.env?.CONVNET_BACKEND : undefined;
  if (env) {
    if (!backendFactory(env)) throw new Error(`CONVNET_BACKEND: unknown backend '${env}' (registered: ${backendNames().join(', ')})`);
    return env;
  }
  return backendFactory('wasm') ? 'wasm' : 'js';
}

function instance(name: string): Backend {
  let b = instances.get(name);
  if (!b) {
    const factory = backendFactory(name);
    if (!factory) throw new Error(`setBackend: unknown backend '${name}' (registered: ${backendNames().join(', ')})`);
    b = factory();
    if (requestedThreads !== null) b.setThreads?.(requestedThreads);
    instances.set(name, b);
  }
  return b;
}

const guarded = new WeakMap<Backend, Partial<Record<KernelName, unknown>>>();

/**
 * The active backend's kernel `name`; a missing kernel names the op and the backend. The kernel comes wrapped so
 * that an allocation it cannot make becomes an OutOfMemoryError naming the op, the size and what to change.
 */
export function kernel<K extends KernelName>(name: K): Kernels[K] {
  const k = optionalKernel(name);
  if (!k) throw new Error(`kernel '${name}' is not implemented by backend '${activeBackend().name}'`);
  return k;
}

/** The active backend's kernel `name` (wrapped as `kernel` does), or null when it has none (optional fast paths). */
export function optionalKernel<K extends KernelName>(name: K): Kernels[K] | null {
  const b = activeBackend();
  let table = guarded.get(b);
  if (!table) guarded.set(b, (table = {}));
  const cached = table[name];
  if (cached) return cached as Kernels[K];
  const k = b.kernels[name] as ((...args: unknown[]) => unknown) | undefined;
  if (!k) return null;
  const wrapped = (...args: unknown[]): unknown => {
    try {
      return k(...args);
    } catch (e) {
      if (e instanceof OutOfMemoryError && e.op === null) throw new OutOfMemoryError(name, e.bytes, e.backend);
      if (isAllocationFailure(e)) throw new OutOfMemoryError(name, NaN, b.name);
      throw e;
    }
  };
  table[name] = wrapped;
  return wrapped as Kernels[K];
}

/**
 * Threads the wasm backend splits each kernel across, the caller included (default: every core, or the
 * CONVNET_THREADS environment variable). Results do not depend on it except for the order of a few sums.
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`setNumThreads: expected a positive integer, got ${n}`);
  requestedThreads = n;
  for (const b of instances.values()) b.setThreads?.(n);
}

/** Threads of the active backend's kernels (1 for the js backend). */
export function getNumThreads(): number {
  return activeBackend().threads ?? 1;
}
