/** softmax / log_softmax along any dim and their gradients (cross-entropy's hot path), lines split across threads. */
import type { TensorInfo } from '../../backend.js';
import { sizeOf } from '../../shape.js';
import type { WasmContext } from '../context.js';
import type { FastKernels } from './shared.js';

function layout(shape: readonly number[], dim: number): [number, number, number] {
  return [sizeOf(shape.slice(0, dim)), shape[dim], sizeOf(shape.slice(dim + 1))];
}

function lineParts(ctx: WasmContext, lines: number, total: number): { parts: number; per: number } {
  const parts = Math.min(lines, ctx.partsFor(total, 1 << 14));
  const per = Math.ceil(lines / Math.max(1, parts));
  return { parts: lines === 0 ? 0 : Math.ceil(lines / per), per };
}

export function softmax(ctx: WasmContext, x: TensorInfo, dim: number, log: boolean): TensorInfo | null {
  if (x.dtype !== 'float32' || x.shape.length === 0) return null;
  const [outer, n, inner] = layout(x.shape, dim);
  const out = ctx.output(x.shape);
  const { parts, per } = lineParts(ctx, outer * inner, outer * n * inner);
  ctx.task('softmax', { x: ctx.ptr(x), out: ctx.ptr(out), outer, n, inner, per, log }, parts);
  return out;
}

export function softmaxBackward(ctx: WasmContext, y: TensorInfo, dy: TensorInfo, dim: number, log: boolean): TensorInfo | null {
  if (y.dtype !== 'float32' || dy.dtype !== 'float32' || y.shape.length === 0) return null;
  const [outer, n, inner] = layout(y.shape, dim);
  const out = ctx.output(y.shape);
  const { parts, per } = lineParts(ctx, outer * inner, outer * n * inner);
  ctx.task('softmaxBackward', { y: ctx.ptr(y), dy: ctx.ptr(dy), out: ctx.ptr(out), outer, n, inner, per, log }, parts);
  return out;
}

/** Softmax cross-entropy of [N, C] logits with int32 targets, one pass per row (assembly/softmax.ts). */
export function crossEntropy(ctx: WasmContext, x: TensorInfo, target: TensorInfo, ignoreIndex: number): { loss: TensorInfo; logp: TensorInfo } | null {
  if (x.dtype !== 'float32' || target.dtype !== 'int32' || x.shape.length !== 2 || target.shape.length !== 1) return null;
  const [rows, c] = x.shape;
  const logp = ctx.output(x.shape);
  const loss = ctx.output([rows]);
  const { parts, per } = lineParts(ctx, rows, rows * c);
  ctx.task('crossEntropy', { x: ctx.ptr(x), target: ctx.ptr(target), logp: ctx.ptr(logp), loss: ctx.ptr(loss), rows, c, per, ignoreIndex }, parts);
  return { loss, logp };
}

export function crossEntropyBackward(ctx: WasmContext, logp: TensorInfo, target: TensorInfo, dloss: TensorInfo, ignoreIndex: number): TensorInfo | null {
  if (logp.dtype !== 'float32' || dloss.dtype !== 'float32' || logp.shape.length !== 2) return null;
  const [rows, c] = logp.shape;
  const out = ctx.output(logp.shape);
  const { parts, per } = lineParts(ctx, rows, rows * c);
  ctx.task(
    'crossEntropyBackward',
    { logp: ctx.ptr(logp), target: ctx.ptr(target), dloss: ctx.ptr(dloss), out: ctx.ptr(out), rows, c, per, ignoreIndex },
    parts,
  );
  return out;
}

/** This family's fast kernels. */
export function softmaxKernels(ctx: WasmContext): FastKernels {
  return {
    crossEntropyFused: (x, target, ignoreIndex) => crossEntropy(ctx, x, target, ignoreIndex),
    crossEntropyFusedBackward: (logp, target, dloss, ignoreIndex) => crossEntropyBackward(ctx, logp, target, dloss, ignoreIndex),
    softmax: (x, dim) => softmax(ctx, x, dim, false),
    logSoftmax: (x, dim) => softmax(ctx, x, dim, true),
    softmaxBackward: (y, dy, dim) => softmaxBackward(ctx, y, dy, dim, false),
    logSoftmaxBackward: (y, dy, dim) => softmaxBackward(ctx, y, dy, dim, true),
  };
}
