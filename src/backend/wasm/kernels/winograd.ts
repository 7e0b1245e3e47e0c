/**
 * Winograd F(m×m, 3×3) convolutions (assembly/winograd.ts) and the per-layer choice between them and im2col.
 * The choice is a cost model fitted to measurements on the bench machine (bench/NOTES.md): the GEMM work each
 * algorithm does plus what its transforms (or the unfolding) cost per element, so the choice depends on channels,
 * spatial size and batch, not on timing at run time (the same layer always takes the same path, run to run).
 */
import type { Conv2dInfo } from '../../geometry.js';
import { envVar } from '../../../platform/builtins.js';
import { getFloat32MatmulPrecision } from '../../precision.js';
import { PARALLEL_MIN_MACS, type WasmContext } from '../context.js';
import { geometry, isPlainStride1 } from './shared.js';

/**
 * How the wasm backend computes stride-1 convolutions: 'auto' (the cost model), 'im2col' (unfold + GEMM),
 * 'winograd2' (F(2×2, 3×3)), 'winograd4' (F(4×4, 3×3)) or 'direct' (thin layers: no column matrix, kernels/direct.ts).
 * Forcing one covers it in tests; layers it cannot run (other kernel sizes, strides, dilations, groups) use im2col
 * whatever is forced.
 */
export type ConvAlgorithm = 'auto' | 'im2col' | 'winograd2' | 'winograd4' | 'direct';
export const CONV_ALGORITHMS: readonly ConvAlgorithm[] = ['auto', 'im2col', 'winograd2', 'winograd4', 'direct'];

/** The algorithm named by CONVNET_CONV_ALGORITHM (Node), else 'auto'. */
export function defaultConvAlgorithm(): ConvAlgorithm {
  const env = envVar('CONVNET_CONV_ALGORITHM');
  if (env === undefined || env === '') return 'auto';
  return checkConvAlgorithm(env, 'CONVNET_CONV_ALGORITHM');
}

export function checkConvAlgorithm(value: string, what: string): ConvAlgorithm {
  if (!(CONV_ALGORITHMS as readonly string[]).includes(value)) {
    throw new Error(`${what}: expected one of ${CONV_ALGORITHMS.join(', ')}, got '${value}'`);
  }
  return value as ConvAlgorithm;
}

/** Whether Winograd F(m, 3×3) computes this conv: 3×3 taps, stride 1, dilation 1, groups 1, non-negative padding. */
export function winogradApplies(c: Conv2dInfo): boolean {
  return c.kH === 3 && c.kW === 3 && isPlainStride1(c);
}

/**
 * Tile size m (2 or 4) to run `c` with, or 0 for im2col. `pass` 'data' is the forward or the input gradient (a
 * stride-1 conv of dy), 'weight' the weight gradient. Below 'highest' float32 precision 'auto' may take F(4×4), and
 * Winograd for weight gradients: their errors (~1.5e-5 relative on PyTorch's fixtures) miss the parity tolerance
 * (1e-5) that im2col, and F(2×2) for forward and input gradients, meet.
 */
export function chooseConvAlgorithm(algorithm: ConvAlgorithm, c: Conv2dInfo, pass: 'data' | 'weight' = 'data'): 0 | 2 | 4 {
  if (algorithm === 'im2col' || algorithm === 'direct' || !winogradApplies(c)) return 0;
  if (algorithm === 'winograd2') return 2;
  if (algorithm === 'winograd4') return 4;
  const highest = getFloat32MatmulPrecision() === 'highest';
  // Weight gradients sum transformed tiles whose combination cancels: ~2e-5 relative error even with F(2×2).
  if (pass === 'weight' && highest) return 0;
  const costs = [im2colCost(c), winogradCost(c, 2, pass)];
  if (!highest) costs.push(winogradCost(c, 4, pass));
  const best = costs.indexOf(Math.min(...costs));
  return best === 0 ? 0 : best === 1 ? 2 : 4;
}

// Cost-model constants in nanoseconds per unit, fitted (least squares on relative error) to forward times of 15
// layers × 3 algorithms on the 2-core bench machine, 2 threads (bench/NOTES.md, "Winograd"). With them the model
// picks the faster of im2col and F(2×2) for every measured layer, forward, input and weight gradient.
/** Per multiply-add in the packed GEMM. */
const NS_PER_MAC = 0.031;
/** Per column-matrix element unfolded by im2col. */
const NS_PER_UNFOLDED = 0.34;
/** Per transformed element (input and output transforms, per channel, tile and point). */
const NS_PER_TRANSFORMED = 0.58;
/** Per transformed weight element; the weight gradient pays it twice (per-part sums, then Gᵀ Z G). */
const NS_PER_WEIGHT = 0.83;
/** GEMMs of few rows or columns run slower per multiply-add; below this many the penalty grows. */
const THIN = 32;

function thinPenalty(rows: number, depth: number): number {
  return Math.max(1, THIN / Math.max(1, Math.min(rows, depth))) ** 0.5;
}

function im2colCost(c: Conv2dInfo): number {
  const cols = c.batch * c.outH * c.outW;
  const depth = c.inChannels * 9;
  return cols * c.outChannels * depth * NS_PER_MAC * thinPenalty(c.outChannels, depth) + cols * depth * NS_PER_UNFOLDED;
}

function winogradCost(c: Conv2dInfo, m: number, pass: 'data' | 'weight'): number {
  const alpha = m + 2;
  const tiles = c.batch * Math.ceil(c.outH / m) * Math.ceil(c.outW / m);
  const points = alpha * alpha;
  const gemm = tiles * points * c.outChannels * c.inChannels * NS_PER_MAC * thinPenalty(c.outChannels, c.inChannels);
  const transforms = tiles * points * (c.inChannels + c.outChannels) * NS_PER_TRANSFORMED;
  const weights = points * c.outChannels * c.inChannels * NS_PER_WEIGHT * (pass === 'weight' ? 2 : 1);
  return gemm + transforms + weights;
}

/** What a conv's output pass adds after the bias: a residual (its address, 0: none) and a ReLU. */
export interface Epilogue {
  res: number;
  relu: boolean;
}
export const NO_EPILOGUE: Epilogue = { res: 0, relu: false };

/** Bytes of one thread's scratch for the weight transform (assembly/winograd.ts's WEIGHT_SCRATCH_BYTES). */
const WEIGHT_SCRATCH_BYTES = 16 * 24 + 4 * 36 * 64;

/** Bytes of V and M per block, kept near the L2 cache with the GEMM's packing buffers. */
const BLOCK_BYTES = 1 << 20;

/**
 * y = conv(x, w) + bias by Winograd F(m×m, 3×3) on raw pointers. With `flip`, w is the forward weights of a conv
 * whose input gradient this is (c describes that stride-1 transposed conv: in/out channels swapped).
 */
export function winogradConv(
  ctx: WasmContext,
  x: number,
  w: number,
  bias: number,
  out: number,
  c: Conv2dInfo,
  m: 2 | 4,
  flip: boolean,
  epilogue: Epilogue = NO_EPILOGUE,
): void {
  const alpha = m + 2;
  const points = alpha * alpha;
  const inC = c.inChannels;
  const outC = c.outChannels;
  // Transformed weights U[ξ][outC][inC], rows split across threads.
  const u = ctx.temp(points * outC * inC * 4);
  const wScratch = ctx.temp(WEIGHT_SCRATCH_BYTES * ctx.threads);
  const wParts = Math.min(outC, ctx.partsFor(points * outC * inC, 1 << 14));
  const per = Math.ceil(outC / wParts);
  ctx.task('winogradWeights', { w, u: u.ptr, rows: outC, depth: inC, m, flip, per, scratch: wScratch.ptr }, Math.ceil(outC / per));
  wScratch.done();

  const { tilesH, tilesW, total, chunk, macs } = tilePlan(c, m);
  const T = macs < PARALLEL_MIN_MACS ? 1 : ctx.threads;
  // Several parts per thread when there are enough blocks, claimed dynamically (as in the im2col forward).
  const parts = T === 1 ? 1 : Math.max(1, Math.min(4 * T, Math.ceil(total / chunk)));
  const perPart = Math.ceil(total / parts);
  const stride = roundUp(scratchBytes(ctx, inC, outC, m, chunk), 64);
  const scratch = ctx.temp(stride * ctx.threads);
  ctx.task(
    'winogradForward',
    {
      ...geometry(c),
      x,
      u: u.ptr,
      bias,
      res: epilogue.res,
      relu: epilogue.relu,
      y: out,
      m,
      tilesH,
      tilesW,
      chunk,
      perPart,
      scratch: scratch.ptr,
      scratchStride: stride,
    },
    Math.ceil(total / perPart),
  );
  scratch.done();
  u.done();
}

/** dW of a 3×3 stride-1 conv by Winograd F(m×m, 3×3): per-part sums of Ã[ξ]·V[ξ]ᵀ, then Gᵀ Z G per kernel. */
export function winogradBackwardWeight(ctx: WasmContext, x: number, dy: number, dw: number, c: Conv2dInfo, m: 2 | 4): void {
  const alpha = m + 2;
  const points = alpha * alpha;
  const inC = c.inChannels;
  const outC = c.outChannels;
  const { tilesH, tilesW, total, chunk, macs } = tilePlan(c, m);
  // One accumulator per part (parts = threads), summed in part order: deterministic for a given thread count.
  const parts = Math.min(macs < PARALLEL_MIN_MACS ? 1 : ctx.threads, Math.ceil(total / 8));
  const perPart = Math.ceil(total / parts);
  const zBytes = points * outC * inC * 4;
  const acc = ctx.temp(zBytes * parts);
  const stride = roundUp(scratchBytes(ctx, inC, outC, m, chunk), 64);
  const scratch = ctx.temp(stride * ctx.threads);
  ctx.task(
    'winogradBackwardWeight',
    { ...geometry(c), x, dy, acc: acc.ptr, m, tilesH, tilesW, chunk, perPart, scratch: scratch.ptr, scratchStride: stride },
    parts,
  );
  scratch.done();
  const gScratch = ctx.temp(512 * ctx.threads);
  const gParts = Math.min(outC, ctx.partsFor(points * outC * inC * parts, 1 << 14));
  const per = Math.ceil(outC / gParts);
  ctx.task('winogradWeightGrad', { z: acc.ptr, dw, nparts: parts, outC, inC, m, per, scratch: gScratch.ptr }, Math.ceil(outC / per));
  gScratch.done();
  acc.done();
}

/**
 * The tiling of a Winograd pass: m×m output tiles per image, the tiles per block (`chunk`: V (α²·inC) and M (α²·outC)
 * floats per tile within BLOCK_BYTES, a multiple of 8, one GEMM panel) and the pass's multiply-adds.
 */
function tilePlan(c: Conv2dInfo, m: 2 | 4): { tilesH: number; tilesW: number; total: number; chunk: number; macs: number } {
  const points = (m + 2) * (m + 2);
  const tilesH = Math.ceil(c.outH / m);
  const tilesW = Math.ceil(c.outW / m);
  const total = c.batch * tilesH * tilesW;
  const perTile = points * (c.inChannels + c.outChannels) * 4;
  const chunk = Math.max(8, Math.min(roundUp(total, 8), Math.floor(BLOCK_BYTES / perTile / 8) * 8));
  return { tilesH, tilesW, total, chunk, macs: total * points * c.outChannels * c.inChannels };
}

/** One thread's scratch for a block of `chunk` tiles (the layout of winogradForwardPart). */
function scratchBytes(ctx: WasmContext, inC: number, outC: number, m: number, chunk: number): number {
  const alpha = m + 2;
  const a2 = alpha * alpha;
  const cp = roundUp(chunk, 8);
  const rowFloats = (roundUp(chunk, 4) + 2) * m + 8;
  return ctx.gemmScratchBytes + 4 * (a2 * inC * cp + a2 * outC * cp + a2 * (cp + 8) + alpha * rowFloats + 3 * a2 * 4);
}

function roundUp(x: number, m: number): number {
  return Math.ceil(x / m) * m;
}
