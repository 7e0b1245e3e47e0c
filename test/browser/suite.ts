/**
 * The browser suite: checks that run inside Chromium — in a page (isolated or not) or in a dedicated Worker — driven
 * by test/browser.test.ts. Each check returns plain data (failures, hashes, logits) that the Node side asserts on and
 * compares with its own run of the same workload. This file is bundled for the browser with esbuild, like a user's app.
 */
import * as ct from '../../src/index.js';
import { activeBackend } from '../../src/backend/registry.js';
import { runCase, runCaseAsync } from '../helpers/parity_cases.js';
import type { FixtureCase } from '../helpers/fixture_codec.js';
import { checks as gradChecks } from '../helpers/gradcheck_cases.js';
import { relativeToMax } from '../helpers/tolerance.js';
import { fnv1a, resnet18Logits, resnet18LogitsAsync, trainLenet, trainLenetAsync } from './workloads.js';
import { webgpuRtol } from '../helpers/webgpu_tolerance.js';

type Check = (arg?: unknown) => unknown | Promise<unknown>;

/** Runs `fn` on each backend in turn and collects the failures as strings. */
function onEachBackend(fn: (backend: string, failures: string[]) => void): string[] {
  const failures: string[] = [];
  const previous = ct.getBackend();
  // webgpu reads results asynchronously: its checks below are its own.
  for (const b of ct.listBackends().filter((n) => n !== 'webgpu')) {
    ct.setBackend(b);
    try {
      fn(b, failures);
    } finally {
      ct.setBackend(previous);
    }
  }
  return failures;
}

const fetchJson = async <T>(url: string): Promise<T> => (await (await fetch(url)).json()) as T;

const suite: Record<string, Check> = {
  /** Where this runs: isolation, threads, backends, and whether Tensor got its methods in the bundle. */
  env: async () => {
    const threads = await ct.initBackend('wasm');
    return {
      crossOriginIsolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated ?? false,
      inWorker: typeof document === 'undefined',
      backends: ct.listBackends(),
      threads,
      tensorMethods: typeof ct.randn(2).add === 'function' && typeof ct.randn(2).relu === 'function',
    };
  },

  /** Every PyTorch fixture case on every backend. */
  parity: async () => {
    const cases = (await fetchJson<{ cases: FixtureCase[] }>('/fixtures/ops.json')).cases;
    const failures = onEachBackend((b, out) => {
      for (const c of cases) {
        try {
          runCase(c);
        } catch (e) {
          out.push(`[${b}] ${c.id}: ${(e as Error).message}`);
        }
      }
    });
    return { cases: cases.length, failures };
  },

  /** Every gradient check on every backend. */
  gradcheck: () => {
    const failures = onEachBackend((b, out) => {
      for (const c of gradChecks) {
        try {
          if (!ct.gradcheck(c.fn, c.inputs())) out.push(`[${b}] ${c.name}: failed`);
        } catch (e) {
          out.push(`[${b}] ${c.name}: ${(e as Error).message}`);
        }
      }
    });
    return { checks: gradChecks.length, failures };
  },

  /** LeNet-5 for `steps` steps on MNIST fetched from the test server (the bundled IDX files, as bytes). */
  lenet: async (steps) => {
    await ct.initBackend('wasm');
    const mnist = await ct.data.mnist({ root: '/datasets/mnist/' });
    return trainLenet(mnist, typeof steps === 'number' ? steps : 200);
  },

  /** Sets the wasm backend's thread count here and waits for the threads (e.g. 2 on a page's main thread, which spins). */
  setThreads: async (n) => {
    await ct.initBackend('wasm');
    ct.setNumThreads(n as number);
    return ct.initBackend();
  },

  /** setNumThreads replaces the pool while the old workers may still be stopping (browsers stop them asynchronously). */
  threadSwitch: async () => {
    await ct.initBackend('wasm');
    ct.manualSeed(3);
    const x = ct.randn(4, 16, 20, 20);
    const w = ct.randn(32, 16, 3, 3);
    const conv = () => [...ct.nn.functional.conv2d(x, w, null, { padding: 1 }).data()];
    const counts: number[] = [];
    const results: number[][] = [];
    for (const n of [1, 2, 1, 2, 2]) {
      ct.setNumThreads(n);
      counts.push(await ct.initBackend());
      for (let i = 0; i < 5; i++) results.push(conv());
    }
    return { counts, allEqual: results.every((r) => r.every((v, i) => v === results[0][i])) };
  },

  /** train.fit in a Worker, reporting through eventProgress: the events a page would draw from. */
  fit: async () => {
    await ct.initBackend('wasm');
    const mnist = await ct.data.mnist({ root: '/datasets/mnist/' });
    ct.manualSeed(0);
    const model = ct.models.lenet5({ activation: 'relu', pooling: 'max' });
    const subset = (n: number, from: number) =>
      new ct.data.Subset(
        mnist,
        Array.from({ length: n }, (_, i) => from + i),
      );
    const T = ct.data.transforms;
    const trainLoader = new ct.data.DataLoader(subset(2560, 0), { batchSize: 64, shuffle: true, transform: T.pad(2) });
    const valLoader = new ct.data.DataLoader(subset(1000, 50000), { batchSize: 250, transform: T.pad(2) });
    const events: ct.train.ProgressEvent[] = [];
    const r = await ct.train.fit(model, {
      optimizer: new ct.optim.Adam(model.parameters(), { lr: 2e-3 }),
      trainLoader,
      valLoader,
      epochs: 2,
      progress: ct.train.eventProgress((e) => events.push(e), { minIntervalMs: 50 }),
    });
    const steps = events.filter((e): e is Extract<ct.train.ProgressEvent, { type: 'step' }> => e.type === 'step');
    return {
      types: [...new Set(events.map((e) => e.type))],
      epochStarts: events.filter((e) => e.type === 'epochStart').length,
      epochEnds: events.filter((e) => e.type === 'epochEnd').length,
      stepEvents: steps.length,
      lastStep: steps.at(-1) ? { epoch: steps.at(-1)!.epoch, step: steps.at(-1)!.step, steps: steps.at(-1)!.steps } : null,
      valAcc: r.history.at(-1)!.val!.acc,
      imagesPerSecond: r.history.at(-1)!.imagesPerSecond,
    };
  },

  resnet18: async () => {
    await ct.initBackend('wasm');
    return resnet18Logits();
  },

  /** Model files from URLs, Files and bytes; saved as Blobs and read back. */
  io: async () => {
    await ct.initBackend('wasm');
    const out: Record<string, number | string | boolean> = {};
    // A torchvision checkpoint from a URL (string, relative to the page), PyTorch's logits as the reference.
    const expected = await fetchJson<Record<string, { logits: number[] }>>('/fixtures/interop/logits.json');
    const model = ct.models.create('resnet18');
    model.loadStateDict(await ct.io.loadPthStateDict('/fixtures/interop/resnet18.pth'), { strict: true });
    model.eval();
    const n = 3 * 224 * 224;
    const x = ct.tensor(
      Float32Array.from({ length: n }, (_, i) => Math.sin(0.001 * i)),
      [1, 3, 224, 224],
    );
    const logits = ct.noGrad(() => model.forward(x) as ct.Tensor);
    out.pthVsPytorch = relativeToMax(logits.data(), expected.resnet18.logits);
    // The same weights saved as a safetensors Blob, read back as a File.
    const blob = ct.io.safetensorsBlob(model.stateDict());
    const file = new File([blob], 'resnet18.safetensors');
    const again = ct.models.create('resnet18');
    again.loadStateDict(await ct.io.loadSafetensors(file), { strict: true });
    again.eval();
    out.safetensorsBlobBytes = blob.size;
    out.safetensorsRoundTrip = fnv1a(Object.values(again.stateDict()).map((t) => t.data())) === fnv1a(Object.values(model.stateDict()).map((t) => t.data()));
    // An ONNX file exported by PyTorch, from a URL object; and a model exported here as a Blob and imported again.
    const onnxExpected = (
      await fetchJson<{ models: Record<string, { file: string; input_shape: number[]; output: number[] }> }>('/fixtures/onnx/expected.json')
    ).models;
    const e = onnxExpected.opzoo_opset17 ?? Object.values(onnxExpected)[0];
    const net = await ct.io.loadOnnx(new URL(`/fixtures/onnx/${e.file}`, location.href));
    const m = e.input_shape.reduce((a, b) => a * b, 1);
    const xin = ct.tensor(
      Float32Array.from({ length: m }, (_, i) => Math.sin(0.01 * i)),
      e.input_shape,
    );
    out.onnxVsPytorch = relativeToMax(ct.noGrad(() => net.eval().forward(xin) as ct.Tensor).data(), e.output);
    ct.manualSeed(1);
    const lenet = ct.models.lenet5();
    lenet.eval();
    const onnxBlob = ct.io.onnxBlob(lenet, [2, 1, 32, 32]);
    const back = await ct.io.loadOnnx(await onnxBlob.arrayBuffer());
    const xl = ct.randn(2, 1, 32, 32);
    out.onnxRoundTrip = relativeToMax(ct.noGrad(() => back.eval().forward(xl) as ct.Tensor).data(), ct.noGrad(() => lenet.forward(xl) as ct.Tensor).data());
    return out;
  },

  /** The IndexedDB download cache: hits without the network, integrity checks, datasets through it. */
  cache: async (expectedSha) => {
    const { cache } = ct.io;
    await cache.clear();
    const url = '/fixtures/images/gradient.png';
    const first = await cache.fetch(url, { sha256: expectedSha as string });
    const listed = (await cache.list()).map((e) => ({ key: new URL(e.key).pathname, size: e.size, sha256: e.sha256 }));
    // A hit needs no network: the same key under a URL that would 404.
    const hit = await cache.fetch('/no/such/file.png', { key: new URL(url, location.href).href });
    const wrongSha = await cache.fetch('/fixtures/images/palette.png', { sha256: '0'.repeat(64) }).then(
      () => 'accepted',
      (e: Error) => e.message,
    );
    const storedAfterWrong = (await cache.list()).length;
    // Corrupt the stored bytes behind the library's back: the entry is dropped, not returned.
    await new Promise<void>((resolve, reject) => {
      const req = indexedDB.open('convnet-ts-cache');
      req.onerror = () => reject(req.error);
      req.onsuccess = () => {
        const tx = req.result.transaction('files', 'readwrite');
        const store = tx.objectStore('files');
        const get = store.get(new URL(url, location.href).href);
        get.onsuccess = () => {
          const e = get.result as { bytes: Uint8Array };
          e.bytes = e.bytes.slice();
          e.bytes[40] ^= 0xff;
          store.put(e);
        };
        tx.oncomplete = () => {
          req.result.close();
          resolve();
        };
      };
    });
    const afterCorruption = await cache.get(new URL(url, location.href).href);
    const mnist = await ct.data.mnist({ root: '/datasets/mnist/', train: false, cache: true });
    const cachedFiles = (await cache.list()).map((e) => new URL(e.key).pathname).sort();
    return {
      firstHash: fnv1a([first]),
      hitHash: fnv1a([hit]),
      listed,
      wrongSha,
      storedAfterWrong,
      afterCorruption: afterCorruption === null,
      mnistTest: mnist.length,
      cachedFiles,
    };
  },

  /** PNG/JPEG bytes (served files) decode to the pixels Node decodes; canvas and ImageData sources; tensors back to ImageData. */
  images: async () => {
    const out: Record<string, unknown> = {};
    for (const name of ['gradient.png', 'gradient.jpg', 'palette.png', 'gray16.png']) {
      const bytes = new Uint8Array(await (await fetch(`/fixtures/images/${name}`)).arrayBuffer());
      const img = await ct.data.readImage(new Blob([bytes], { type: 'image/octet-stream' }));
      out[name] = { width: img.width, height: img.height, hash: fnv1a([img.rgba]) };
    }
    if (typeof OffscreenCanvas !== 'undefined') {
      // A canvas drawn here: its pixels come back exactly, and a tensor of them turns back into the same ImageData.
      const c = new OffscreenCanvas(5, 3);
      const ctx = c.getContext('2d')!;
      ctx.fillStyle = 'rgb(10, 200, 30)';
      ctx.fillRect(0, 0, 5, 3);
      ctx.fillStyle = 'rgb(250, 0, 100)';
      ctx.fillRect(2, 1, 2, 1);
      const t = await ct.data.imageToTensor(c);
      out.canvasShape = t.shape;
      const v = t.data();
      out.canvasPixels = [
        [v[0], v[15], v[30]],
        [v[7], v[15 + 7], v[30 + 7]],
      ].map((p) => p.map((c) => Math.round(c * 255))); // (0, 0) and (1, 2)
      const id = ct.data.tensorToImageData(t, { range: [0, 1] }) as ImageData;
      out.imageDataRoundTrip = id instanceof ImageData && fnv1a([id.data]) === fnv1a([ctx.getImageData(0, 0, 5, 3).data]);
      const fromId = await ct.data.imageToTensor(id, { channels: 1, size: [6, 10] });
      out.resizedShape = fromId.shape;
    }
    return out;
  },

  // ---- webgpu (Chromium started with --enable-unsafe-webgpu --use-webgpu-adapter=swiftshader) ----
  /** Starts the webgpu backend: the adapter's name, or the error. */
  webgpuEnv: async () => {
    try {
      await ct.initBackend('webgpu');
      const adapter = (activeBackend() as { adapterName?: string }).adapterName;
      ct.setBackend('wasm');
      return { ok: true, adapter };
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    }
  },
  /** Every PyTorch fixture case on webgpu, read back asynchronously. */
  webgpuParity: async () => {
    await ct.initBackend('webgpu');
    const cases = (await fetchJson<{ cases: FixtureCase[] }>('/fixtures/ops.json')).cases;
    const failures: string[] = [];
    for (const c of cases) {
      try {
        await runCaseAsync(c, webgpuRtol);
      } catch (e) {
        failures.push(`${c.id}: ${(e as Error).message}`);
      }
    }
    ct.setBackend('wasm');
    return { cases: cases.length, failures };
  },
  /** Every gradient check on webgpu (inputs made on the host, moved by the first op). */
  webgpuGradcheck: async () => {
    await ct.initBackend('webgpu');
    const failures: string[] = [];
    for (const c of gradChecks) {
      ct.setBackend('js');
      const inputs = c.inputs();
      ct.setBackend('webgpu');
      try {
        if (!(await ct.gradcheckAsync(c.fn, inputs, { raiseException: false }))) failures.push(`${c.name}: failed`);
      } catch (e) {
        failures.push(`${c.name}: ${(e as Error).message}`);
      }
    }
    ct.setBackend('wasm');
    return { checks: gradChecks.length, failures };
  },
  /** LeNet-5 for 50 steps of batch 16 on webgpu: every step's loss. */
  webgpuLenet: async () => {
    await ct.initBackend('webgpu');
    const mnist = await ct.data.mnist({ root: '/datasets/mnist/' });
    const r = await trainLenetAsync(mnist, 50, 16);
    ct.setBackend('wasm');
    return r;
  },
  /** ResNet-18 inference on webgpu. */
  webgpuResnet: async () => {
    await ct.initBackend('webgpu');
    const r = await resnet18LogitsAsync();
    ct.setBackend('wasm');
    return r;
  },
};

// In a page: expose the suite and a proxy that runs a check in a fresh dedicated Worker (this same bundle).
// In a Worker: answer { name, arg } messages with { ok, value } or { ok: false, error }.
const g = globalThis as unknown as Record<string, unknown>;
if (typeof document !== 'undefined') {
  g.convnetSuite = suite;
  g.runInWorker = (name: string, arg?: unknown) =>
    new Promise((resolve, reject) => {
      const w = new Worker(new URL(import.meta.url), { type: 'module' });
      w.onmessage = (e: MessageEvent<{ ok: boolean; value?: unknown; error?: string }>) => {
        w.terminate();
        if (e.data.ok) resolve(e.data.value);
        else reject(new Error(e.data.error));
      };
      w.onerror = (e) => reject(new Error(`worker error: ${e.message}`));
      w.postMessage({ name, arg });
    });
  g.suiteReady = true;
} else {
  self.onmessage = async (e: MessageEvent<{ name: string; arg?: unknown }>) => {
    try {
      self.postMessage({ ok: true, value: await suite[e.data.name](e.data.arg) });
    } catch (err) {
      self.postMessage({ ok: false, error: `${(err as Error).message}\n${(err as Error).stack ?? ''}` });
    }
  };
}
