/**
 * The only door to Node.js built-ins from the browser-safe library: files, paths, compression, hashing. Modules are
 * reached through `builtins.ts`, never by an import a bundler could follow, and only when a caller passes a file
 * path (in a browser, pass bytes, a File or a URL instead and none of this runs).
 */
import { builtin, isNode, requireBuiltin } from './builtins.js';

type Fs = typeof import('node:fs/promises');
type Path = typeof import('node:path');

export async function readFileBytes(path: string, what: string): Promise<Uint8Array> {
  const fs = await requireBuiltin<Fs>('node:fs/promises', what);
  try {
    return new Uint8Array(await fs.readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`${what}: cannot read ${path}${code === 'ENOENT' ? ' (no such file)' : ` (${(e as Error).message})`}`);
  }
}

/** Writes atomically: a temporary file in the same folder, then rename, so readers never see a partial file. */
export async function writeFileAtomic(path: string, data: Uint8Array | string, what: string): Promise<void> {
  const fs = await requireBuiltin<Fs>('node:fs/promises', what);
  const nodePath = await requireBuiltin<Path>('node:path', what);
  await fs.mkdir(nodePath.dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  try {
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, path);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => {}); // a full disk keeps no half-written temporary
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === 'ENOSPC' ? 'no space left on the device' : err.code === 'EACCES' || err.code === 'EROFS' ? 'the folder is not writable' : err.message;
    throw Object.assign(new Error(`${what}: could not write ${path} (${why}); any previous version of it is intact`), { code: err.code });
  }
}

/** Creates a folder (and its parents) if needed. */
export async function ensureDir(path: string): Promise<void> {
  const fs = await requireBuiltin<Fs>('node:fs/promises', 'fit');
  await fs.mkdir(path, { recursive: true });
}

/** Renames `from` to `to` when `from` exists (keeping the previous checkpoint); false when there was nothing. */
export async function renameIfExists(from: string, to: string, what: string): Promise<boolean> {
  const fs = await requireBuiltin<Fs>('node:fs/promises', what);
  try {
    await fs.rename(from, to);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new Error(`${what}: could not rename ${from} to ${to} (${(e as Error).message})`);
  }
}

/**
 * Takes the lock file `path` for this process, or fails naming the process that holds it. A lock whose process
 * is gone (a crashed or killed run on this machine) is taken over, so a crash never leaves a folder stuck.
 * Returns a function that releases it.
 */
export async function acquireLock(path: string, what: string): Promise<{ release(): Promise<void>; tookOver: string | null }> {
  const fs = await requireBuiltin<Fs>('node:fs/promises', what);
  const os = await requireBuiltin<typeof import('node:os')>('node:os', what);
  const me = JSON.stringify({ pid: process.pid, host: os.hostname(), started: new Date().toISOString() });
  let tookOver: string | null = null;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await fs.writeFile(path, me, { flag: 'wx' });
      const release = async () => {
        const now = await fs.readFile(path, 'utf8').catch(() => '');
        if (now === me) await fs.rm(path, { force: true });
      };
      return { release, tookOver };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`${what}: cannot create the lock ${path} (${(e as Error).message})`);
    }
    let holder: { pid?: number; host?: string; started?: string } = {};
    try {
      holder = JSON.parse(await fs.readFile(path, 'utf8'));
    } catch {
      /* an unreadable lock is treated as stale */
    }
    const alive = holder.host === os.hostname() && Number.isInteger(holder.pid) && processAlive(holder.pid!);
    const foreignHost = holder.host !== undefined && holder.host !== os.hostname();
    if (alive || foreignHost) {
      throw new Error(
        `${what}: ${path} is held by a running training (pid ${holder.pid} on ${holder.host}, since ${holder.started}); two runs into one folder would overwrite each other's checkpoints — use another --out, or wait for it${foreignHost ? ` (if that run is gone, delete ${path})` : ''}`,
      );
    }
    tookOver = `pid ${holder.pid ?? '?'} (no longer running)`;
    await fs.rm(path, { force: true });
  }
  throw new Error(`${what}: could not take the lock ${path}`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // it exists, owned by someone else
  }
}

/** Appends text to a file, creating it and its folder if needed. */
export async function appendText(path: string, text: string, what: string): Promise<void> {
  const fs = await requireBuiltin<Fs>('node:fs/promises', what);
  const nodePath = await requireBuiltin<Path>('node:path', what);
  await fs.mkdir(nodePath.dirname(path), { recursive: true });
  await fs.appendFile(path, text);
}

export async function fileExists(path: string): Promise<boolean> {
  const fs = await builtin<Fs>('node:fs/promises');
  if (!fs) return false;
  try {
    await fs.access(path);
    return true;
  } catch {
    return false;
  }
}

export async function listDir(path: string, what: string): Promise<{ name: string; isDir: boolean }[]> {
  const fs = await requireBuiltin<Fs>('node:fs/promises', what);
  try {
    return (await fs.readdir(path, { withFileTypes: true })).map((d) => ({ name: d.name, isDir: d.isDirectory() }));
  } catch (e) {
    throw new Error(`${what}: cannot list ${path} (${(e as Error).message})`);
  }
}

export async function joinPath(...parts: string[]): Promise<string> {
  const p = await builtin<Path>('node:path');
  return p ? p.join(...parts) : parts.join('/');
}

/** gunzip in Node (zlib) or in browsers (DecompressionStream); `name` appears in errors. */
export async function gunzip(bytes: Uint8Array, name: string): Promise<Uint8Array> {
  if (bytes.length < 18 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) throw new Error(`${name} is not a gzip file (bad magic bytes)`);
  const zlib = await builtin<typeof import('node:zlib')>('node:zlib');
  if (zlib) {
    try {
      return new Uint8Array(zlib.gunzipSync(bytes));
    } catch (e) {
      throw new Error(`${name} is a corrupt or truncated gzip file (${(e as Error).message})`);
    }
  }
  try {
    const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new Error(`${name} is a corrupt or truncated gzip file (${(e as Error).message})`);
  }
}

/** The default cache folder: $CONVNET_TS_CACHE, else ~/.cache/convnet-ts. */
export async function defaultCacheDir(): Promise<string> {
  const os = await requireBuiltin<typeof import('node:os')>('node:os', 'the dataset cache');
  const p = await requireBuiltin<Path>('node:path', 'the dataset cache');
  if (process.env.CONVNET_TS_CACHE) return process.env.CONVNET_TS_CACHE;
  return p.join(os.homedir(), '.cache', 'convnet-ts');
}

/** MD5 of bytes as hex (Node only; used to verify downloads and local dataset files). */
export async function md5(bytes: Uint8Array): Promise<string> {
  const crypto = await requireBuiltin<typeof import('node:crypto')>('node:crypto', 'checksum verification');
  return crypto.createHash('md5').update(bytes).digest('hex');
}

/** Downloads a URL to bytes, with a clear error when offline. */
export async function download(url: string, destDir: string): Promise<Uint8Array> {
  if (!isNode()) throw new Error('downloading into the cache folder needs Node.js; in a browser, pass a URL as the source');
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(120_000) });
  } catch (e) {
    throw new Error(`cannot download ${url} (${(e as Error).message}); put the files in ${destDir}`);
  }
  if (!res.ok) throw new Error(`cannot download ${url} (HTTP ${res.status}); put the files in ${destDir}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** Creates `dir` if needed and proves it writable (a probe file written and removed); errors name `what` and the path. */
export async function ensureWritableDir(dir: string, what: string): Promise<void> {
  const fs = await requireBuiltin<Fs>('node:fs/promises', what);
  const nodePath = await requireBuiltin<Path>('node:path', what);
  const probe = nodePath.join(dir, `.write-test-${process.pid}`);
  try {
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(probe, '');
    await fs.rm(probe, { force: true });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new Error(`${what} ${dir} is not a writable folder (${err.code ?? err.message})`);
  }
}
