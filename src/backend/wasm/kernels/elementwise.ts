/** Pointwise kernels: broadcasting binary ops, unary functions and their gradients, fill. */
import type { DType, TensorInfo } from '../../backend.js';
import { BINARY_OPS, UNARY_OPS, binaryResultDType, type BinaryOp, type UnaryOp, type UnaryParams } from '../../kernels.js';
import { broadcastStrides, collapse } from '../../strided.js';
import { sizeOf, stridesOf } from '../../shape.js';
import type { WasmContext } from '../context.js';
import { BINARY_CODES, UNARY_CODES } from '../generated/interface.js';
import type { FastKernels } from './shared.js';

/** Binary op codes of the wasm kernels (generated from ../interface.json); ops missing there (pow) run the js kernel. */
const BINARY: Partial<Record<BinaryOp | 'copy', number>> = BINARY_CODES;
/** Unary op codes of the wasm kernels; ops missing there run the js kernels. */
const UNARY: Partial<Record<UnaryOp, number>> = UNARY_CODES;

const MAX_RANK = 8;

/** Dims of a collapsed shape or strides, padded with `fill` to the kernel's MAX_RANK. */
function padded(dims: readonly number[], fill: number): number[] {
  return Array.from({ length: MAX_RANK }, (_, d) => dims[d] ?? fill);
}

/**
 * The binary kernel: float32 on SIMD, int32 operands elementwise (int32 results as binaryResultDType says); null
 * (the js kernel) for ops it lacks (pow) or more dims than it takes.
 */
export function binary(ctx: WasmContext, op: BinaryOp, a: TensorInfo, b: TensorInfo, outShape: readonly number[]): TensorInfo | null {
  const code = BINARY[op];
  if (code === undefined) return null;
  const c = collapse(outShape, broadcastStrides(a.shape, outShape), broadcastStrides(b.shape, outShape));
  // A scalar result: one stretch of length 1.
  const shape = c.shape.length === 0 ? [1] : c.shape;
  const sa = c.shape.length === 0 ? [0] : c.sa;
  const sb = c.shape.length === 0 ? [0] : c.sb;
  const rank = shape.length;
  if (rank > MAX_RANK) return null;
  const outDtype = binaryResultDType(op, a.dtype, b.dtype);
  const out = ctx.output(outShape, outDtype);
  const n = shape[rank - 1];
  const total = sizeOf(outShape);
  if (total === 0) return out;
  const rows = rank === 1 ? n : total / n;
  const parts = rank === 1 ? ctx.partsFor(total) : Math.min(rows, ctx.partsFor(total));
  const per = Math.ceil(rows / parts);
  const dims = { shape: padded(shape, 1), stridesA: padded(sa, 0), stridesB: padded(sb, 0) };
  const ints = { intA: a.dtype === 'int32', intB: b.dtype === 'int32', intOut: outDtype === 'int32' };
  ctx.task('binary', { op: code, out: ctx.ptr(out), a: ctx.ptr(a), b: ctx.ptr(b), rank, ...dims, per, ...ints }, Math.ceil(rows / per));
  return out;
}

/** float32 ↔ int32 (as the js kernel: truncation toward zero, wrapped like JavaScript's ToInt32). */
export function cast(ctx: WasmContext, x: TensorInfo, dtype: DType): TensorInfo | null {
  const n = sizeOf(x.shape);
  const out = ctx.output(x.shape, dtype);
  if (x.dtype === dtype) {
    // Addresses first: bringing x back may grow memory, which detaches earlier views.
    const src = ctx.ptr(x);
    const dst = ctx.ptr(out);
    if (n > 0) new Int32Array(ctx.heap.memory.buffer, dst, n).set(new Int32Array(ctx.heap.memory.buffer, src, n));
    return out;
  }
  const parts = ctx.partsFor(n);
  const per = Math.ceil(n / parts);
  ctx.task('cast', { x: ctx.ptr(x), out: ctx.ptr(out), n, per, toInt: dtype === 'int32' }, n === 0 ? 0 : Math.ceil(n / per));
  return out;
}

/** The 'gather'/'scatterAdd' geometry: index shape and x's strides padded to 8, and x's size along dim. */
function gatherGeometry(xShape: readonly number[], indexShape: readonly number[], dim: number) {
  return {
    rank: indexShape.length,
    dim,
    size: xShape[dim],
    n: sizeOf(indexShape),
    ishape: padded(indexShape, 1),
    xstrides: padded(stridesOf(xShape), 0),
  };
}

export function gather(ctx: WasmContext, x: TensorInfo, dim: number, index: TensorInfo): TensorInfo | null {
  if (index.shape.length > MAX_RANK || index.dtype !== 'int32') return null;
  const out = ctx.output(index.shape, x.dtype);
  const g = gatherGeometry(x.shape, index.shape, dim);
  const parts = ctx.partsFor(g.n);
  const per = Math.max(1, Math.ceil(g.n / parts));
  ctx.task('gather', { x: ctx.ptr(x), index: ctx.ptr(index), out: ctx.ptr(out), ...g, per }, g.n === 0 ? 0 : Math.ceil(g.n / per));
  return out;
}

export function scatterAdd(ctx: WasmContext, shape: readonly number[], dim: number, index: TensorInfo, src: TensorInfo): TensorInfo | null {
  if (index.shape.length > MAX_RANK || index.dtype !== 'int32') return null;
  const out = fill(ctx, shape, 0, src.dtype)!;
  const g = gatherGeometry(shape, index.shape, dim);
  // One part: additions to the same element keep the js kernel's order.
  ctx.task('scatterAdd', { src: ctx.ptr(src), index: ctx.ptr(index), out: ctx.ptr(out), ...g, per: g.n, int: src.dtype === 'int32' }, g.n === 0 ? 0 : 1);
  return out;
}

function params(op: UnaryOp, p: UnaryParams): [number, number] {
  switch (op) {
    case 'leakyRelu':
    case 'elu':
      return [p.alpha!, 0];
    case 'clamp':
      return [p.min!, p.max!];
    default:
      return [0, 0];
  }
}

export function unary(ctx: WasmContext, op: UnaryOp, x: TensorInfo, p: UnaryParams): TensorInfo | null {
  const code = UNARY[op];
  if (code === undefined || x.dtype !== 'float32') return null;
  const n = sizeOf(x.shape);
  const out = ctx.output(x.shape);
  const parts = ctx.partsFor(n);
  const per = Math.ceil(n / parts);
  const [p0, p1] = params(op, p);
  ctx.task('unary', { op: code, out: ctx.ptr(out), x: ctx.ptr(x), n, per, p0, p1 }, n === 0 ? 0 : Math.ceil(n / per));
  return out;
}

export function unaryBackward(ctx: WasmContext, op: UnaryOp, x: TensorInfo, y: TensorInfo, dy: TensorInfo, p: UnaryParams): TensorInfo | null {
  const code = UNARY[op];
  if (code === undefined || x.dtype !== 'float32' || y.dtype !== 'float32' || dy.dtype !== 'float32') return null;
  const n = sizeOf(x.shape);
  const out = ctx.output(x.shape);
  const parts = ctx.partsFor(n);
  const per = Math.ceil(n / parts);
  const [p0, p1] = params(op, p);
  ctx.task('unaryBackward', { op: code, out: ctx.ptr(out), x: ctx.ptr(x), y: ctx.ptr(y), dy: ctx.ptr(dy), n, per, p0, p1 }, n === 0 ? 0 : Math.ceil(n / per));
  return out;
}

export function fill(ctx: WasmContext, shape: readonly number[], value: number, dtype: DType): TensorInfo | null {
  const n = sizeOf(shape);
  const out = ctx.output(shape, dtype);
  const parts = ctx.partsFor(n);
  const per = Math.ceil(n / parts);
  // int32 as Int32Array stores it (ToInt32), passed as its own bits.
  const int = dtype === 'int32';
  const ivalue = int ? new Int32Array([value])[0] : 0;
  ctx.task('fill', { out: ctx.ptr(out), n, per, value: int ? 0 : value, int, ivalue }, n === 0 ? 0 : Math.ceil(n / per));
  return out;
}

/** The copy moves 32-bit words whatever their type: float32 arithmetic is never applied to them. */
const NO_INTS = { intA: false, intB: false, intOut: false };

/** Code of the strided copy in assembly/elementwise.ts (out = a). */
const COPY = BINARY_CODES.copy;

/**
 * out[i] = x[base + Σ idx_d · strides_d] over outShape: transpose, broadcastTo and slice in one kernel.
 * Bit-exact, so int32 tensors take it too. Null when the collapsed rank exceeds the kernel's.
 */
export function stridedCopy(ctx: WasmContext, x: TensorInfo, outShape: readonly number[], strides: readonly number[], base = 0): TensorInfo | null {
  const c = collapse(outShape, [...strides], [...strides]);
  const rank = c.shape.length;
  if (rank > MAX_RANK) return null;
  const out = ctx.output(outShape, x.dtype);
  const total = sizeOf(outShape);
  if (total === 0) return out;
  const src = ctx.ptr(x) + base * 4;
  if (rank === 0) {
    // One element: a rank-1 copy of length 1.
    const one = { shape: padded([], 1), stridesA: padded([], 0), stridesB: padded([], 0) };
    ctx.task('binary', { op: COPY, out: ctx.ptr(out), a: src, b: src, rank: 1, ...one, per: 1, ...NO_INTS }, 1);
    return out;
  }
  const n = c.shape[rank - 1];
  const rows = rank === 1 ? n : total / n;
  const parts = rank === 1 ? ctx.partsFor(total) : Math.min(rows, ctx.partsFor(total));
  const per = Math.ceil(rows / parts);
  const dims = { shape: padded(c.shape, 1), stridesA: padded(c.sa, 0), stridesB: padded(c.sa, 0) };
  ctx.task('binary', { op: COPY, out: ctx.ptr(out), a: src, b: src, rank, ...dims, per, ...NO_INTS }, Math.ceil(rows / per));
  return out;
}

/** This family's fast kernels: fill, every binary and unary op with its gradient, and the strided copies. */
export function elementwiseKernels(ctx: WasmContext): FastKernels {
  const table: Record<string, unknown> = {
    fill: (shape: readonly number[], value: number, dtype: DType) => fill(ctx, shape, value, dtype),
    cast: (x: TensorInfo, dtype: DType) => cast(ctx, x, dtype),
    gather: (x: TensorInfo, dim: number, index: TensorInfo) => gather(ctx, x, dim, index),
    scatterAdd: (shape: readonly number[], dim: number, index: TensorInfo, src: TensorInfo) => scatterAdd(ctx, shape, dim, index, src),
  };
  for (const op of BINARY_OPS) table[op] = (a: TensorInfo, b: TensorInfo, shape: readonly number[]) => binary(ctx, op, a, b, shape);
  for (const op of UNARY_OPS) {
    table[op] = (x: TensorInfo, p: UnaryParams) => unary(ctx, op, x, p);
    table[`${op}Backward`] = (x: TensorInfo, y: TensorInfo, dy: TensorInfo, p: UnaryParams) => unaryBackward(ctx, op, x, y, dy, p);
  }
  const copies: FastKernels = {
    transpose: (x, perm) => {
      const strides = stridesOf(x.shape);
      return stridedCopy(
        ctx,
        x,
        perm.map((p) => x.shape[p]),
        perm.map((p) => strides[p]),
      );
    },
    broadcastTo: (x, shape) => stridedCopy(ctx, x, shape, broadcastStrides(x.shape, shape)),
    slice: (x, starts, steps, outShape) => {
      const strides = stridesOf(x.shape);
      const base = starts.reduce((s, st, d) => s + st * strides[d], 0);
      return stridedCopy(
        ctx,
        x,
        outShape,
        strides.map((s, d) => s * steps[d]),
        base,
      );
    },
  };
  return { ...(table as FastKernels), ...copies };
}
