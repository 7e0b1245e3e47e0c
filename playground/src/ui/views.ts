/**
 * Pictures of tensors: images, per-layer activations, filters and their gradients, predictions and the confusion
 * matrix, drawn on canvases (cheap to redraw several times a second, unlike SVG).
 */
import { h } from './dom.js';
import type { FilterView, LayerActivation, Prediction } from '../trainer/session.js';

/** A canvas `wid` × `hgt`, shown `zoom`× larger. */
export function blankCanvas(hgt: number, wid: number, zoom: number, label: string): HTMLCanvasElement {
  const canvas = h('canvas', { width: wid, height: hgt, role: 'img', 'aria-label': label });
  canvas.style.width = `${wid * zoom}px`;
  canvas.style.height = `${hgt * zoom}px`;
  return canvas;
}

/** Paints planar values ([C, H, W] with C = 1 or 3) mapped from [lo, hi] (default: their range) to 0–255 into `canvas`. */
export function paintImage(canvas: HTMLCanvasElement, values: ArrayLike<number>, c: number, hgt: number, wid: number, lo?: number, hi?: number): void {
  if (lo === undefined || hi === undefined) {
    lo = Infinity;
    hi = -Infinity;
    for (let i = 0; i < c * hgt * wid; i++) {
      lo = Math.min(lo, values[i]);
      hi = Math.max(hi, values[i]);
    }
  }
  const range = hi - lo || 1;
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(wid, hgt);
  const hw = hgt * wid;
  for (let p = 0; p < hw; p++) {
    for (let k = 0; k < 3; k++) img.data[p * 4 + k] = Math.round((255 * (values[(c === 3 ? k : 0) * hw + p] - lo)) / range);
    img.data[p * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

/** A canvas of planar values ([C, H, W] with C = 1 or 3) mapped from [lo, hi] to 0–255, shown `zoom`× larger. */
export function imageCanvas(
  values: ArrayLike<number>,
  c: number,
  hgt: number,
  wid: number,
  opts: { lo?: number; hi?: number; zoom?: number; label?: string } = {},
): HTMLCanvasElement {
  const canvas = blankCanvas(hgt, wid, opts.zoom ?? 2, opts.label ?? 'image');
  paintImage(canvas, values, c, hgt, wid, opts.lo, opts.hi);
  return canvas;
}

/** Paints a signed map on a symmetric grey scale: zero is mid-grey, ±scale black and white (filters and gradients). */
function paintSigned(canvas: HTMLCanvasElement, values: ArrayLike<number>, hgt: number, wid: number, scale: number): void {
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(wid, hgt);
  for (let p = 0; p < hgt * wid; p++) {
    const v = Math.max(-1, Math.min(1, values[p] / (scale || 1)));
    const g = Math.round(127.5 + 127.5 * v);
    img.data[p * 4] = img.data[p * 4 + 1] = img.data[p * 4 + 2] = g;
    img.data[p * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

/** A view's elements and how to repaint them with new values of the same layout. */
export interface Painted<T> {
  nodes: Node[];
  paint(data: T): void;
}

/**
 * Shows `data` in `container`, building its elements only when `layout` differs from the last call's (or something
 * else replaced them) and otherwise repainting the same canvases (see `showRows`, of which this is the one-row case).
 */
export function retain<T>(container: Element, layout: string, data: T, build: () => Painted<T>): void {
  showRows(container, layout, [data], build);
}

const MAX_MAPS = 16;

/** One layer's activations for one example: a tile per channel (up to 16), or a strip for a vector; repaintable. */
function activationParts(layer: string, shape: number[]): Painted<LayerActivation> {
  const name = layer.split('(')[0];
  const title = h('div', { class: 'layer-name' }, `${name} → [${shape.join(', ')}]`);
  title.title = layer;
  if (shape.length === 3) {
    const [c, hh, ww] = shape;
    const zoom = Math.max(1, Math.min(4, Math.floor(56 / Math.max(hh, ww))));
    const maps = Array.from({ length: Math.min(c, MAX_MAPS) }, (_, i) => blankCanvas(hh, ww, zoom, `${name} channel ${i}`));
    return {
      nodes: [
        h('div', { class: 'act-row' }, title, h('div', { class: 'tiles' }, ...maps, c > MAX_MAPS ? h('span', { class: 'more' }, `+${c - MAX_MAPS}`) : null)),
      ],
      paint: (a) => maps.forEach((m, i) => paintImage(m, a.values.subarray(i * hh * ww, (i + 1) * hh * ww), 1, hh, ww)),
    };
  }
  const n = shape.reduce((a, b) => a * b, 1);
  const width = Math.min(n, 120);
  const strip = blankCanvas(1, width, 4, `${name} values`);
  return {
    nodes: [h('div', { class: 'act-row' }, title, h('div', { class: 'tiles' }, strip))],
    paint: (a) => {
      // A vector as a strip of cells (at most 120, averaged in groups beyond).
      const cells = new Float32Array(width);
      for (let i = 0; i < width; i++) {
        const from = Math.floor((i * n) / width);
        const to = Math.max(from + 1, Math.floor(((i + 1) * n) / width));
        let s = 0;
        for (let j = from; j < to; j++) s += a.values[j];
        cells[i] = s / (to - from);
      }
      paintImage(strip, cells, 1, 1, width);
    },
  };
}

/** One layer's activations for one example (a one-off view; `showActivations` for a refreshing one). */
export function activationRow(a: LayerActivation): HTMLElement {
  const parts = activationParts(a.layer, a.shape);
  parts.paint(a);
  return parts.nodes[0] as HTMLElement;
}

/** Every layer's activations in `container`, below an optional heading, repainting the same canvases while the layers stay. */
export function showActivations(container: Element, acts: LayerActivation[], heading?: string): void {
  const layout = acts.map((a) => `${a.layer}:${a.shape.join('x')}`).join('|');
  showRows(container, layout, acts, (a) => activationParts(a.layer, a.shape), heading);
}

interface Rows {
  layout: string;
  nodes: Node[];
  rows: Painted<never>[];
  latest: unknown[];
  head: HTMLElement | null;
}
const rowsShown = new WeakMap<Element, Rows>();

/**
 * Shows one row per item in `container` (under an optional heading), kept across calls while `layout` stays: later
 * calls repaint the same canvases. Creating a canvas and its 2D context costs ~0.25 ms in Chromium, repainting one
 * ~0.05 ms, and the views refresh every 1.5 s while training and on every pen stroke while drawing, so rebuilding
 * them kept the page's thread busy past 100 ms at a time. A new layout is built a few rows per task (~8 ms each),
 * the rest in the next tasks.
 */
export function showRows<T>(container: Element, layout: string, items: T[], make: (item: T) => Painted<T>, heading?: string): void {
  let st = rowsShown.get(container);
  const intact = st && st.nodes.length === container.childNodes.length && st.nodes.every((n, i) => container.childNodes[i] === n);
  if (!st || !intact || st.layout !== layout) {
    const head = heading === undefined ? null : h('div', { class: 'act-input' });
    st = { layout, nodes: head ? [head] : [], rows: [], latest: items, head };
    container.replaceChildren(...st.nodes);
    rowsShown.set(container, st);
    if (st.head) st.head.textContent = heading ?? '';
    buildRows(container, st, make as (item: unknown) => Painted<never>);
    return;
  }
  st.latest = items;
  if (st.head) st.head.textContent = heading ?? '';
  st.rows.forEach((r, i) => (r.paint as (d: T) => void)(items[i]));
}

/** Builds and paints (a canvas's first paint creates its context: the costly part) rows until ~8 ms have passed. */
function buildRows(container: Element, st: Rows, make: (item: unknown) => Painted<never>): void {
  const t0 = performance.now();
  while (st.rows.length < st.latest.length && (st.rows.length === 0 || performance.now() - t0 < 8)) {
    const i = st.rows.length;
    const row = make(st.latest[i]);
    (row.paint as (d: unknown) => void)(st.latest[i]);
    st.rows.push(row);
    container.append(...row.nodes);
    st.nodes.push(...row.nodes);
  }
  if (st.rows.length < st.latest.length)
    setTimeout(() => {
      if (rowsShown.get(container) === st) buildRows(container, st, make);
    }, 0);
}

/** A conv layer's filters (first input channel, or RGB for 3 inputs) above their gradients, each row on one symmetric scale. */
function filterParts(layer: string, shape: number[]): Painted<FilterView> {
  const [co, ci, kh, kw] = shape;
  const shown = Math.min(co, 32);
  const k = kh * kw;
  const maxAbs = (xs: Float32Array) => xs.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const zoom = Math.max(2, Math.floor(24 / Math.max(kh, kw)));
  const weights = Array.from({ length: shown }, (_, o) => blankCanvas(kh, kw, zoom, ci === 3 ? `filter ${o}` : `weights ${o}`));
  const grads = Array.from({ length: shown }, (_, o) => blankCanvas(kh, kw, zoom, `gradient ${o}`));
  return {
    nodes: [
      h(
        'div',
        { class: 'filter-block' },
        h('div', { class: 'layer-name' }, `${layer.split('(')[0]} [${shape.join('×')}]${ci > 1 && ci !== 3 ? ' (input channel 0)' : ''}`),
        h(
          'div',
          { class: 'filter-grid' },
          h('span', { class: 'row-label' }, 'weights'),
          h('div', { class: 'tiles' }, ...weights),
          h('span', { class: 'row-label' }, 'gradients'),
          h('div', { class: 'tiles' }, ...grads),
        ),
      ),
    ],
    paint: (f) => {
      const ws = maxAbs(f.weights);
      const gs = maxAbs(f.grads);
      for (let o = 0; o < shown; o++) {
        if (ci === 3) paintImage(weights[o], f.weights.subarray(o * 3 * k, (o + 1) * 3 * k), 3, kh, kw);
        else paintSigned(weights[o], f.weights.subarray(o * ci * k, o * ci * k + k), kh, kw, ws);
        paintSigned(grads[o], f.grads.subarray(o * ci * k, o * ci * k + k), kh, kw, gs);
      }
    },
  };
}

/** The conv layers' filters and gradients in `container`, repainting the same canvases while the layers stay. */
export function showFilters(container: Element, filters: FilterView[]): void {
  const layout = filters.map((f) => `${f.layer}:${f.shape.join('x')}`).join('|');
  showRows(container, layout, filters, (f) => filterParts(f.layer, f.shape));
}

/** Canvases of images that never change (the preview's test images), drawn once. */
const imageCanvases = new WeakMap<Uint8Array, HTMLCanvasElement>();

/** A test image with its top-3 predictions (green when the first is right). */
export function predictionTile(pixels: Uint8Array, shape: number[], p: Prediction, classes: readonly string[], onClick: () => void): HTMLElement {
  const [c, hh, ww] = shape;
  let img = imageCanvases.get(pixels);
  if (!img)
    imageCanvases.set(pixels, (img = imageCanvas(pixels, c, hh, ww, { lo: 0, hi: 255, zoom: 2, label: `test image ${p.index}, label ${classes[p.label]}` })));
  const ok = p.top[0].cls === p.label;
  return h(
    'button',
    {
      class: `pred ${ok ? 'right' : 'wrong'}`,
      onclick: onClick,
      title: `test image ${p.index}: label ${classes[p.label]} (click to see its activations)`,
    },
    img,
    h(
      'span',
      { class: 'bars' },
      ...p.top.map((t) => h('span', { class: 'bar' }, h('i', { style: `width:${Math.round(t.p * 100)}%` }), `${classes[t.cls]} ${(t.p * 100).toFixed(0)}%`)),
    ),
  );
}

/** confusion[true][predicted] as a table, cells shaded by their share of the row. */
export function confusionTable(confusion: number[][], classes: readonly string[]): HTMLElement {
  const short = (s: string) => (s.length > 5 ? s.slice(0, 4) + '.' : s);
  return h(
    'table',
    { class: 'confusion' },
    h('caption', {}, 'rows: true class; columns: predicted'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, ''), ...classes.map((c) => h('th', { scope: 'col', title: c }, short(c))))),
    h(
      'tbody',
      {},
      ...confusion.map((row, t) => {
        const total = row.reduce((a, b) => a + b, 0) || 1;
        return h(
          'tr',
          {},
          h('th', { scope: 'row', title: classes[t] }, short(classes[t])),
          ...row.map((v, p) => {
            const share = v / total;
            const alpha = p === t ? share : Math.min(1, share * 4);
            const rgb = p === t ? [27, 120, 27] : [190, 30, 30];
            // The text colour with the better contrast on the blended background: one of the two always meets
            // WCAG AA (4.5:1).
            const blended = rgb.map((c) => (alpha * c + (1 - alpha) * 255) / 255);
            const lin = blended.map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
            const lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
            const color = 1.05 / (lum + 0.05) >= (lum + 0.05) / 0.05 ? '#fff' : '#000';
            return h('td', { style: `background:rgba(${rgb.join(',')},${alpha});color:${color}`, title: `${classes[t]} → ${classes[p]}: ${v}` }, v || '');
          }),
        );
      }),
    ),
  );
}
