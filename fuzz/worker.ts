/**
 * The fuzz worker: runs one target on inputs the runner sends, and judges each. Typed-array and ArrayBuffer
 * constructors are wrapped to count the bytes an input makes the reader allocate, and refuse allocations beyond the
 * target's budget before they happen; Object.prototype and Array.prototype are compared after every input.
 */
import { parentPort } from 'node:worker_threads';

export type Verdict =
  | { id: number; ok: true; accepted: boolean; allocated: number; ms: number }
  | { id: number; ok: false; kind: string; name: string; message: string; stack: string; allocated: number; ms: number };

class BudgetExceeded extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BudgetExceeded';
  }
}

const tracker = { allocated: 0, budget: Infinity, exceeded: '', stack: '' };

function count(bytes: number): void {
  tracker.allocated += bytes;
  if (tracker.allocated > tracker.budget && !tracker.exceeded) {
    tracker.exceeded = `allocated ${tracker.allocated} bytes, over the budget of ${tracker.budget}`;
    const e = new BudgetExceeded(tracker.exceeded);
    tracker.stack = e.stack ?? '';
    throw e;
  }
}

const TYPED = [
  'Uint8Array',
  'Int8Array',
  'Uint8ClampedArray',
  'Uint16Array',
  'Int16Array',
  'Uint32Array',
  'Int32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
];
function installAllocationTracker(): void {
  const g = globalThis as unknown as Record<string, new (...args: unknown[]) => object>;
  for (const name of TYPED) {
    const Orig = g[name] as unknown as { new (...args: unknown[]): object; BYTES_PER_ELEMENT: number };
    const Tracked = class extends Orig {
      constructor(...args: unknown[]) {
        const a = args[0];
        if (typeof a === 'number') count(a * Orig.BYTES_PER_ELEMENT);
        else if (a && typeof a === 'object' && !(a instanceof ArrayBuffer) && !(a instanceof SharedArrayBuffer) && 'length' in a)
          count(Number(a.length) * Orig.BYTES_PER_ELEMENT);
        super(...args);
      }
      static override [Symbol.hasInstance](x: unknown): boolean {
        return x instanceof Orig;
      }
    };
    Object.defineProperty(Tracked, 'name', { value: name });
    g[name] = Tracked as never;
  }
  const OrigAB = ArrayBuffer as unknown as new (n: number, opts?: unknown) => ArrayBuffer;
  const TrackedAB = class extends OrigAB {
    constructor(n: number, opts?: unknown) {
      count(Number(n) || 0);
      super(n, opts);
    }
    static override [Symbol.hasInstance](x: unknown): boolean {
      return x instanceof OrigAB;
    }
  };
  g.ArrayBuffer = TrackedAB as never;
}

function protoSnapshot(): string {
  return [Object.prototype, Array.prototype, Function.prototype].map((p) => Object.getOwnPropertyNames(p).sort().join(',')).join('|');
}

async function main(): Promise<void> {
  installAllocationTracker();
  const { TARGETS, SELFTEST, Invariant } = await import('./targets.js');
  const { FormatError } = await import('../src/io/format_error.js');
  const { setBackend } = await import('../src/backend/registry.js');
  setBackend('js'); // plain typed arrays: every allocation is seen, none hides in a wasm heap
  const protos = protoSnapshot();
  parentPort!.on('message', async (msg: { id: number; target: string; bytes: Uint8Array }) => {
    const target = msg.target === SELFTEST.name ? SELFTEST : TARGETS.find((t) => t.name === msg.target)!;
    tracker.allocated = 0;
    tracker.exceeded = '';
    tracker.budget = target.budget(msg.bytes.length);
    const t0 = performance.now();
    let verdict: Verdict;
    const fail = (kind: string, e: Error): Verdict => ({
      id: msg.id,
      ok: false,
      kind,
      name: e.name,
      message: e.message.slice(0, 500),
      stack: (e.stack ?? '').slice(0, 2000),
      allocated: tracker.allocated,
      ms: performance.now() - t0,
    });
    try {
      await target.run(msg.bytes);
      verdict = tracker.exceeded
        ? fail('budget', Object.assign(new BudgetExceeded(tracker.exceeded), { stack: tracker.stack }))
        : { id: msg.id, ok: true, accepted: true, allocated: tracker.allocated, ms: performance.now() - t0 };
    } catch (err) {
      const e = err instanceof Error ? err : new Error(`non-Error thrown: ${String(err)}`);
      if (tracker.exceeded) {
        const b = new BudgetExceeded(`${tracker.exceeded}; then ${e.name}: ${e.message}`);
        b.stack = tracker.stack; // where the allocation was asked for
        verdict = fail('budget', b);
      } else if (e instanceof Invariant) verdict = fail('invariant', e);
      else if (!(e instanceof FormatError)) verdict = fail('wrong-error', e);
      else if (!e.message.includes(target.fileName)) verdict = fail('unnamed', e);
      else verdict = { id: msg.id, ok: true, accepted: false, allocated: tracker.allocated, ms: performance.now() - t0 };
    }
    tracker.budget = Infinity;
    if (protoSnapshot() !== protos) {
      verdict = fail('pollution', new Error(`a built-in prototype changed: ${protoSnapshot()}`));
      parentPort!.postMessage(verdict);
      process.exit(3); // this worker's globals are dirty: the runner starts a fresh one
    }
    parentPort!.postMessage(verdict);
  });
  parentPort!.postMessage({ ready: true });
}

void main();
