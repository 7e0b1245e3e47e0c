/**
 * A small static file server with the cross-origin-isolation headers (so a page gets SharedArrayBuffer and wasm
 * threads): `convnet playground` serves the built playground with it. Paths are confined to their folders.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

export const ISOLATION_HEADERS: Record<string, string> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** The file a URL path names inside `root`, or null (outside it, missing, or not a file). Folders give index.html. */
export function resolveInside(root: string, urlPath: string): string | null {
  let file = normalize(join(root, urlPath));
  const base = normalize(root).replace(/[\\/]+$/, '');
  if (file !== base && !file.startsWith(base + sep)) return null;
  if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
  return existsSync(file) && statSync(file).isFile() ? file : null;
}

/**
 * Serves `root` at '/', and each `mounts` prefix (e.g. '/data/cifar10/') from its own folder.
 * Args: opts.isolated — send the isolation headers (default true); port 0 picks a free port; opts.files — fixed
 *   contents for exact paths (they take precedence over the folders).
 */
export async function serveStatic(
  root: string,
  opts: { port?: number; host?: string; isolated?: boolean; mounts?: Record<string, string>; files?: Record<string, string> } = {},
): Promise<StaticServer> {
  const headers = opts.isolated === false ? {} : ISOLATION_HEADERS;
  const server = createServer((req, res) => {
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400, headers).end('bad request');
      return;
    }
    const fixed = opts.files?.[path];
    if (fixed !== undefined && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' });
      res.end(req.method === 'HEAD' ? undefined : fixed);
      return;
    }
    const mount = Object.keys(opts.mounts ?? {}).find((m) => path.startsWith(m));
    const file = mount ? resolveInside(opts.mounts![mount], path.slice(mount.length)) : resolveInside(root, path);
    if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(file ? 405 : 404, { ...headers, 'Content-Type': 'text/plain' }).end(file ? 'method not allowed' : 'not found');
      return;
    }
    res.writeHead(200, {
      ...headers,
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': statSync(file).size,
      'Cache-Control': 'no-cache',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, resolve);
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
