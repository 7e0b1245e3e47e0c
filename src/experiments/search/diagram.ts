/**
 * A cell as the NASNet paper draws it (its Figure 4): the two inputs on the left, each block's two operations feeding
 * an add, and the concatenation of the output states on the right — as a standalone SVG (no fonts or scripts needed).
 */
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
const LEFT = 20;

/** Fill colour by operation family, so a cell's make-up shows at a glance. */
function colour(op: NasOp): string {
  if (op.startsWith('sep_conv')) return '#c6dbef';
  if (op.includes('pool')) return '#fdd0a2';
  if (op === 'identity') return '#e5e5e5';
  return '#c7e9c0';
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const STROKE = 'fill="none" stroke="#555" stroke-width="1.2" marker-end="url(#arrow)"';

function curve(x1: number, y1: number, x2: number, y2: number): string {
  const dx = Math.max(30, (x2 - x1) / 2);
  return `<path d="M${x1},${y1} C${x1 + dx},${y1} ${x2 - dx},${y2} ${x2},${y2}" ${STROKE}/>`;
}

/** An edge that leaves into `lane` (an absolute y), runs along it, and comes back to its target. */
function laned(x1: number, y1: number, x2: number, y2: number, lane: number): string {
  const r = 24;
  return `<path d="M${x1},${y1} C${x1 + r},${y1} ${x1 + r},${lane} ${x1 + 2 * r},${lane} H${x2 - 2 * r} C${x2 - r},${lane} ${x2 - r},${y2} ${x2},${y2}" ${STROKE}/>`;
}

/** Adjacent columns: a direct curve; farther: through the lane on the target's side. */
function edge(x1: number, y1: number, x2: number, y2: number, lane: number): string {
  return x2 - x1 <= COL ? curve(x1, y1, x2, y2) : laned(x1, y1, x2, y2, lane);
}

/** The SVG elements of one cell, drawn at vertical offset `top`. */
function cellElements(cell: CellSpec, title: string, top: number): string[] {
  const out: string[] = [];
  const concat = cell.concat ?? unusedStates(cell);
  out.push(`<text x="${LEFT}" y="${top + 16}" font-size="14" font-weight="bold">${esc(title)}</text>`);
  // Where each state's value leaves from: inputs on the left, a block's add node on its column's right.
  const source: [number, number][] = [
    [LEFT + 70, top + ROW_A],
    [LEFT + 70, top + ROW_B],
  ];
  for (const [s, y] of [
    [0, ROW_A],
    [1, ROW_B],
  ] as const) {
    out.push(`<rect x="${LEFT}" y="${top + y - OP_H / 2}" width="70" height="${OP_H}" rx="4" fill="#fff" stroke="#333"/>`);
    out.push(`<text x="${LEFT + 35}" y="${top + y + 4}" font-size="12" text-anchor="middle">${esc(stateName(s))}</text>`);
  }
  cell.blocks.forEach((b, i) => {
    const x = LEFT + 110 + i * COL;
    const addX = x + OP_W + 26;
    [ROW_A, ROW_B].forEach((y, half) => {
      const [sx, sy] = source[b.inputs[half]];
      const s = b.inputs[half];
      out.push(edge(sx, sy, x, top + y, top + (half === 0 ? laneTop(s) : laneBottom(s))));
      out.push(`<rect x="${x}" y="${top + y - OP_H / 2}" width="${OP_W}" height="${OP_H}" rx="4" fill="${colour(b.ops[half])}" stroke="#333"/>`);
      out.push(`<text x="${x + OP_W / 2}" y="${top + y + 4}" font-size="11" text-anchor="middle">${esc(b.ops[half])}</text>`);
      out.push(curve(x + OP_W, top + y, addX - 11, top + MID));
    });
    out.push(`<circle cx="${addX}" cy="${top + MID}" r="11" fill="#fff" stroke="#333"/>`);
    out.push(`<text x="${addX}" y="${top + MID + 5}" font-size="14" text-anchor="middle">+</text>`);
    out.push(`<text x="${addX}" y="${top + MID + 28}" font-size="10" text-anchor="middle" fill="#555">block ${i}</text>`);
    source.push([addX + 11, top + MID]);
  });
  const cx = LEFT + 110 + cell.blocks.length * COL;
  out.push(`<rect x="${cx}" y="${top + MID - OP_H / 2}" width="64" height="${OP_H}" rx="4" fill="#fff7bc" stroke="#333"/>`);
  out.push(`<text x="${cx + 32}" y="${top + MID + 4}" font-size="12" text-anchor="middle">concat</text>`);
  for (const s of concat) out.push(edge(source[s][0], source[s][1], cx, top + MID, top + laneConcat(s)));
  return out;
}

/**
 * Both cells of a genotype as one SVG document.
 *
 * Args: genotype; title — the heading above both cells (e.g. the candidate's accuracy).
 * Example: await writeFile('cell.svg', cellDiagramSvg(NASNET_A, 'NASNet-A'))
 */
export function cellDiagramSvg(genotype: Genotype, title: string): string {
  const blocks = Math.max(genotype.normal.blocks.length, genotype.reduction.blocks.length);
  const width = LEFT + 110 + blocks * COL + 90;
  const height = 40 + 2 * CELL_H + 36;
  const body = [
    `<text x="${LEFT}" y="24" font-size="16" font-weight="bold">${esc(title)}</text>`,
    ...cellElements(genotype.normal, 'Normal cell (keeps the resolution)', 40),
    ...cellElements(genotype.reduction, 'Reduction cell (operations on h[i-1] and h[i] have stride 2)', 40 + CELL_H),
    `<text x="${LEFT}" y="${height - 22}" font-size="11" fill="#555">h[i-1]: the output of the cell before the previous one; h[i]: the previous cell's output.</text>`,
    `<text x="${LEFT}" y="${height - 8}" font-size="11" fill="#555">Blue: separable convolutions; orange: pooling; green: convolutions; grey: identity.</text>`,
  ];
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...body,
    '</svg>',
  ].join('\n');
}
