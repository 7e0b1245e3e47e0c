/**
 * A pool of threads sharing the heap's memory. A kernel is a task `runTask(id, args, part, thread)` split into
 * parts; the calling thread posts the task to every ready worker's mailbox, takes parts itself from a shared
 * counter, then waits for the workers it woke. Parts write disjoint outputs, so results do not depend on which
 * thread ran them. Workers start in the background; until they report ready, the caller runs every part alone.
 *
 * Mailbox words (per worker, in the control block): SEQ (bumped to post a task; -1 stops), DONE (the SEQ it has
 * finished), TASK, ARGS, NPARTS, COUNTER (byte address of the shared part counter), READY, ERROR, PAGES (the memory's
 * size in pages when the task was posted).
 *
 * Growth: another thread learns that a shared memory grew only when it next handles V8's interrupt, so a worker woken
 * right after a growth can still see the old size and trap on the new end of the heap (a part's scratch lives there).
 * Such a worker takes no part of that task; the parts are claimed from a shared counter, so the others run them.
 */
import { CONTROL_BASE } from './heap.js';
import { builtinSync } from '../../platform/builtins.js';

const SEQ = 0,
  DONE = 1,
  TASK = 2,
  ARGS = 3,
  NPARTS = 4,
  COUNTER = 5,
  READY = 6,
  ERROR = 7,
  PAGES = 8;
const MAILBOX_WORDS_CONST = 16;
const MAILBOX_WORDS = MAILBOX_WORDS_CONST;
const MAX_THREADS_CONST = 64;
/** Byte address of the shared part counter; mailboxes follow. */
const COUNTER_ADDR = CONTROL_BASE;
const MAILBOX_BASE = CONTROL_BASE + 64;
/**
 * Mailbox banks: a pool that replaces another on the same memory (setNumThreads) uses the next bank, so an old worker
 * that has not yet seen its stop signal (browsers terminate asynchronously) never reads the new pool's tasks.
 */
const BANKS = 4;
const BANK_WORDS = MAX_THREADS_CONST * MAILBOX_WORDS_CONST;
const CTRL_WORDS = (MAILBOX_BASE >> 2) + BANKS * BANK_WORDS;
const generations = new WeakMap<WebAssembly.Memory, number>();
/** Byte address of the argument block (256 words) a kernel fills before running. */
export const ARGS_ADDR = CONTROL_BASE + 32 * 1024;
export const MAX_THREADS = MAX_THREADS_CONST;

type RunTask = (task: number, args: number, part: number, thread: number) => void;

/** The worker's whole program (a string, so it needs no file next to the bundle: Node eval worker or Blob URL). */
const WORKER_SOURCE = `
const start = (data) => {
  const { module, memory, mailbox, thread } = data;
  const run = new WebAssembly.Instance(module, { env: { memory } }).exports.runTask;
  const ctrl = new Int32Array(memory.buffer, 0, ${CTRL_WORDS});
  const m = mailbox >> 2;
  Atomics.store(ctrl, m + ${READY}, 1);
  let seq = 0;
  for (;;) {
    Atomics.wait(ctrl, m + ${SEQ}, seq);
    seq = Atomics.load(ctrl, m + ${SEQ});
    if (seq < 0) return;
    const task = ctrl[m + ${TASK}], args = ctrl[m + ${ARGS}], n = ctrl[m + ${NPARTS}], counter = ctrl[m + ${COUNTER}] >> 2;
    try {
      if (memory.buffer.byteLength >= ctrl[m + ${PAGES}] * 65536)
        for (let p = Atomics.add(ctrl, counter, 1); p < n; p = Atomics.add(ctrl, counter, 1)) run(task, args, p, thread);
    } catch (e) {
      Atomics.store(ctrl, m + ${ERROR}, 1);
      Atomics.store(ctrl, counter, n);
    }
    Atomics.store(ctrl, m + ${DONE}, seq);
    Atomics.notify(ctrl, m + ${DONE});
  }
};
// Node first (getBuiltinModule works whether the eval'd code is a script or a module), else a web Worker.
const nodeThreads = typeof process !== 'undefined' && process.getBuiltinModule ? process.getBuiltinModule('node:worker_threads') : null;
if (nodeThreads) start(nodeThreads.workerData);
else self.onmessage = (e) => start(e.data);
`;

interface WorkerLike {
  terminate(): unknown;
}

export class ThreadPool {
  /** Threads a kernel may split work across, the caller included. */
  readonly threads: number;
  private readonly ctrl: Int32Array;
  private readonly workers: WorkerLike[] = [];
  private readonly seqs: number[];
  /** Whether the caller may block in Atomics.wait (not on a browser's main thread). */
  private readonly canBlock: boolean;

  constructor(
    private readonly memory: WebAssembly.Memory,
    module: WebAssembly.Module,
    private readonly runLocal: RunTask,
    threads: number,
  ) {
    this.threads = Math.max(1, Math.min(MAX_THREADS, Math.floor(threads)));
    this.ctrl = new Int32Array(memory.buffer, 0, CTRL_WORDS);
    const generation = generations.get(memory) ?? 0;
    generations.set(memory, generation + 1);
    this.bank = generation % BANKS;
    this.seqs = new Array(this.threads).fill(0);
    this.canBlock = blockingAllowed();
    for (let t = 1; t < this.threads; t++) this.spawn(module, t);
  }

  private readonly bank: number;

  private mailbox(worker: number): number {
    return (MAILBOX_BASE >> 2) + this.bank * BANK_WORDS + worker * MAILBOX_WORDS;
  }

  private spawn(module: WebAssembly.Module, thread: number): void {
    const m = this.mailbox(thread);
    this.ctrl.fill(0, m, m + MAILBOX_WORDS);
    const data = { module, memory: this.memory, mailbox: m * 4, thread };
    const nodeWorkers = nodeWorkerThreads();
    if (nodeWorkers) {
      const w = startNodeWorker(nodeWorkers, data);
      w.unref();
      this.workers.push(w);
    } else if (typeof Worker !== 'undefined' && typeof Blob !== 'undefined') {
      const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
      const w = new Worker(url);
      w.postMessage(data);
      this.workers.push(w);
    }
  }

  /**
   * Resolves when every worker has started (or `timeoutMs` passed: then kernels use those that did). Until then
   * kernels run on fewer threads; a page cannot start workers while its thread runs synchronous code.
   */
  async ready(timeoutMs = 10_000): Promise<number> {
    const until = performance.now() + timeoutMs;
    while (this.readyWorkers < this.threads - 1 && performance.now() < until) await new Promise((r) => setTimeout(r, 2));
    return this.readyWorkers + 1;
  }

  /** Workers that finished starting. */
  get readyWorkers(): number {
    let n = 0;
    for (let t = 1; t < this.threads; t++) if (Atomics.load(this.ctrl, this.mailbox(t) + READY) === 1) n++;
    return n;
  }

  /** Runs parts [0, nparts) of `task` across the pool and returns when all are done. */
  run(task: number, args: number, nparts: number): void {
    if (nparts <= 0) return;
    if (this.threads === 1) {
      // No workers (and with non-shared memory the control block's view may be detached by growth).
      for (let p = 0; p < nparts; p++) this.runLocal(task, args, p, 0);
      return;
    }
    const ctrl = this.ctrl;
    const counter = COUNTER_ADDR >> 2;
    const woken: number[] = [];
    const pages = this.memory.buffer.byteLength / 65536;
    if (nparts > 1) {
      Atomics.store(ctrl, counter, 0);
      for (let t = 1; t < this.threads && woken.length < nparts - 1; t++) {
        const m = this.mailbox(t);
        if (Atomics.load(ctrl, m + READY) !== 1) continue;
        ctrl[m + TASK] = task;
        ctrl[m + ARGS] = args;
        ctrl[m + NPARTS] = nparts;
        ctrl[m + COUNTER] = COUNTER_ADDR;
        ctrl[m + PAGES] = pages;
        Atomics.store(ctrl, m + SEQ, ++this.seqs[t]);
        Atomics.notify(ctrl, m + SEQ);
        woken.push(t);
      }
    }
    if (woken.length === 0) {
      for (let p = 0; p < nparts; p++) this.runLocal(task, args, p, 0);
      return;
    }
    try {
      for (let p = Atomics.add(ctrl, counter, 1); p < nparts; p = Atomics.add(ctrl, counter, 1)) this.runLocal(task, args, p, 0);
    } finally {
      // Even when a part here failed, wait for the workers so none is still running when the next task is posted.
      Atomics.store(ctrl, counter, nparts);
      this.join(woken, task);
    }
  }

  private join(woken: readonly number[], task: number): void {
    const ctrl = this.ctrl;
    let failed = false;
    for (const t of woken) {
      const m = this.mailbox(t);
      const seq = this.seqs[t];
      for (;;) {
        const done = Atomics.load(ctrl, m + DONE);
        if (done === seq) break;
        if (this.canBlock) Atomics.wait(ctrl, m + DONE, done, 1000);
      }
      if (Atomics.load(ctrl, m + ERROR) !== 0) {
        failed = true;
        Atomics.store(ctrl, m + ERROR, 0);
      }
    }
    if (failed) throw new Error(`wasm backend: kernel task ${task} failed in a worker thread`);
  }

  /** Stops the workers (tests; the process does not wait for them otherwise). */
  terminate(): void {
    for (let t = 1; t < this.threads; t++) {
      Atomics.store(this.ctrl, this.mailbox(t) + SEQ, -1);
      Atomics.notify(this.ctrl, this.mailbox(t) + SEQ);
    }
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
  }
}

/** Whether this thread may block in Atomics.wait (false on a browser's main thread). */
export function blockingAllowed(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

interface NodeWorkerThreads {
  Worker: new (src: string, opts: { eval: true; workerData: unknown; execArgv?: string[] }) => WorkerLike & { unref(): void };
}

/**
 * A kernel worker with its own flags: the parent's minus those about the parent's entry (`-e CODE`, `--input-type`),
 * which made an eval worker parse as a module. Where the rest holds flags a worker may not take (V8 flags such as
 * --expose-gc), it starts with none.
 */
function startNodeWorker(threads: NodeWorkerThreads, workerData: unknown): WorkerLike & { unref(): void } {
  const argv = (globalThis as { process?: { execArgv?: string[] } }).process?.execArgv ?? [];
  const own: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-e' || a === '--eval' || a === '-p' || a === '--print') i++;
    else if (!a.startsWith('--input-type') && !a.startsWith('--eval=') && !a.startsWith('--print=')) own.push(a);
  }
  if (own.length === argv.length) return new threads.Worker(WORKER_SOURCE, { eval: true, workerData });
  try {
    return new threads.Worker(WORKER_SOURCE, { eval: true, workerData, execArgv: own });
  } catch {
    return new threads.Worker(WORKER_SOURCE, { eval: true, workerData, execArgv: [] });
  }
}

/** Node's worker_threads, reached synchronously where Node offers process.getBuiltinModule (20.16+). */
function nodeWorkerThreads(): NodeWorkerThreads | null {
  return builtinSync<NodeWorkerThreads>('node:worker_threads');
}
