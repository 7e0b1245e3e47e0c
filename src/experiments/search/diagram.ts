/**
 * A cell as the NASNet paper draws it (its Figure 4): the two inputs on the left, each block's two operations feeding
 * an add, and the concatenation of the output states on the right. A Vega-Lite spec like every other figure (boxes,
 * labels and sampled curves on pixel scales), rendered by chart.renderSvg in Node and in browsers.
 */
import { figure, type ChartSpec, type ViewSpec } from '../../chart/spec.js';
import type { CellSpec, Genotype, NasOp } from '../../models/nasnet.js';
import { unusedStates } from '../../models/nasnet.js';
import { stateName } from './space.js';

const COL = 170;
const OP_W = 120;
const OP_H = 26;
const ROW_A = 84;
const ROW_B = 150;
const MID = (ROW_A + ROW_B) / 2;
/**
 * Edges that skip a column run in lanes above and below the rows, so they never cross an operation's box; each
 * source state has its own lane (LANE_STEP apart), so edges from different states never merge.
 */
const LANE_STEP = 5;
const laneTop = (s: number) => ROW_A - 22 - LANE_STEP * s;
const laneBottom = (s: number) => ROW_B + 22 + LANE_STEP * s;
const laneConcat = (s: number) => ROW_B + 62 + LANE_STEP * s;
const CELL_H = 270;
const LEFT = 10;
const ADD_R = 11;

/** Fill colour by operation family, so a cell's make-up shows at a glance. */
function colour(op: NasOp): string {
  if (op.startsWith('sep_conv')) return '#c6dbef';
  if (op.includes('pool')) return '#fdd0a2';
  if (op === 'identity') return '#e5e5e5';
  return '#c7e9c0';
}

type Point = [number, number];

/** Points along a cubic Bézier (the end point excluded; the caller adds it). */
function bezier(p0: Point, p1: Point, p2: Point, p3: Point, n = 12): Point[] {
  const out: Point[] = [];
  for (let i = 0; i < n; i++) {
    const t = i / n;
    const u = 1 - t;
    const a = u * u * u;
    const b = 3 * u * u * t;
    const c = 3 * u * t * t;
    const d = t * t * t;
    out.push([a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0], a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]]);
  }
  return out;
}

/** Adjacent columns: a direct S-curve; farther: out into `lane`, along it, and back in. Every edge ends heading right. */
function edgePoints(x1: number, y1: number, x2: number, y2: number, lane: number): Point[] {
  if (x2 - x1 <= COL) {
    const dx = Math.max(30, (x2 - x1) / 2);
    return [...bezier([x1, y1], [x1 + dx, y1], [x2 - dx, y2], [x2, y2]), [x2, y2]];
  }
  const r = 24;
  return [
    ...bezier([x1, y1], [x1 + r, y1], [x1 + r, lane], [x1 + 2 * r, lane]),
    ...bezier([x2 - 2 * r, lane], [x2 - r, lane], [x2 - r, y2], [x2, y2]),
    [x2, y2],
  ];
}

interface Drawing {
  boxes: { x: number; x2: number; y: number; y2: number; fill: string }[];
  adds: { x: number; y: number }[];
  /** Bold labels are the cells' titles (left-aligned); the rest are centred on their point. */
  labels: { x: number; y: number; text: string; size: number; color: string; bold: boolean }[];
  edges: { edge: number; order: number; x: number; y: number }[];
  arrows: { x: number; y: number }[];
}

/** Adds one cell, drawn at vertical offset `top`, to `d`. */
function drawCell(d: Drawing, cell: CellSpec, title: string, top: number): void {
  const concat = cell.concat ?? unusedStates(cell);
  const label = (x: number, y: number, text: string, size = 11, extra: Partial<Drawing['labels'][0]> = {}) =>
    d.labels.push({ x, y, text, size, color: '#000', bold: false, ...extra });
  const edge = (pts: Point[]) => {
    const id = d.edges.length ? d.edges[d.edges.length - 1].edge + 1 : 0;
    pts.forEach(([x, y], order) => d.edges.push({ edge: id, order, x, y }));
    const [x, y] = pts[pts.length - 1];
    d.arrows.push({ x: x - 3, y });
  };
  const box = (x: number, y: number, w: number, fill: string, text: string, size = 11) => {
    d.boxes.push({ x, x2: x + w, y: y - OP_H / 2, y2: y + OP_H / 2, fill });
    label(x + w / 2, y, text, size);
  };
  label(LEFT, top + 14, title, 13, { bold: true });
  // Where each state's value leaves from: inputs on the left, a block's add node on its column's right.
  const source: Point[] = [
    [LEFT + 70, top + ROW_A],
    [LEFT + 70, top + ROW_B],
  ];
  box(LEFT, top + ROW_A, 70, '#fff', stateName(0), 12);
  box(LEFT, top + ROW_B, 70, '#fff', stateName(1), 12);
  cell.blocks.forEach((b, i) => {
    const x = LEFT + 110 + i * COL;
    const addX = x + OP_W + 26;
    [ROW_A, ROW_B].forEach((y, half) => {
      const s = b.inputs[half];
      edge(edgePoints(source[s][0], source[s][1], x, top + y, top + (half === 0 ? laneTop(s) : laneBottom(s))));
      box(x, top + y, OP_W, colour(b.ops[half]), b.ops[half]);
      edge(edgePoints(x + OP_W, top + y, addX - ADD_R, top + MID, top + MID));
    });
    d.adds.push({ x: addX, y: top + MID });
    label(addX, top + MID, '+', 14);
    label(addX, top + MID + 26, `block ${i}`, 10, { color: '#555' });
    source.push([addX + ADD_R, top + MID]);
  });
  const cx = LEFT + 110 + cell.blocks.length * COL;
  box(cx, top + MID, 64, '#fff7bc', 'concat', 12);
  for (const s of concat) edge(edgePoints(source[s][0], source[s][1], cx, top + MID, top + laneConcat(s)));
}

/**
 * Both cells of a genotype as one figure.
 *
 * Args: genotype; title — the heading above both cells (e.g. the candidate's accuracy).
 * Example: await writeFile('cell.svg', await chart.renderSvg(cellDiagram(NASNET_A, 'NASNet-A')))
 */
export function cellDiagram(genotype: Genotype, title: string): ChartSpec {
  const d: Drawing = { boxes: [], adds: [], labels: [], edges: [], arrows: [] };
  drawCell(d, genotype.normal, 'Normal cell (keeps the resolution)', 0);
  drawCell(d, genotype.reduction, 'Reduction cell (operations on h[i-1] and h[i] have stride 2)', CELL_H);
  const blocks = Math.max(genotype.normal.blocks.length, genotype.reduction.blocks.length);
  const width = LEFT + 110 + blocks * COL + 74;
  const height = 2 * CELL_H - 20;
  const x = (field = 'x') => ({ field, type: 'quantitative', scale: { domain: [0, width], nice: false, zero: false }, axis: null });
  const y = (field = 'y') => ({ field, type: 'quantitative', scale: { domain: [0, height], nice: false, zero: false, reverse: true }, axis: null });
  const view: ViewSpec = {
    width,
    height,
    view: { stroke: null },
    layer: [
      {
        data: { values: d.edges },
        mark: { type: 'line', color: '#555', strokeWidth: 1.2 },
        encoding: { x: x(), y: y(), detail: { field: 'edge', type: 'nominal' }, order: { field: 'order', type: 'quantitative' } },
      },
      {
        data: { values: d.arrows },
        mark: { type: 'point', shape: 'triangle-right', filled: true, color: '#555', size: 40, opacity: 1 },
        encoding: { x: x(), y: y() },
      },
      {
        data: { values: d.boxes },
        mark: { type: 'rect', stroke: '#333', strokeWidth: 1, cornerRadius: 4 },
        encoding: { x: x(), x2: { field: 'x2' }, y: y(), y2: { field: 'y2' }, fill: { field: 'fill', type: 'nominal', scale: null } },
      },
      {
        data: { values: d.adds },
        mark: { type: 'point', shape: 'circle', filled: true, fill: '#fff', stroke: '#333', strokeWidth: 1, size: Math.PI * ADD_R * ADD_R * 1.3, opacity: 1 },
        encoding: { x: x(), y: y() },
      },
      ...[false, true].map((bold) => ({
        data: { values: d.labels.filter((l) => l.bold === bold) },
        mark: { type: 'text', baseline: 'middle', align: bold ? 'left' : 'center', fontWeight: bold ? 'bold' : 'normal' },
        encoding: {
          x: x(),
          y: y(),
          text: { field: 'text' },
          size: { field: 'size', type: 'quantitative', scale: null },
          color: { field: 'color', type: 'nominal', scale: null },
        },
      })),
    ],
  };
  return figure(view, title, {
    subtitle: [
      "h[i-1]: the output of the cell before the previous one; h[i]: the previous cell's output",
      'blue: separable convolutions; orange: pooling; green: convolutions; grey: identity',
    ],
  });
}
