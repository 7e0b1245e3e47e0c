/**
 * The benchmark workloads of ../shared/bench/WORKLOADS.md as measurements on the active backend, with no Node API,
 * so that `npm run bench -- --browser` runs the very same code in Chromium. Every figure is the median of timed
 * repeats after a warm-up.
 */
import * as ct from '../index.js';
import { lenet } from '../models/lenet.js';

const F = ct.nn.functional;

export type Metric = 'W1' | 'W2' | 'W3b8' | 'W3b1' | 'W4f' | 'W4fb' | 'W5' | 'W6';

export interface MetricInfo {
  workload: string;
  unit: string;
  /** True when smaller is better (latency, seconds). */
  lower?: boolean;
  /** The target for convnet-ts wasm on a 2-core machine. */
  target: number;
}

export const METRICS: Record<Metric, MetricInfo> = {
  W5: { workload: 'W5 sgemm 1024³', unit: 'GFLOP/s', target: 80 },
  W4f: { workload: 'W4 conv3x3 forward', unit: 'GFLOP/s', target: 75 },
  W4fb: { workload: 'W4 conv3x3 forward+backward', unit: 'GFLOP/s', target: 60 },
  W1: { workload: 'W1 LeNet training (batch 64)', unit: 'img/s', target: 1000 },
  W2: { workload: 'W2 ResNet-20 training (batch 128)', unit: 'img/s', target: 300 },
  W3b8: { workload: 'W3 ResNet-18 inference, batch 8', unit: 'img/s', target: 25 },
  W3b1: { workload: 'W3 ResNet-18 inference, batch 1', unit: 'ms', lower: true, target: 45 },
  W6: { workload: 'W6 main job (LeNet-5, MNIST ≥ 99%)', unit: 's', lower: true, target: 180 },
};

export const WORKLOAD_METRICS: Record<string, Metric[]> = { W1: ['W1'], W2: ['W2'], W3: ['W3b8', 'W3b1'], W4: ['W4f', 'W4fb'], W5: ['W5'] };

/** A measured figure, or why there is none. */
export type Figure = { value: number; note?: string } | { cannot: string };

export interface BenchColumn {
  id: string;
  label: string;
  threads: number;
  figures: Partial<Record<Metric, Figure>>;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Times one repetition of a workload: returns the median milliseconds of `fn`. */
export type Timer = (fn: () => void) => Promise<number>;

/** Median ms of fn after one warm-up, repeated for at least minSeconds (1 to 20 timed runs), back to back. */
export function time(fn: () => void, minSeconds: number): number {
  fn();
  const ts: number[] = [];
  const start = performance.now();
  do {
    const t = performance.now();
    fn();
    ts.push(performance.now() - t);
  } while (performance.now() - start < minSeconds * 1000 && ts.length < 20);
  return median(ts);
}

/** Back-to-back repetitions (Node: the heap collects synchronously inside the loop). */
export function syncTimer(minSeconds: number): Timer {
  return async (fn) => time(fn, minSeconds);
}

/**
 * Repetitions separated by `pause` (an event-loop turn), which is timed too: in a browser, what a training loop that
 * yields (as `fit` does) gets, since dropped tensors are only freed between turns there.
 */
export function yieldingTimer(minSeconds: number, pause: () => Promise<void>): Timer {
  return async (fn) => {
    fn();
    await pause();
    const ts: number[] = [];
    const start = performance.now();
    do {
      const t = performance.now();
      fn();
      await pause();
      ts.push(performance.now() - t);
    } while (performance.now() - start < minSeconds * 1000 && ts.length < 20);
    return median(ts);
  };
}

/**
 * Repetitions that each end when the backend has finished (`synchronize`): the timer of GPU backends, where a call
 * returns once its work is recorded, not done.
 */
export function deviceTimer(minSeconds: number): Timer {
  return async (fn) => {
    fn();
    await ct.synchronize();
    const ts: number[] = [];
    const start = performance.now();
    do {
      const t = performance.now();
      fn();
      await ct.synchronize();
      ts.push(performance.now() - t);
    } while (performance.now() - start < minSeconds * 1000 && ts.length < 20);
    return median(ts);
  };
}

async function trainStep(model: ct.nn.Module, batch: number, shape: number[], timer: Timer): Promise<number> {
  model.train();
  const opt = new ct.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const x = ct.randn([batch, ...shape]);
  const y = ct.randint(0, 10, [batch]);
  const ms = await timer(() => {
    opt.zeroGrad();
    F.crossEntropy(model.forward(x), y).backward();
    opt.step();
  });
  return (batch * 1000) / ms;
}

/** One convnet-ts measurement on the active backend. */
export async function measure(metric: Metric, timer: Timer): Promise<number> {
  ct.manualSeed(0);
  switch (metric) {
    case 'W5': {
      const a = ct.randn(1024, 1024);
      const b = ct.randn(1024, 1024);
      return (2 * 1024 ** 3) / ((await timer(() => ct.matmul(a, b))) * 1e6);
    }
    case 'W4f':
    case 'W4fb': {
      const x = ct.randn([8, 64, 56, 56], { requiresGrad: true });
      const w = ct.randn([64, 64, 3, 3], { requiresGrad: true });
      const flop = 2 * 8 * 64 * 56 * 56 * 64 * 9;
      if (metric === 'W4f') return flop / ((await timer(() => ct.noGrad(() => F.conv2d(x, w, null, { padding: 1 })))) * 1e6);
      const ms = await timer(() => {
        x.zeroGrad();
        w.zeroGrad();
        F.conv2d(x, w, null, { padding: 1 }).sum().backward();
      });
      return (3 * flop) / (ms * 1e6);
    }
    case 'W1':
      return trainStep(lenet(), 64, [1, 28, 28], timer);
    case 'W2':
      return trainStep(ct.models.create('resnet20'), 128, [3, 32, 32], timer);
    case 'W3b8':
    case 'W3b1': {
      const model = ct.models.create('resnet18');
      model.eval();
      const batch = metric === 'W3b8' ? 8 : 1;
      const x = ct.randn([batch, 3, 224, 224]);
      const ms = await timer(() => ct.noGrad(() => model.forward(x)));
      return metric === 'W3b8' ? (batch * 1000) / ms : ms;
    }
    default:
      throw new Error(`bench: no in-process measurement for ${metric}`);
  }
}
