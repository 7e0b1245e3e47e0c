/** sum over dims, when they form the [A reduced, B kept, C reduced] pattern every CNN reduction has. */
import type { TensorInfo } from '../../backend.js';
import type { WasmContext } from '../context.js';
import type { FastKernels } from './shared.js';

export function sum(ctx: WasmContext, x: TensorInfo, dims: readonly number[]): TensorInfo | null {
  if (x.dtype !== 'float32') return null; // a rank-0 x is A = B = C = 1: a copy
  // Classify dims (size-1 dims fit anywhere) and require reduced* kept* reduced*.
  let A = 1,
    B = 1,
    C = 1;
  let phase = 0; // 0: leading reduced, 1: kept, 2: trailing reduced
  for (let d = 0; d < x.shape.length; d++) {
    const size = x.shape[d];
    if (size === 1) continue;
    const reduced = dims.includes(d);
    if (phase === 0) {
      if (reduced) A *= size;
      else {
        phase = 1;
        B *= size;
      }
    } else if (phase === 1) {
      if (reduced) {
        phase = 2;
        C *= size;
      } else B *= size;
    } else if (reduced) C *= size;
    else return null;
  }
  const outShape = x.shape.map((s, i) => (dims.includes(i) ? 1 : s));
  const out = ctx.output(outShape);
  if (B === 0) return out;
  const parts = Math.min(B, ctx.partsFor(A * B * C));
  const per = Math.ceil(B / parts);
  ctx.task('sum', { x: ctx.ptr(x), out: ctx.ptr(out), a: A, b: B, c: C, per }, Math.ceil(B / per));
  return out;
}

/** This family's fast kernels. */
export function reduceKernels(ctx: WasmContext): FastKernels {
  return { sum: (x, dims) => sum(ctx, x, dims) };
}
