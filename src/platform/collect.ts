/**
 * Synchronous garbage collection for memory the JS collector cannot see (the wasm heap). FinalizationRegistry
 * callbacks normally run only between event-loop turns, never inside a synchronous training loop. In Node, a
 * registry made in a fresh vm context with V8's cleanupSome enabled can run its callbacks right after a forced
 * collection, so a kernel that finds the heap over budget can reclaim what the program dropped. Elsewhere (browsers,
 * or a V8 without these flags) `collectNow` returns false and callers fall back to eviction.
 */

interface SyncRegistry<T> {
  register(target: object, held: T, token?: object): void;
  unregister(token: object): boolean;
  cleanupSome?(): void;
}

type RegistryCtor = new <T>(cb: (held: T) => void) => SyncRegistry<T>;

interface NodeLike {
  getBuiltinModule?: (id: string) => unknown;
  versions?: { node?: string };
}

let forceGc: (() => void) | null = null;
let Ctor: RegistryCtor | null = null;
const registries: SyncRegistry<unknown>[] = [];

function init(): void {
  const p = (globalThis as { process?: NodeLike }).process;
  const v8 = p?.getBuiltinModule?.('node:v8') as { setFlagsFromString(f: string): void } | undefined;
  const vm = p?.getBuiltinModule?.('node:vm') as { createContext(o: object): object; runInContext(code: string, ctx: object): unknown } | undefined;
  if (!v8 || !vm) return;
  try {
    v8.setFlagsFromString('--harmony-weak-refs-with-cleanup-some');
    v8.setFlagsFromString('--expose-gc');
    const ctx = vm.createContext({});
    const gc = vm.runInContext('gc', ctx) as (() => void) | undefined;
    const R = vm.runInContext('FinalizationRegistry', ctx) as RegistryCtor;
    v8.setFlagsFromString('--no-expose-gc');
    if (typeof gc !== 'function' || typeof (R.prototype as SyncRegistry<unknown>).cleanupSome !== 'function') return;
    forceGc = gc;
    Ctor = R;
  } catch {
    forceGc = null;
    Ctor = null;
  }
}
init();

/** A FinalizationRegistry whose callbacks `collectNow` can run synchronously where the host allows. */
export function createRegistry<T>(cb: (held: T) => void): SyncRegistry<T> {
  const r: SyncRegistry<T> = Ctor ? new Ctor<T>(cb) : new FinalizationRegistry<T>(cb);
  registries.push(r as SyncRegistry<unknown>);
  return r;
}

/** Runs a full collection and the finalizers of everything it freed; false where the host cannot. */
export function collectNow(): boolean {
  if (!forceGc) return false;
  forceGc();
  for (const r of registries) r.cleanupSome?.();
  return true;
}
