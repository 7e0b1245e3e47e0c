/**
 * The convnet-ts side of `npm run bench -- --browser`, run in a dedicated Worker of a cross-origin-isolated page:
 * the same measurements as in Node (src/cli/bench_workloads.ts) on the wasm backend with the requested threads.
 * Message in: { metrics, threads, minSeconds }; out: { metric, value } per workload, then { done: true, threads }.
 */
import { initBackend, setNumThreads } from '../src/index.js';
import { measure, type Metric } from '../src/cli/bench_workloads.js';

self.onmessage = async (e: MessageEvent<{ metrics: Metric[]; threads: number; minSeconds: number }>) => {
  const { metrics, threads, minSeconds } = e.data;
  try {
    await initBackend('wasm');
    setNumThreads(threads);
    const used = await initBackend();
    for (const metric of metrics) self.postMessage({ metric, value: measure(metric, minSeconds) });
    self.postMessage({ done: true, threads: used });
  } catch (err) {
    self.postMessage({ error: String((err as Error).message ?? err) });
  }
};
