/** pad and its adjoint (every mode, any rank up to 8) and argmax/argmin along one dim. */
import type { PadMode } from '../../kernels.js';
import type { TensorInfo } from '../../backend.js';
import { sizeOf } from '../../shape.js';
import type { WasmContext } from '../context.js';
import type { FastKernels } from './shared.js';

const MAX_RANK = 8;
const MODES: Record<PadMode, number> = { constant: 0, reflect: 1, replicate: 2, circular: 3 };

/** The shape arguments of the pad tasks, padded to 8 dims; null for ranks the kernel does not take. */
function padDims(inShape: readonly number[], pads: readonly (readonly [number, number])[]) {
  const rank = inShape.length;
  if (rank < 1 || rank > MAX_RANK || pads.length !== rank) return null;
  const fill = (a: number[]) => [...a, ...Array(MAX_RANK - a.length).fill(0)];
  const outShape = inShape.map((n, d) => n + pads[d][0] + pads[d][1]);
  const rows = sizeOf(outShape.slice(0, -1));
  return { rank, rows, last: outShape[rank - 1], outShape: fill(outShape), inShape: fill([...inShape]), before: fill(pads.map((p) => p[0])), real: outShape };
}

/** The value's 32 bits as the output dtype stores it (an int32 fill is ToInt32 of it, as an Int32Array store). */
function fillBits(value: number, dtype: TensorInfo['dtype']): number {
  if (dtype === 'int32') return value | 0;
  const f = new Float32Array([value]);
  return new Int32Array(f.buffer)[0];
}

export function pad(ctx: WasmContext, x: TensorInfo, pads: readonly (readonly [number, number])[], mode: PadMode, value: number): TensorInfo | null {
  const dims = padDims(x.shape, pads);
  if (!dims || (x.dtype !== 'float32' && x.dtype !== 'int32')) return null;
  const out = ctx.output(dims.real, x.dtype);
  const total = sizeOf(dims.real);
  if (total === 0) return out;
  const parts = Math.min(dims.rows, ctx.partsFor(total));
  const per = Math.ceil(dims.rows / parts);
  const { rank, rows, outShape, inShape, before } = dims;
  const args = { x: ctx.ptr(x), out: ctx.ptr(out), rank, mode: MODES[mode], rows, per, outShape, inShape, before, bits: fillBits(value, x.dtype) };
  ctx.task('pad', args, Math.ceil(rows / per));
  return out;
}

export function padBackward(
  ctx: WasmContext,
  dy: TensorInfo,
  shape: readonly number[],
  pads: readonly (readonly [number, number])[],
  mode: PadMode,
): TensorInfo | null {
  const dims = padDims(shape, pads);
  if (!dims || dy.dtype !== 'float32') return null;
  const dx = ctx.output(shape);
  const dxSize = sizeOf(shape);
  if (dxSize === 0) return dx;
  const total = sizeOf(dims.real);
  // Constant padding without cropping gives each dx element exactly one dy value: parts may split the rows.
  // Otherwise values fold onto the same elements (or some get none): one part zeroes dx and adds in the js order.
  const disjoint = mode === 'constant' && pads.every(([b, a]) => b >= 0 && a >= 0);
  const parts = disjoint && total > 0 ? Math.min(dims.rows, ctx.partsFor(total)) : 1;
  const per = disjoint ? Math.ceil(dims.rows / parts) : dims.rows;
  const { rank, rows, outShape, inShape, before } = dims;
  const args = { dy: ctx.ptr(dy), dx: ctx.ptr(dx), rank, mode: MODES[mode], rows, per, outShape, inShape, before, zero: !disjoint, dxSize };
  ctx.task('padBackward', args, disjoint ? Math.ceil(rows / per) : 1);
  return dx;
}

export function argReduce(ctx: WasmContext, x: TensorInfo, dim: number, mode: 'max' | 'min'): { values: TensorInfo; indices: TensorInfo } | null {
  if (x.dtype !== 'float32' || x.shape.length === 0) return null;
  const outer = sizeOf(x.shape.slice(0, dim));
  const n = x.shape[dim];
  const inner = sizeOf(x.shape.slice(dim + 1));
  const outShape = x.shape.map((d, i) => (i === dim ? 1 : d));
  const values = ctx.output(outShape);
  const indices = ctx.output(outShape, 'int32');
  const count = outer * inner;
  if (count === 0) return { values, indices };
  if (n === 0) return null; // the js kernel's (empty) answer
  const parts = Math.min(count, ctx.partsFor(count * n));
  const per = Math.ceil(count / parts);
  ctx.task(
    'argReduce',
    { x: ctx.ptr(x), values: ctx.ptr(values), indices: ctx.ptr(indices), outer, n, inner, per, max: mode === 'max' },
    Math.ceil(count / per),
  );
  return { values, indices };
}

/** This family's fast kernels. */
export function layoutKernels(ctx: WasmContext): FastKernels {
  return {
    pad: (x, pads, mode, value) => pad(ctx, x, pads, mode, value),
    padBackward: (dy, shape, pads, mode) => padBackward(ctx, dy, shape, pads, mode),
    argReduce: (x, dim, mode) => argReduce(ctx, x, dim, mode),
  };
}
