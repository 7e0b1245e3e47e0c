/**
 * The NASNet search space (Zoph et al. 2018, section 3): a cell is B blocks; each block picks two earlier states
 * (h[i-1], h[i] or a previous block's output) and one operation for each, and adds the results. A candidate is a pair
 * of cells (Normal, Reduction). Sampling draws every choice uniformly; mutation is Real et al.'s (2019, section 2.3):
 * one cell, one block, one of its two halves, and either its input ("hidden state mutation") or its operation ("op
 * mutation") changed to a different value.
 */
import { NAS_OPS, type CellBlock, type CellSpec, type Genotype, type NasOp } from '../../models/nasnet.js';
import type { Generator } from '../../tensor/random.js';

export interface SpaceOptions {
  /** Blocks per cell (the paper's B = 5). */
  blocks: number;
  /** The operations to choose from (default: the paper's 13). */
  ops: readonly NasOp[];
}

export const DEFAULT_SPACE: SpaceOptions = { blocks: 5, ops: NAS_OPS };

const choice = <T>(xs: readonly T[], g: Generator): T => xs[Math.floor(g.random() * xs.length)];

function randomCell(space: SpaceOptions, g: Generator): CellSpec {
  const blocks: CellBlock[] = [];
  for (let b = 0; b < space.blocks; b++) {
    const states = Array.from({ length: b + 2 }, (_, i) => i);
    blocks.push({ inputs: [choice(states, g), choice(states, g)], ops: [choice(space.ops, g), choice(space.ops, g)] });
  }
  return { blocks };
}

/** A genotype with every choice drawn uniformly (random search's candidate, evolution's first population). */
export function randomGenotype(space: SpaceOptions, g: Generator): Genotype {
  return { normal: randomCell(space, g), reduction: randomCell(space, g) };
}

export interface Mutation {
  cell: 'normal' | 'reduction';
  block: number;
  half: 0 | 1;
  kind: 'input' | 'op';
  from: number | NasOp;
  to: number | NasOp;
}

/** A copy of `parent` with one choice changed (never to the value it had); returns the change too. */
export function mutateGenotype(parent: Genotype, space: SpaceOptions, g: Generator): { child: Genotype; mutation: Mutation } {
  const child: Genotype = JSON.parse(JSON.stringify({ normal: parent.normal, reduction: parent.reduction })) as Genotype;
  const cell = g.random() < 0.5 ? 'normal' : 'reduction';
  const blocks = child[cell].blocks;
  const block = Math.floor(g.random() * blocks.length);
  const half = (g.random() < 0.5 ? 0 : 1) as 0 | 1;
  // An op mutation needs a second operation to change to; an input mutation always has one (every block sees ≥ 2 states).
  const kind = space.ops.length < 2 || g.random() < 0.5 ? 'input' : 'op';
  const b = blocks[block];
  let from: number | NasOp;
  let to: number | NasOp;
  if (kind === 'input') {
    from = b.inputs[half];
    to = choice(
      Array.from({ length: block + 2 }, (_, i) => i).filter((s) => s !== from),
      g,
    );
    b.inputs[half] = to;
  } else {
    from = b.ops[half];
    to = choice(
      space.ops.filter((o) => o !== from),
      g,
    );
    b.ops[half] = to;
  }
  return { child, mutation: { cell, block, half, kind, from, to } };
}

/** A canonical string of a genotype (blocks' halves in a fixed order), so the same architecture is recognised. */
export function genotypeKey(g: Genotype): string {
  const cell = (c: CellSpec) =>
    c.blocks
      .map((b) => {
        const halves = [`${b.ops[0]}(${b.inputs[0]})`, `${b.ops[1]}(${b.inputs[1]})`].sort();
        return halves.join('+');
      })
      .join(' ');
  return `normal: ${cell(g.normal)} | reduction: ${cell(g.reduction)}`;
}

/** One line per block, e.g. "block 2 = sep_conv_3x3(h[i]) + identity(block 0)". */
export function describeCell(c: CellSpec): string[] {
  return c.blocks.map((b, i) => `block ${i} = ${b.ops[0]}(${stateName(b.inputs[0])}) + ${b.ops[1]}(${stateName(b.inputs[1])})`);
}

/** h[i-1], h[i], or "block k". */
export function stateName(s: number): string {
  return s === 0 ? 'h[i-1]' : s === 1 ? 'h[i]' : `block ${s - 2}`;
}
