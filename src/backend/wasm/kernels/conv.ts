/**
 * conv2d forward and backward as parallel runs of the im2col + GEMM tasks in assembly/conv.ts. Each thread's
 * scratch holds GEMM packing buffers plus a column block of `chunk` columns sized to stay near the L2 cache.
 */
import type { TensorInfo } from '../../backend.js';
import type { Conv2dInfo } from '../../geometry.js';
import { PARALLEL_MIN_MACS, type WasmContext } from '../context.js';
import { geometry, isDepthwiseInfo, type FastKernels } from './shared.js';
import { directApplies, directConv, directConvWeight } from './direct.js';
import { matmul } from './matmul.js';
import { binary } from './elementwise.js';
import { chooseConvAlgorithm, NO_EPILOGUE, winogradBackwardWeight, winogradConv, type Epilogue } from './winograd.js';

/** Bytes of one thread's column + matrix block (≈ L2-sized so the GEMM's B panel reads stay cached). */
const COLUMN_BLOCK_BYTES = 1 << 20;

interface Plan {
  cg: number;
  og: number;
  Kc: number;
  P: number;
  J: number;
  chunk: number;
  stride: number;
  macs: number;
}

function plan(ctx: WasmContext, c: Conv2dInfo): Plan {
  const cg = c.inChannels / c.groups;
  const og = c.outChannels / c.groups;
  const Kc = cg * c.kH * c.kW;
  const P = c.outH * c.outW;
  const J = c.batch * P;
  // Per column: the column matrix (rows rounded up to 8 for the transposed packing), the output/gradient block,
  // and 8 rows of unfolding space for the packed im2col.
  const perColumn = (roundUp(Kc, 8) + Math.max(og, cg) + 8) * 4;
  const chunk = Math.max(8, Math.min(roundUp(J, 8), Math.floor(COLUMN_BLOCK_BYTES / perColumn / 8) * 8));
  const stride = roundUp(ctx.gemmScratchBytes + perColumn * chunk, 64);
  return { cg, og, Kc, P, J, chunk, stride, macs: J * og * Kc * c.groups };
}

function threadsFor(ctx: WasmContext, macs: number): number {
  return macs < PARALLEL_MIN_MACS ? 1 : ctx.threads;
}

/**
 * A conv whose kernel covers the whole (unpadded) input, so its output is 1×1 (LeNet-5's C5, a classifier written as
 * a conv): a matrix product on x viewed as [N, C·kH·kW]. im2col would unfold one column per image, element by element.
 */
function isFullyConnected(c: Conv2dInfo): boolean {
  return (
    c.groups === 1 &&
    c.outH === 1 &&
    c.outW === 1 &&
    c.kH === c.inH &&
    c.kW === c.inW &&
    c.padTop === 0 &&
    c.padLeft === 0 &&
    c.padBottom === 0 &&
    c.padRight === 0 &&
    c.dilationH === 1 &&
    c.dilationW === 1
  );
}

/** The same tensor seen with another shape (a view: the handle is shared). */
function view(t: TensorInfo, shape: number[]): TensorInfo {
  return { handle: t.handle, shape, dtype: t.dtype };
}

export function conv2d(
  ctx: WasmContext,
  x: TensorInfo,
  w: TensorInfo,
  bias: TensorInfo | null,
  c: Conv2dInfo,
  residual: TensorInfo | null = null,
  relu = false,
): TensorInfo {
  if (!residual && !relu && isFullyConnected(c)) {
    const K = c.inChannels * c.kH * c.kW;
    const y = matmul(ctx, view(x, [1, c.batch, K]), view(w, [1, c.outChannels, K]), false, true);
    const shape = [c.batch, c.outChannels, 1, 1];
    return bias ? binary(ctx, 'add', view(y, shape), view(bias, [1, c.outChannels, 1, 1]), shape)! : view(y, shape);
  }
  const out = ctx.output([c.batch, c.outChannels, c.outH, c.outW]);
  if (!residual && !relu && useDirect(ctx.convAlgorithm, c)) {
    directConv(ctx, ctx.ptr(x), ctx.ptr(w), bias ? ctx.ptr(bias) : 0, ctx.ptr(out), c, false);
    return out;
  }
  const m = chooseConvAlgorithm(ctx.convAlgorithm, c);
  const epilogue: Epilogue = { res: residual ? ctx.ptr(residual) : 0, relu };
  if (m !== 0) winogradConv(ctx, ctx.ptr(x), ctx.ptr(w), bias ? ctx.ptr(bias) : 0, ctx.ptr(out), c, m, false, epilogue);
  else forward(ctx, ctx.ptr(x), ctx.ptr(w), bias ? ctx.ptr(bias) : 0, ctx.ptr(out), c, epilogue);
  return out;
}

/** The forward run on raw pointers (also the input gradient of stride-1 convs, with flipped weights). */
function forward(ctx: WasmContext, x: number, w: number, bias: number, out: number, c: Conv2dInfo, epilogue: Epilogue = NO_EPILOGUE): void {
  const p = plan(ctx, c);
  // Several parts per thread, claimed dynamically, so a thread that starts late or runs slow does not hold the rest
  // up; parts are whole column chunks (a part packs only its own columns, so extra parts cost no extra packing).
  const T = threadsFor(ctx, p.macs);
  const colParts = T === 1 ? 1 : Math.max(1, Math.min(4 * T, Math.ceil(p.J / p.chunk)));
  const perPart = Math.ceil(p.J / colParts);
  const nColParts = Math.ceil(p.J / perPart);
  // Too few column chunks to keep every thread busy: split the output channels too (at least 16 rows a block).
  let blocks = 1;
  if (T > 1 && nColParts < 2 * T) blocks = Math.max(1, Math.min(Math.ceil((4 * T) / nColParts), Math.floor(p.og / 16)));
  const ocPer = Math.ceil(p.og / blocks / 4) * 4;
  blocks = Math.ceil(p.og / ocPer);
  const scratch = ctx.temp(p.stride * ctx.threads);
  ctx.task(
    'convForward',
    {
      ...geometry(c),
      x,
      w,
      bias,
      y: out,
      chunk: p.chunk,
      perPart,
      scratch: scratch.ptr,
      scratchStride: p.stride,
      blocks,
      ocPer,
      res: epilogue.res,
      relu: epilogue.relu,
    },
    nColParts * blocks,
  );
  scratch.done();
}

export function conv2dBackwardInput(ctx: WasmContext, dy: TensorInfo, w: TensorInfo, c: Conv2dInfo): TensorInfo {
  if (isFullyConnected(c)) {
    const K = c.inChannels * c.kH * c.kW;
    return view(matmul(ctx, view(dy, [1, c.batch, c.outChannels]), view(w, [1, c.outChannels, K]), false, false), x4(c));
  }
  const p = plan(ctx, c);
  const dx = ctx.output([c.batch, c.inChannels, c.inH, c.inW]);
  const padTop = c.dilationH * (c.kH - 1) - c.padTop;
  const padLeft = c.dilationW * (c.kW - 1) - c.padLeft;
  const stride1 = c.strideH === 1 && c.strideW === 1 && padTop >= 0 && padLeft >= 0 && !(c.kH === 1 && c.kW === 1);
  // Stride 1: dx is the convolution of dy with the flipped, transposed weights (pads k−1−p).
  const t: Conv2dInfo = {
    ...c,
    inChannels: c.outChannels,
    inH: c.outH,
    inW: c.outW,
    outChannels: c.inChannels,
    outH: c.inH,
    outW: c.inW,
    padTop,
    padLeft,
    padBottom: c.dilationH * (c.kH - 1) - c.padBottom,
    padRight: c.dilationW * (c.kW - 1) - c.padRight,
  };
  if (stride1 && useDirect(ctx.convAlgorithm, t)) {
    directConv(ctx, ctx.ptr(dy), ctx.ptr(w), 0, ctx.ptr(dx), t, true);
    return dx;
  }
  const m = stride1 ? chooseConvAlgorithm(ctx.convAlgorithm, t) : 0;
  if (m !== 0) {
    winogradConv(ctx, ctx.ptr(dy), ctx.ptr(w), 0, ctx.ptr(dx), t, m, true);
    return dx;
  }
  // Worth it when the transposed conv's GEMM is no thinner than col2im's (input channels ≥ output channels):
  // LeNet's 20→50 conv is faster with col2im, ResNet's 16→16 with the transposed conv.
  const transposedPays = c.inChannels >= c.outChannels;
  if (stride1 && transposedPays) {
    // Stride 1: dx is the convolution of dy with the flipped, transposed weights — the forward's im2col + GEMM,
    // parallel over columns, instead of a GEMM then a scalar col2im scatter.
    const size = c.outChannels * p.Kc;
    const flipped = ctx.temp(size * 4);
    const rows = c.inChannels;
    const parts = Math.min(rows, ctx.partsFor(size));
    const per = Math.ceil(rows / Math.max(1, parts));
    ctx.task(
      'flipWeights',
      { w: ctx.ptr(w), out: flipped.ptr, outC: c.outChannels, cg: p.cg, kH: c.kH, kW: c.kW, groups: c.groups, per },
      Math.ceil(rows / per),
    );
    forward(ctx, ctx.ptr(dy), flipped.ptr, 0, ctx.ptr(dx), t);
    flipped.done();
    return dx;
  }
  // Parts own whole images: col2im scatters across receptive fields, so column ranges of one image would race.
  const T = threadsFor(ctx, p.macs);
  const parts = T === 1 ? 1 : Math.min(4 * T, c.batch);
  const perPart = Math.ceil(c.batch / parts);
  const scratch = ctx.temp(p.stride * ctx.threads);
  ctx.task(
    'convBackwardInput',
    { ...geometry(c), dy: ctx.ptr(dy), w: ctx.ptr(w), dx: ctx.ptr(dx), chunk: p.chunk, perPart, scratch: scratch.ptr, scratchStride: p.stride },
    Math.ceil(c.batch / perPart),
  );
  scratch.done();
  return dx;
}

export function conv2dBackwardWeight(ctx: WasmContext, x: TensorInfo, dy: TensorInfo, c: Conv2dInfo): TensorInfo {
  if (isFullyConnected(c)) {
    const K = c.inChannels * c.kH * c.kW;
    const dwm = matmul(ctx, view(dy, [1, c.batch, c.outChannels]), view(x, [1, c.batch, K]), true, false);
    return view(dwm, [c.outChannels, c.inChannels, c.kH, c.kW]);
  }
  const p = plan(ctx, c);
  const dw = ctx.output([c.outChannels, p.cg, c.kH, c.kW]);
  if (useDirect(ctx.convAlgorithm, c, 'weight')) {
    directConvWeight(ctx, ctx.ptr(x), ctx.ptr(dy), ctx.ptr(dw), c);
    return dw;
  }
  const m = chooseConvAlgorithm(ctx.convAlgorithm, c, 'weight');
  if (m !== 0) {
    winogradBackwardWeight(ctx, ctx.ptr(x), ctx.ptr(dy), ctx.ptr(dw), c, m);
    return dw;
  }
  const size = c.outChannels * p.Kc;
  // One accumulator per part, summed in part order afterwards: deterministic for a given thread count.
  const parts = Math.min(threadsFor(ctx, p.macs), Math.ceil(p.J / 8));
  const perPart = Math.ceil(p.J / parts);
  const scratch = ctx.temp(p.stride * ctx.threads);
  const acc = parts > 1 ? ctx.temp(size * 4 * parts) : null;
  ctx.task(
    'convBackwardWeight',
    {
      ...geometry(c),
      x: ctx.ptr(x),
      dy: ctx.ptr(dy),
      acc: acc ? acc.ptr : ctx.ptr(dw),
      chunk: p.chunk,
      perPart,
      scratch: scratch.ptr,
      scratchStride: p.stride,
    },
    parts,
  );
  scratch.done();
  if (acc) {
    const sumParts = size * parts < PARALLEL_MIN_MACS ? 1 : ctx.threads;
    const per = Math.ceil(size / sumParts);
    ctx.task('sumBlocks', { dst: ctx.ptr(dw), src: acc.ptr, count: size, nparts: parts, per }, Math.ceil(size / per));
    acc.done();
  }
  return dw;
}

/**
 * Whether to run `c` by the direct kernels: forced, or (auto) a thin layer where unfolding would cost as much as
 * multiplying (bench/NOTES.md, "Direct convolutions").
 */
function useDirect(algorithm: string, c: Conv2dInfo, pass: 'data' | 'weight' = 'data'): boolean {
  if (!directApplies(c)) return false;
  if (algorithm === 'direct') return true;
  if (algorithm !== 'auto') return false;
  return thinForDirect(c, pass);
}

/**
 * The auto rule, from 10 measured layers (bench/NOTES.md): the forward or input gradient of layers with at most 8
 * input and 32 output channels (LeNet's 1→6 and 1→20: 2.04 → 1.27 and 3.79 → 2.45 ms at batch 64). The direct
 * weight gradient is slower than im2col's on every measured layer: it runs only when forced.
 */
function thinForDirect(c: Conv2dInfo, pass: 'data' | 'weight'): boolean {
  return pass === 'data' && c.inChannels <= 8 && c.outChannels <= 32;
}

/** The input's shape, [N, C, H, W]. */
function x4(c: Conv2dInfo): number[] {
  return [c.batch, c.inChannels, c.inH, c.inW];
}

function roundUp(x: number, m: number): number {
  return Math.ceil(x / m) * m;
}

// ---- depthwise (groups = in_channels): direct kernels over planes ----

export function depthwiseForward(ctx: WasmContext, x: TensorInfo, w: TensorInfo, bias: TensorInfo | null, c: Conv2dInfo): TensorInfo {
  const out = ctx.output([c.batch, c.outChannels, c.outH, c.outW]);
  const planes = c.batch * c.outChannels;
  const parts = Math.min(planes, ctx.partsFor(planes * c.outH * c.outW * c.kH * c.kW));
  const per = Math.ceil(planes / Math.max(1, parts));
  ctx.task(
    'depthwiseForward',
    { ...geometry(c), x: ctx.ptr(x), w: ctx.ptr(w), bias: bias ? ctx.ptr(bias) : 0, y: ctx.ptr(out), per },
    planes === 0 ? 0 : Math.ceil(planes / per),
  );
  return out;
}

export function depthwiseBackwardInput(ctx: WasmContext, dy: TensorInfo, w: TensorInfo, c: Conv2dInfo): TensorInfo {
  const dx = ctx.output([c.batch, c.inChannels, c.inH, c.inW]);
  const planes = c.batch * c.inChannels;
  const parts = Math.min(planes, ctx.partsFor(c.batch * c.outChannels * c.outH * c.outW * c.kH * c.kW));
  const per = Math.ceil(planes / Math.max(1, parts));
  ctx.task('depthwiseBackwardInput', { ...geometry(c), dy: ctx.ptr(dy), w: ctx.ptr(w), dx: ctx.ptr(dx), per }, planes === 0 ? 0 : Math.ceil(planes / per));
  return dx;
}

export function depthwiseBackwardWeight(ctx: WasmContext, x: TensorInfo, dy: TensorInfo, c: Conv2dInfo): TensorInfo {
  const dw = ctx.output([c.outChannels, 1, c.kH, c.kW]);
  const parts = Math.min(c.outChannels, ctx.partsFor(c.batch * c.outChannels * c.outH * c.outW * c.kH * c.kW));
  const per = Math.ceil(c.outChannels / Math.max(1, parts));
  ctx.task('depthwiseBackwardWeight', { ...geometry(c), x: ctx.ptr(x), dy: ctx.ptr(dy), dw: ctx.ptr(dw), per }, Math.ceil(c.outChannels / per));
  return dw;
}

/** This family's fast kernels: im2col + GEMM, or the direct depthwise kernels when groups = in_channels. */
export function convKernels(ctx: WasmContext): FastKernels {
  return {
    // Depthwise convs have no output pass to fuse into: null composes the kernels (ops/conv.ts).
    conv2dFused: (x, w, bias, c, residual, act) => (isDepthwiseInfo(c) || x.dtype !== 'float32' ? null : conv2d(ctx, x, w, bias, c, residual, act === 'relu')),
    conv2d: (x, w, bias, c) => (isDepthwiseInfo(c) ? depthwiseForward(ctx, x, w, bias, c) : conv2d(ctx, x, w, bias, c)),
    conv2dBackwardInput: (dy, w, c) => (isDepthwiseInfo(c) ? depthwiseBackwardInput(ctx, dy, w, c) : conv2dBackwardInput(ctx, dy, w, c)),
    conv2dBackwardWeight: (x, dy, c) => (isDepthwiseInfo(c) ? depthwiseBackwardWeight(ctx, x, dy, c) : conv2dBackwardWeight(ctx, x, dy, c)),
  };
}
