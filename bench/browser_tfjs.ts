/**
 * TF.js's wasm backend in the same browser, for `npm run bench -- --browser`: a dedicated Worker of the same
 * cross-origin-isolated page, TF.js's threaded SIMD build asked for the requested threads (the column reports the
 * count TF.js says it uses: 1 in Chromium 156 here, on a page and in a Worker alike), the workloads of
 * bench/peers/tfjs_workloads.mjs. A workload it cannot run (no conv2d weight gradient) is reported as such.
 */
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
// @ts-expect-error plain JavaScript module shared with the Node peer
import { measureTfjs } from './peers/tfjs_workloads.mjs';

type Reply = Record<string, unknown>;

/** Runs the workloads, sending each figure through `post`; the same code on a page or in a Worker. */
async function run(msg: { metrics: string[]; threads: number; minSeconds: number }, post: (r: Reply) => void): Promise<void> {
  const { metrics, threads, minSeconds } = msg;
  const self = { postMessage: post };
  try {
    setWasmPaths('/tfjs/');
    setThreadsCount(threads);
    await tf.setBackend('wasm');
    await tf.ready();
    for (const metric of metrics) {
      try {
        self.postMessage({ metric, value: (measureTfjs as (t: typeof tf, w: string, s: number) => number)(tf, metric, minSeconds) });
      } catch (err) {
        self.postMessage({
          metric,
          cannot: String((err as Error).message ?? err)
            .split('\n')[0]
            .slice(0, 160),
        });
      }
    }
    const env = tf.env();
    self.postMessage({
      done: true,
      threads: (await import('@tensorflow/tfjs-backend-wasm')).getThreadsCount(),
      build: { simd: await env.getAsync('WASM_HAS_SIMD_SUPPORT'), multithread: await env.getAsync('WASM_HAS_MULTITHREAD_SUPPORT') },
    });
  } catch (err) {
    self.postMessage({ error: String((err as Error).message ?? err) });
  }
}

globalThis.onmessage = (e: MessageEvent) => void run(e.data, (r) => globalThis.postMessage(r));
