/**
 * The table of available backends. Each backend registers itself when its module loads (js/index.ts,
 * wasm/index.ts); builtin.ts loads the built-in ones. Creating a backend — compiling wasm, starting threads — waits
 * until it is first selected or used (registry.ts).
 */
import type { Backend } from './backend.js';

const factories = new Map<string, () => Backend>();

/**
 * Makes a backend available to `setBackend` under `name`; `factory` runs once, when the backend is first used.
 * Example: registerBackend('mine', () => createMyBackend())
 */
export function registerBackend(name: string, factory: () => Backend): void {
  factories.set(name, factory);
}

/** The factory registered under `name`. */
export function backendFactory(name: string): (() => Backend) | undefined {
  return factories.get(name);
}

/** Names of every registered backend, in registration order. */
export function backendNames(): string[] {
  return [...factories.keys()];
}
