/**
 * Progress reporting: a live cli-progress bar per epoch on a terminal; plain periodic lines elsewhere (CI, pipes);
 * nothing when silent. The bar is loaded lazily, through the Node-only door, so the library stays browser-safe.
 */
import { nodePackage } from '../platform/builtins.js';

export interface StepInfo {
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
  loss: number;
  acc: number;
  imagesPerSecond: number;
}

export interface Progress {
  startEpoch(epoch: number, epochs: number, steps: number): Promise<void>;
  step(info: StepInfo): void;
  endEpoch(line: string): void;
  log(line: string): void;
  /** Ends any live display (a terminal bar gives the cursor and line wrap back); called when a run stops early. */
  close?(): void;
}

export const silentProgress: Progress = { startEpoch: async () => {}, step: () => {}, endEpoch: () => {}, log: () => {} };

/** Seconds as "42s", "7m05s" or "1h02m" (rounded once, so never "7m60s"). */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/**
 * The whole run's remaining time from its pace so far (steps of the epochs already run count; a validation pass
 * between epochs is included in that pace from the second epoch on).
 */
class RunClock {
  private start: number | null = null;
  private stepsBefore = 0;
  private stepsPerEpoch = 0;
  private epochsLeftAfter = 0;
  startEpoch(epoch: number, epochs: number, steps: number): void {
    if (this.start === null) {
      this.start = performance.now();
      this.stepsBefore = 0;
    } else this.stepsBefore += this.stepsPerEpoch;
    this.stepsPerEpoch = steps;
    this.epochsLeftAfter = epochs - epoch;
  }
  eta(step: number): number {
    const done = this.stepsBefore + step;
    const left = this.stepsPerEpoch - step + this.epochsLeftAfter * this.stepsPerEpoch;
    return ((performance.now() - (this.start ?? performance.now())) / 1000 / Math.max(done, 1)) * left;
  }
}

/**
 * Plain lines (for CI and pipes): every `every` steps, and at most `maxSilenceSeconds` (default 30) apart so a slow
 * epoch still shows it is alive, plus the end of each epoch; the ETA is the whole run's.
 */
export function lineProgress(write: (s: string) => void = (s) => console.log(s), every = 100, maxSilenceSeconds = 30): Progress {
  const clock = new RunClock();
  let last = performance.now();
  return {
    startEpoch: async (epoch, epochs, steps) => {
      clock.startEpoch(epoch, epochs, steps);
      last = performance.now();
    },
    step: (i) => {
      const now = performance.now();
      if (i.step % every === 0 || i.step === i.steps || now - last >= maxSilenceSeconds * 1000) {
        last = now;
        write(
          `epoch ${i.epoch}/${i.epochs} step ${i.step}/${i.steps} loss ${i.loss.toFixed(4)} acc ${(i.acc * 100).toFixed(2)}% ${i.imagesPerSecond.toFixed(0)} img/s eta ${formatDuration(clock.eta(i.step))}`,
        );
      }
    },
    endEpoch: (line) => write(line),
    log: (line) => write(line),
  };
}

/** A live bar per epoch via cli-progress (terminals), with the whole run's ETA. */
export function barProgress(): Progress {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- cli-progress is loaded at run time through the Node-only door, so its types are not imported.
  let bar: any = null;
  const clock = new RunClock();
  return {
    startEpoch: async (epoch, epochs, steps) => {
      clock.startEpoch(epoch, epochs, steps);
      const cp = await nodePackage<typeof import('cli-progress')>('cli-progress', 'barProgress');
      bar = new cp.SingleBar(
        {
          format: `epoch ${epoch}/${epochs} |{bar}| {value}/{total} loss {loss} acc {acc}% {ips} img/s run eta {runEta}`,
          hideCursor: true,
          clearOnComplete: true,
        },
        cp.Presets.shades_classic,
      );
      bar.start(steps, 0, { loss: '-', acc: '-', ips: '-', runEta: '?' });
    },
    step: (i) =>
      bar?.update(i.step, {
        loss: i.loss.toFixed(4),
        acc: (i.acc * 100).toFixed(2),
        ips: i.imagesPerSecond.toFixed(0),
        runEta: formatDuration(clock.eta(i.step)),
      }),
    endEpoch: (line) => {
      bar?.stop();
      bar = null;
      console.log(line);
    },
    log: (line) => {
      // A line printed under a live bar would be overwritten by its next redraw: end the bar's line first.
      if (bar) process.stdout.write('\n');
      console.log(line);
    },
    close: () => {
      bar?.stop();
      bar = null;
    },
  };
}

/** What `eventProgress` reports: plain objects, so a Worker can post them to its page as they are. */
export type ProgressEvent =
  | { type: 'epochStart'; epoch: number; epochs: number; steps: number }
  | ({ type: 'step' } & StepInfo)
  | { type: 'epochEnd'; line: string }
  | { type: 'log'; line: string };

/**
 * Progress as events for a page to draw from (no terminal): every epoch start and end, log lines, and steps at most
 * every `minIntervalMs` (default 100; the last step of an epoch always).
 * Example (in a Worker): train.fit(model, { ..., progress: train.eventProgress((e) => self.postMessage(e)) });
 */
export function eventProgress(listener: (e: ProgressEvent) => void, opts: { minIntervalMs?: number } = {}): Progress {
  const interval = opts.minIntervalMs ?? 100;
  let last = -Infinity;
  return {
    startEpoch: async (epoch, epochs, steps) => {
      last = -Infinity;
      listener({ type: 'epochStart', epoch, epochs, steps });
    },
    step: (i) => {
      const now = performance.now();
      if (now - last < interval && i.step !== i.steps) return;
      last = now;
      listener({ type: 'step', ...i });
    },
    endEpoch: (line) => listener({ type: 'epochEnd', line }),
    log: (line) => listener({ type: 'log', line }),
  };
}
