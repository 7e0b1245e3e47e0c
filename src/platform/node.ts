/**
 * The only door to Node.js built-ins from the browser-safe library: dynamic imports, reached only when a caller
 * passes a file path (in a browser, pass bytes instead and none of this runs).
 */

function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

function requireNode(what: string): void {
  if (!isNode()) throw new Error(`${what} needs Node.js (file system access); in a browser, pass the file's bytes instead`);
}

export async function readFileBytes(path: string, what: string): Promise<Uint8Array> {
  requireNode(what);
  const fs = await import('node:fs/promises');
  try {
    return new Uint8Array(await fs.readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`${what}: cannot read ${path}${code === 'ENOENT' ? ' (no such file)' : ` (${(e as Error).message})`}`);
  }
}

/** Writes atomically: a temporary file in the same folder, then rename, so readers never see a partial file. */
export async function writeFileAtomic(path: string, data: Uint8Array | string, what: string): Promise<void> {
  requireNode(what);
  const fs = await import('node:fs/promises');
  const nodePath = await import('node:path');
  await fs.mkdir(nodePath.dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  await fs.writeFile(tmp, data);
  await fs.rename(tmp, path);
}

/** Appends text to a file, creating it and its folder if needed. */
export async function appendText(path: string, text: string, what: string): Promise<void> {
  requireNode(what);
  const fs = await import('node:fs/promises');
  const nodePath = await import('node:path');
  await fs.mkdir(nodePath.dirname(path), { recursive: true });
  await fs.appendFile(path, text);
}

export async function fileExists(path: string): Promise<boolean> {
  if (!isNode()) return false;
  const fs = await import('node:fs/promises');
  try {
    await fs.access(path);
    return true;
  } catch {
    return false;
  }
}

export async function listDir(path: string, what: string): Promise<{ name: string; isDir: boolean }[]> {
  requireNode(what);
  const fs = await import('node:fs/promises');
  try {
    return (await fs.readdir(path, { withFileTypes: true })).map((d) => ({ name: d.name, isDir: d.isDirectory() }));
  } catch (e) {
    throw new Error(`${what}: cannot list ${path} (${(e as Error).message})`);
  }
}

export async function joinPath(...parts: string[]): Promise<string> {
  if (!isNode()) return parts.join('/');
  const p = await import('node:path');
  return p.join(...parts);
}

/** gunzip in Node (zlib) or in browsers (DecompressionStream); `name` appears in errors. */
export async function gunzip(bytes: Uint8Array, name: string): Promise<Uint8Array> {
  if (bytes.length < 18 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) throw new Error(`${name} is not a gzip file (bad magic bytes)`);
  if (isNode()) {
    const zlib = await import('node:zlib');
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
  requireNode('the dataset cache');
  if (process.env.CONVNET_TS_CACHE) return process.env.CONVNET_TS_CACHE;
  const os = await import('node:os');
  const p = await import('node:path');
  return p.join(os.homedir(), '.cache', 'convnet-ts');
}

/** MD5 of bytes as hex (Node only; used to verify downloads and local dataset files). */
export async function md5(bytes: Uint8Array): Promise<string> {
  requireNode('checksum verification');
  const crypto = await import('node:crypto');
  return crypto.createHash('md5').update(bytes).digest('hex');
}

/** Downloads a URL to bytes, with a clear error when offline. */
export async function download(url: string, destDir: string): Promise<Uint8Array> {
  requireNode('downloading');
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(120_000) });
  } catch (e) {
    throw new Error(`cannot download ${url} (${(e as Error).message}); put the files in ${destDir}`);
  }
  if (!res.ok) throw new Error(`cannot download ${url} (HTTP ${res.status}); put the files in ${destDir}`);
  return new Uint8Array(await res.arrayBuffer());
}
