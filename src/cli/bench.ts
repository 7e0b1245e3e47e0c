/**
 * `convnet bench` / `npm run bench`: the workloads of the benchmark suite that the current backend runs —
 * W5 sgemm 1024³, W4 conv3x3 64→64 on 8×64×56×56 (forward and forward+backward), W1 LeNet training step (batch 64).
 * Reports the median of timed repeats after warm-up; `--json` prints machine-readable results.
 */
import os from 'node:os';
import * as ct from '../index.js';
import { lenet } from '../models/lenet.js';
import { parse } from './args.js';

export const BENCH_HELP = `convnet bench — measure the benchmark workloads (W1 LeNet training step, W4 conv3x3, W5 sgemm)

Usage: convnet bench [--json]`;

const F = ct.nn.functional;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(fn: () => void, repeats: number, warmup = 1): number {
  for (let i = 0; i < warmup; i++) fn();
  const ts: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    fn();
    ts.push(performance.now() - t);
  }
  return median(ts);
}

export interface BenchRow {
  id: string;
  workload: string;
  value: number;
  unit: string;
  ms: number;
}

export async function benchCommand(argv: string[]): Promise<void> {
  const { values } = parse('bench', argv, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) return void console.log(BENCH_HELP);
  const json = Boolean(values.json);
  const rows: BenchRow[] = [];
  const log = (r: BenchRow) => {
    rows.push(r);
    if (!json) console.log(`${r.id.padEnd(16)} ${r.workload.padEnd(44)} ${r.value.toFixed(2).padStart(9)} ${r.unit.padEnd(9)} (median ${r.ms.toFixed(1)} ms)`);
  };
  ct.manualSeed(0);
  if (!json) console.log(`convnet-ts bench — backend '${ct.getBackend()}', 1 thread, ${os.cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`);
  {
    const a = ct.randn(1024, 1024);
    const b = ct.randn(1024, 1024);
    const ms = time(() => ct.matmul(a, b), 5);
    log({ id: 'W5 sgemm', workload: '1024x1024 @ 1024x1024', value: (2 * 1024 ** 3) / (ms * 1e6), unit: 'GFLOP/s', ms });
  }
  {
    const x = ct.randn([8, 64, 56, 56], { requiresGrad: true });
    const w = ct.randn([64, 64, 3, 3], { requiresGrad: true });
    const flop = 2 * 8 * 64 * 56 * 56 * 64 * 9;
    const fwd = time(() => ct.noGrad(() => F.conv2d(x, w, null, { padding: 1 })), 3);
    log({ id: 'W4 conv3x3 fwd', workload: 'Conv2d 64→64 k3 p1 on 8×64×56×56', value: flop / (fwd * 1e6), unit: 'GFLOP/s', ms: fwd });
    const fb = time(() => {
      const y = F.conv2d(x, w, null, { padding: 1 });
      y.backward(ct.onesLike(y));
      x.zeroGrad();
      w.zeroGrad();
    }, 3);
    log({ id: 'W4 conv3x3 f+b', workload: 'same, forward + backward (3× forward FLOPs)', value: (3 * flop) / (fb * 1e6), unit: 'GFLOP/s', ms: fb });
  }
  {
    const model = lenet();
    const opt = new ct.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
    const x = ct.randn(64, 1, 28, 28);
    const y = ct.randint(0, 10, [64]);
    const ms = time(() => {
      opt.zeroGrad();
      F.crossEntropy(model.forward(x), y).backward();
      opt.step();
    }, 5, 2);
    log({ id: 'W1 lenet-train', workload: 'LeNet 20/50/500, batch 64, SGD momentum', value: (64 * 1000) / ms, unit: 'images/s', ms });
  }
  if (json) console.log(JSON.stringify({ backend: ct.getBackend(), threads: 1, cpu: os.cpus()[0]?.model, node: process.version, results: rows }));
}
