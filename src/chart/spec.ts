/**
 * The figures' building blocks as Vega-Lite specs: plain JSON that `renderSvg` turns into SVG in Node and that a page
 * can hand to vega-embed, so the CLI, the experiments and the playground draw the same figures.
 */
import type { TopLevelSpec } from 'vega-lite';

/** A Vega-Lite specification (https://vega.github.io/vega-lite/docs/spec.html). */
export type ChartSpec = TopLevelSpec;
/** One view of a figure, before it is given a top-level title or placed beside others. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Vega-Lite's unit/layer/concat spec union, not exported under one name
export type ViewSpec = Record<string, any>;

export interface Axis {
  /** Axis title, with its unit, e.g. 'top-1 accuracy (%)'. */
  title: string;
  /** Fixed [min, max]; by default the data's range (from 0 when `zero`). */
  domain?: readonly [number, number];
  /** Start a quantitative axis at zero (default false for lines, true for bars). */
  zero?: boolean;
  /** Logarithmic scale. */
  log?: boolean;
  /** Ticks only at whole numbers (epochs, steps). */
  integer?: boolean;
}

export interface Series {
  name: string;
  /** [x, y] pairs; non-finite y values are left out (a gap, not a zero). */
  points: readonly (readonly [number, number])[];
  dashed?: boolean;
  /** Its colour (default: the palette's, by position), e.g. to draw a model's train and test curves alike. */
  color?: string;
}

/** Colours of the category10 scheme, in order: series keep their colour in every panel. */
export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

const CONFIG = { background: 'white', font: 'sans-serif', view: { stroke: '#ccc' }, axis: { labelFontSize: 11, titleFontSize: 12 } };

function axis(a: Axis): Record<string, unknown> {
  return a.integer ? { tickMinStep: 1, format: 'd' } : {};
}

function scale(a: Axis): Record<string, unknown> {
  return { ...(a.domain ? { domain: [...a.domain] } : {}), zero: a.zero ?? false, ...(a.log ? { type: 'log' } : {}), nice: !a.domain };
}

/**
 * Lines with points, one per series, each in its own colour (dashed when asked), with a legend.
 *
 * Args: title — the panel's title; x, y — axes; series — the lines; legend — where the legend goes ('top-right'
 * suits falling curves, 'bottom-right' rising ones; default to the right of the plot).
 * Example: lineChart({ title: 'loss', x: { title: 'epoch' }, y: { title: 'loss' }, series: [{ name: 'train', points: [[1, 2.3], [2, 1.1]] }] })
 */
export function lineChart(opts: {
  title: string;
  x: Axis;
  y: Axis;
  series: readonly Series[];
  width?: number;
  height?: number;
  legend?: 'top-right' | 'bottom-right' | 'right';
  /** Draw a point at each value (default true; turn off for long series). */
  points?: boolean;
  /** Connect points in the order given (a trajectory) instead of by x. */
  path?: boolean;
}): ViewSpec {
  const names = opts.series.map((s) => s.name);
  const values = opts.series.flatMap((s) =>
    s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)).map(([x, y], i) => ({ series: s.name, x, y, i })),
  );
  const legendOrient = opts.legend ?? 'right';
  return {
    title: opts.title,
    width: opts.width ?? 340,
    height: opts.height ?? 260,
    data: { values },
    mark: { type: 'line', point: opts.points ?? true, strokeWidth: 2, clip: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: opts.x.title, scale: scale(opts.x), axis: axis(opts.x) },
      y: { field: 'y', type: 'quantitative', title: opts.y.title, scale: scale(opts.y), axis: axis(opts.y) },
      color: {
        field: 'series',
        type: 'nominal',
        title: null,
        sort: names,
        scale: { domain: names, range: opts.series.map((s, i) => s.color ?? PALETTE[i % PALETTE.length]) },
        legend: { orient: legendOrient, symbolType: 'stroke', labelLimit: 0 },
      },
      strokeDash: {
        field: 'series',
        type: 'nominal',
        sort: names,
        scale: { domain: names, range: opts.series.map((s) => (s.dashed ? [6, 3] : [1, 0])) },
        legend: null,
      },
      ...(opts.path ? { order: { field: 'i', type: 'quantitative' } } : {}),
    },
  };
}

/**
 * Horizontal bars, one per row, labelled with their values; rows keep the order given.
 *
 * Example: barChart({ title: 'parameters (M)', rows: [{ label: 'alexnet', value: 61.1 }], axis: { title: 'M' } })
 */
export function barChart(opts: {
  title: string;
  rows: readonly { label: string; value: number }[];
  axis: Axis;
  color?: string;
  width?: number;
  /** Show the row labels (default true; turn off for the second and later of bars side by side). */
  labels?: boolean;
}): ViewSpec {
  const order = opts.rows.map((r) => r.label);
  // A log axis has no zero: bars start at the power of ten below the smallest value.
  const positive = opts.rows.map((r) => r.value).filter((v) => v > 0);
  const logBase = opts.axis.domain?.[0] ?? 10 ** Math.floor(Math.log10(positive.length ? Math.min(...positive) : 1));
  const y = { field: 'label', type: 'nominal', sort: order, title: null, axis: opts.labels === false ? null : { labelLimit: 0 } };
  const x = {
    field: 'value',
    type: 'quantitative',
    title: opts.axis.title,
    scale: {
      ...(opts.axis.log ? { type: 'log', domainMin: logBase } : { zero: true }),
      ...(opts.axis.domain ? { domain: [...opts.axis.domain] } : {}),
    },
  };
  return {
    title: opts.title,
    width: opts.width ?? 240,
    height: { step: 22 },
    data: {
      values: opts.rows.map((r) => ({
        label: r.label,
        value: r.value,
        text: Number.isInteger(r.value) ? String(r.value) : r.value < 10 ? r.value.toPrecision(3) : r.value.toFixed(1),
      })),
    },
    encoding: { y, x },
    layer: [
      { mark: { type: 'bar', color: opts.color ?? PALETTE[0] }, ...(opts.axis.log ? { encoding: { x2: { datum: logBase } } } : {}) },
      { mark: { type: 'text', align: 'left', dx: 3, fontSize: 11 }, encoding: { text: { field: 'text' } } },
    ],
  };
}

/**
 * Labelled points, optionally sized by a third quantity (the lectures' accuracy-vs-operations bubble chart).
 *
 * Example: scatter({ title: '', x: { title: 'GMACs', log: true }, y: { title: 'top-1 (%)' }, points: [{ label: 'resnet50', x: 4.1, y: 76.1, size: 25.6 }] })
 */
export function scatter(opts: {
  title: string;
  x: Axis;
  y: Axis;
  points: readonly { label: string; x: number; y: number; size?: number; group?: string }[];
  /** Legend title of the size (e.g. 'parameters (M)'); points are equal-sized without one. */
  sizeTitle?: string;
  /** Legend title of the points' groups (e.g. 'strategy'): each group gets a palette colour. */
  groupTitle?: string;
  color?: string;
  width?: number;
  height?: number;
}): ViewSpec {
  const encoding = {
    x: { field: 'x', type: 'quantitative', title: opts.x.title, scale: scale(opts.x), axis: axis(opts.x) },
    y: { field: 'y', type: 'quantitative', title: opts.y.title, scale: scale(opts.y), axis: axis(opts.y) },
  };
  return {
    title: opts.title,
    width: opts.width ?? 480,
    height: opts.height ?? 320,
    data: { values: opts.points.map((p) => ({ ...p })) },
    encoding,
    layer: [
      {
        mark: { type: 'circle', opacity: 0.55, color: opts.color ?? PALETTE[0] },
        encoding: {
          ...(opts.sizeTitle ? { size: { field: 'size', type: 'quantitative', title: opts.sizeTitle, scale: { range: [30, 1500] } } } : {}),
          ...(opts.groupTitle ? { color: { field: 'group', type: 'nominal', title: opts.groupTitle, scale: { range: PALETTE } } } : {}),
        },
      },
      { mark: { type: 'text', align: 'left', dx: 6, dy: -6, fontSize: 10 }, encoding: { text: { field: 'label' } } },
    ],
  };
}

/**
 * A histogram from counts over bin edges (`edges.length === counts.length + 1`). `yMax` clips taller bars, so that one
 * huge bin (the exact zeros after a ReLU) does not flatten the rest.
 */
export function histogram(opts: {
  title: string;
  counts: readonly number[];
  edges: readonly number[];
  x?: Axis;
  color?: string;
  width?: number;
  height?: number;
  yMax?: number;
}): ViewSpec {
  const values = opts.counts.map((count, i) => ({ x0: opts.edges[i], x1: opts.edges[i + 1], count }));
  return {
    title: { text: opts.title, fontSize: 10, fontWeight: 'normal', orient: 'bottom' },
    width: opts.width ?? 100,
    height: opts.height ?? 70,
    data: { values },
    mark: { type: 'rect', color: opts.color ?? PALETTE[0], clip: true },
    encoding: {
      x: {
        field: 'x0',
        type: 'quantitative',
        title: opts.x?.title ?? null,
        scale: { ...scale(opts.x ?? { title: '' }), nice: false },
        axis: { tickCount: 3, labelFontSize: 9 },
      },
      x2: { field: 'x1' },
      y: { field: 'count', type: 'quantitative', scale: { domain: [0, Math.max(1, opts.yMax ?? Math.max(...opts.counts))] }, axis: null },
      y2: { datum: 0 },
    },
  };
}

/**
 * A grid of small images (data URLs, e.g. from pngDataUrl), one row per label, drawn pixelated at `size` pixels.
 *
 * Example: imageGrid({ title: 'augmented samples', rows: [{ label: 'flip', images: [url1, url2] }] })
 */
export function imageGrid(opts: { title: string; rows: readonly { label: string; images: readonly string[] }[]; size?: number }): ViewSpec {
  const size = opts.size ?? 48;
  const cols = Math.max(1, ...opts.rows.map((r) => r.images.length));
  const labels = opts.rows.map((r) => r.label);
  return {
    title: opts.title,
    width: cols * (size + 4),
    height: opts.rows.length * (size + 4),
    data: { values: opts.rows.flatMap((r) => r.images.map((url, col) => ({ row: r.label, col, url }))) },
    view: { stroke: null },
    mark: { type: 'image', width: size, height: size, smooth: false },
    encoding: {
      x: { field: 'col', type: 'ordinal', axis: null, scale: { domain: Array.from({ length: cols }, (_, i) => i) } },
      y: { field: 'row', type: 'ordinal', sort: labels, title: null, axis: { labelFontSize: 12, ticks: false, domain: false, labelLimit: 0 } },
      url: { field: 'url', type: 'nominal' },
    },
  };
}

/** Views side by side under one title; `shareX`/`shareY` give them one scale (default: each its own). */
export function row(
  views: readonly ViewSpec[],
  opts: { title?: string; shareX?: boolean; shareY?: boolean; spacing?: number; flush?: boolean; shareLegend?: boolean } = {},
): ViewSpec {
  const legend = opts.shareLegend ? 'shared' : 'independent';
  return {
    ...(opts.title ? { title: opts.title } : {}),
    hconcat: [...views],
    // flush: lay views out by their plots, not their labels, so a long caption does not push its neighbours apart.
    bounds: opts.flush ? 'flush' : 'full',
    spacing: opts.spacing ?? 40,
    // shareLegend: panels showing the same series draw one legend (their colours become one scale).
    resolve: {
      scale: { x: opts.shareX ? 'shared' : 'independent', y: opts.shareY ? 'shared' : 'independent', color: legend, strokeDash: legend },
      legend: { color: legend, strokeDash: legend },
    },
  };
}

/** Views one above the other under one title. */
export function column(views: readonly ViewSpec[], opts: { title?: string } = {}): ViewSpec {
  return {
    ...(opts.title ? { title: opts.title } : {}),
    vconcat: [...views],
    resolve: { scale: { x: 'independent', y: 'independent', color: 'independent', strokeDash: 'independent' } },
  };
}

/**
 * Makes a view a figure: the title states what the figure shows (for an experiment, the claim), the white background
 * and fonts are set, and the result is a complete Vega-Lite spec.
 */
export function figure(view: ViewSpec, title: string, opts: { subtitle?: string | readonly string[] } = {}): ChartSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...view,
    title: {
      text: title,
      fontSize: 14,
      anchor: 'start',
      ...(opts.subtitle ? { subtitle: typeof opts.subtitle === 'string' ? opts.subtitle : [...opts.subtitle] } : {}),
    },
    config: CONFIG,
  } as ChartSpec;
}
