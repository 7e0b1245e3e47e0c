/**
 * The optimizers race: eight optimizers on 2-D loss surfaces (their trajectories over the contours, as the lectures
 * draw them) and on one network trained on the same MNIST batches (loss curves side by side).
 */
import { figure, lineChart } from '../../../src/chart/spec.js';
import { h, fill, selectField, numberField } from '../ui/dom.js';
import { LiveChart } from '../charts/live.js';
import { shareUrl } from '../share.js';
import { RACERS, SURFACES, SURFACE_NAMES, type SurfaceName } from '../race/race.js';
import type { RaceFromWorker, RaceToWorker } from '../race/protocol.js';

export const RACE_NETWORK = `Flatten()
Linear(784, 64)
ReLU()
Linear(64, 10)`;

export interface RaceConfig {
  surface: SurfaceName;
  steps: number;
  /** Per optimizer id: learning rate on the network, and on each surface. */
  lrNetwork: Record<string, number>;
  lrSurface: Record<string, Record<string, number>>;
  enabled: string[];
  network: string;
  seed: number;
}

export function defaultRaceConfig(): RaceConfig {
  return {
    surface: 'quadratic',
    steps: 300,
    lrNetwork: Object.fromEntries(RACERS.map((r) => [r.id, r.lr.network])),
    lrSurface: Object.fromEntries(SURFACE_NAMES.map((s) => [s, Object.fromEntries(RACERS.map((r) => [r.id, r.lr[s]]))])),
    enabled: RACERS.map((r) => r.id),
    network: RACE_NETWORK,
    seed: 1,
  };
}

/** What is wrong with a race configuration from a link. */
export function raceConfigErrors(c: RaceConfig): string[] {
  const errs: string[] = [];
  const ids = RACERS.map((r) => r.id);
  const rate = (v: unknown) => typeof v === 'number' && v > 0 && v <= 100;
  if (!SURFACE_NAMES.includes(c.surface)) errs.push(`surface: one of ${SURFACE_NAMES.join(', ')}, got '${c.surface}'`);
  if (!(Number.isInteger(c.steps) && c.steps >= 1 && c.steps <= 5000)) errs.push(`steps: an integer in 1…5000, got ${c.steps}`);
  if (typeof c.lrNetwork !== 'object' || !ids.every((id) => rate(c.lrNetwork?.[id]))) errs.push('network learning rates: one in (0, 100] per optimizer');
  if (typeof c.lrSurface !== 'object' || !SURFACE_NAMES.every((s) => ids.every((id) => rate(c.lrSurface?.[s]?.[id]))))
    errs.push('surface learning rates: one in (0, 100] per optimizer and surface');
  if (!Array.isArray(c.enabled) || c.enabled.some((id) => !ids.includes(id))) errs.push(`optimizers: any of ${ids.join(', ')}`);
  if (typeof c.network !== 'string' || c.network.length > 20_000) errs.push('network: text');
  if (!Number.isSafeInteger(c.seed)) errs.push(`seed: an integer, got ${c.seed}`);
  return errs;
}

const W = 520;
const H = 400;

export function mountRace(root: HTMLElement, dataRoot: string, initial: RaceConfig): { close(): void } {
  let config: RaceConfig = structuredClone(initial);
  const worker = new Worker(new URL('../race/race.worker.ts', import.meta.url), { type: 'module' });
  const send = (m: RaceToWorker) => worker.postMessage(m);
  const curves: Record<string, [number, number][]> = Object.fromEntries(RACERS.map((r) => [r.id, []]));
  let running = false;
  let paths: Record<string, [number, number][]> = {};
  let grid: Float32Array | null = null;

  const link = () => history.replaceState(null, '', shareUrl('optimizers', config));
  const surfaceLrs = () => config.lrSurface[config.surface];
  const surfaceCanvas = h('canvas', {
    width: W,
    height: H,
    class: 'surface',
    role: 'img',
    'aria-label': 'the loss surface’s contours and each optimizer’s path',
  });
  const surfaceTitle = h('p', { class: 'hint' });
  const status = h('div', { class: 'throughput', role: 'status', 'aria-live': 'polite' }, 'starting…');
  const standings = new Map<string, HTMLElement>();
  const networkId = 'race-network';
  const network = h('textarea', { id: networkId, rows: 5, spellcheck: 'false', class: 'code', 'aria-describedby': `${networkId}-error` });
  network.value = config.network;
  const networkError = h('div', { id: `${networkId}-error`, class: 'error', role: 'alert' });
  const runButton = h('button', { class: 'primary', disabled: true, onclick: () => toggle() }, 'Race');
  const resetButton = h('button', { onclick: () => reset() }, 'Reset');
  const chartBox = h('div', { class: 'chart', role: 'img', 'aria-label': 'training loss of each optimizer against epochs' });
  const chart = new LiveChart(chartBox, () =>
    figure(
      lineChart({
        title: 'training loss (smoothed over ~50 steps)',
        x: { title: 'epoch' },
        y: { title: 'cross-entropy', zero: true },
        series: RACERS.filter((r) => config.enabled.includes(r.id)).map((r) => ({ name: r.label, color: r.color, points: curves[r.id] })),
        points: false,
        width: 520,
        height: 260,
        legend: 'right',
      }),
      'The same network, the same batches, eight optimizers',
    ),
  );

  function requestSurface() {
    send({ type: 'surface', surface: config.surface, lrs: surfaceLrs(), steps: config.steps, enabled: config.enabled, width: W, height: H });
  }
  function toggle() {
    running = !running;
    send({ type: running ? 'run' : 'pause' });
    runButton.textContent = running ? 'Pause' : 'Resume';
  }
  function reset() {
    running = false;
    runButton.textContent = 'Race';
    runButton.disabled = true;
    config = { ...config, network: network.value };
    link();
    for (const r of RACERS) curves[r.id] = [];
    send({ type: 'init', network: config.network, lrs: config.lrNetwork, enabled: config.enabled, seed: config.seed, root: dataRoot });
  }

  /** The surface's picture, computed once per surface (every frame only redraws the trajectories over it). */
  let contours: { grid: Float32Array; img: ImageData } | null = null;
  function contourImage(ctx: CanvasRenderingContext2D, grid: Float32Array): ImageData {
    // Filled bands of log(1 + f − min f), light (low) to blue (high), with a dark line where the band changes:
    // the contours.
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of grid) lo = Math.min(lo, v);
    const level = new Float32Array(W * H);
    for (let i = 0; i < W * H; i++) {
      level[i] = Math.log1p(grid[i] - lo);
      hi = Math.max(hi, level[i]);
    }
    const bands = 14;
    const band = (v: number) => Math.floor((v / (hi || 1)) * bands);
    const img = ctx.createImageData(W, H);
    for (let py = 0; py < H; py++)
      for (let px = 0; px < W; px++) {
        const b = band(level[py * W + px]);
        const t = b / bands;
        const edge = (px + 1 < W && band(level[py * W + px + 1]) !== b) || (py + 1 < H && band(level[(py + 1) * W + px]) !== b);
        const k = (py * W + px) * 4;
        img.data[k] = edge ? 90 : 250 - 160 * t;
        img.data[k + 1] = edge ? 110 : 248 - 120 * t;
        img.data[k + 2] = edge ? 150 : 235 - 40 * t;
        img.data[k + 3] = 255;
      }
    return img;
  }

  function drawSurface() {
    const ctx = surfaceCanvas.getContext('2d')!;
    const s = SURFACES[config.surface];
    if (grid) {
      if (contours?.grid !== grid) contours = { grid, img: contourImage(ctx, grid) };
      ctx.putImageData(contours.img, 0, 0);
    }
    const toPx = ([x, y]: [number, number]): [number, number] => [
      ((x - s.view.x[0]) / (s.view.x[1] - s.view.x[0])) * W,
      ((s.view.y[1] - y) / (s.view.y[1] - s.view.y[0])) * H,
    ];
    if (s.minimum) {
      const [mx, my] = toPx(s.minimum);
      ctx.fillStyle = '#000';
      ctx.font = '18px sans-serif';
      ctx.fillText('★', mx - 7, my + 6);
    }
    for (const r of RACERS) {
      const p = paths[r.id];
      if (!p) continue;
      ctx.strokeStyle = r.color;
      ctx.lineWidth = 2;
      ctx.beginPath();
      p.forEach((pt, i) => {
        const [x, y] = toPx(pt);
        if (i === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      });
      ctx.stroke();
      const [ex, ey] = toPx(p.at(-1)!);
      ctx.fillStyle = r.color;
      ctx.beginPath();
      ctx.arc(ex, ey, 4, 0, 2 * Math.PI);
      ctx.fill();
    }
    const [sx, sy] = toPx(s.start);
    ctx.fillStyle = '#000';
    ctx.beginPath();
    ctx.arc(sx, sy, 5, 0, 2 * Math.PI);
    ctx.fill();
    fill(surfaceTitle, `${s.title}; black dot: the start${s.minimum ? ', ★: the minimum' : ''}; ${config.steps} steps each`);
  }

  // One row per optimizer: shown or not, its rates, and where it stands.
  const rows = RACERS.map((r) => {
    const box = h('input', { type: 'checkbox', id: `race-on-${r.id}`, checked: config.enabled.includes(r.id) });
    box.addEventListener('change', () => {
      config.enabled = RACERS.filter((x) => (document.getElementById(`race-on-${x.id}`) as HTMLInputElement).checked).map((x) => x.id);
      link();
      requestSurface();
      reset();
    });
    const lrInput = (value: number, label: string, set: (v: number) => void) => {
      const input = h('input', { type: 'number', value, min: 1e-6, max: 100, step: 'any', 'aria-label': label });
      input.addEventListener('change', () => {
        const v = Number(input.value);
        const ok = v > 0 && v <= 100;
        input.setAttribute('aria-invalid', String(!ok));
        if (ok) set(v);
      });
      return input;
    };
    const netLr = lrInput(config.lrNetwork[r.id], `${r.label} learning rate on the network`, (v) => {
      config.lrNetwork[r.id] = v;
      link();
      send({ type: 'lrs', lrs: config.lrNetwork });
    });
    const surfLr = lrInput(surfaceLrs()[r.id], `${r.label} learning rate on the surface`, (v) => {
      config.lrSurface[config.surface][r.id] = v;
      link();
      requestSurface();
    });
    const standing = h('td', { class: 'num' }, '');
    standings.set(r.id, standing);
    return {
      id: r.id,
      surfLr,
      el: h(
        'tr',
        {},
        h('td', {}, box),
        h('th', { scope: 'row' }, h('label', { for: box.id }, h('span', { class: 'swatch', style: `background:${r.color}` }), r.label)),
        h('td', {}, surfLr),
        h('td', {}, netLr),
        standing,
      ),
    };
  });

  worker.onmessage = (e: MessageEvent<RaceFromWorker>) => {
    const m = e.data;
    if (m.type === 'paths') {
      if (m.surface !== config.surface) return;
      paths = m.paths;
      grid = m.grid;
      drawSurface();
    } else if (m.type === 'status') fill(status, m.message);
    else if (m.type === 'ready') {
      fill(networkError);
      network.removeAttribute('aria-invalid');
      runButton.disabled = false;
      fill(status, `${m.parameters.toLocaleString('en')} parameters per network · ${m.trainImages.toLocaleString('en')} MNIST images, batch 32 · ready`);
    } else if (m.type === 'error') {
      if (m.line !== undefined) {
        fill(networkError, m.message);
        network.setAttribute('aria-invalid', 'true');
      } else fill(status, `error: ${m.message}`);
      running = false;
      runButton.textContent = 'Race';
    } else {
      for (const [id, l] of Object.entries(m.loss)) {
        if (Number.isFinite(l)) curves[id].push([m.epoch, l]);
        if (curves[id].length > 500) curves[id].splice(1, 1);
        standings.get(id)!.textContent = Number.isFinite(l) ? `${l.toFixed(3)} · ${(m.accuracy[id] * 100).toFixed(1)}%` : '';
      }
      fill(status, `step ${m.step} · epoch ${m.epoch.toFixed(2)}${m.running ? '' : ' · paused'}`);
      chart.invalidate();
    }
  };
  worker.onerror = (e) => fill(status, `the worker failed: ${e.message}`);

  root.append(
    h('h1', {}, 'The optimizers race'),
    h(
      'p',
      { class: 'lead' },
      'SGD, momentum, Nesterov, RMSprop, Adagrad, Adadelta, Adam and AdamW (the library’s own, PyTorch’s formulas) from the same start: on 2-D loss surfaces, and on one network trained on the same batches. Change a rate and see.',
    ),
    h(
      'div',
      { class: 'race' },
      h(
        'table',
        { class: 'racers' },
        h('caption', {}, 'optimizers and their learning rates'),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, 'show'),
            h('th', { scope: 'col' }, 'optimizer'),
            h('th', { scope: 'col' }, 'lr (surface)'),
            h('th', { scope: 'col' }, 'lr (network)'),
            h('th', { scope: 'col' }, 'loss · accuracy'),
          ),
        ),
        h('tbody', {}, ...rows.map((r) => r.el)),
      ),
      h(
        'section',
        { class: 'surface-box', 'aria-labelledby': 'race-surface' },
        h('h2', { id: 'race-surface' }, 'On a 2-D loss surface'),
        h(
          'div',
          { class: 'inline-fields' },
          selectField('surface', SURFACE_NAMES, config.surface, 'surface', (v) => {
            config.surface = v as SurfaceName;
            link();
            for (const r of rows) r.surfLr.value = String(surfaceLrs()[r.id]);
            requestSurface();
          }),
          numberField('steps', config.steps, { name: 'steps', min: 1, max: 5000, integer: true, step: 1 }, (v) => {
            config.steps = v;
            link();
            requestSurface();
          }),
        ),
        surfaceCanvas,
        surfaceTitle,
      ),
    ),
    h(
      'section',
      { 'aria-labelledby': 'race-network-title' },
      h('h2', { id: 'race-network-title' }, 'On a network (MNIST)'),
      h(
        'div',
        { class: 'race-network' },
        h(
          'div',
          {},
          h('label', { for: networkId }, 'the network, one PyTorch layer per line'),
          network,
          networkError,
          h('div', { class: 'buttons' }, runButton, resetButton),
          status,
        ),
        chartBox,
      ),
    ),
  );
  requestSurface();
  reset();
  return { close: () => worker.terminate() };
}
