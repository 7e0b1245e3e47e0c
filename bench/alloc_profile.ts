/**
 * Allocation during training on the wasm backend: per-step heap growth and the allocator's share of the step time.
 *
 *   npx tsx bench/alloc_profile.ts [--workload W1|W2|W6] [--steps N]
 *
 * Runs warm-up steps, then N steps under V8's sampling profiler (node:inspector, main thread, where tensors are
 * allocated and freed); prints the wasm memory size, the heap's used and live bytes and the JS heap before and after,
 * and the self time of the allocator (src/backend/wasm/heap.ts and allocator.ts), of the garbage collector and of
 * the tensor finalizers, each as a share of the steps' wall time. Not a test: figures vary with the machine.
 */
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import * as ct from '../src/index.js';
import { activeBackend } from '../src/backend/registry.js';
import type { WasmBackend } from '../src/backend/wasm/index.js';
import { lenet } from '../src/models/lenet.js';

const { values } = parseArgs({ options: { workload: { type: 'string', default: 'W2' }, steps: { type: 'string', default: '20' } } });
const workload = values.workload!;
const steps = Number(values.steps);

/** The bench's training workloads (../shared/bench/WORKLOADS.md): model, input, batch, optimizer. */
function setup(): () => void {
  ct.manualSeed(0);
  const F = ct.nn.functional;
  const spec: Record<string, [() => ct.nn.AnyModule, number[], number]> = {
    W1: [() => lenet(), [1, 28, 28], 64],
    W2: [() => ct.models.create('resnet20'), [3, 32, 32], 128],
    W6: [() => ct.models.create('lenet5', { activation: 'relu', pooling: 'max' }), [1, 32, 32], 64], // the main job's model
  };
  if (!spec[workload]) throw new Error(`alloc_profile: --workload must be W1, W2 or W6, got '${workload}'`);
  const [create, shape, batch] = spec[workload];
  const model = create();
  const opt = workload === 'W6' ? new ct.optim.Adam(model.parameters(), { lr: 1e-3 }) : new ct.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const x = ct.randn([batch, ...shape]);
  const y = ct.randint(0, 10, [batch]);
  return () => {
    opt.zeroGrad();
    const loss = F.crossEntropy(model.forward(x) as ct.Tensor, y);
    loss.backward();
    opt.step();
    loss.item();
  };
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  hitCount?: number;
}

ct.setBackend('wasm');
const backend = activeBackend() as WasmBackend;
const step = setup();
for (let i = 0; i < 3; i++) step();
const heapState = () => ({
  wasmMiB: backend.heap.memory.buffer.byteLength / 2 ** 20,
  usedMiB: backend.heap.used / 2 ** 20,
  liveMiB: backend.heap.liveBytes / 2 ** 20,
  jsHeapMiB: process.memoryUsage().heapUsed / 2 ** 20,
});
const before = heapState();

const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 100 });
await session.post('Profiler.start');
const t0 = performance.now();
for (let i = 0; i < steps; i++) step();
const wall = performance.now() - t0;
const { profile } = (await session.post('Profiler.stop')) as { profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] } };
const after = heapState();

// Self time per node: each sample's time delta goes to the node it hit.
const selfMs = new Map<number, number>();
profile.samples.forEach((id, i) => selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
const groups = { allocator: 0, gc: 0, finalizers: 0, idle: 0 };
const top = new Map<string, number>();
for (const [id, ms] of selfMs) {
  const { functionName, url } = byNode.get(id)!.callFrame;
  if (/backend\/wasm\/(heap|allocator)\.ts/.test(url)) {
    groups.allocator += ms;
    top.set(functionName, (top.get(functionName) ?? 0) + ms);
  } else if (functionName === '(garbage collector)') groups.gc += ms;
  else if (/tensor\/storage\.ts/.test(url)) groups.finalizers += ms;
  else if (functionName === '(idle)') groups.idle += ms;
}
const pct = (ms: number) => `${((100 * ms) / wall).toFixed(2)}%`;
console.log(`${workload}: ${steps} steps, ${(wall / steps).toFixed(1)} ms per step, ${backend.threads} threads`);
console.log(
  `wasm memory ${before.wasmMiB} → ${after.wasmMiB} MiB; heap used ${before.usedMiB.toFixed(1)} → ${after.usedMiB.toFixed(1)} MiB, live ${before.liveMiB.toFixed(1)} → ${after.liveMiB.toFixed(1)} MiB; JS heap ${before.jsHeapMiB.toFixed(1)} → ${after.jsHeapMiB.toFixed(1)} MiB`,
);
console.log(`allocator (heap.ts, allocator.ts) ${(groups.allocator / steps).toFixed(3)} ms per step = ${pct(groups.allocator)} of the wall time`);
console.log(
  `  ${[...top]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([f, ms]) => `${f || '(anonymous)'} ${pct(ms)}`)
    .join(', ')}`,
);
console.log(
  `garbage collector ${pct(groups.gc)}; storage.ts (tensor lifetimes) ${pct(groups.finalizers)}; main thread idle (waiting for workers) ${pct(groups.idle)}`,
);
session.disconnect();
process.exit(0);
