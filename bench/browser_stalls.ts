/**
 * Worst step times of synchronous loops in Chromium (the memory bound): 2,000 LeNet-5 training steps (batch
 * 64) and 200 ResNet-18 inference passes (batch 1) in a Worker of an isolated page, no dispose(), no yield between
 * steps, so the heap can only evict. Prints medians, p99, worst, counts over 100/250 ms and the wasm memory size.
 *   npx tsx bench/browser_stalls.ts [--lenet-steps N] [--resnet-passes N] [--resnet-batch B]
 */
import { bundleForBrowser, findChromium, launchChromium, serve } from '../test/browser/harness.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const { path, reason } = findChromium();
if (!path) throw new Error(reason);
const worker = await bundleForBrowser('bench/browser_stalls_worker.ts', { minify: true });
const boot = `globalThis.run = (msg) => new Promise((resolve, reject) => {
  const w = new Worker('/worker.js', { type: 'module' });
  w.onmessage = (e) => { w.terminate(); resolve(e.data); };
  w.onerror = (e) => reject(new Error(e.message));
  w.postMessage(msg);
}); globalThis.suiteReady = true;`;
const server = await serve({ '/app.js': boot, '/worker.js': worker.code }, { isolated: true });
const chrome = await launchChromium(path);
try {
  const page = await chrome.browser.newPage();
  await page.goto(server.url);
  await page.waitForFunction(() => (globalThis as { suiteReady?: boolean }).suiteReady === true);
  const msg = { lenetSteps: arg('lenet-steps', 2000), resnetPasses: arg('resnet-passes', 200), resnetBatch: arg('resnet-batch', 1) };
  const r = await page.evaluate((m) => (globalThis as unknown as { run: (m: unknown) => Promise<unknown> }).run(m), msg);
  console.log(JSON.stringify(r, null, 1));
} finally {
  await chrome.close();
  await server.close();
}
