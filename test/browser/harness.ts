/**
 * Runs code in a real Chromium: finds the browser (Debian's /usr/bin/chromium, or $CHROMIUM_PATH), bundles a test
 * entry for the browser with esbuild (as a user's bundler would), serves it with or without cross-origin isolation
 * on 127.0.0.1, and drives it with playwright-core (no browser download).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The Chromium binary, or null with the reason the browser suite is skipped. */
export function findChromium(): { path: string | null; reason: string } {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => Boolean(p));
  const path = candidates.find((p) => existsSync(p)) ?? null;
  return { path, reason: path ? '' : `no Chromium found (tried ${candidates.join(', ')}; apt-get install -y chromium, or set CHROMIUM_PATH)` };
}

/** Bundles `entry` (a path under the repository) for the browser: ESM, every dependency inlined. */
export async function bundleForBrowser(entry: string, opts: { minify?: boolean } = {}): Promise<{ code: string; warnings: string[] }> {
  const r = await esbuild.build({
    entryPoints: [join(ROOT, entry)],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    minify: opts.minify ?? false,
    logLevel: 'silent',
    absWorkingDir: ROOT,
  });
  return { code: r.outputFiles[0].text, warnings: r.warnings.map((w) => `${w.text} (${w.location?.file}:${w.location?.line})`) };
}

/** Bundles source code (a README example) for the browser, with 'convnet-ts' resolved to this repository's sources. */
export async function bundleSource(code: string, name: string): Promise<string> {
  const r = await esbuild.build({
    stdin: { contents: code, sourcefile: name, resolveDir: ROOT, loader: 'js' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    alias: { 'convnet-ts': './src/index.ts' },
    absWorkingDir: ROOT,
  });
  return r.outputFiles[0].text;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.html': 'text/html',
  '.json': 'application/json',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.wasm': 'application/wasm',
};

export interface TestServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves `/` (a page that loads /app.js as a module), `/app.js` (the bundle; or several scripts by path), and read-only files from the
 * repository's datasets/ and test/fixtures/ (as /datasets/…, /fixtures/…) and any `dirs` (URL prefix → folder);
 * with `site`, a built static site's files (its index.html at /) come first. With `isolated`, every response carries
 * COOP/COEP, so the page may use SharedArrayBuffer and threads.
 */
export async function serve(
  app: string | Record<string, string>,
  opts: { isolated: boolean; dirs?: Record<string, string>; site?: string },
): Promise<TestServer> {
  const scripts: Record<string, string> = typeof app === 'string' ? { '/app.js': app } : app;
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
    if (opts.isolated) {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
      headers['Cross-Origin-Resource-Policy'] = 'same-origin';
    }
    let body: string | Buffer | null = null;
    let type = 'text/plain';
    if (path === '/favicon.ico') {
      res.writeHead(204, headers).end();
      return;
    }
    if (opts.site && (path === '/' || existsSync(join(opts.site, path)))) {
      // A built site (e.g. Vite's dist/): its own index.html and assets.
      const file = normalize(join(opts.site, path === '/' ? 'index.html' : path));
      if (file.startsWith(normalize(opts.site)) && statSync(file).isFile()) {
        body = readFileSync(file);
        type = TYPES[extname(file)] ?? 'application/octet-stream';
      }
    } else if (path === '/') {
      body = '<!doctype html><meta charset="utf-8"><title>convnet-ts browser suite</title><script type="module" src="/app.js"></script>';
      type = TYPES['.html'];
    } else if (scripts[path] !== undefined) {
      body = scripts[path];
      type = TYPES['.js'];
    } else {
      const dirs: Record<string, string> = { '/datasets/': join(ROOT, 'datasets'), '/fixtures/': join(ROOT, 'test/fixtures'), ...opts.dirs };
      const prefix = Object.keys(dirs).find((d) => path.startsWith(d));
      const file = prefix ? normalize(join(dirs[prefix], path.slice(prefix.length))) : null;
      if (file && prefix && file.startsWith(normalize(dirs[prefix])) && existsSync(file) && statSync(file).isFile()) {
        body = readFileSync(file);
        type = TYPES[extname(file)] ?? 'application/octet-stream';
      }
    }
    if (body === null) {
      res.writeHead(404, headers).end('not found');
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': type }).end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface Chromium {
  browser: Browser;
  close(): Promise<void>;
}

/** Launches headless Chromium with the flags that work as root (playwright gives it a fresh temporary profile). */
export async function launchChromium(executablePath: string, extraArgs: string[] = [], opts: { gpu?: boolean } = {}): Promise<Chromium> {
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--headless=new',
      '--no-sandbox',
      // Off unless asked (the webgpu bench on a machine with a GPU): headless runs here have none.
      ...(opts.gpu ? [] : ['--disable-gpu']),
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}

/** Opens the served page, fails on any page error, and waits until the suite bundle has loaded. */
export async function openSuite(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(url);
  await page.waitForFunction(() => (globalThis as { suiteReady?: boolean }).suiteReady === true, undefined, { timeout: 60_000 });
  return { page, errors };
}
