/**
 * Worker side of bench/browser_stalls.ts: synchronous loops with no dispose() and no yield — 2,000 LeNet-5 training
 * steps and 200 ResNet-18 inference passes — timing every step and sampling the wasm memory's size.
 */
import * as ct from '../src/index.js';
import { activeBackend } from '../src/backend/registry.js';
import type { WasmBackend } from '../src/backend/wasm/index.js';

function summary(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return {
    steps: ms.length,
    median: q(0.5),
    p99: q(0.99),
    worst: s[s.length - 1],
    over100: ms.filter((m) => m > 100).length,
    over250: ms.filter((m) => m > 250).length,
  };
}

globalThis.onmessage = async (e: MessageEvent<{ lenetSteps: number; resnetPasses: number; resnetBatch: number }>) => {
  const threads = await ct.initBackend('wasm');
  const heap = (activeBackend() as WasmBackend).heap;
  const memMiB = () => Math.round(heap.memory.buffer.byteLength / 2 ** 20);
  const out: Record<string, unknown> = { threads };
  ct.manualSeed(0);
  const lenet = ct.models.lenet5({ activation: 'relu', pooling: 'max' });
  const opt = new ct.optim.SGD(lenet.parameters(), { lr: 0.01, momentum: 0.9 });
  const x = ct.randn(64, 1, 32, 32);
  const y = ct.randint(0, 10, [64]);
  const ms: number[] = [];
  const mem: number[] = [];
  for (let s = 0; s < e.data.lenetSteps; s++) {
    const t = performance.now();
    opt.zeroGrad();
    ct.nn.functional.crossEntropy(lenet.forward(x), y).backward();
    opt.step();
    ms.push(performance.now() - t);
    if (s % 200 === 199) mem.push(memMiB());
  }
  out.lenet = {
    ...summary(ms),
    wasmMemoryMiB: mem,
    evictions: heap.stats.evictions,
    evictMs: Math.round(heap.stats.evictMs),
    reuploadMs: Math.round(heap.stats.reuploadMs),
  };
  const resnet = ct.models.create('resnet18');
  resnet.eval();
  const img = ct.randn(e.data.resnetBatch, 3, 224, 224);
  const stats0 = { ...heap.stats };
  const rms: number[] = [];
  const rmem: number[] = [];
  const before = heap.stats.evictions;
  for (let p = 0; p < e.data.resnetPasses; p++) {
    const t = performance.now();
    ct.noGrad(() => resnet.forward(img));
    rms.push(performance.now() - t);
    if (p % 20 === 19) rmem.push(memMiB());
  }
  out.resnet18 = {
    batch: e.data.resnetBatch,
    ...summary(rms),
    wasmMemoryMiB: rmem,
    evictions: heap.stats.evictions - before,
    evictMs: Math.round(heap.stats.evictMs - stats0.evictMs),
    reuploadMs: Math.round(heap.stats.reuploadMs - stats0.reuploadMs),
  };
  globalThis.postMessage(out);
};
