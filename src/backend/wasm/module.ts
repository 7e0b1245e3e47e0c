/** Loads the compiled kernels (embedded by scripts/build_wasm.mjs) and detects what the host supports. */
import { SINGLE_WASM_BASE64, THREADS_WASM_BASE64 } from './generated/binaries.js';
import { builtinSync, envVar } from '../../platform/builtins.js';

export type WasmVariant = 'threads' | 'single';

export interface KernelExports {
  runTask(task: number, args: number, part: number, thread: number): void;
  GEMM_SCRATCH_BYTES: WebAssembly.Global;
}

function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Shared memory needs SharedArrayBuffer (browsers: cross-origin isolation) and Atomics. */
export function threadsSupported(): boolean {
  if (typeof SharedArrayBuffer === 'undefined' || typeof Atomics === 'undefined') return false;
  const g = globalThis as { crossOriginIsolated?: boolean; process?: unknown };
  if (g.process === undefined && g.crossOriginIsolated === false) return false;
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true } as WebAssembly.MemoryDescriptor);
    return true;
  } catch {
    return false;
  }
}

const compiled = new Map<WasmVariant, WebAssembly.Module>();

/** Compiles (once) the variant's module; throws where WebAssembly SIMD is unavailable. */
export function kernelModule(variant: WasmVariant): WebAssembly.Module {
  let m = compiled.get(variant);
  if (!m) {
    const bytes = decodeBase64(variant === 'threads' ? THREADS_WASM_BASE64 : SINGLE_WASM_BASE64);
    m = new WebAssembly.Module(bytes);
    compiled.set(variant, m);
  }
  return m;
}

/** True when this host can run the wasm backend (WebAssembly with 128-bit SIMD). */
export function wasmSupported(): boolean {
  if (typeof WebAssembly === 'undefined') return false;
  try {
    kernelModule(threadsSupported() ? 'threads' : 'single');
    return true;
  } catch {
    return false;
  }
}

/** Default thread count: every core (CONVNET_THREADS overrides in Node). */
export function defaultThreads(): number {
  const env = envVar('CONVNET_THREADS');
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 1) throw new Error(`CONVNET_THREADS must be a positive integer, got '${env}'`);
    return n;
  }
  const os = builtinSync<{ availableParallelism?: () => number; cpus(): unknown[] }>('node:os');
  if (os) return os.availableParallelism ? os.availableParallelism() : os.cpus().length;
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
}
