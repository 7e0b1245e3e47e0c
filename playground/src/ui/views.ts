/**
 * Pictures of tensors: images, per-layer activations, filters and their gradients, predictions and the confusion
 * matrix, drawn on canvases (cheap to redraw several times a second, unlike SVG).
 */
import { h } from './dom.js';
import type { FilterView, LayerActivation, Prediction } from '../trainer/session.js';

/** A canvas of planar values ([C, H, W] with C = 1 or 3) mapped from [lo, hi] to 0–255, shown `zoom`× larger. */
export function imageCanvas(
  values: ArrayLike<number>,
  c: number,
  hgt: number,
  wid: number,
  opts: { lo?: number; hi?: number; zoom?: number; label?: string } = {},
): HTMLCanvasElement {
  let lo = opts.lo;
  let hi = opts.hi;
  if (lo === undefined || hi === undefined) {
    lo = Infinity;
    hi = -Infinity;
    for (let i = 0; i < c * hgt * wid; i++) {
      lo = Math.min(lo, values[i]);
      hi = Math.max(hi, values[i]);
    }
  }
  const range = hi - lo || 1;
  const canvas = h('canvas', { width: wid, height: hgt, role: 'img', 'aria-label': opts.label ?? 'image' });
  const zoom = opts.zoom ?? 2;
  canvas.style.width = `${wid * zoom}px`;
  canvas.style.height = `${hgt * zoom}px`;
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(wid, hgt);
  const hw = hgt * wid;
  for (let p = 0; p < hw; p++) {
    for (let k = 0; k < 3; k++) img.data[p * 4 + k] = Math.round((255 * (values[(c === 3 ? k : 0) * hw + p] - lo)) / range);
    img.data[p * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return canvas;
}

/** A signed map on a symmetric grey scale: zero is mid-grey, ±scale black and white (filters and gradients). */
export function signedCanvas(values: ArrayLike<number>, hgt: number, wid: number, zoom: number, scale: number, label: string): HTMLCanvasElement {
  const canvas = h('canvas', { width: wid, height: hgt, role: 'img', 'aria-label': label });
  canvas.style.width = `${wid * zoom}px`;
  canvas.style.height = `${hgt * zoom}px`;
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(wid, hgt);
  for (let p = 0; p < hgt * wid; p++) {
    const v = Math.max(-1, Math.min(1, values[p] / (scale || 1)));
    const g = Math.round(127.5 + 127.5 * v);
    img.data[p * 4] = img.data[p * 4 + 1] = img.data[p * 4 + 2] = g;
    img.data[p * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return canvas;
}

const MAX_MAPS = 16;

/** One layer's activations for one example: a tile per channel (up to 16), or a strip for a vector. */
export function activationRow(a: LayerActivation): HTMLElement {
  const title = h('div', { class: 'layer-name' }, `${a.layer.split('(')[0]} → [${a.shape.join(', ')}]`);
  title.title = a.layer;
  if (a.shape.length === 3) {
    const [c, hh, ww] = a.shape;
    const zoom = Math.max(1, Math.min(4, Math.floor(56 / Math.max(hh, ww))));
    const maps = Array.from({ length: Math.min(c, MAX_MAPS) }, (_, i) =>
      imageCanvas(a.values.subarray(i * hh * ww, (i + 1) * hh * ww), 1, hh, ww, { zoom, label: `${a.layer.split('(')[0]} channel ${i}` }),
    );
    return h('div', { class: 'act-row' }, title, h('div', { class: 'tiles' }, ...maps, c > MAX_MAPS ? h('span', { class: 'more' }, `+${c - MAX_MAPS}`) : null));
  }
  const n = a.values.length;
  const width = Math.min(n, 120);
  // A vector as a strip of cells (at most 120, averaged in groups beyond).
  const cells = new Float32Array(width);
  for (let i = 0; i < width; i++) {
    const from = Math.floor((i * n) / width);
    const to = Math.max(from + 1, Math.floor(((i + 1) * n) / width));
    let s = 0;
    for (let j = from; j < to; j++) s += a.values[j];
    cells[i] = s / (to - from);
  }
  return h(
    'div',
    { class: 'act-row' },
    title,
    h('div', { class: 'tiles' }, imageCanvas(cells, 1, 1, width, { zoom: 4, label: `${a.layer.split('(')[0]} values` })),
  );
}

/** A conv layer's filters (first input channel, or RGB for 3 inputs) above their gradients, each row on one symmetric scale. */
export function filterRows(f: FilterView): HTMLElement {
  const [co, ci, kh, kw] = f.shape;
  const shown = Math.min(co, 32);
  const k = kh * kw;
  const maxAbs = (xs: Float32Array) => xs.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const ws = maxAbs(f.weights);
  const gs = maxAbs(f.grads);
  const zoom = Math.max(2, Math.floor(24 / Math.max(kh, kw)));
  const tiles = (xs: Float32Array, scale: number, what: string) =>
    Array.from({ length: shown }, (_, o) =>
      ci === 3 && what === 'weights'
        ? imageCanvas(xs.subarray(o * 3 * k, (o + 1) * 3 * k), 3, kh, kw, { zoom, label: `filter ${o}` })
        : signedCanvas(xs.subarray(o * ci * k, o * ci * k + k), kh, kw, zoom, scale, `${what} ${o}`),
    );
  return h(
    'div',
    { class: 'filter-block' },
    h('div', { class: 'layer-name' }, `${f.layer.split('(')[0]} [${f.shape.join('×')}]${ci > 1 && ci !== 3 ? ' (input channel 0)' : ''}`),
    h(
      'div',
      { class: 'filter-grid' },
      h('span', { class: 'row-label' }, 'weights'),
      h('div', { class: 'tiles' }, ...tiles(f.weights, ws, 'weights')),
      h('span', { class: 'row-label' }, 'gradients'),
      h('div', { class: 'tiles' }, ...tiles(f.grads, gs, 'gradient')),
    ),
  );
}

/** A test image with its top-3 predictions (green when the first is right). */
export function predictionTile(pixels: Uint8Array, shape: number[], p: Prediction, classes: readonly string[], onClick: () => void): HTMLElement {
  const [c, hh, ww] = shape;
  const img = imageCanvas(pixels, c, hh, ww, { lo: 0, hi: 255, zoom: 2, label: `test image ${p.index}, label ${classes[p.label]}` });
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
