/**
 * The convnet-ts side of `npm run bench -- --browser`, run in a dedicated Worker of a cross-origin-isolated page:
 * the same measurements as in Node (src/cli/bench_workloads.ts) on the wasm backend with the requested threads,
 * with an event-loop turn between repetitions (as `fit` yields; `synchronous: true` for back-to-back loops).
 * Message in: { metrics, threads, minSeconds }; out: { metric, value } per workload, then { done: true, threads }.
 */
import { initBackend, setNumThreads } from '../src/index.js';
import { activeBackend } from '../src/backend/registry.js';
import type { WasmBackend } from '../src/backend/wasm/index.js';
import { deviceTimer, measure, syncTimer, yieldingTimer, type Metric } from '../src/cli/bench_workloads.js';

/** One event-loop turn (a MessageChannel round trip: no 4 ms clamp, unlike a nested zero timeout). */
const channel = new MessageChannel();
const waiting: (() => void)[] = [];
channel.port1.onmessage = () => waiting.shift()?.();
const pause = () =>
  new Promise<void>((r) => {
    waiting.push(r);
    channel.port2.postMessage(null);
  });

self.onmessage = async (e: MessageEvent<{ metrics: Metric[]; threads: number; minSeconds: number; synchronous?: boolean; backend?: string }>) => {
  const { metrics, threads, minSeconds, synchronous, backend } = e.data;
  try {
    if (backend === 'webgpu') {
      // Each repetition waits for the GPU (the figures are the device's, not the recording's).
      await initBackend('webgpu');
      const adapter = (activeBackend() as { adapterName?: string }).adapterName;
      for (const metric of metrics) self.postMessage({ metric, value: await measure(metric, deviceTimer(minSeconds)) });
      self.postMessage({ done: true, threads: 1, adapter });
      return;
    }
    const timer = synchronous ? syncTimer(minSeconds) : yieldingTimer(minSeconds, pause);
    await initBackend('wasm');
    setNumThreads(threads);
    const used = await initBackend();
    for (const metric of metrics) self.postMessage({ metric, value: await measure(metric, timer) });
    const heap = (activeBackend() as WasmBackend).heap;
    self.postMessage({ done: true, threads: used, heap: { ...heap.stats, budgetMiB: heap.budgetBytes / 2 ** 20, usedMiB: Math.round(heap.used / 2 ** 20) } });
  } catch (err) {
    self.postMessage({ error: String((err as Error).message ?? err) });
  }
};
