/**
 * The webgpu backend in Node (Dawn from the `webgpu` package, on SwiftShader where there is no GPU): every PyTorch
 * fixture case, the conv/pool/matmul/norm kernels against the js reference on random shapes (odd sizes, strides,
 * dilation, groups) forward and backward, training steps equal to the js backend's, flat GPU memory over a loop,
 * and the errors: synchronous reads, missing kernels, out-of-range indices. Skipped, saying why, without a device.
 */
import { collectNow } from '../src/platform/collect.js';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ct from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { activeBackend } from '../src/backend/registry.js';
import type { WebGpuBackend } from '../src/backend/webgpu/index.js';
import { loadCases } from './helpers/fixtures.js';
import { runCaseAsync } from './helpers/parity_cases.js';
import { relativeToMax } from './helpers/tolerance.js';
import { startWebGpu } from './helpers/webgpu.js';
import { webgpuRtol } from './helpers/webgpu_tolerance.js';
import { checks as gradChecks } from './helpers/gradcheck_cases.js';
import { resnet18LogitsAsync, trainLenetAsync } from './browser/workloads.js';
import { mnistTask } from './helpers/playground_task.js';
import { TrainingSession } from '../playground/src/trainer/session.js';
import { defaultConfig } from '../playground/src/trainer/config.js';

const reason = await startWebGpu();
if (reason) console.warn(`webgpu suite skipped: ${reason}`);

/** Runs `fn` on webgpu and on js with the same inputs (uploaded to each), returning both results' values. */
async function both(inputs: Float32Array[], shapes: number[][], fn: (xs: Tensor[]) => Tensor[]): Promise<{ gpu: Float32Array[]; js: Float32Array[] }> {
  const run = async (backend: string) => {
    ct.setBackend(backend);
    const xs = inputs.map((d, i) => ct.tensor(d, shapes[i]).requiresGrad_());
    const outs = fn(xs);
    return Promise.all(outs.map(async (t) => (await t.dataAsync()) as Float32Array));
  };
  const gpu = await run('webgpu');
  const js = await run('js');
  ct.setBackend('webgpu');
  return { gpu, js };
}

const rand = (n: number, seed: number) => {
  const g = new ct.Generator(seed);
  return Float32Array.from({ length: n }, () => g.normal());
};

describe.skipIf(reason !== null)('webgpu backend (Node, Dawn)', () => {
  let previous = 'js';
  beforeAll(() => {
    previous = ct.getBackend();
    ct.setBackend('webgpu');
  });
  afterAll(() => ct.setBackend(previous));

  it('names its adapter', () => {
    expect((activeBackend() as WebGpuBackend).adapterName).toMatch(/\w/);
  });

  it('passes every PyTorch fixture case (outputs, extras, gradients)', async () => {
    const cases = loadCases();
    const failures: string[] = [];
    for (const c of cases) {
      try {
        await runCaseAsync(c, webgpuRtol);
      } catch (e) {
        failures.push(`${c.id}: ${(e as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  }, 300_000);

  it('passes every gradient check (gradcheckAsync: central differences read back together)', async () => {
    const failures: string[] = [];
    for (const c of gradChecks) {
      try {
        // Inputs are made on the host (some cases read them to move values off kinks), then moved by the first op.
        ct.setBackend('js');
        const inputs = c.inputs();
        ct.setBackend('webgpu');
        if (!(await ct.gradcheckAsync(c.fn, inputs, { raiseException: false }))) failures.push(`${c.name}: failed`);
      } catch (e) {
        failures.push(`${c.name}: ${(e as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  }, 300_000);

  const convShapes: { x: number[]; w: number[]; opts: ct.nn.functional.Conv2dOptions }[] = [
    { x: [2, 3, 9, 7], w: [5, 3, 3, 3], opts: { padding: 1 } },
    { x: [1, 4, 11, 10], w: [6, 2, 3, 2], opts: { stride: [2, 1], padding: [1, 0], groups: 2 } },
    { x: [3, 6, 8, 8], w: [6, 1, 3, 3], opts: { padding: 1, groups: 6 } },
    { x: [2, 5, 13, 9], w: [7, 5, 5, 3], opts: { stride: 2, dilation: [1, 2], padding: 2 } },
    { x: [1, 70, 5, 5], w: [66, 70, 1, 1], opts: {} },
    { x: [2, 3, 6, 6], w: [4, 3, 3, 3], opts: { padding: 'same', dilation: 2 } },
  ];
  for (const s of convShapes) {
    it(`conv2d ${JSON.stringify(s)} forward and both gradients equal js`, async () => {
      const n = (sh: number[]) => sh.reduce((a, b) => a * b, 1);
      const bias = [s.w[0]];
      const { gpu, js } = await both([rand(n(s.x), 1), rand(n(s.w), 2), rand(s.w[0], 3)], [s.x, s.w, bias], ([x, w, b]) => {
        const y = ct.nn.functional.conv2d(x, w, b, s.opts);
        y.mul(ct.tensor(rand(y.numel(), 4), y.shape))
          .sum()
          .backward();
        return [y, x.grad!, w.grad!, b.grad!];
      });
      for (let i = 0; i < gpu.length; i++) expect(relativeToMax(gpu[i], js[i]), `output ${i}`).toBeLessThan(1e-5);
    });
  }

  it('matmul with every transposition and odd sizes equals js', async () => {
    for (const [m, k, n] of [
      [1, 1, 1],
      [65, 17, 130],
      [3, 200, 5],
    ]) {
      const { gpu, js } = await both(
        [rand(2 * m * k, 5), rand(2 * k * n, 6)],
        [
          [2, m, k],
          [2, k, n],
        ],
        ([a, b]) => {
          const y = ct.matmul(a, b);
          y.mul(ct.tensor(rand(y.numel(), 7), y.shape))
            .sum()
            .backward();
          return [y, a.grad!, b.grad!];
        },
      );
      for (let i = 0; i < gpu.length; i++) expect(relativeToMax(gpu[i], js[i]), `${m}x${k}x${n} output ${i}`).toBeLessThan(1e-5);
    }
  });

  it('pooling (max with overlap, average with ceil mode and padding, adaptive) forward and backward equal js', async () => {
    const F = ct.nn.functional;
    const cases: ((x: Tensor) => Tensor)[] = [
      (x) => F.maxPool2d(x, 3, { stride: 2, padding: 1 }),
      (x) => F.maxPool2d(x, 2, { dilation: 2 }),
      (x) => F.avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }),
      (x) => F.avgPool2d(x, [2, 3], { stride: [1, 2] }),
      (x) => F.adaptiveAvgPool2d(x, [3, 4]),
      (x) => F.adaptiveMaxPool2d(x, [4, 3]),
    ];
    for (const [i, f] of cases.entries()) {
      const { gpu, js } = await both([rand(2 * 3 * 11 * 9, 8 + i)], [[2, 3, 11, 9]], ([x]) => {
        const y = f(x);
        y.mul(ct.tensor(rand(y.numel(), 20 + i), y.shape))
          .sum()
          .backward();
        return [y, x.grad!];
      });
      expect(relativeToMax(gpu[0], js[0]), `case ${i} forward`).toBeLessThan(1e-6);
      expect(relativeToMax(gpu[1], js[1]), `case ${i} backward`).toBeLessThan(1e-5);
    }
  });

  it('batch, layer and group norm, softmax and cross-entropy forward and backward equal js', async () => {
    const F = ct.nn.functional;
    const { gpu, js } = await both([rand(4 * 6 * 5 * 3, 30), rand(6, 31), rand(6, 32)], [[4, 6, 5, 3], [6], [6]], ([x, w, b]) => {
      const rm = ct.zeros([6]);
      const rv = ct.ones([6]);
      const y = F.batchNorm(x, rm, rv, { weight: w, bias: b, training: true })
        .add(F.groupNorm(x, 3, { weight: w, bias: b }))
        .add(F.layerNorm(x, [5, 3]));
      const logits = y.mean([2, 3]);
      const loss = F.crossEntropy(logits, ct.tensor(Int32Array.from([0, 5, 2, 3]), [4])).add(F.softmax(y, 1).mul(y).mean());
      loss.backward();
      return [y, loss, x.grad!, w.grad!, b.grad!, rm, rv];
    });
    for (let i = 0; i < gpu.length; i++) expect(relativeToMax(gpu[i], js[i]), `output ${i}`).toBeLessThan(1e-5);
  });

  it('large tensors: a sum over 2^20 values and an elementwise op past 65,535 workgroups equal js', async () => {
    const n = 1 << 20;
    const { gpu, js } = await both([rand(n * 17, 40)], [[17, n]], ([x]) => [x.sum(1), x.mul(2).add(1).sum(0)]);
    expect(relativeToMax(gpu[0], js[0])).toBeLessThan(1e-5);
    expect(relativeToMax(gpu[1], js[1])).toBeLessThan(1e-6);
  }, 60_000);

  it('reading a GPU result synchronously explains how to read it; after dataAsync, data() works', async () => {
    const y = ct.ones([3]).mul(2);
    expect(() => y.data()).toThrow(/computed on the GPU.*await t\.dataAsync\(\)/);
    expect(Array.from(await y.dataAsync())).toEqual([2, 2, 2]);
    expect(Array.from(y.data())).toEqual([2, 2, 2]);
    expect(await y.sum().itemAsync()).toBe(6);
  });

  it('an index out of range, found on the GPU, fails the next read naming the op', async () => {
    const x = ct.ones([2, 3]);
    // An index computed on the GPU cannot be checked on the host before the kernel runs.
    const idx = ct.tensor(Int32Array.from([1, 7]), [2, 1]).add(ct.tensor(Int32Array.from([0, 0]), [2, 1]));
    const y = ct.gather(x, 1, idx);
    await expect(y.dataAsync()).rejects.toThrow(/gather.*index was out of range/);
    // The flag is cleared: the next read is fine.
    expect(Array.from(await ct.ones([2]).add(1).dataAsync())).toEqual([2, 2]);
  });

  it('copy_ and every optimizer (SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta) update parameters on the GPU as on js', async () => {
    ct.manualSeed(3);
    const run = async (backend: string, opt: (p: Tensor[]) => ct.optim.Optimizer) => {
      ct.setBackend(backend);
      const w = ct.tensor(rand(12, 50), [3, 4]).requiresGrad_();
      const o = opt([w]);
      for (let s = 0; s < 3; s++) {
        o.zeroGrad();
        w.mul(w).sum().backward();
        o.step();
      }
      return (await w.dataAsync()) as Float32Array;
    };
    const opts: ((p: Tensor[]) => ct.optim.Optimizer)[] = [
      (p) => new ct.optim.SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 }),
      (p) => new ct.optim.Adam(p, { lr: 0.1, amsgrad: true, weightDecay: 0.01 }),
      (p) => new ct.optim.AdamW(p, { lr: 0.1 }),
      (p) => new ct.optim.RMSprop(p, { lr: 0.01, centered: true, momentum: 0.5, weightDecay: 0.01 }),
      (p) => new ct.optim.RMSprop(p, { lr: 0.01, maximize: true }),
      (p) => new ct.optim.Adagrad(p, { lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1 }),
      (p) => new ct.optim.Adadelta(p, { lr: 1, weightDecay: 0.01 }),
    ];
    for (const [i, o] of opts.entries()) {
      const gpu = await run('webgpu', o);
      const js = await run('js', o);
      expect(relativeToMax(gpu, js), `optimizer ${i}`).toBeLessThan(1e-5);
    }
    ct.setBackend('webgpu');
  });

  it('trains LeNet-5 for 50 steps with the losses of the wasm backend, and runs ResNet-18 with its logits', async () => {
    const mnist = await ct.data.mnist();
    const gpu = await trainLenetAsync(mnist, 50, 16);
    ct.setBackend('wasm');
    const wasm = await trainLenetAsync(mnist, 50, 16);
    const wasmResnet = await resnet18LogitsAsync();
    ct.setBackend('js');
    const js = await trainLenetAsync(mnist, 50, 16);
    ct.setBackend('webgpu');
    const gpuResnet = await resnet18LogitsAsync();
    const drift = (a: number[], b: number[]) => a.map((v, i) => Math.abs(v - b[i]) / Math.abs(b[i]));
    // Float32 sums in another order make training drift apart, more with every step; the GPU may drift from wasm as
    // much as js does (two host backends that only order sums differently), within a floor of 1e-4.
    const gpuDrift = drift(gpu.losses, wasm.losses);
    const hostDrift = drift(js.losses, wasm.losses);
    for (let s = 0; s < 50; s++) {
      const allowed = Math.max(1e-4, 10 * Math.max(...hostDrift.slice(0, s + 1)));
      expect(gpuDrift[s], `step ${s} (js vs wasm: ${hostDrift[s].toExponential(1)})`).toBeLessThan(allowed);
    }
    expect(gpu.losses[49]).toBeLessThan(gpu.losses[0] * 0.7);
    expect(relativeToMax(gpuResnet.logits, wasmResnet.logits)).toBeLessThan(1e-4);
  }, 300_000);

  it('GPU memory stays flat over a training loop: freed buffers are reused, none created after warm-up', async () => {
    const backend = activeBackend() as WebGpuBackend;
    // A small CNN: the point is the allocator, not the model, and SwiftShader runs a step in milliseconds.
    const model = new ct.nn.Sequential(
      new ct.nn.Conv2d(1, 4, 3),
      new ct.nn.BatchNorm2d(4),
      new ct.nn.ReLU(),
      new ct.nn.Flatten(),
      new ct.nn.Linear(4 * 6 * 6, 10),
    );
    const opt = new ct.optim.Adam(model.parameters(), { lr: 1e-3 });
    const x = ct.randn(8, 1, 8, 8);
    const y = ct.tensor(
      Int32Array.from({ length: 8 }, (_, i) => i % 10),
      [8],
    );
    const live: number[] = [];
    let createdAfterWarmup = 0;
    for (let s = 0; s < 2000; s++) {
      opt.zeroGrad();
      const loss = ct.nn.functional.crossEntropy(model.forward(x), y);
      loss.backward();
      opt.step();
      if (s % 200 === 199) {
        await loss.itemAsync(); // a read per 200 steps, as a progress bar would
        // A full collection whose finalizers run now (collectNow: the library's synchronous cleanup, as the pool
        // itself uses past its threshold), so the sample counts live tensors only and the next 200 steps find every
        // freed buffer in the pool. Waiting for V8's own cleanup task instead was timing-dependent: on a busy CI
        // machine it twice ran after the sample, and the next window created thousands of buffers.
        expect(collectNow(), 'synchronous collection in Node').toBe(true);
        let before = -1;
        for (let turn = 0; turn < 100 && (turn < 5 || backend.runner!.pool.liveBytes !== before); turn++) {
          before = backend.runner!.pool.liveBytes;
          (globalThis as { gc?: () => void }).gc?.();
          await new Promise((r) => setTimeout(r, 2));
        }
        live.push(backend.runner!.pool.liveBytes);
        if (s === 199) createdAfterWarmup = backend.runner!.pool.created;
      }
    }
    const createdLate = backend.runner!.pool.created - createdAfterWarmup;
    expect(Math.max(...live.slice(1)), `live bytes ${live.join(', ')}`).toBeLessThanOrEqual(1.1 * live[1]);
    expect(createdLate, `buffers created after step 200 (pooled ${backend.runner!.pool.pooledBytes} bytes)`).toBeLessThan(20);
  }, 120_000);

  it('train.fit trains on webgpu as on js: the same history to float tolerance, checkpoints and weights written', async () => {
    const blobs = (n: number, seed: number) => {
      const g = new ct.Generator(seed);
      const x = Float32Array.from({ length: n * 2 }, (_, i) => (i % 2 ? 1 : -1) * ((Math.floor(i / 2) % 3) - 1) * 2 + g.normal() * 0.5);
      const y = Int32Array.from({ length: n }, (_, i) => i % 3);
      return new ct.data.TensorDataset(ct.tensor(x, [n, 2]), ct.tensor(y, [n], { dtype: 'int32' }));
    };
    const run = async (backend: string, outDir: string) => {
      ct.setBackend(backend);
      ct.manualSeed(0);
      const model = new ct.nn.Sequential(new ct.nn.Linear(2, 16), new ct.nn.ReLU(), new ct.nn.Linear(16, 3));
      const optimizer = new ct.optim.Adam(model.parameters(), { lr: 0.05 });
      return ct.train.fit(model, {
        optimizer,
        trainLoader: new ct.data.DataLoader(blobs(120, 1), { batchSize: 16, shuffle: true, seed: 3 }),
        valLoader: new ct.data.DataLoader(blobs(60, 2), { batchSize: 30 }),
        epochs: 3,
        outDir,
      });
    };
    const dir = mkdtempSync(join(tmpdir(), 'convnet-webgpu-fit-'));
    try {
      const gpu = await run('webgpu', join(dir, 'gpu'));
      const js = await run('js', join(dir, 'js'));
      ct.setBackend('webgpu');
      for (let e = 0; e < 3; e++) {
        expect(Math.abs(gpu.history[e].train.loss - js.history[e].train.loss), `epoch ${e + 1}`).toBeLessThan(1e-4);
        expect(gpu.history[e].val!.acc).toBe(js.history[e].val!.acc);
      }
      const weights = await ct.io.loadSafetensors(join(dir, 'gpu', 'model.safetensors'));
      expect(Object.keys(weights).sort()).toEqual(['0.bias', '0.weight', '2.bias', '2.weight']);
      expect(existsSync(join(dir, 'gpu', 'last.ckpt.safetensors'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the playground's training session (Adam, the default MNIST network) trains on webgpu as on wasm, and its views read back", async () => {
    const task = await mnistTask(2000, 200);
    const losses = async (backend: string) => {
      ct.setBackend(backend);
      const s = new TrainingSession(task, defaultConfig('mnist'));
      const out: number[] = [];
      for (let i = 0; i < 10; i++) out.push((await s.trainStep()).loss);
      return { out, s };
    };
    const gpu = await losses('webgpu');
    const wasm = await losses('wasm');
    ct.setBackend('webgpu');
    // Adam divides by √v, which turns rounding noise in near-zero gradients into visible steps: 1e-2 after 10 steps.
    expect(Math.abs(gpu.out[0] - wasm.out[0]) / wasm.out[0]).toBeLessThan(1e-5);
    for (let i = 1; i < 10; i++) expect(Math.abs(gpu.out[i] - wasm.out[i]) / wasm.out[i], `step ${i}`).toBeLessThan(1e-2);
    const e = await gpu.s.evaluate(200);
    expect(e.confusion.flat().reduce((a, b) => a + b, 0)).toBe(200);
    expect((await gpu.s.activations(0)).activations.map((a) => a.shape)).toEqual(gpu.s.shapes);
    expect((await gpu.s.filters())[0].grads.some((g) => g !== 0)).toBe(true);
  }, 120_000);

  it('two training steps of MobileNetV2 (depthwise convs, ReLU6, BN) and EfficientNet-B0 (SiLU, squeeze-excitation) track wasm', async () => {
    for (const name of ['mobilenet_v2', 'efficientnet_b0']) {
      const losses = async (backend: string) => {
        ct.setBackend(backend);
        ct.manualSeed(0);
        const model = ct.models.create(name, { numClasses: 10 });
        const opt = new ct.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
        const x = ct.randn(2, 3, 64, 64);
        const y = ct.tensor(Int32Array.from([3, 7]), [2]);
        const out: number[] = [];
        for (let s = 0; s < 2; s++) {
          opt.zeroGrad();
          const loss = ct.nn.functional.crossEntropy(model.forward(x) as Tensor, y);
          loss.backward();
          opt.step();
          out.push(await loss.itemAsync());
        }
        return out;
      };
      const gpu = await losses('webgpu');
      const wasm = await losses('wasm');
      const js = await losses('js');
      ct.setBackend('webgpu');
      // The forward pass agrees to float32 rounding; after a step, batch norm over 2 images with 2×2 maps amplifies
      // rounding (js and wasm differ by 1% on MobileNetV2): the GPU may drift as much as js does, ×10, floor 1e-4.
      for (let s = 0; s < 2; s++) {
        const host = Math.abs(js[s] - wasm[s]) / wasm[s];
        expect(Math.abs(gpu[s] - wasm[s]) / wasm[s], `${name} step ${s} (js vs wasm ${host.toExponential(1)})`).toBeLessThan(Math.max(1e-4, 10 * host));
      }
    }
  }, 300_000);

  it('train.fit on webgpu reads back every readEvery steps, not every step; a non-finite step is never applied (skip) or stops naming its step', async () => {
    const backend = activeBackend() as WebGpuBackend;
    const n = 96;
    const x = Float32Array.from({ length: n * 2 }, (_, i) => Math.sin(i));
    const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
    x[2 * 40] = Infinity; // batch 3 of 6 (images 32–47): its loss is not finite
    const loader = () => new ct.data.DataLoader(new ct.data.TensorDataset(ct.tensor(x, [n, 2]), ct.tensor(labels, [n], { dtype: 'int32' })), { batchSize: 16 });
    const make = () => {
      ct.manualSeed(1);
      const model = new ct.nn.Sequential(new ct.nn.Linear(2, 8), new ct.nn.ReLU(), new ct.nn.Linear(8, 3));
      return { model, optimizer: new ct.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 }) };
    };
    const a = make();
    const waits0 = backend.runner!.waits;
    const r = await ct.train.fit(a.model, { optimizer: a.optimizer, trainLoader: loader(), epochs: 2, onNan: 'skip', readEvery: 3 });
    const waits = backend.runner!.waits - waits0;
    expect(r.history.map((h) => h.skippedSteps)).toEqual([1, 1]);
    for (const p of a.model.parameters()) expect(Array.from(await p.dataAsync()).every(Number.isFinite)).toBe(true);
    // 12 steps read back in 4 batches of 3 (one wait each; the checkpoint-free run has nothing else to read), not 12.
    expect(waits).toBe(4);
    // The same run on js (which skips on the host) reaches the same weights.
    ct.setBackend('js');
    const b = make();
    await ct.train.fit(b.model, { optimizer: b.optimizer, trainLoader: loader(), epochs: 2, onNan: 'skip' });
    ct.setBackend('webgpu');
    const wa = await a.model.parameters()[0].dataAsync();
    const wb = await b.model.parameters()[0].dataAsync();
    expect(relativeToMax(wa, wb)).toBeLessThan(1e-5);
    const c = make();
    await expect(ct.train.fit(c.model, { optimizer: c.optimizer, trainLoader: loader(), epochs: 1, readEvery: 5 })).rejects.toThrow(
      /fit: the loss became (Infinity|NaN) at epoch 1, step 3 \(seen when the GPU's results were read, at step 5\); that step was not applied/,
    );
  });
});
