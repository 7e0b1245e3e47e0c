/** Loads the compiled kernels (embedded by scripts/build_wasm.mjs) and detects what the host supports. */
import { SINGLE_RELAXED_WASM_BASE64, SINGLE_WASM_BASE64, THREADS_RELAXED_WASM_BASE64, THREADS_WASM_BASE64 } from './generated/binaries.js';
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

const compiled = new Map<string, WebAssembly.Module>();

/** Compiles (once) the variant's module, plain or relaxed SIMD; throws where WebAssembly SIMD is unavailable. */
export function kernelModule(variant: WasmVariant, relaxed = false): WebAssembly.Module {
  const key = `${variant}${relaxed ? '-relaxed' : ''}`;
  let m = compiled.get(key);
  if (!m) {
    const b64 = relaxed
      ? variant === 'threads'
        ? THREADS_RELAXED_WASM_BASE64
        : SINGLE_RELAXED_WASM_BASE64
      : variant === 'threads'
        ? THREADS_WASM_BASE64
        : SINGLE_WASM_BASE64;
    m = new WebAssembly.Module(decodeBase64(b64));
    compiled.set(key, m);
  }
  return m;
}

// (func (param v128 v128 v128) (result v128) local.get 0 local.get 1 local.get 2 f32x4.relaxed_madd): validates only
// where the engine has relaxed SIMD.
const RELAXED_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 96, 3, 123, 123, 123, 1, 123, 3, 2, 1, 0, 10, 13, 1, 11, 0, 32, 0, 32, 1, 32, 2, 253, 133, 2, 11,
]);
let relaxed: boolean | undefined;

/**
 * Whether the engine runs relaxed SIMD (Chrome ≥ 114, Node ≥ 22). Node 20 and 21 have it complete behind V8's
 * --experimental-wasm-relaxed-simd (the same semantics as shipped later): set here at run time, which only lets
 * modules compiled afterwards use the relaxed instructions. CONVNET_WASM_RELAXED_SIMD=0 turns all of this off.
 */
export function relaxedSimdSupported(): boolean {
  if (relaxed !== undefined) return relaxed;
  relaxed = false;
  if (typeof WebAssembly === 'undefined' || envVar('CONVNET_WASM_RELAXED_SIMD') === '0') return relaxed;
  relaxed = WebAssembly.validate(RELAXED_PROBE);
  const node = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node;
  if (!relaxed && node && Number(node.split('.')[0]) < 22) {
    builtinSync<{ setFlagsFromString(flags: string): void }>('node:v8')?.setFlagsFromString('--experimental-wasm-relaxed-simd');
    relaxed = WebAssembly.validate(RELAXED_PROBE);
  }
  return relaxed;
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
