/**
 * `convnet bench` / `npm run bench`: the workloads of ../shared/bench/WORKLOADS.md on convnet-ts's backends
 * (wasm with every thread, wasm with one, js) and, in the same run, side by side, PyTorch (Debian's python3-torch,
 * same thread count) and TF.js (cpu and wasm backends, dev dependencies). Peers run in child processes with a time
 * limit; a peer that cannot run a workload (TF.js wasm has no conv2d gradient) says so. One table, `--json` for
 * machines. Every figure is the median of timed repeats after a warm-up.
 */
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ct from '../index.js';
import { activeBackend } from '../backend/registry.js';
import { intFlag, numFlag, parse, UsageError } from './args.js';

export const BENCH_HELP = `convnet bench — measure the benchmark workloads on convnet-ts and, side by side, on PyTorch and TF.js

Usage: convnet bench [options]

Workloads (../shared/bench/WORKLOADS.md):
  W1 LeNet training (batch 64)        W2 ResNet-20 training (batch 128)    W3 ResNet-18 inference (batch 8, batch 1)
  W4 conv3x3 64→64 on 8×64×56×56      W5 sgemm 1024³                       W6 the main job (--main-job)

Options:
  --workloads LIST    comma-separated subset of W1,W2,W3,W4,W5 (default: all)
  --backends LIST     convnet-ts backends: wasm,js,webgpu (default: wasm,js; wasm runs with --threads and with 1 thread;
                      webgpu needs a GPU: navigator.gpu, or the 'webgpu' package in Node; with --browser, also in Chromium)
  --threads N         threads for convnet-ts wasm and PyTorch (default: every core, ${os.availableParallelism()} here)
  --peers LIST        torch,tfjs-wasm,tfjs-cpu,onnxruntime or none (default: all that are installed; ONNX Runtime
                      (onnxruntime-node, native) runs W3 only)
  --peer-timeout S    seconds a peer may spend on one workload before it is reported as too slow (default 240)
  --min-seconds S     keep repeating a measurement for at least S seconds (default 3)
  --precision P       float32 precision of convnet-ts (setFloat32MatmulPrecision): highest (default: algorithms within
                      the PyTorch-parity tolerance), high or medium (wasm: also Winograd F(4×4) and Winograd weight
                      gradients, ~2e-5 relative error)
  --main-job          also time W6: LeNet-5 on MNIST to ≥ 99% (minutes)
  --browser           also in headless Chromium, in a Worker with threads: convnet-ts wasm and TF.js wasm
                      (npm run bench only: needs the dev dependencies and Chromium)
  --json              print one JSON object instead of the table

Examples:
  npm run bench
  npx convnet bench --workloads W4,W5 --peers none
  npx convnet bench --json > bench.json
  npm run bench -- --browser --peers torch`;

import { deviceTimer, measure, syncTimer, METRICS, WORKLOAD_METRICS, type BenchColumn, type Figure, type Metric } from './bench_workloads.js';

export type { BenchColumn, Figure, Metric } from './bench_workloads.js';

/** W6: the main job's recipe, timed end to end (training and the final test evaluation). */
async function mainJob(): Promise<Figure> {
  const { trainCommand } = await import('./train.js');
  const out = `${os.tmpdir()}/convnet-bench-main-job-${process.pid}`;
  const start = performance.now();
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => void lines.push(a.join(' '));
  try {
    await trainCommand([
      '--model',
      'lenet5',
      '--model-opts',
      'activation=relu,pooling=max',
      '--dataset',
      'mnist',
      '--epochs',
      '8',
      '--optimizer',
      'adam',
      '--lr',
      '0.002',
      '--schedule',
      'cosine',
      '--out',
      out,
      '--json',
      '--quiet',
    ]);
  } finally {
    console.log = log;
  }
  const seconds = (performance.now() - start) / 1000;
  const summary = JSON.parse(lines[lines.length - 1]) as { testAccuracy: number };
  return { value: seconds, note: `test accuracy ${(summary.testAccuracy * 100).toFixed(2)}%` };
}

// ---- peers ----

const root = fileURLToPath(new URL('../../', import.meta.url));
const PYTHON = '/usr/bin/python3';

interface Peer {
  id: 'torch' | 'tfjs-wasm' | 'tfjs-cpu' | 'onnxruntime';
  label: string;
  available(): string | null;
  command(metric: Metric, threads: number, minSeconds: number): [string, string[]];
  /** The metrics it can measure (default: all); the others are reported as "cannot". */
  metrics?: readonly Metric[];
}

let ortModel: string | null = null;
/** resnet18 (seed 0, eval) exported to ONNX by convnet-ts, once per run: the model ONNX Runtime's W3 runs. */
function ortModelPath(): string {
  if (!ortModel) {
    ct.manualSeed(0);
    const model = ct.models.create('resnet18');
    model.eval();
    ortModel = join(mkdtempSync(join(os.tmpdir(), 'convnet-bench-')), 'resnet18.onnx');
    writeFileSync(ortModel, ct.io.exportOnnx(model, [1, 3, 224, 224]));
  }
  return ortModel;
}

const PEERS: Peer[] = [
  {
    id: 'torch',
    label: 'PyTorch',
    available: () => {
      if (!existsSync(`${root}bench/peers/torch_bench.py`)) return 'bench/peers is not in this installation';
      const r = spawnSync(PYTHON, ['-c', 'import torch, torchvision'], { encoding: 'utf8' });
      return r.status === 0 ? null : `${PYTHON} cannot import torch and torchvision (apt-get install python3-torch python3-torchvision)`;
    },
    command: (metric, threads, minSeconds) => [
      PYTHON,
      [`${root}bench/peers/torch_bench.py`, '--workload', metric, '--threads', String(threads), '--min-seconds', String(minSeconds)],
    ],
  },
  ...(['wasm', 'cpu'] as const).map((backend): Peer => ({
    id: `tfjs-${backend}`,
    label: `TF.js ${backend}`,
    available: () => {
      if (!existsSync(`${root}bench/peers/tfjs.mjs`)) return 'bench/peers is not in this installation';
      return existsSync(`${root}node_modules/@tensorflow/tfjs`) && existsSync(`${root}node_modules/@tensorflow/tfjs-backend-wasm`)
        ? null
        : '@tensorflow/tfjs and @tensorflow/tfjs-backend-wasm are not installed (npm install --include=dev)';
    },
    command: (metric, _threads, minSeconds) => [
      process.execPath,
      [`${root}bench/peers/tfjs.mjs`, '--backend', backend, '--workload', metric, '--min-seconds', String(minSeconds)],
    ],
  })),
  {
    id: 'onnxruntime',
    label: 'ONNX Runtime',
    metrics: ['W3b8', 'W3b1'],
    available: () => {
      if (!existsSync(`${root}bench/peers/ort.mjs`)) return 'bench/peers is not in this installation';
      return existsSync(`${root}node_modules/onnxruntime-node`) ? null : 'onnxruntime-node is not installed (npm install --include=dev)';
    },
    command: (metric, threads, minSeconds) => [
      process.execPath,
      [`${root}bench/peers/ort.mjs`, '--model', ortModelPath(), '--workload', metric, '--threads', String(threads), '--min-seconds', String(minSeconds)],
    ],
  },
];

function runPeer(peer: Peer, metric: Metric, threads: number, minSeconds: number, timeoutSeconds: number): Figure {
  const [cmd, args] = peer.command(metric, threads, minSeconds);
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    timeout: timeoutSeconds * 1000,
    env: { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) },
    maxBuffer: 16 * 1024 * 1024,
  });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') return { cannot: `> ${timeoutSeconds} s (stopped)` };
  const line = (r.stdout ?? '')
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (!line) return { cannot: `failed: ${(r.stderr ?? '').trim().split('\n').pop()?.slice(0, 120) ?? `exit ${r.status}`}` };
  const parsed = JSON.parse(line) as { value?: number; cannot?: string };
  return parsed.value !== undefined ? { value: parsed.value } : { cannot: `cannot: ${parsed.cannot}` };
}

// ---- the command ----

function list(values: Record<string, unknown>, name: string, allowed: readonly string[], dflt: readonly string[]): string[] {
  const v = values[name];
  if (v === undefined) return [...dflt];
  const items = String(v)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (name === 'peers' && items.length === 1 && items[0] === 'none') return [];
  for (const it of items) if (!allowed.includes(it)) throw new UsageError(`--${name}: '${it}' is not one of ${allowed.join(', ')}`);
  return items;
}

function fmt(f: Figure | undefined, notes: string[]): string {
  if (!f) return '—';
  if ('cannot' in f) {
    // Long reasons go under the table as numbered notes.
    if (f.cannot.length <= 18) return f.cannot;
    let i = notes.indexOf(f.cannot);
    if (i < 0) i = notes.push(f.cannot) - 1;
    return `${f.cannot.startsWith('cannot') ? 'cannot' : 'n/a'} [${i + 1}]`;
  }
  const v = f.value;
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toPrecision(2);
}

/** How many times faster convnet-ts is than the peer (> 1: faster), whatever the metric's direction. */
function ratio(ours: Figure | undefined, theirs: Figure | undefined, lower = false): number | null {
  if (!ours || !theirs || 'cannot' in ours || 'cannot' in theirs) return null;
  return lower ? theirs.value / ours.value : ours.value / theirs.value;
}

/**
 * Starts the webgpu backend in Node: on `navigator.gpu` where the runtime has one, else through the `webgpu` package
 * (Dawn's binaries ship inside it) when it is installed. Returns the adapter's name; throws saying what is missing.
 */
async function startNodeWebGpu(): Promise<string> {
  if (!(globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu) {
    const name = 'webgpu'; // a variable: bundlers and tsc leave this optional package alone
    let mod: { create(flags: string[]): GPU };
    try {
      mod = (await import(name)) as { create(flags: string[]): GPU };
    } catch {
      throw new Error("no WebGPU in Node without the 'webgpu' package (npm install webgpu)");
    }
    ct.useWebGpu(mod.create([]));
  }
  const before = ct.getBackend();
  await ct.initBackend('webgpu');
  const name = (activeBackend() as { adapterName?: string | null }).adapterName ?? 'unknown adapter';
  ct.setBackend(before);
  return name;
}

/** Columns measured elsewhere (`npm run bench -- --browser` adds Chromium's), placed after convnet-ts's own. */
export type ExtraColumns = (opts: {
  metrics: Metric[];
  threads: number;
  minSeconds: number;
  backends: string[];
  say: (s: string) => void;
}) => Promise<BenchColumn[]>;

export async function benchCommand(argv: string[], extra?: ExtraColumns): Promise<void> {
  const { values } = parse('bench', argv, {
    workloads: { type: 'string' },
    backends: { type: 'string' },
    threads: { type: 'string' },
    peers: { type: 'string' },
    'peer-timeout': { type: 'string' },
    'min-seconds': { type: 'string' },
    'main-job': { type: 'boolean' },
    precision: { type: 'string' },
    browser: { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return void console.log(BENCH_HELP);
  if (values.browser && !extra) throw new UsageError('bench: --browser runs from the repository: npm run bench -- --browser (it needs the dev dependencies)');
  const json = Boolean(values.json);
  const workloads = list(values, 'workloads', Object.keys(WORKLOAD_METRICS), Object.keys(WORKLOAD_METRICS));
  const backends = list(values, 'backends', ['wasm', 'js', 'webgpu'], ct.listBackends().includes('wasm') ? ['wasm', 'js'] : ['js']);
  const threads = intFlag(values, 'threads', os.availableParallelism());
  const peerIds = list(
    values,
    'peers',
    PEERS.map((p) => p.id),
    PEERS.map((p) => p.id),
  );
  const peerTimeout = numFlag(values, 'peer-timeout', 240, { positive: true })!;
  const minSeconds = numFlag(values, 'min-seconds', 3, { min: 0 })!;
  const precision = list(values, 'precision', ['highest', 'high', 'medium'], ['highest']);
  if (precision.length !== 1) throw new UsageError(`bench: --precision takes one of highest, high, medium, got '${values.precision}'`);
  const previousPrecision = ct.getFloat32MatmulPrecision();
  ct.setFloat32MatmulPrecision(precision[0] as ct.Float32Precision);
  const precisionTag = precision[0] === 'highest' ? '' : ` (${precision[0]})`;
  const metrics = workloads.flatMap((w) => WORKLOAD_METRICS[w]);
  if (values['main-job']) metrics.push('W6');
  if (backends.includes('wasm') && !ct.listBackends().includes('wasm')) throw new UsageError('bench: the wasm backend is not available here');

  const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  const say = (s: string) => {
    if (!json) process.stderr.write(`${s}\n`);
  };
  say(`convnet-ts bench on ${machine}`);

  const columns: BenchColumn[] = [];
  const previousBackend = ct.getBackend();
  const configs: { id: string; label: string; backend: string; threads: number }[] = [];
  if (backends.includes('wasm')) {
    configs.push({ id: 'wasm', label: `convnet-ts wasm ×${threads}${precisionTag}`, backend: 'wasm', threads });
    if (threads !== 1) configs.push({ id: 'wasm-1', label: `convnet-ts wasm ×1${precisionTag}`, backend: 'wasm', threads: 1 });
  }
  if (backends.includes('js')) configs.push({ id: 'js', label: 'convnet-ts js', backend: 'js', threads: 1 });
  if (backends.includes('webgpu')) {
    try {
      configs.push({ id: 'webgpu', label: `convnet-ts webgpu (${await startNodeWebGpu()})`, backend: 'webgpu', threads: 1 });
    } catch (e) {
      const cannot = { cannot: `not run: ${(e as Error).message}` };
      columns.push({ id: 'webgpu', label: 'convnet-ts webgpu', threads: 1, figures: Object.fromEntries(metrics.map((m) => [m, cannot])) });
    }
  }
  for (const c of configs) {
    if (c.backend === 'webgpu') await ct.initBackend('webgpu');
    ct.setBackend(c.backend);
    if (c.backend === 'wasm') ct.setNumThreads(c.threads);
    // Let the workers start before timing.
    await new Promise((r) => setTimeout(r, 200));
    const col: BenchColumn = { id: c.id, label: c.label, threads: c.threads, figures: {} };
    for (const m of metrics) {
      if (m === 'W6') {
        if (c.id !== 'wasm' && !(c.id === 'js' && !backends.includes('wasm'))) continue;
        say(`  ${c.label}: W6 (the main job, a few minutes)`);
        col.figures.W6 = await mainJob();
        continue;
      }
      say(`  ${c.label}: ${METRICS[m].workload}`);
      // A GPU backend returns once work is recorded: each repetition waits for the device.
      col.figures[m] = { value: await measure(m, c.backend === 'webgpu' ? deviceTimer(minSeconds) : syncTimer(minSeconds)) };
    }
    columns.push(col);
  }
  ct.setBackend(previousBackend);
  ct.setFloat32MatmulPrecision(previousPrecision);
  if (backends.includes('wasm')) ct.setNumThreads(threads);
  if (extra) columns.push(...(await extra({ metrics, threads, minSeconds, backends, say })));

  for (const id of peerIds) {
    const peer = PEERS.find((p) => p.id === id)!;
    const col: BenchColumn = {
      id: peer.id,
      label: peer.id === 'torch' ? `PyTorch ×${threads}` : peer.id === 'onnxruntime' ? `ONNX Runtime ×${threads}` : peer.label,
      threads: peer.id === 'torch' || peer.id === 'onnxruntime' ? threads : 1,
      figures: {},
    };
    const missing = peer.available();
    for (const m of metrics) {
      if (m === 'W6') continue;
      if (missing) {
        col.figures[m] = { cannot: `not run: ${missing}` };
        continue;
      }
      if (peer.metrics && !peer.metrics.includes(m)) {
        col.figures[m] = { cannot: 'cannot: inference only' };
        continue;
      }
      say(`  ${col.label}: ${METRICS[m].workload}`);
      col.figures[m] = runPeer(peer, m, threads, minSeconds, peerTimeout);
    }
    columns.push(col);
  }

  const ours = columns.find((c) => c.id === 'wasm') ?? columns[0];
  const single = columns.find((c) => c.id === 'wasm-1');
  if (json) {
    const rows = metrics.map((m) => ({
      metric: m,
      ...METRICS[m],
      figures: Object.fromEntries(columns.map((c) => [c.id, c.figures[m] ?? null])),
      ratios: Object.fromEntries(columns.filter((c) => c !== ours).map((c) => [c.id, ratio(ours.figures[m], c.figures[m], METRICS[m].lower)])),
      scaling: single ? ratio(ours.figures[m], single.figures[m], METRICS[m].lower) : null,
    }));
    console.log(JSON.stringify({ machine, threads, columns: columns.map(({ id, label, threads: t }) => ({ id, label, threads: t })), rows }));
    return;
  }

  // One table: each figure, then convnet-ts's speed relative to each other column (×: how many times faster).
  const notes: string[] = [];
  const header = [
    'workload',
    'unit',
    ...columns.map((c) => c.label),
    'target',
    ...columns.filter((c) => c !== ours).map((c) => `÷ ${c.label.replace('convnet-ts ', '')}`),
  ];
  const body = metrics.map((m) => {
    const info = METRICS[m];
    const cells = [info.workload, info.unit, ...columns.map((c) => fmt(c.figures[m], notes))];
    cells.push(`${info.lower ? '≤' : '≥'} ${info.target}`);
    for (const c of columns) {
      if (c === ours) continue;
      const r = ratio(ours.figures[m], c.figures[m], info.lower);
      cells.push(r === null ? '—' : `${r.toFixed(r >= 10 ? 0 : 2)}×`);
    }
    return cells;
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of body) console.log(line(r));
  notes.forEach((n, i) => console.log(`[${i + 1}] ${n}`));
  console.log(`\n${machine}; convnet-ts wasm and PyTorch with ${threads} threads, TF.js single-threaded (its wasm backend runs one thread in Node).`);
  console.log(`÷ columns: how many times faster ${ours.label} is than that column (for latencies and seconds too). Medians after a warm-up.`);
  const browser = columns.find((c) => c.id === 'chromium-convnet');
  const browserTfjs = columns.find((c) => c.id === 'chromium-tfjs');
  if (browser) {
    const parts = (other: BenchColumn | undefined) =>
      metrics
        .filter((m) => m !== 'W6')
        .map((m) => {
          const r = ratio(browser.figures[m], other?.figures[m], METRICS[m].lower);
          return `${m} ${r === null ? '—' : `${r.toFixed(2)}×`}`;
        })
        .join(', ');
    console.log(`In Chromium (a Worker of a cross-origin-isolated page), convnet-ts ÷ Node convnet-ts: ${parts(ours)}.`);
    if (browserTfjs) console.log(`In Chromium, convnet-ts ÷ TF.js wasm (same browser, same threads): ${parts(browserTfjs)}.`);
  }
  if (single && metrics.some((m) => m === 'W4f' || m === 'W5')) {
    const s = (m: Metric) => ratio(ours.figures[m], single.figures[m]);
    const parts = (['W5', 'W4f', 'W4fb'] as Metric[]).filter((m) => metrics.includes(m)).map((m) => `${m} ${s(m)?.toFixed(2)}×`);
    console.log(`Scaling ${threads} threads / 1 thread: ${parts.join(', ')}.`);
  }
}
