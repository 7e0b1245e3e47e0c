/**
 * The soak workload, shared by Node (bench/soak.ts) and a Chromium Worker (bench/soak_worker.ts): CIFAR-10 ResNet-20
 * training (batch 128, random crop + flip, SGD momentum) through train.fit for a fixed wall time, sampling
 * throughput and memory at a fixed interval, so a leak shows as a rising line and a stall as a dip.
 */
import * as ct from '../src/index.js';
import { activeBackend } from '../src/backend/registry.js';
import type { WasmBackend } from '../src/backend/wasm/index.js';
import type { ChartSpec } from '../src/chart/spec.js';

export interface SoakSample {
  /** Seconds since training started. */
  t: number;
  /** Images per second over the last interval. */
  imagesPerSecond: number;
  /** The wasm memory's size, MiB (it only grows; a leak shows here). */
  wasmMiB: number | null;
  /** Bytes of tensors resident in the wasm heap, MiB. */
  residentMiB: number | null;
  /** Host memory where the platform reports it (Node: RSS and external ArrayBuffers), MiB. */
  host: Record<string, number>;
  loss: number;
}

export async function soak(
  trainSet: ct.data.ImageDataset,
  opts: { minutes: number; intervalSeconds: number; workers: 0 | 1; host?: () => Record<string, number>; onSample?: (s: SoakSample) => void },
): Promise<{ samples: SoakSample[]; threads: number; steps: number }> {
  const threads = ct.getNumThreads();
  ct.manualSeed(0);
  const model = ct.models.create('resnet20');
  const optimizer = new ct.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9, weightDecay: 5e-4 });
  const T = ct.data.transforms;
  const transform = T.compose(T.randomCrop(32, { padding: 4 }), T.randomHorizontalFlip(), T.normalize([0.4914, 0.4822, 0.4465], [0.247, 0.243, 0.261]));
  const trainLoader = new ct.data.DataLoader(trainSet, { batchSize: 128, shuffle: true, transform, workers: opts.workers });
  const heap = (activeBackend() as Partial<WasmBackend>).heap;
  const samples: SoakSample[] = [];
  const stop = new AbortController();
  const t0 = performance.now();
  let lastT = t0;
  let lastImages = 0;
  let images = 0;
  let steps = 0;
  const progress: ct.train.Progress = {
    ...ct.train.silentProgress,
    step: (i) => {
      steps++;
      images += 128;
      const now = performance.now();
      if (now - lastT >= opts.intervalSeconds * 1000) {
        const s: SoakSample = {
          t: Math.round((now - t0) / 1000),
          imagesPerSecond: Math.round(((images - lastImages) * 1000) / (now - lastT)),
          wasmMiB: heap ? Math.round(heap.memory.buffer.byteLength / 2 ** 20) : null,
          residentMiB: heap ? Math.round(heap.used / 2 ** 20) : null,
          host: opts.host?.() ?? {},
          loss: Number(i.loss.toFixed(4)),
        };
        samples.push(s);
        opts.onSample?.(s);
        lastT = now;
        lastImages = images;
      }
      if (now - t0 >= opts.minutes * 60_000) stop.abort();
    },
  };
  try {
    await ct.train.fit(model, { optimizer, trainLoader, epochs: 1000, progress, signal: stop.signal });
  } finally {
    await trainLoader.close();
  }
  return { samples, threads, steps };
}

/** Samples as a figure: images/s and memory over time, two panels sharing the time axis (render with chart.renderSvg). */
export function soakFigure(title: string, samples: readonly SoakSample[]): ChartSpec {
  const { column, figure, lineChart } = ct.chart;
  const line = (name: string, f: (s: SoakSample) => number | null) => ({
    name,
    points: samples.filter((s) => f(s) !== null).map((s) => [s.t, f(s)!] as [number, number]),
  });
  const hostKeys = Object.keys(samples[0]?.host ?? {});
  const time = { title: 'seconds' };
  return figure(
    column([
      lineChart({
        title: 'throughput',
        x: time,
        y: { title: 'images/s', zero: true },
        series: [line('images/s', (s) => s.imagesPerSecond)],
        width: 620,
        height: 180,
        points: false,
      }),
      lineChart({
        title: 'memory',
        x: time,
        y: { title: 'MiB', zero: true },
        series: [
          line('wasm memory', (s) => s.wasmMiB),
          line('resident tensors', (s) => s.residentMiB),
          ...hostKeys.map((k) => line(k, (s) => s.host[k] ?? null)),
        ],
        width: 620,
        height: 180,
        points: false,
      }),
    ]),
    title,
  );
}
