/**
 * The library in a real browser (Debian's Chromium through playwright-core): the esbuild browser bundle has no Node
 * built-in, and the browser suite (test/browser/suite.ts) passes in a cross-origin-isolated page (threads), a plain
 * page (one thread) and a dedicated Worker, with results equal to Node's. Skipped, saying why, without Chromium.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ct from '../src/index.js';
import { createWasmBackend } from '../src/backend/wasm/index.js';
import type { Page } from 'playwright-core';
import { bundleForBrowser, bundleSource, findChromium, launchChromium, openSuite, serve, type Chromium, type TestServer } from './browser/harness.js';
import { fnv1a, resnet18Logits, trainLenet, trainLenetAsync, type LenetResult, type ResnetResult } from './browser/workloads.js';
import { relativeToMax } from './helpers/tolerance.js';

const NODE_BUILTINS = /^(node:|fs$|fs\/|path$|os$|url$|zlib$|crypto$|worker_threads$|child_process$|util$|stream$|buffer$|v8$|vm$)/;

describe('the package bundled for browsers (esbuild, platform=browser)', () => {
  for (const entry of ['src/index.ts', 'dist/index.js']) {
    it(`${entry}: bundles with no error or warning, reaches no Node built-in and no Node-only package`, async () => {
      const esbuild = await import('esbuild');
      const r = await esbuild.build({
        entryPoints: [entry],
        bundle: true,
        platform: 'browser',
        format: 'esm',
        write: false,
        metafile: true,
        logLevel: 'silent',
      });
      expect(r.errors).toEqual([]);
      expect(r.warnings.map((w) => w.text)).toEqual([]);
      const imports = Object.values(r.metafile.inputs).flatMap((i) => i.imports.map((x) => x.path));
      expect(imports.filter((p) => NODE_BUILTINS.test(p))).toEqual([]);
      const packages = new Set(
        Object.keys(r.metafile.inputs)
          .filter((f) => f.includes('node_modules/'))
          .map((f) => f.split('node_modules/').pop()!.split('/')[0]),
      );
      for (const nodeOnly of ['cli-progress', 'pngjs', 'tsx', 'esbuild', 'playwright-core']) expect(packages.has(nodeOnly), nodeOnly).toBe(false);
    });
  }
});

const { path: chromiumPath, reason } = findChromium();
if (!chromiumPath) console.warn(`browser suite skipped: ${reason}`);

describe.skipIf(!chromiumPath)('in Chromium', () => {
  let chrome: Chromium;
  let app: string;
  const servers: TestServer[] = [];
  let nodeLenet: { threads: LenetResult; single: LenetResult };
  let nodeResnet: ResnetResult;

  beforeAll(async () => {
    const bundle = await bundleForBrowser('test/browser/suite.ts');
    expect(bundle.warnings).toEqual([]);
    app = bundle.code;
    chrome = await launchChromium(chromiumPath!);
    // Node's own run of the workloads, for the comparisons: threads variant at 2 threads, and the single variant.
    const mnist = await ct.data.mnist();
    const before = ct.getBackend();
    ct.setBackend('wasm');
    ct.setNumThreads(2);
    nodeLenet = { threads: trainLenet(mnist), single: undefined as unknown as LenetResult };
    // The wasm backend as a page without isolation has it: plain memory, one thread.
    ct.registerBackend('wasm-single', () => createWasmBackend({ variant: 'single' }));
    ct.setBackend('wasm-single');
    nodeLenet.single = trainLenet(mnist);
    ct.setBackend('wasm');
    nodeResnet = resnet18Logits();
    ct.setBackend(before);
  }, 600_000);

  afterAll(async () => {
    await chrome?.close();
    for (const s of servers) await s.close();
  });

  async function pageFor(isolated: boolean): Promise<{ page: Page; errors: string[] }> {
    const server = await serve(app, { isolated });
    servers.push(server);
    return openSuite(chrome.browser, server.url);
  }

  const run = (page: Page, name: string, arg?: unknown) =>
    page.evaluate(([n, a]) => (globalThis as unknown as { convnetSuite: Record<string, (x?: unknown) => unknown> }).convnetSuite[n as string](a), [
      name,
      arg,
    ] as const);
  const runInWorker = (page: Page, name: string, arg?: unknown) =>
    page.evaluate(([n, a]) => (globalThis as unknown as { runInWorker: (n: string, a?: unknown) => Promise<unknown> }).runInWorker(n as string, a), [
      name,
      arg,
    ] as const);

  /** Opens the README example's page and waits for its 'trained on …' line; fails on any page error. */
  async function trainExample(url: string): Promise<{ line: string; title: string }> {
    const page = await chrome.browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const done = page.waitForEvent('console', { predicate: (m) => m.text().startsWith('trained on'), timeout: 120_000 });
    await page.goto(url);
    const line = (await done).text();
    const title = await page.title();
    await page.close();
    expect(errors).toEqual([]);
    return { line, title };
  }

  describe('a cross-origin-isolated page (threads)', () => {
    let page: Page;
    let errors: string[];
    beforeAll(async () => ({ page, errors } = await pageFor(true)));
    afterAll(() => expect(errors).toEqual([]));

    it('has threads on the wasm backend only in a Worker (the page thread cannot block), and Tensor methods in the bundle', async () => {
      const env = (await run(page, 'env')) as { crossOriginIsolated: boolean; threads: number; tensorMethods: boolean; backends: string[] };
      expect(env).toMatchObject({ crossOriginIsolated: true, threads: 1, tensorMethods: true });
      expect(env.backends).toEqual(['js', 'wasm', 'webgpu']);
      const inWorker = (await runInWorker(page, 'env')) as { crossOriginIsolated: boolean; threads: number; inWorker: boolean };
      expect(inWorker).toMatchObject({ crossOriginIsolated: true, inWorker: true });
      expect(inWorker.threads).toBeGreaterThanOrEqual(2);
    });
    it('every PyTorch fixture case matches on both backends', async () => {
      const r = (await run(page, 'parity')) as { cases: number; failures: string[] };
      expect(r.cases).toBeGreaterThan(200);
      expect(r.failures).toEqual([]);
    });
    it('every gradient check passes on both backends', async () => {
      const r = (await run(page, 'gradcheck')) as { checks: number; failures: string[] };
      expect(r.checks).toBeGreaterThan(50);
      expect(r.failures).toEqual([]);
    });
    it('LeNet-5, 200 steps on MNIST in a Worker with 2 threads: weights bit-identical to Node with 2 threads', async () => {
      const r = (await runInWorker(page, 'lenet', 200)) as LenetResult;
      expect(r.threads).toBe(2);
      expect(r.losses.at(-1)!).toBeLessThan(r.losses[0] * 0.5);
      expect(r.losses).toEqual(nodeLenet.threads.losses);
      expect(r.weightsHash).toBe(nodeLenet.threads.weightsHash);
      console.log(
        `LeNet-5 training: ${r.imagesPerSecond.toFixed(0)} img/s in a Chromium Worker (2 threads), ${nodeLenet.threads.imagesPerSecond.toFixed(0)} in Node; slowest steps [step, ms] ${JSON.stringify(r.slowest)} vs ${JSON.stringify(nodeLenet.threads.slowest)}; heap ${JSON.stringify(r.heap)} vs ${JSON.stringify(nodeLenet.threads.heap)}`,
      );
    });
    it('setNumThreads in a Worker switches pools (1, 2, 1, 2, 2 threads) with identical results', async () => {
      expect(await runInWorker(page, 'threadSwitch')).toEqual({ counts: [1, 2, 1, 2, 2], allEqual: true });
    });
    it('train.fit in a Worker reports through eventProgress (epochs, throttled steps, the last step of each epoch)', async () => {
      const r = (await runInWorker(page, 'fit')) as Record<string, unknown>;
      expect(r.types).toEqual(['epochStart', 'step', 'epochEnd']);
      expect(r).toMatchObject({ epochStarts: 2, epochEnds: 2, lastStep: { epoch: 2, step: 40, steps: 40 } });
      expect(r.stepEvents as number).toBeGreaterThanOrEqual(2);
      expect(r.stepEvents as number).toBeLessThanOrEqual(80);
      expect(r.valAcc as number).toBeGreaterThan(0.8);
      console.log(`train.fit in a Chromium Worker: ${(r.imagesPerSecond as number).toFixed(0)} img/s (LeNet-5, Adam, batch 64, yielding every step)`);
    });
    it('ResNet-18 inference in a Worker equals Node to 1e-5', async () => {
      const r = (await runInWorker(page, 'resnet18')) as ResnetResult;
      expect(relativeToMax(r.logits, nodeResnet.logits)).toBeLessThanOrEqual(1e-5);
    });
    it('model files: .pth from a URL matches PyTorch, safetensors and ONNX round trips through Blobs', async () => {
      const r = (await run(page, 'io')) as Record<string, number | boolean>;
      expect(r.pthVsPytorch).toBeLessThanOrEqual(1e-4);
      expect(r.safetensorsRoundTrip).toBe(true);
      expect(r.safetensorsBlobBytes).toBeGreaterThan(40e6);
      expect(r.onnxVsPytorch).toBeLessThanOrEqual(1e-4);
      expect(r.onnxRoundTrip).toBeLessThanOrEqual(1e-5);
    });
    it('the IndexedDB cache: integrity-checked entries, hits without the network, corrupted entries dropped, datasets through it', async () => {
      const bytes = readFileSync(new URL('./fixtures/images/gradient.png', import.meta.url));
      const sha = createHash('sha256').update(bytes).digest('hex');
      const r = (await run(page, 'cache', sha)) as Record<string, unknown>;
      expect(r.firstHash).toBe(fnv1a([bytes]));
      expect(r.hitHash).toBe(fnv1a([bytes]));
      expect(r.listed).toEqual([{ key: '/fixtures/images/gradient.png', size: bytes.length, sha256: sha }]);
      expect(r.wrongSha).toMatch(/palette\.png has SHA-256 [0-9a-f]{64}, expected 0{64}/);
      expect(r.storedAfterWrong).toBe(1);
      expect(r.afterCorruption).toBe(true);
      expect(r.mnistTest).toBe(10000);
      expect(r.cachedFiles).toEqual(['/datasets/mnist/t10k-images-idx3-ubyte.gz', '/datasets/mnist/t10k-labels-idx1-ubyte.gz']);
    });
    it('images: PNG/JPEG files decode to the pixels Node decodes; canvas and ImageData in, ImageData out', async () => {
      const r = (await run(page, 'images')) as Record<string, unknown>;
      for (const name of ['gradient.png', 'gradient.jpg', 'palette.png', 'gray16.png']) {
        const img = await ct.data.decodeImage(readFileSync(new URL(`./fixtures/images/${name}`, import.meta.url)), name);
        expect(r[name], name).toEqual({ width: img.width, height: img.height, hash: fnv1a([img.rgba]) });
      }
      expect(r.canvasShape).toEqual([3, 3, 5]);
      expect(r.canvasPixels).toEqual([
        [10, 200, 30],
        [250, 0, 100],
      ]);
      expect(r.imageDataRoundTrip).toBe(true);
      expect(r.resizedShape).toEqual([1, 6, 10]);
    });
  });

  it("the README's page + Worker example trains in a cross-origin-isolated page with every thread", async () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const files = Object.fromEntries([...readme.matchAll(/```js\n\/\/ ([\w.]+\.js)[^\n]*\n([\s\S]*?)```/g)].map((m) => [m[1], m[2]] as const));
    expect(Object.keys(files).sort()).toEqual(['main.js', 'train.worker.js']);
    const server = await serve(
      { '/app.js': await bundleSource(files['main.js'], 'main.js'), '/train.worker.js': await bundleSource(files['train.worker.js'], 'train.worker.js') },
      { isolated: true },
    );
    servers.push(server);
    const { line, title } = await trainExample(server.url);
    expect(line).toMatch(/^trained on 2 threads, \d+ img\/s$/);
    expect(title).toMatch(/^step 60: loss \d/);
  });

  it("the README's example built by Vite with no configuration trains in a cross-origin-isolated page", async () => {
    // As a Vite user would: index.html + the two README files, `import ... from 'convnet-ts'` (aliased to this checkout).
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const dir = mkdtempSync(join(tmpdir(), 'convnet-ts-vite-'));
    for (const m of readme.matchAll(/```js\n\/\/ ([\w.]+\.js)[^\n]*\n([\s\S]*?)```/g)) writeFileSync(join(dir, m[1]), m[2]);
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>convnet-ts with Vite</title><script type="module" src="./main.js"></script>');
    const { build } = await import('vite');
    await build({
      root: dir,
      logLevel: 'silent',
      configFile: false,
      resolve: { alias: { 'convnet-ts': fileURLToPath(new URL('../src/index.ts', import.meta.url)) } },
      build: { outDir: join(dir, 'dist'), emptyOutDir: true },
    });
    const server = await serve({}, { isolated: true, site: join(dir, 'dist') });
    servers.push(server);
    expect((await trainExample(server.url)).line).toMatch(/^trained on 2 threads, \d+ img\/s$/);
    rmSync(dir, { recursive: true, force: true });
  });

  describe('a page without cross-origin isolation (one thread, plain memory)', () => {
    let page: Page;
    let errors: string[];
    beforeAll(async () => ({ page, errors } = await pageFor(false)));
    afterAll(() => expect(errors).toEqual([]));

    it('runs single-threaded', async () => {
      expect(await run(page, 'env')).toMatchObject({ crossOriginIsolated: false, threads: 1, tensorMethods: true });
      expect(await runInWorker(page, 'env')).toMatchObject({ crossOriginIsolated: false, threads: 1, inWorker: true });
    });
    it('LeNet-5, 200 steps on the page: weights bit-identical to Node on the single-threaded variant', async () => {
      const r = (await run(page, 'lenet', 200)) as LenetResult;
      expect(r.threads).toBe(1);
      expect(r.losses).toEqual(nodeLenet.single.losses);
      expect(r.weightsHash).toBe(nodeLenet.single.weightsHash);
    });
    it('ResNet-18 inference equals Node to 1e-5', async () => {
      const r = (await run(page, 'resnet18')) as ResnetResult;
      expect(relativeToMax(r.logits, nodeResnet.logits)).toBeLessThanOrEqual(1e-5);
    });
  });

  describe('WebGPU on SwiftShader (Chromium with --enable-unsafe-webgpu --use-webgpu-adapter=swiftshader)', () => {
    let gpuChrome: Chromium;
    let page: Page;
    let errors: string[];
    let nodeSmallLenet: { losses: number[] };
    beforeAll(async () => {
      gpuChrome = await launchChromium(chromiumPath!, ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader']);
      const server = await serve(app, { isolated: true });
      servers.push(server);
      ({ page, errors } = await openSuite(gpuChrome.browser, server.url));
      const before = ct.getBackend();
      ct.setBackend('wasm');
      nodeSmallLenet = await trainLenetAsync(await ct.data.mnist(), 50, 16);
      ct.setBackend(before);
    }, 120_000);
    afterAll(async () => {
      expect(errors).toEqual([]);
      await gpuChrome?.close();
    });

    it('starts the webgpu backend on the SwiftShader adapter', async () => {
      const env = (await run(page, 'webgpuEnv')) as { ok: boolean; adapter?: string; error?: string };
      expect(env, env.error).toMatchObject({ ok: true });
      expect(env.adapter).toMatch(/swiftshader/i);
    });
    it('every PyTorch fixture case matches on webgpu (per-op tolerances of test/helpers/webgpu_tolerance.ts)', async () => {
      const r = (await run(page, 'webgpuParity')) as { cases: number; failures: string[] };
      expect(r.cases).toBeGreaterThan(200);
      expect(r.failures).toEqual([]);
    });
    it('every gradient check passes on webgpu', async () => {
      const r = (await run(page, 'webgpuGradcheck')) as { checks: number; failures: string[] };
      expect(r.checks).toBeGreaterThan(50);
      expect(r.failures).toEqual([]);
    });
    it('LeNet-5 trains 50 steps on webgpu with the losses of Node on wasm', async () => {
      const r = (await run(page, 'webgpuLenet')) as { losses: number[]; seconds: number };
      expect(r.losses).toHaveLength(50);
      // Sums in another order drift apart step by step (the Node suite bounds the drift by js-vs-wasm's); 1e-2 here.
      for (let s = 0; s < 50; s++) expect(Math.abs(r.losses[s] - nodeSmallLenet.losses[s]) / nodeSmallLenet.losses[s], `step ${s}`).toBeLessThan(1e-2);
      expect(r.losses[49]).toBeLessThan(r.losses[0] * 0.7);
      console.log(`LeNet-5 on webgpu (SwiftShader, Chromium): 50 steps of batch 16 in ${r.seconds.toFixed(1)} s`);
    });
    it('ResNet-18 inference on webgpu equals Node (wasm) to 1e-4', async () => {
      const r = (await run(page, 'webgpuResnet')) as ResnetResult;
      expect(relativeToMax(r.logits, nodeResnet.logits)).toBeLessThanOrEqual(1e-4);
    });
  });
});
