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
}

export const silentProgress: Progress = { startEpoch: async () => {}, step: () => {}, endEpoch: () => {}, log: () => {} };

/** Plain lines: every `every` steps and at the end of each epoch (for non-terminals). */
export function lineProgress(write: (s: string) => void = (s) => console.log(s), every = 100): Progress {
  const started = { t: 0 };
  return {
    startEpoch: async () => {
      started.t = performance.now();
    },
    step: (i) => {
      if (i.step % every === 0 || i.step === i.steps) {
        const eta = ((performance.now() - started.t) / 1000 / i.step) * (i.steps - i.step);
        write(
          `epoch ${i.epoch}/${i.epochs} step ${i.step}/${i.steps} loss ${i.loss.toFixed(4)} acc ${(i.acc * 100).toFixed(2)}% ${i.imagesPerSecond.toFixed(0)} img/s eta ${eta.toFixed(0)}s`,
        );
      }
    },
    endEpoch: (line) => write(line),
    log: (line) => write(line),
  };
}

/** A live bar per epoch via cli-progress (terminals). */
export function barProgress(): Progress {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- cli-progress is loaded at run time through the Node-only door, so its types are not imported.
  let bar: any = null;
  return {
    startEpoch: async (epoch, epochs, steps) => {
      const cp = await nodePackage<typeof import('cli-progress')>('cli-progress', 'barProgress');
      bar = new cp.SingleBar(
        {
          format: `epoch ${epoch}/${epochs} |{bar}| {value}/{total} loss {loss} acc {acc}% {ips} img/s eta {eta_formatted}`,
          hideCursor: true,
          clearOnComplete: true,
          etaBuffer: 50,
        },
        cp.Presets.shades_classic,
      );
      bar.start(steps, 0, { loss: '-', acc: '-', ips: '-' });
    },
    step: (i) => bar?.update(i.step, { loss: i.loss.toFixed(4), acc: (i.acc * 100).toFixed(2), ips: i.imagesPerSecond.toFixed(0) }),
    endEpoch: (line) => {
      bar?.stop();
      bar = null;
      console.log(line);
    },
    log: (line) => console.log(line),
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
