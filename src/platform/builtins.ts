/**
 * Node.js built-in modules, reached without an `import` statement so that a bundler building for the browser never
 * follows them: `process.getBuiltinModule` (Node ≥ 20.16), else a dynamic import whose specifier is not a literal.
 * In a browser both give null, and callers fall back to web APIs or ask for bytes.
 */

type NodeProcess = { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown; env?: Record<string, string | undefined> };

function nodeProcess(): NodeProcess | null {
  const p = (globalThis as { process?: NodeProcess }).process;
  return p && typeof p.versions?.node === 'string' ? p : null;
}

/** True in Node.js (and in Node-compatible runtimes that report a Node version). */
export function isNode(): boolean {
  return nodeProcess() !== null;
}

/** A built-in module synchronously, or null (browsers; Node < 20.16). */
export function builtinSync<T>(id: `node:${string}`): T | null {
  return (nodeProcess()?.getBuiltinModule?.(id) as T | undefined) ?? null;
}

/** A built-in module, or null outside Node. */
export async function builtin<T>(id: `node:${string}`): Promise<T | null> {
  if (!isNode()) return null;
  const sync = builtinSync<T>(id);
  if (sync) return sync;
  const specifier: string = id; // not a literal: bundlers leave it alone
  return (await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier)) as T;
}

/** A built-in module that must exist: throws a clear error naming `what` outside Node. */
export async function requireBuiltin<T>(id: `node:${string}`, what: string): Promise<T> {
  const m = await builtin<T>(id);
  if (!m) throw new Error(`${what} needs Node.js (file system access); in a browser, pass the file's bytes, a File or a URL instead`);
  return m;
}

/** An npm package loaded only in Node (terminal tools), never seen by a bundler. */
export async function nodePackage<T>(name: string, what: string): Promise<T> {
  if (!isNode()) throw new Error(`${what} needs Node.js (it uses the '${name}' package)`);
  const specifier: string = name;
  return (await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier)) as T;
}

/** An environment variable in Node (undefined elsewhere). */
export function envVar(name: string): string | undefined {
  return nodeProcess()?.env?.[name];
}
