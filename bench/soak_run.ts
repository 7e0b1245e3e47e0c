/**
 * The soak workload, shared by Node (bench/soak.ts) and a Chromium Worker (bench/soak_worker.ts): CIFAR-10 ResNet-20
 * training (batch 128, random crop + flip, SGD momentum) through train.fit for a fixed wall time, sampling
 * throughput and memory at a fixed interval, so a leak shows as a rising line and a stall as a dip.
 */
import * as ct from '../src/index.js';
import { activeBackend } from '../src/backend/registry.js';
import type { WasmBackend } from '../src/backend/wasm/index.js';

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

/** Samples as an SVG: images/s and memory over time, two panels sharing the time axis. */
export function soakSvg(title: string, samples: readonly SoakSample[]): string {
  const W = 720;
  const H = 200;
  const pad = 50;
  const tMax = Math.max(1, ...samples.map((s) => s.t));
  const x = (t: number) => pad + ((W - 2 * pad) * t) / tMax;
  const panel = (top: number, label: string, series: [string, string, (s: SoakSample) => number | null][]) => {
    const values = samples.flatMap((s) => series.map(([, , f]) => f(s)).filter((v): v is number => v !== null));
    const vMax = Math.max(1, ...values) * 1.1;
    const y = (v: number) => top + H - (H * v) / vMax;
    const lines = series
      .map(([name, color, f], i) => {
        const pts = samples.filter((s) => f(s) !== null).map((s) => `${x(s.t).toFixed(1)},${y(f(s)!).toFixed(1)}`);
        return `<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${pts.join(' ')}"/><text x="${W - pad - 150}" y="${top + 14 + 14 * i}" fill="${color}" font-size="11">${name}</text>`;
      })
      .join('');
    return `<text x="10" y="${top + H / 2}" font-size="11" transform="rotate(-90 10 ${top + H / 2})">${label}</text><line x1="${pad}" y1="${top + H}" x2="${W - pad}" y2="${top + H}" stroke="#888"/><line x1="${pad}" y1="${top}" x2="${pad}" y2="${top + H}" stroke="#888"/><text x="${pad - 4}" y="${top + 10}" font-size="10" text-anchor="end">${vMax.toFixed(0)}</text><text x="${pad - 4}" y="${top + H}" font-size="10" text-anchor="end">0</text>${lines}`;
  };
  const hostKeys = Object.keys(samples[0]?.host ?? {});
  const colors = ['#d62728', '#9467bd', '#8c564b'];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${2 * H + 110}" font-family="sans-serif"><rect width="100%" height="100%" fill="white"/><text x="${W / 2}" y="18" text-anchor="middle" font-size="13">${title}</text>${panel(30, 'images/s', [['images/s', '#1f77b4', (s) => s.imagesPerSecond]])}${panel(
    H + 60,
    'MiB',
    [
      ['wasm memory', '#2ca02c', (s) => s.wasmMiB],
      ['resident tensors', '#ff7f0e', (s) => s.residentMiB],
      ...hostKeys.map((k, i) => [k, colors[i % colors.length], (s: SoakSample) => s.host[k] ?? null] as [string, string, (s: SoakSample) => number | null]),
    ],
  )}<text x="${W / 2}" y="${2 * H + 100}" text-anchor="middle" font-size="11">seconds (0–${tMax})</text></svg>`;
}
