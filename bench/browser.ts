/**
 * `npm run bench -- --browser`: the workloads in headless Chromium, in a dedicated Worker of a cross-origin-isolated
 * page (threads on), for convnet-ts's wasm backend and TF.js's wasm backend in the same browser. Returns columns for
 * the table of src/cli/bench.ts, beside Node's figures from the same run.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchColumn, Figure, Metric } from '../src/cli/bench_workloads.js';
import { bundleForBrowser, findChromium, launchChromium, serve } from '../test/browser/harness.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The page: runs one Worker script with a message and collects its { metric, value | cannot } replies. */
const BOOT = `
globalThis.runWorker = (url, msg) => new Promise((resolve, reject) => {
  const w = new Worker(url, { type: 'module' });
  const figures = {};
  w.onmessage = (e) => {
    const d = e.data;
    if (d.error) { w.terminate(); reject(new Error(d.error)); }
    else if (d.done) { w.terminate(); resolve({ figures, threads: d.threads, heap: d.heap, adapter: d.adapter }); }
    else figures[d.metric] = d.cannot !== undefined ? { cannot: 'cannot: ' + d.cannot } : { value: d.value };
  };
  w.onerror = (e) => reject(new Error('worker error: ' + e.message));
  w.postMessage(msg);
});
globalThis.suiteReady = true;
`;

export interface BrowserBenchOptions {
  metrics: Metric[];
  threads: number;
  minSeconds: number;
  /** 'webgpu' among them adds a column for the webgpu backend in Chromium. */
  backends: string[];
  say: (s: string) => void;
}

export async function browserColumns(opts: BrowserBenchOptions): Promise<BenchColumn[]> {
  const metrics = opts.metrics.filter((m) => m !== 'W6');
  const labels = { convnet: `Chromium convnet-ts wasm ×${opts.threads}`, tfjs: `Chromium TF.js wasm ×${opts.threads}` };
  const { path, reason } = findChromium();
  if (!path) {
    const cannot: Figure = { cannot: `not run: ${reason}` };
    return (['convnet', 'tfjs'] as const).map((k) => ({
      id: `chromium-${k}`,
      label: labels[k],
      threads: opts.threads,
      figures: Object.fromEntries(metrics.map((m) => [m, cannot])),
    }));
  }
  opts.say('  Chromium: bundling convnet-ts and TF.js for the browser');
  const [convnet, tfjs] = await Promise.all([
    bundleForBrowser('bench/browser_convnet.ts', { minify: true }),
    bundleForBrowser('bench/browser_tfjs.ts', { minify: true }),
  ]);
  const server = await serve(
    { '/app.js': BOOT, '/convnet.js': convnet.code, '/tfjs.js': tfjs.code },
    { isolated: true, dirs: { '/tfjs/': join(ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist') } },
  );
  const chrome = await launchChromium(path);
  try {
    const page = await chrome.browser.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => (globalThis as { suiteReady?: boolean }).suiteReady === true);
    const columns: BenchColumn[] = [];
    for (const [key, url] of [
      ['convnet', '/convnet.js'],
      ['tfjs', '/tfjs.js'],
    ] as const) {
      opts.say(`  ${labels[key]}: ${metrics.join(', ')}`);
      let col: BenchColumn;
      try {
        const r = (await page.evaluate(
          ([u, msg]) => (globalThis as unknown as { runWorker: (u: string, m: unknown) => Promise<unknown> }).runWorker(u as string, msg),
          [url, { metrics, threads: opts.threads, minSeconds: opts.minSeconds }] as const,
        )) as { figures: Record<string, Figure>; threads: number; heap?: Record<string, number> };
        col = {
          id: `chromium-${key}`,
          label: `Chromium ${key === 'convnet' ? 'convnet-ts' : 'TF.js'} wasm ×${r.threads}`,
          threads: r.threads,
          figures: r.figures,
        };
        if (r.heap) opts.say(`  ${col.label}: wasm heap ${JSON.stringify(r.heap, (_k, v) => (typeof v === 'number' ? Math.round(v) : v))}`);
      } catch (e) {
        const cannot: Figure = { cannot: `failed: ${(e as Error).message.split('\n')[0].slice(0, 120)}` };
        col = { id: `chromium-${key}`, label: labels[key], threads: opts.threads, figures: Object.fromEntries(metrics.map((m) => [m, cannot])) };
      }
      columns.push(col);
    }
    if (opts.backends.includes('webgpu')) columns.push(await webgpuColumn(path, server.url, metrics, opts));
    return columns;
  } finally {
    await chrome.close();
    await server.close();
  }
}

/**
 * convnet-ts's webgpu backend in Chromium: on the machine's GPU with CONVNET_WEBGPU_ADAPTER=hardware, else on
 * SwiftShader (a CPU: its figures say nothing about GPU speed, and the column's label names the adapter).
 */
async function webgpuColumn(path: string, url: string, metrics: Metric[], opts: BrowserBenchOptions): Promise<BenchColumn> {
  const hardware = process.env.CONVNET_WEBGPU_ADAPTER === 'hardware';
  const chrome = await launchChromium(path, ['--enable-unsafe-webgpu', ...(hardware ? ['--enable-features=Vulkan'] : ['--use-webgpu-adapter=swiftshader'])], {
    gpu: hardware,
  });
  const label = 'Chromium convnet-ts webgpu';
  try {
    const page = await chrome.browser.newPage();
    await page.goto(url);
    await page.waitForFunction(() => (globalThis as { suiteReady?: boolean }).suiteReady === true);
    opts.say(`  ${label}: ${metrics.join(', ')}`);
    const r = (await page.evaluate(
      ([u, msg]) => (globalThis as unknown as { runWorker: (u: string, m: unknown) => Promise<unknown> }).runWorker(u as string, msg),
      ['/convnet.js', { metrics, threads: 1, minSeconds: opts.minSeconds, backend: 'webgpu' }] as const,
    )) as { figures: Record<string, Figure>; adapter?: string };
    return { id: 'chromium-webgpu', label: `${label} (${r.adapter ?? 'unknown adapter'})`, threads: 1, figures: r.figures };
  } catch (e) {
    const cannot: Figure = { cannot: `failed: ${(e as Error).message.split('\n')[0].slice(0, 120)}` };
    return { id: 'chromium-webgpu', label, threads: 1, figures: Object.fromEntries(metrics.map((m) => [m, cannot])) };
  } finally {
    await chrome.close();
  }
}
