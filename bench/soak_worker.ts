/** Worker side of `bench/soak.ts --browser`: CIFAR-10 from the page's server, then the soak workload. */
import * as ct from '../src/index.js';
import { soak } from './soak_run.js';

globalThis.onmessage = async (e: MessageEvent<{ minutes: number; intervalSeconds: number }>) => {
  try {
    await ct.initBackend('wasm');
    const trainSet = await ct.data.cifar10({ root: new URL('/cifar/', location.origin).href, train: true });
    const r = await soak(trainSet, { ...e.data, workers: 0, onSample: (s) => postMessage({ sample: s }) });
    postMessage({ done: r });
  } catch (err) {
    postMessage({ error: String((err as Error).stack ?? err) });
  }
};
