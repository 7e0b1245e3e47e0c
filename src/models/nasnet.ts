/**
 * NASNet (Zoph et al. 2018, "Learning Transferable Architectures for Scalable Image Recognition"): a network stacked
 * from two searched cells — a Normal cell that keeps the resolution and a Reduction cell that halves it — in the
 * layout of TensorFlow-Slim's reference implementation (stem, N normal cells, reduction, N normal, reduction, N normal,
 * ReLU, global average pool, classifier). Any cell of the search space builds (a `Genotype`), so what
 * `convnet search` finds is a model like NASNet-A.
 *
 * Cell: two inputs, h[i-1] (state 0, the output of the cell before the previous one) and h[i] (state 1, the previous
 * cell's output), each brought to F channels; then B blocks, each applying one operation to each of two earlier states
 * and adding the results (a new state); the output is the concatenation (in depth) of the listed states.
 */
import * as nn from '../nn/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { cat, pad } from '../ops/shape.js';
import { initConvsAndNorms } from './blocks.js';
import { StochasticDepth } from './efficientnet.js';

/** The operations of the paper's search space (section 3), with the names the genotypes use. */
export const NAS_OPS = [
  'identity',
  'conv_1x3_3x1',
  'conv_1x7_7x1',
  'dil_conv_3x3',
  'avg_pool_3x3',
  'max_pool_3x3',
  'max_pool_5x5',
  'max_pool_7x7',
  'conv_1x1',
  'conv_3x3',
  'sep_conv_3x3',
  'sep_conv_5x5',
  'sep_conv_7x7',
] as const;
export type NasOp = (typeof NAS_OPS)[number];

/** One block: `ops[k]` is applied to state `inputs[k]` (0 = h[i-1], 1 = h[i], 2 + b = block b's output); the two add. */
export interface CellBlock {
  inputs: [number, number];
  ops: [NasOp, NasOp];
}

/** A cell: its blocks, and the states concatenated into its output (default: the blocks' outputs no block uses). */
export interface CellSpec {
  blocks: CellBlock[];
  concat?: number[];
}

export interface Genotype {
  normal: CellSpec;
  reduction: CellSpec;
}

/**
 * NASNet-A, the cells of the paper's Figure 4 as TensorFlow-Slim's nasnet_utils.py builds them. Its output
 * concatenation is explicit: the normal cell's includes h[i-1], the reduction cell's leaves out block 0 (used by
 * blocks 3 and 4).
 */
export const NASNET_A: Genotype = {
  normal: {
    blocks: [
      { inputs: [1, 0], ops: ['sep_conv_5x5', 'sep_conv_3x3'] },
      { inputs: [0, 0], ops: ['sep_conv_5x5', 'sep_conv_3x3'] },
      { inputs: [1, 0], ops: ['avg_pool_3x3', 'identity'] },
      { inputs: [0, 0], ops: ['avg_pool_3x3', 'avg_pool_3x3'] },
      { inputs: [1, 1], ops: ['sep_conv_3x3', 'identity'] },
    ],
    concat: [0, 2, 3, 4, 5, 6],
  },
  reduction: {
    blocks: [
      { inputs: [1, 0], ops: ['sep_conv_5x5', 'sep_conv_7x7'] },
      { inputs: [1, 0], ops: ['max_pool_3x3', 'sep_conv_7x7'] },
      { inputs: [1, 0], ops: ['avg_pool_3x3', 'sep_conv_5x5'] },
      { inputs: [3, 2], ops: ['identity', 'avg_pool_3x3'] },
      { inputs: [2, 1], ops: ['sep_conv_3x3', 'max_pool_3x3'] },
    ],
    concat: [3, 4, 5, 6],
  },
};

/** Checks a genotype's shape and returns each cell's output states (throws a clear error on a malformed one). */
export function validateGenotype(g: Genotype, where = 'NASNet'): { normal: number[]; reduction: number[] } {
  if (!g || typeof g !== 'object') throw new Error(`${where}: genotype must be an object with 'normal' and 'reduction' cells, got ${JSON.stringify(g)}`);
  const check = (cell: CellSpec | undefined, name: string): number[] => {
    if (!cell || !Array.isArray(cell.blocks) || cell.blocks.length === 0)
      throw new Error(`${where}: genotype.${name} must have a non-empty 'blocks' list, got ${JSON.stringify(cell)}`);
    cell.blocks.forEach((b, i) => {
      const ok = b && Array.isArray(b.inputs) && Array.isArray(b.ops) && b.inputs.length === 2 && b.ops.length === 2;
      if (!ok) throw new Error(`${where}: genotype.${name} block ${i} must be { inputs: [a, b], ops: [opA, opB] }, got ${JSON.stringify(b)}`);
      for (const s of b.inputs)
        if (!Number.isInteger(s) || s < 0 || s >= i + 2)
          throw new Error(
            `${where}: genotype.${name} block ${i} input ${JSON.stringify(s)} must be a state 0..${i + 1} (0 = h[i-1], 1 = h[i], 2+ = earlier blocks)`,
          );
      for (const op of b.ops)
        if (!(NAS_OPS as readonly string[]).includes(op))
          throw new Error(`${where}: genotype.${name} block ${i} has unknown operation '${op}' (expected one of ${NAS_OPS.join(', ')})`);
    });
    const states = cell.blocks.length + 2;
    const concat = cell.concat ?? unusedStates(cell);
    if (!Array.isArray(concat) || concat.length === 0 || concat.some((s) => !Number.isInteger(s) || s < 0 || s >= states))
      throw new Error(`${where}: genotype.${name}.concat must list states 0..${states - 1}, got ${JSON.stringify(cell.concat)}`);
    return concat;
  };
  return { normal: check(g.normal, 'normal'), reduction: check(g.reduction, 'reduction') };
}

/** The block outputs no block of the cell takes as input (NASNet's rule for a searched cell's output). */
export function unusedStates(cell: CellSpec): number[] {
  const used = new Set(cell.blocks.flatMap((b) => b.inputs));
  const out: number[] = [];
  for (let s = 2; s < cell.blocks.length + 2; s++) if (!used.has(s)) out.push(s);
  return out;
}

const relu = () => new nn.ReLU();
const conv = (
  i: number,
  o: number,
  k: number | [number, number],
  opts: { stride?: number | [number, number]; padding?: number | [number, number]; dilation?: number; groups?: number } = {},
) => new nn.Conv2d(i, o, k, { ...opts, bias: false });

/** Normalization settings: TF-Slim's CIFAR model uses PyTorch's defaults, its ImageNet models ε = 1e-3. */
interface NormOptions {
  eps: number;
}

/** ReLU → depthwise k×k → pointwise, twice (the second with stride 1), BatchNorm after each: TF-Slim's separable op. */
class SepConv extends nn.Sequential {
  constructor(inC: number, outC: number, k: number, stride: number, bn: (c: number) => nn.BatchNorm2d) {
    const p = Math.floor(k / 2);
    super(
      relu(),
      conv(inC, inC, k, { stride, padding: p, groups: inC }),
      conv(inC, outC, 1),
      bn(outC),
      relu(),
      conv(outC, outC, k, { padding: p, groups: outC }),
      conv(outC, outC, 1),
      bn(outC),
    );
  }
}

/**
 * Halves the resolution without dropping pixels: two 1×1 stride-2 convolutions, one on the input and one on it shifted
 * by a pixel, each to half the channels, concatenated and normalized (TF-Slim's factorized_reduction). Stride 1 is a
 * 1×1 convolution and BatchNorm.
 */
export class FactorizedReduce extends nn.Module {
  path1: nn.Conv2d;
  path2: nn.Conv2d | null;
  bn: nn.BatchNorm2d;
  constructor(
    inC: number,
    outC: number,
    readonly stride: number,
    norm: NormOptions,
  ) {
    super();
    if (stride === 2 && outC % 2 !== 0) throw new Error(`FactorizedReduce: output channels must be even to split into two paths, got ${outC}`);
    this.path1 = conv(inC, stride === 2 ? outC / 2 : outC, 1, { stride });
    this.path2 = stride === 2 ? conv(inC, outC / 2, 1, { stride }) : null;
    this.bn = new nn.BatchNorm2d(outC, { eps: norm.eps });
  }
  forward(x: Tensor): Tensor {
    if (!this.path2) return this.bn.forward(this.path1.forward(x));
    const [, , h, w] = x.shape;
    // The second path sees the input one pixel down and right (zero past the edge), so both paths cover every pixel.
    const shifted = pad(x, [0, 1, 0, 1]).narrow(2, 1, h).narrow(3, 1, w);
    return this.bn.forward(cat([this.path1.forward(x), this.path2.forward(shifted)], 1));
  }
}

/** One operation of a block, as TF-Slim builds it (channel adjustments included), with drop path on all but identity. */
export class NasOperation extends nn.Module {
  op: nn.Module;
  drop_path: StochasticDepth | null;
  constructor(
    readonly name: NasOp,
    inC: number,
    outC: number,
    stride: number,
    bn: (c: number) => nn.BatchNorm2d,
    dropPath: number,
  ) {
    super();
    this.op = makeOp(name, inC, outC, stride, bn);
    this.drop_path = name === 'identity' ? null : new StochasticDepth(dropPath);
  }
  forward(x: Tensor): Tensor {
    const y = this.op.forward(x);
    return this.drop_path ? this.drop_path.forward(y) : y;
  }
}

function makeOp(name: NasOp, inC: number, outC: number, stride: number, bn: (c: number) => nn.BatchNorm2d): nn.Module {
  const k = Number(/(\d)x\d$/.exec(name)?.[1] ?? 1);
  switch (name) {
    case 'identity':
      // A strided or channel-changing "identity" is a 1×1 convolution (TF-Slim's 'none').
      return stride > 1 || inC !== outC ? new nn.Sequential(relu(), conv(inC, outC, 1, { stride }), bn(outC)) : new nn.Identity();
    case 'sep_conv_3x3':
    case 'sep_conv_5x5':
    case 'sep_conv_7x7':
      return new SepConv(inC, outC, k, stride, bn);
    case 'avg_pool_3x3':
    case 'max_pool_3x3':
    case 'max_pool_5x5':
    case 'max_pool_7x7': {
      const pool = name.startsWith('avg')
        ? new nn.AvgPool2d(k, { stride, padding: Math.floor(k / 2), countIncludePad: false })
        : new nn.MaxPool2d(k, { stride, padding: Math.floor(k / 2) });
      return inC === outC ? pool : new nn.Sequential(pool, conv(inC, outC, 1), bn(outC));
    }
    case 'conv_1x1':
    case 'conv_3x3':
      return new nn.Sequential(relu(), conv(inC, outC, k, { stride, padding: Math.floor(k / 2) }), bn(outC));
    case 'dil_conv_3x3':
      return new nn.Sequential(relu(), conv(inC, outC, 3, { stride, padding: 2, dilation: 2 }), bn(outC));
    case 'conv_1x3_3x1':
    case 'conv_1x7_7x1': {
      const n = name === 'conv_1x3_3x1' ? 3 : 7;
      const p = Math.floor(n / 2);
      return new nn.Sequential(
        relu(),
        conv(inC, outC, [1, n], { stride: [1, stride], padding: [0, p] }),
        conv(outC, outC, [n, 1], { stride: [stride, 1], padding: [p, 0] }),
        bn(outC),
      );
    }
  }
}

/** The two operations of a block, summed. */
export class NasBlock extends nn.Module<[Tensor, Tensor], Tensor> {
  left: NasOperation;
  right: NasOperation;
  constructor(left: NasOperation, right: NasOperation) {
    super();
    this.left = left;
    this.right = right;
  }
  forward(a: Tensor, b: Tensor): Tensor {
    return this.left.forward(a).add(this.right.forward(b));
  }
}

/** What a cell takes: its input's channels, and h[i-1]'s (null: the network's first cell, whose h[i-1] is its input). */
export interface CellShape {
  inC: number;
  prevC: number | null;
  /** h[i-1] is at twice the input's resolution (it precedes a reduction). */
  prevIsLarger: boolean;
}

/** A Normal or Reduction cell with F filters per state. */
export class NasCell extends nn.Module<[Tensor, Tensor | null], Tensor> {
  preprocess0: nn.Module;
  preprocess1: nn.Sequential;
  blocks: nn.ModuleList;
  /** States concatenated into the output that must first match the blocks' resolution or channels. */
  output_reduce: nn.ModuleDict | null;
  readonly outC: number;
  private readonly concat: number[];
  private readonly specBlocks: CellBlock[];
  constructor(
    spec: CellSpec,
    readonly reduction: boolean,
    shape: CellShape,
    readonly filters: number,
    norm: NormOptions,
    dropPath: number,
  ) {
    super();
    const F = filters;
    const bn = (c: number) => new nn.BatchNorm2d(c, { eps: norm.eps });
    this.specBlocks = spec.blocks.map((b) => ({ inputs: [...b.inputs], ops: [...b.ops] }) as CellBlock);
    this.concat = spec.concat ? [...spec.concat] : unusedStates(spec);
    // h[i-1]: brought to h[i]'s resolution and F channels (TF-Slim's _reduce_prev_layer); the first cell's is its input.
    const c0 = shape.prevC ?? shape.inC;
    if (shape.prevC === null) this.preprocess0 = new nn.Identity();
    else if (shape.prevIsLarger) this.preprocess0 = new nn.Sequential(relu(), new FactorizedReduce(shape.prevC, F, 2, norm));
    else if (shape.prevC !== F) this.preprocess0 = new nn.Sequential(relu(), conv(shape.prevC, F, 1), bn(F));
    else this.preprocess0 = new nn.Identity();
    const state0C = shape.prevC === null || (!shape.prevIsLarger && shape.prevC === F) ? c0 : F;
    this.preprocess1 = new nn.Sequential(relu(), conv(shape.inC, F, 1), bn(F));
    // Channels of each state, and whether it is at the input's resolution (blocks of a reduction cell are halved).
    const channels = [state0C, F];
    const full = [true, true];
    this.blocks = new nn.ModuleList();
    for (const b of this.specBlocks) {
      const ops = b.inputs.map((s, k) => {
        const stride = this.reduction && s < 2 ? 2 : 1;
        return new NasOperation(b.ops[k], channels[s], F, stride, bn, dropPath);
      });
      this.blocks.append(new NasBlock(ops[0], ops[1]));
      channels.push(F);
      full.push(!this.reduction);
    }
    const reducers: Record<string, FactorizedReduce> = {};
    for (const s of this.concat) {
      const needsStride = this.reduction && full[s];
      if (needsStride || channels[s] !== F) reducers[String(s)] = new FactorizedReduce(channels[s], F, needsStride ? 2 : 1, norm);
    }
    this.output_reduce = Object.keys(reducers).length ? new nn.ModuleDict(reducers) : null;
    this.outC = F * this.concat.length;
  }

  forward(x: Tensor, prev: Tensor | null): Tensor {
    const states: Tensor[] = [this.preprocess0.forward(prev ?? x), this.preprocess1.forward(x)];
    let i = 0;
    for (const m of this.blocks) {
      const block = m as NasBlock;
      const [a, b] = this.specBlocks[i++].inputs;
      states.push(block.forward(states[a], states[b]));
    }
    const outs = this.concat.map((s) => {
      const r = this.output_reduce?.has(String(s)) ? (this.output_reduce.get(String(s)) as nn.Module) : null;
      return r ? r.forward(states[s]) : states[s];
    });
    return outs.length === 1 ? outs[0] : cat(outs, 1);
  }
}

export interface NASNetOptions {
  /** The cells (default NASNet-A). */
  genotype?: Genotype;
  /** 'cifar': a 3×3 stem for 32×32 inputs; 'imagenet': a stride-2 stem and two reduction cells for 224×224. */
  stem?: 'cifar' | 'imagenet';
  /** N, the normal cells between reductions (the paper's "N@F": N and the penultimate filters 24·F). */
  cellsPerStack?: number;
  /** F, the filters of each state in the first stack (doubled at each reduction). */
  filters?: number;
  /** Stem filters are this many times F (CIFAR stem) or 32 (ImageNet stem). */
  stemMultiplier?: number;
  numClasses?: number;
  inChannels?: number;
  /** Dropout before the classifier. */
  dropout?: number;
  /**
   * Drop path: the probability of dropping an operation's output for a whole example in training, for the last cell;
   * cell c of C uses dropPath·(c+1)/C (TF-Slim's schedule by depth; it also ramps with training progress, which a
   * caller can do by `model.setDropPath(p)` each epoch). 0 disables it; eval mode never drops.
   */
  dropPath?: number;
  /** BatchNorm ε (default 1e-5 for the CIFAR stem, 1e-3 for the ImageNet stem, as TF-Slim). */
  bnEps?: number;
}

/**
 * A NASNet of any genotype.
 *
 * Args: opts.genotype, stem, cellsPerStack, filters, stemMultiplier, numClasses, inChannels, dropout, dropPath, bnEps.
 * Shape: [N, C, 32, 32] (cifar stem) or [N, C, 224, 224] (imagenet stem) → [N, numClasses].
 * Example: new NASNet({ genotype: NASNET_A, stem: 'cifar', cellsPerStack: 6, filters: 32 })  // NASNet-A 6@768
 */
export class NASNet extends nn.Module {
  stem: nn.Sequential;
  cells: nn.ModuleList;
  dropout: nn.Dropout;
  classifier: nn.Linear;
  readonly genotype: Genotype;
  constructor(opts: NASNetOptions = {}) {
    super();
    const genotype = opts.genotype ?? NASNET_A;
    validateGenotype(genotype);
    this.genotype = genotype;
    const stemType = opts.stem ?? 'cifar';
    if (stemType !== 'cifar' && stemType !== 'imagenet') throw new Error(`NASNet: stem must be 'cifar' or 'imagenet', got '${String(stemType)}'`);
    const N = opts.cellsPerStack ?? 6;
    const F = opts.filters ?? 32;
    if (!Number.isInteger(N) || N < 1) throw new Error(`NASNet: cellsPerStack must be a positive integer, got ${N}`);
    if (!Number.isInteger(F) || F < 4 || F % 4 !== 0) throw new Error(`NASNet: filters must be a positive multiple of 4, got ${F}`);
    const norm = { eps: opts.bnEps ?? (stemType === 'cifar' ? 1e-5 : 1e-3) };
    const inC = opts.inChannels ?? 3;
    const stemC = Math.floor((stemType === 'cifar' ? F : 32) * (opts.stemMultiplier ?? (stemType === 'cifar' ? 3 : 1)));
    this.stem =
      stemType === 'cifar'
        ? new nn.Sequential(conv(inC, stemC, 3, { padding: 1 }), new nn.BatchNorm2d(stemC, { eps: norm.eps }))
        : new nn.Sequential(conv(inC, stemC, 3, { stride: 2 }), new nn.BatchNorm2d(stemC, { eps: norm.eps }));
    // The cell sequence: (reduction?, filters) per cell; each cell reads the two outputs before it.
    const plan: { reduction: boolean; filters: number }[] = [];
    if (stemType === 'imagenet') plan.push({ reduction: true, filters: F / 4 }, { reduction: true, filters: F / 2 });
    for (let stack = 0; stack < 3; stack++) {
      if (stack > 0) plan.push({ reduction: true, filters: F * 2 ** stack });
      for (let i = 0; i < N; i++) plan.push({ reduction: false, filters: F * 2 ** stack });
    }
    const dropPath = opts.dropPath ?? 0;
    if (!(dropPath >= 0 && dropPath < 1)) throw new Error(`NASNet: dropPath must be in [0, 1), got ${dropPath}`);
    this.cells = new nn.ModuleList();
    // Outputs so far: channels, and how many reductions each has been through.
    const outputs: { c: number; level: number }[] = [{ c: stemC, level: 0 }];
    let prev: { c: number; level: number } | null = null;
    plan.forEach((p, idx) => {
      const cur = outputs[outputs.length - 1];
      const cell = new NasCell(
        p.reduction ? genotype.reduction : genotype.normal,
        p.reduction,
        { inC: cur.c, prevC: prev ? prev.c : null, prevIsLarger: prev !== null && prev.level < cur.level },
        p.filters,
        norm,
        (dropPath * (idx + 1)) / plan.length,
      );
      this.cells.append(cell);
      prev = cur;
      outputs.push({ c: cell.outC, level: cur.level + (p.reduction ? 1 : 0) });
    });
    const last = outputs[outputs.length - 1].c;
    this.dropout = new nn.Dropout(opts.dropout ?? (stemType === 'cifar' ? 0 : 0.5));
    this.classifier = new nn.Linear(last, opts.numClasses ?? (stemType === 'cifar' ? 10 : 1000));
    initConvsAndNorms(this);
  }

  /** Sets the drop-path probability of the last cell (earlier cells scale it by depth); 0 turns it off. */
  setDropPath(p: number): void {
    if (!(p >= 0 && p < 1)) throw new Error(`NASNet.setDropPath: p must be in [0, 1), got ${p}`);
    const cells = [...this.cells];
    cells.forEach((cell, idx) => {
      for (const m of cell.modules()) if (m instanceof StochasticDepth) m.p = (p * (idx + 1)) / cells.length;
    });
  }

  forward(x: Tensor): Tensor {
    let prev: Tensor | null = null;
    let cur = this.stem.forward(x);
    for (const m of this.cells) {
      const next = (m as NasCell).forward(cur, prev);
      prev = cur;
      cur = next;
    }
    const pooled = cur.relu().mean([2, 3]);
    return this.classifier.forward(this.dropout.forward(pooled));
  }
}

/** NASNet-A 6@768 for CIFAR-10 (the paper's Table 1: 3.3M parameters). Options as NASNet's. */
export function nasnetACifar(opts: NASNetOptions = {}): NASNet {
  return new NASNet({ genotype: NASNET_A, stem: 'cifar', cellsPerStack: opts.cellsPerStack ?? 6, filters: opts.filters ?? 32, ...pick(opts) });
}

/** NASNet-A Mobile 4@1056 for 224×224 ImageNet (the paper's Table 2: 5.3M parameters). Options as NASNet's. */
export function nasnetAMobile(opts: NASNetOptions = {}): NASNet {
  return new NASNet({ genotype: NASNET_A, stem: 'imagenet', cellsPerStack: opts.cellsPerStack ?? 4, filters: opts.filters ?? 44, ...pick(opts) });
}

/** A NASNet of any genotype (models.create('nasnet', { genotype, stem, cellsPerStack, filters, ... })). */
export function nasnet(opts: NASNetOptions = {}): NASNet {
  return new NASNet({
    genotype: opts.genotype,
    stem: opts.stem,
    cellsPerStack: opts.cellsPerStack,
    filters: opts.filters,
    stemMultiplier: opts.stemMultiplier,
    ...pick(opts),
  });
}

/** The options every NASNet factory passes through (read one by one, so models.create can reject unknown ones). */
function pick(opts: NASNetOptions): NASNetOptions {
  return {
    numClasses: opts.numClasses,
    inChannels: opts.inChannels,
    dropout: opts.dropout,
    dropPath: opts.dropPath,
    bnEps: opts.bnEps,
  };
}
