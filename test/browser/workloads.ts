/**
 * Deterministic workloads run both in Node (test/browser.test.ts) and in Chromium (test/browser/suite.ts), so the two
 * can be compared: LeNet-5 trained on MNIST bytes, ResNet-18 inference, and a hash of the resulting weights.
 */
import * as ct from '../../src/index.js';
import { activeBackend } from '../../src/backend/registry.js';
import type { WasmBackend } from '../../src/backend/wasm/index.js';

/** The wasm heap's counters (evictions, collections, peak bytes), or null on another backend. */
function heapStats(): Record<string, number> | null {
  const heap = (activeBackend() as Partial<WasmBackend>).heap;
  return heap ? { ...heap.stats, usedBytes: heap.used } : null;
}

/** FNV-1a over the bytes of every array: equal hashes mean bit-identical values. */
export function fnv1a(arrays: readonly ArrayBufferView[]): string {
  let h = 0x811c9dc5;
  for (const a of arrays) {
    const b = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

export interface LenetResult {
  /** Loss at steps 0, 50, 100, 150 and the last. */
  losses: number[];
  weightsHash: string;
  threads: number;
  seconds: number;
  imagesPerSecond: number;
  /** The slowest step, in milliseconds (eviction stalls show here). */
  worstStepMs: number;
  /** The five slowest steps: [step, ms]. */
  slowest: [number, number][];
  heap: Record<string, number> | null;
}

/**
 * LeNet-5 (ReLU, max-pool) trained for `steps` SGD-momentum steps of batch 64 on the first MNIST training images,
 * in order, from seed 0. Nothing depends on the host: same seed, thread count and SIMD variant give the same bits.
 */
export function trainLenet(mnist: ct.data.ImageDataset, steps = 200, batch = 64): LenetResult {
  ct.manualSeed(0);
  const model = ct.models.lenet5({ activation: 'relu', pooling: 'max' });
  const opt = new ct.optim.SGD(model.parameters(), { lr: 0.02, momentum: 0.9 });
  const losses: number[] = [];
  const t0 = performance.now();
  const stepMs: number[] = [];
  for (let s = 0; s < steps; s++) {
    const ts = performance.now();
    const idx = Array.from({ length: batch }, (_, i) => (s * batch + i) % mnist.length);
    const b = mnist.getBatch(idx);
    // Pixels come in [0, 1]; normalise with MNIST's statistics and pad 28 → 32 as LeNet-5 expects.
    const x = ct.nn.functional.pad(ct.tensor(b.x, b.shape).sub(0.1307).div(0.3081), [2, 2, 2, 2]);
    const y = ct.tensor(b.y, [batch], { dtype: 'int32' });
    opt.zeroGrad();
    const loss = ct.nn.functional.crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
    if (s % 50 === 0 || s === steps - 1) losses.push(loss.item());
    stepMs.push(performance.now() - ts);
  }
  const seconds = (performance.now() - t0) / 1000;
  const worstStepMs = Math.max(...stepMs);
  const slowest = stepMs
    .map((ms, i): [number, number] => [i, Math.round(ms)])
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5);
  const weights = Object.values(model.stateDict()).map((t) => t.data());
  return {
    losses,
    weightsHash: fnv1a(weights),
    threads: ct.getNumThreads(),
    seconds,
    imagesPerSecond: (steps * batch) / seconds,
    worstStepMs,
    slowest,
    heap: heapStats(),
  };
}

export interface ResnetResult {
  logits: number[];
  seconds: number;
}

/** ResNet-18 (seed 0 weights, eval mode) on a seeded random 224×224 image: the 1000 logits. */
export function resnet18Logits(): ResnetResult {
  ct.manualSeed(0);
  const model = ct.models.create('resnet18');
  model.eval();
  const x = ct.randn(1, 3, 224, 224);
  const t0 = performance.now();
  const y = ct.noGrad(() => model.forward(x) as ct.Tensor);
  const logits = [...y.data()];
  return { logits, seconds: (performance.now() - t0) / 1000 };
}

/**
 * trainLenet for every backend, the asynchronous ones included (webgpu): the same model, data and steps; the losses
 * stay on the device until the end, so the loop never waits for the GPU. Returns every step's loss.
 */
export async function trainLenetAsync(mnist: ct.data.ImageDataset, steps = 50, batch = 64): Promise<{ losses: number[]; seconds: number }> {
  ct.manualSeed(0);
  const model = ct.models.lenet5({ activation: 'relu', pooling: 'max' });
  const opt = new ct.optim.SGD(model.parameters(), { lr: 0.02, momentum: 0.9 });
  const losses: ct.Tensor[] = [];
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) {
    const idx = Array.from({ length: batch }, (_, i) => (s * batch + i) % mnist.length);
    const b = mnist.getBatch(idx);
    const x = ct.nn.functional.pad(ct.tensor(b.x, b.shape).sub(0.1307).div(0.3081), [2, 2, 2, 2]);
    const y = ct.tensor(b.y, [batch], { dtype: 'int32' });
    opt.zeroGrad();
    const loss = ct.nn.functional.crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
    losses.push(loss);
  }
  const values = await Promise.all(losses.map((l) => l.itemAsync()));
  return { losses: values, seconds: (performance.now() - t0) / 1000 };
}

/** resnet18Logits for every backend, the asynchronous ones included (webgpu). */
export async function resnet18LogitsAsync(): Promise<ResnetResult> {
  ct.manualSeed(0);
  const model = ct.models.create('resnet18');
  model.eval();
  const x = ct.randn(1, 3, 224, 224);
  const t0 = performance.now();
  const y = ct.noGrad(() => model.forward(x) as ct.Tensor);
  const logits = [...(await y.dataAsync())];
  return { logits, seconds: (performance.now() - t0) / 1000 };
}
