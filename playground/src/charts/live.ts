/**
 * Charts drawn with the library's chart module (the same Vega-Lite specs as the experiments' figures), rendered to
 * SVG in a Worker and swapped into the page at most once a second, so the page's thread only parses the result.
 */
import type { ChartSpec } from '../../../src/chart/spec.js';

let worker: Worker | null = null;
let nextId = 0;
const waiting = new Map<number, (svg: string) => void>();

function chartWorker(): Worker {
  if (!worker) {
    worker = new Worker(new URL('./chart.worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (e: MessageEvent<{ id: number; svg?: string; error?: string }>) => {
      const done = waiting.get(e.data.id);
      waiting.delete(e.data.id);
      if (e.data.error) console.error(`chart: ${e.data.error}`);
      else done?.(e.data.svg!);
    };
  }
  return worker;
}

/** Renders a spec to SVG text (in the chart worker). */
export function renderInWorker(spec: ChartSpec): Promise<string> {
  return new Promise((resolve) => {
    const id = ++nextId;
    waiting.set(id, resolve);
    chartWorker().postMessage({ id, spec });
  });
}

/** A chart slot that redraws from a spec function, at most every `interval` ms and never two renders at once. */
export class LiveChart {
  private busy = false;
  private dirty = false;
  private last = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  constructor(
    readonly el: HTMLElement,
    private readonly spec: () => ChartSpec,
    private readonly interval = 1000,
  ) {}

  /** Asks for a redraw (coalesced). */
  invalidate(now = false): void {
    this.dirty = true;
    if (this.busy || this.timer) return;
    const wait = now ? 0 : Math.max(0, this.last + this.interval - performance.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.draw();
    }, wait);
  }

  private async draw(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    this.busy = true;
    this.last = performance.now();
    try {
      this.el.innerHTML = await renderInWorker(this.spec());
    } finally {
      this.busy = false;
      if (this.dirty) this.invalidate();
    }
  }
}
