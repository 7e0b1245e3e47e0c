/**
 * A fuzz campaign: for each target, `runs` inputs made by fast-check from a fixed seed (mutations of the committed
 * seed files), each judged in a worker under a watchdog — a time limit (a hang), the worker's heap limit and exit
 * (a crash or out-of-memory), plus the worker's own checks (see worker.ts). Failures are grouped by class (kind,
 * error, the first frame in src/), keeping the smallest input of each.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { applyPlan, planArb, tokenBytes } from './mutate.js';
import { TARGETS } from './targets.js';
import type { Verdict } from './worker.js';

export const FUZZ_DIR = new URL('.', import.meta.url).pathname;

export interface Failure {
  target: string;
  kind: string;
  name: string;
  message: string;
  where: string;
  input: Uint8Array;
  count: number;
}

export interface TargetReport {
  target: string;
  inputs: number;
  accepted: number;
  rejected: number;
  seconds: number;
  failures: Failure[];
}

export interface CampaignOptions {
  targets?: string[];
  runs: number;
  seed: number;
  /** A single input running longer than this is a hang (default 5 s). */
  timeoutMs?: number;
  /** The worker's heap limit (default 1024 MB). */
  heapMb?: number;
  onProgress?: (target: string, done: number, total: number) => void;
  /** Called as each target finishes. */
  onReport?: (report: TargetReport) => void;
}

/** The seed files of a target (fuzz/seeds/NAME/*). */
export function seedFiles(target: string): Uint8Array[] {
  const dir = join(FUZZ_DIR, 'seeds', target);
  return readdirSync(dir)
    .sort()
    .map((f) => new Uint8Array(readFileSync(join(dir, f))));
}

/** Every input that ever failed, committed as fuzz/regressions/NAME/*.bin. */
export function regressionFiles(target: string): { file: string; bytes: Uint8Array }[] {
  const dir = join(FUZZ_DIR, 'regressions', target);
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((f) => f.endsWith('.bin'));
  } catch {
    return [];
  }
  return names.sort().map((f) => ({ file: f, bytes: new Uint8Array(readFileSync(join(dir, f))) }));
}

/** The worker runs TypeScript through tsx's API, so the same code works under tsx and under vitest. */
function startWorker(heapMb: number): Worker {
  const url = new URL('./worker.ts', import.meta.url).href;
  return new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url)}); })`, {
    eval: true,
    resourceLimits: { maxOldGenerationSizeMb: heapMb },
    stdout: true,
    stderr: true,
  });
}

/** Judges inputs one at a time in a worker, restarting it after a hang, crash or pollution. */
export class Judge {
  private worker: Worker | null = null;
  private ready: Promise<void> | null = null;
  private nextId = 0;
  private pending: { id: number; resolve: (v: Verdict) => void } | null = null;

  constructor(
    private readonly timeoutMs = 5000,
    private readonly heapMb = 1024,
  ) {}

  private start(): Promise<void> {
    const w = startWorker(this.heapMb);
    this.worker = w;
    this.ready = new Promise((resolve, reject) => {
      w.once('message', () => resolve());
      w.once('error', reject);
    });
    w.on('message', (m: Verdict) => {
      if (this.pending && 'id' in m && m.id === this.pending.id) {
        const p = this.pending;
        this.pending = null;
        p.resolve(m);
      }
    });
    const died = (kind: string, message: string) => {
      if (this.worker === w) this.worker = null;
      if (this.pending) {
        const p = this.pending;
        this.pending = null;
        p.resolve({ id: p.id, ok: false, kind, name: kind, message, stack: '', allocated: 0, ms: 0 });
      }
    };
    w.on('error', (e) => died('crash', `${e.name}: ${e.message}`));
    w.on('exit', (code) => died('crash', `worker exited with code ${code}`));
    return this.ready;
  }

  async judge(target: string, bytes: Uint8Array): Promise<Verdict> {
    if (!this.worker) await this.start();
    else await this.ready;
    const id = this.nextId++;
    return new Promise<Verdict>((resolve) => {
      const timer = setTimeout(() => {
        if (this.pending?.id !== id) return;
        this.pending = null;
        const w = this.worker;
        this.worker = null;
        void w?.terminate();
        resolve({ id, ok: false, kind: 'hang', name: 'hang', message: `no verdict within ${this.timeoutMs} ms`, stack: '', allocated: 0, ms: this.timeoutMs });
      }, this.timeoutMs);
      this.pending = {
        id,
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
      };
      this.worker!.postMessage({ id, target, bytes });
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    await w?.terminate();
  }
}

/** The first frame in the library's sources: where a failure class lives. */
function whereOf(stack: string): string {
  const line = stack.split('\n').find((l) => l.includes('/src/'));
  return line
    ? line
        .trim()
        .replace(/^at /, '')
        .replace(/.*\/src\//, 'src/')
        .replace(/\)$/, '')
    : '';
}

export function failureClass(f: { kind: string; name: string; where: string; message: string }): string {
  // Without a frame (hangs, crashes), the message without its numbers tells classes apart.
  return `${f.kind} ${f.name} ${f.where || f.message.replace(/\d+/g, 'N').slice(0, 80)}`;
}

/** Runs the campaign; returns one report per target. */
export async function runCampaign(opts: CampaignOptions): Promise<TargetReport[]> {
  const reports: TargetReport[] = [];
  const judge = new Judge(opts.timeoutMs, opts.heapMb);
  try {
    for (const target of TARGETS.filter((t) => !opts.targets || opts.targets.includes(t.name))) {
      const seeds = seedFiles(target.name);
      const dictionary = tokenBytes(target.dictionary);
      const plans = fc.sample(planArb, { seed: opts.seed, numRuns: opts.runs });
      const classes = new Map<string, Failure>();
      let accepted = 0;
      let rejected = 0;
      const t0 = performance.now();
      for (let i = 0; i < plans.length; i++) {
        const input = applyPlan(plans[i], seeds, dictionary, target.structured);
        const v = await judge.judge(target.name, input);
        if (v.ok) {
          if (v.accepted) accepted++;
          else rejected++;
        } else {
          const f = { target: target.name, kind: v.kind, name: v.name, message: v.message, where: whereOf(v.stack), input, count: 1 };
          const key = failureClass(f);
          const old = classes.get(key);
          if (!old) classes.set(key, f);
          else {
            old.count++;
            if (input.length < old.input.length) Object.assign(old, { input, message: f.message });
          }
        }
        if ((i + 1) % 500 === 0) opts.onProgress?.(target.name, i + 1, plans.length);
      }
      const report = {
        target: target.name,
        inputs: plans.length,
        accepted,
        rejected,
        seconds: (performance.now() - t0) / 1000,
        failures: [...classes.values()],
      };
      reports.push(report);
      opts.onReport?.(report);
    }
  } finally {
    await judge.close();
  }
  return reports;
}

/** Writes each failure's smallest input and what it did to DIR/TARGET/HASH.{bin,txt}. */
export function saveFailures(dir: string, reports: readonly TargetReport[]): string[] {
  const written: string[] = [];
  for (const r of reports) {
    for (const f of r.failures) {
      const hash = createHash('sha256').update(f.input).digest('hex').slice(0, 12);
      const d = join(dir, r.target);
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, `${hash}.bin`), f.input);
      writeFileSync(join(d, `${hash}.txt`), `${f.kind} ${f.name} (${f.count}×) at ${f.where}\n${f.message}\n`);
      written.push(join(d, `${hash}.bin`));
    }
  }
  return written;
}
