/**
 * Vite configuration of the playground: the cross-origin-isolation headers (threads need them), the data folders
 * (the bundled MNIST, and CIFAR-10 from `--data-dir`) served under data/, and a static build into dist/playground
 * that carries MNIST with it and works from any static host (single-threaded where the host cannot set headers).
 */
import { cpSync, createReadStream, existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..');
export const OUT_DIR = join(REPO, 'dist', 'playground');

/** The headers that make the page cross-origin isolated (SharedArrayBuffer, hence wasm threads). */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** data/<name>/ → a folder on disk; nothing outside it is reachable. */
function dataFolders(): Record<string, string> {
  const dirs: Record<string, string> = { mnist: join(REPO, 'datasets', 'mnist') };
  if (process.env.CONVNET_PLAYGROUND_DATA_DIR) dirs.cifar10 = resolve(process.env.CONVNET_PLAYGROUND_DATA_DIR);
  return dirs;
}

/** data/index.json: which datasets this server has (the CIFAR-10 demo asks it instead of probing for files). */
export function dataIndex(datasets: string[]): string {
  return JSON.stringify({ datasets });
}

function serveData(): Plugin {
  const handler = (req: { url?: string }, res: import('node:http').ServerResponse, next: () => void) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (path === '/data/index.json') {
      res.writeHead(200, { ...ISOLATION_HEADERS, 'Content-Type': 'application/json' }).end(dataIndex(Object.keys(dataFolders())));
      return;
    }
    const m = /^\/data\/([\w-]+)\/(.+)$/.exec(path);
    const base = m ? dataFolders()[m[1]] : undefined;
    if (!m || !base) return next();
    const file = normalize(join(base, m[2]));
    if (!file.startsWith(normalize(base) + '/') || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, ISOLATION_HEADERS).end('not found');
      return;
    }
    res.writeHead(200, { ...ISOLATION_HEADERS, 'Content-Type': 'application/octet-stream', 'Content-Length': statSync(file).size });
    createReadStream(file).pipe(res);
  };
  let outDir = OUT_DIR;
  return {
    name: 'convnet-playground-data',
    configResolved: (c) => void (outDir = c.build.outDir),
    configureServer: (server) => void server.middlewares.use(handler),
    configurePreviewServer: (server) => void server.middlewares.use(handler),
    closeBundle() {
      // The static site carries the bundled MNIST with its data/index.json, and a _headers file for hosts that read one (Netlify, Cloudflare).
      if (!existsSync(outDir)) return;
      cpSync(join(REPO, 'datasets', 'mnist'), join(outDir, 'data', 'mnist'), { recursive: true });
      writeFileSync(join(outDir, 'data', 'index.json'), dataIndex(['mnist']));
      writeFileSync(
        join(outDir, '_headers'),
        `/*\n${Object.entries(ISOLATION_HEADERS)
          .map(([k, v]) => `  ${k}: ${v}`)
          .join('\n')}\n`,
      );
    },
  };
}

export default defineConfig({
  root: HERE,
  base: './',
  logLevel: 'warn',
  clearScreen: false,
  plugins: [serveData()],
  server: { headers: ISOLATION_HEADERS, fs: { allow: [REPO] } },
  preview: { headers: ISOLATION_HEADERS },
  // Class names stay (the library prints layers and names them in errors by their class name); the worker bundles'
  // build time is expected, not a slow plugin to report.
  worker: { format: 'es', rolldownOptions: { output: { keepNames: true }, checks: { bundlerTimings: false } } },
  build: {
    minify: process.env.PLAYGROUND_MINIFY !== 'off',
    sourcemap: true,
    outDir: OUT_DIR,
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
    rolldownOptions: { output: { keepNames: true }, checks: { bundlerTimings: false } },
  },
});
