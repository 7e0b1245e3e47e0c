/**
 * Soak: CIFAR-10 ResNet-20 training for a fixed time with throughput and memory sampled every interval — flat memory
 * and steady images/s mean no leak and no stall. Not part of CI (it takes the minutes you give it).
 *   npx tsx bench/soak.ts --data ../shared/datasets/cifar-10 [--minutes 30] [--interval 30] [--browser] [--out DIR]
 * Writes DIR/soak-node.json and .svg (or soak-chromium.*).
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as ct from '../src/index.js';
import { soak, soakFigure, type SoakSample } from './soak_run.js';
import { renderSvg } from '../src/chart/render.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/datasets/cifar-10' },
    minutes: { type: 'string', default: '30' },
    interval: { type: 'string', default: '30' },
    browser: { type: 'boolean' },
    out: { type: 'string', default: 'runs/soak' },
  },
});
const minutes = Number(values.minutes);
const intervalSeconds = Number(values.interval);
const out = values.out!;
mkdirSync(out, { recursive: true });
const print = (s: SoakSample) =>
  console.log(
    `${String(s.t).padStart(5)} s  ${String(s.imagesPerSecond).padStart(4)} img/s  wasm ${s.wasmMiB} MiB  resident ${s.residentMiB} MiB  ${Object.entries(
      s.host,
    )
      .map(([k, v]) => `${k} ${v} MiB`)
      .join('  ')}  loss ${s.loss}`,
  );

let result: { samples: SoakSample[]; threads: number; steps: number };
let where: string;
if (!values.browser) {
  await ct.initBackend();
  where = `Node ${process.version}`;
  const trainSet = await ct.data.cifar10({ root: values.data, train: true });
  const mib = (n: number) => Math.round(n / 2 ** 20);
  result = await soak(trainSet, {
    minutes,
    intervalSeconds,
    workers: 1,
    host: () => {
      const m = process.memoryUsage();
      return { rss: mib(m.rss), heapUsed: mib(m.heapUsed), arrayBuffers: mib(m.arrayBuffers) };
    },
    onSample: print,
  });
} else {
  const { bundleForBrowser, findChromium, launchChromium, serve } = await import('../test/browser/harness.js');
  const { path, reason } = findChromium();
  if (!path) throw new Error(reason);
  const worker = await bundleForBrowser('bench/soak_worker.ts', { minify: true });
  const dataDir = resolve(values.data!);
  readdirSync(dataDir); // fail early, naming the folder, if it is missing
  const boot = `globalThis.run = (msg) => new Promise((resolve, reject) => {
    const w = new Worker('/worker.js', { type: 'module' });
    w.onmessage = (e) => { if (e.data.sample) globalThis.onSample(e.data.sample); else { w.terminate(); e.data.error ? reject(new Error(e.data.error)) : resolve(e.data.done); } };
    w.onerror = (e) => reject(new Error(e.message));
    w.postMessage(msg);
  }); globalThis.suiteReady = true;`;
  const server = await serve({ '/app.js': boot, '/worker.js': worker.code }, { isolated: true, dirs: { '/cifar/': dataDir } });
  const chrome = await launchChromium(path);
  try {
    const page = await chrome.browser.newPage();
    await page.exposeFunction('onSample', (s: SoakSample) => print(s));
    await page.goto(server.url);
    await page.waitForFunction(() => (globalThis as { suiteReady?: boolean }).suiteReady === true);
    where = `Chromium ${chrome.browser.version()}`;
    result = (await page.evaluate((m) => (globalThis as unknown as { run: (m: unknown) => Promise<unknown> }).run(m), {
      minutes,
      intervalSeconds,
    })) as typeof result;
  } finally {
    await chrome.close();
    await server.close();
  }
}
const name = values.browser ? 'soak-chromium' : 'soak-node';
const title = `ResNet-20 on CIFAR-10, ${minutes} min in ${where!} (${result.threads} threads, ${result.steps} steps of batch 128)`;
writeFileSync(join(out, `${name}.json`), JSON.stringify({ title, ...result }, null, 1));
writeFileSync(join(out, `${name}.svg`), await renderSvg(soakFigure(title, result.samples)));
const ips = result.samples.map((s) => s.imagesPerSecond);
const wasm = result.samples.map((s) => s.wasmMiB ?? 0);
console.log(
  `${title}\nimages/s min ${Math.min(...ips)} median ${[...ips].sort((a, b) => a - b)[ips.length >> 1]} max ${Math.max(...ips)}; wasm memory ${wasm[0]} → ${wasm.at(-1)} MiB; wrote ${out}/${name}.{json,svg}`,
);
process.exit(0);
