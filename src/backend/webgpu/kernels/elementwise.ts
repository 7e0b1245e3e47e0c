/** Pointwise kernels on the GPU: broadcasting binary ops, unary functions and their gradients, where, fill, cast. */
import type { DType, TensorInfo } from '../../backend.js';
import { binaryResultDType, type BinaryOp, type UnaryOp, type UnaryParams } from '../../kernels.js';
import { sizeOf } from '../../shape.js';
import { broadcastStrides, collapse } from '../../strided.js';
import { slot, type GpuContext } from '../context.js';
import { Params } from '../runner.js';
import { declare, FLOAT_HELPERS, groupsFor, PARAMS, perElement, wgslType } from '../wgsl.js';
import { binaryExpr, POINTWISE_HELPERS, WGSL_POINTWISE } from './pointwise.js';

const HELPERS = FLOAT_HELPERS + POINTWISE_HELPERS;

/**
 * WGSL that turns the element index `i` into offsets `o0, o1, …` for stride sets stored in the parameters: the shape
 * at words [at, at+rank), then each stride set after it.
 */
export function stridedOffsets(rank: number, sets: number, at = 1): string {
  const decl = Array.from({ length: sets }, (_, k) => `var o${k} = 0u;`).join(' ');
  if (rank === 0) return decl;
  const acc = Array.from({ length: sets }, (_, k) => `o${k} += q * pu(${at} + ${(k + 1) * rank}u + dd);`).join(' ');
  return `${decl}
  var rem = i;
  for (var d = ${rank - 1}; d >= 0; d--) {
    let dd = u32(d);
    let s = pu(${at}u + dd);
    let q = rem % s;
    rem = rem / s;
    ${acc}
  }`;
}

export function elementwiseKernels(ctx: GpuContext) {
  const run = ctx.runner;

  function binary(op: BinaryOp) {
    return (a: TensorInfo, b: TensorInfo, outShape: readonly number[]): TensorInfo => {
      const dtype = binaryResultDType(op, a.dtype, b.dtype);
      const out = ctx.alloc(outShape, dtype);
      const n = sizeOf(outShape);
      if (n === 0) return out;
      const int = dtype === 'int32';
      const T = int ? 'i32' : 'f32';
      const c = collapse(outShape, broadcastStrides(a.shape, outShape), broadcastStrides(b.shape, outShape));
      const rank = c.shape.length;
      const params = new Params().u(n, ...c.shape, ...c.sa, ...c.sb).done();
      run.run({
        key: `binary:${op}:${a.dtype}:${b.dtype}:${rank}`,
        code: () =>
          declare([
            { name: 'A', access: 'read', dtype: a.dtype },
            { name: 'B', access: 'read', dtype: b.dtype },
            { name: 'O', access: 'write', dtype },
          ]) +
          PARAMS +
          HELPERS +
          perElement(
            'pu(0u)',
            `  ${stridedOffsets(rank, 2)}
  let a = ${T}(A[o0]);
  let b = ${T}(B[o1]);
  O[i] = ${wgslType(dtype)}(${binaryExpr(op, int)});`,
          ),
        buffers: [
          { slot: slot(a), access: 'read' },
          { slot: slot(b), access: 'read' },
          { slot: slot(out), access: 'write' },
        ],
        params,
        groups: groupsFor(n),
      });
      return out;
    };
  }

  function paramsOf(op: UnaryOp, p: UnaryParams): [number, number] {
    const names = WGSL_POINTWISE[op].params ?? [];
    const v = names.map((k) => p[k] ?? 0);
    return [v[0] ?? 0, v[1] ?? 0];
  }

  function unary(op: UnaryOp) {
    const fn = WGSL_POINTWISE[op];
    return (x: TensorInfo, p: UnaryParams): TensorInfo => {
      const n = sizeOf(x.shape);
      const out = ctx.alloc(x.shape, 'float32');
      if (n === 0) return out;
      run.run({
        key: `unary:${op}:${x.dtype}`,
        code: () =>
          declare([
            { name: 'X', access: 'read', dtype: x.dtype },
            { name: 'O', access: 'write' },
          ]) +
          PARAMS +
          HELPERS +
          perElement('pu(0u)', `  let x = f32(X[i]); let a = pf(1u); let b = pf(2u);\n  O[i] = ${fn.f};`),
        buffers: [
          { slot: slot(x), access: 'read' },
          { slot: slot(out), access: 'write' },
        ],
        params: new Params()
          .u(n)
          .f(...paramsOf(op, p))
          .done(),
        groups: groupsFor(n),
      });
      return out;
    };
  }

  function unaryBackward(op: UnaryOp) {
    const fn = WGSL_POINTWISE[op];
    return (x: TensorInfo, y: TensorInfo, dy: TensorInfo, p: UnaryParams): TensorInfo => {
      const n = sizeOf(x.shape);
      const out = ctx.alloc(x.shape, 'float32');
      if (n === 0) return out;
      run.run({
        key: `unaryBackward:${op}:${x.dtype}`,
        code: () =>
          declare([
            { name: 'X', access: 'read', dtype: x.dtype },
            { name: 'Y', access: 'read' },
            { name: 'D', access: 'read' },
            { name: 'O', access: 'write' },
          ]) +
          PARAMS +
          HELPERS +
          perElement(
            'pu(0u)',
            // A zero upstream gradient contributes nothing, even where the derivative is infinite (sqrt at 0).
            `  let x = f32(X[i]); let y = Y[i]; let d = D[i]; let a = pf(1u); let b = pf(2u);\n  O[i] = select(d * (${fn.df}), 0.0, d == 0.0);`,
          ),
        buffers: [
          { slot: slot(x), access: 'read' },
          { slot: slot(y), access: 'read' },
          { slot: slot(dy), access: 'read' },
          { slot: slot(out), access: 'write' },
        ],
        params: new Params()
          .u(n)
          .f(...paramsOf(op, p))
          .done(),
        groups: groupsFor(n),
      });
      return out;
    };
  }

  function where(cond: TensorInfo, a: TensorInfo, b: TensorInfo, outShape: readonly number[]): TensorInfo {
    const dtype: DType = a.dtype === 'int32' && b.dtype === 'int32' ? 'int32' : 'float32';
    const out = ctx.alloc(outShape, dtype);
    const n = sizeOf(outShape);
    if (n === 0) return out;
    const rank = outShape.length;
    const T = wgslType(dtype);
    run.run({
      key: `where:${cond.dtype}:${a.dtype}:${b.dtype}:${rank}`,
      code: () =>
        declare([
          { name: 'C', access: 'read', dtype: cond.dtype },
          { name: 'A', access: 'read', dtype: a.dtype },
          { name: 'B', access: 'read', dtype: b.dtype },
          { name: 'O', access: 'write', dtype },
        ]) +
        PARAMS +
        perElement('pu(0u)', `  ${stridedOffsets(rank, 3)}\n  O[i] = select(${T}(B[o2]), ${T}(A[o1]), C[o0] != ${wgslType(cond.dtype)}(0));`),
      buffers: [
        { slot: slot(cond), access: 'read' },
        { slot: slot(a), access: 'read' },
        { slot: slot(b), access: 'read' },
        { slot: slot(out), access: 'write' },
      ],
      params: new Params()
        .u(n, ...outShape, ...broadcastStrides(cond.shape, outShape), ...broadcastStrides(a.shape, outShape), ...broadcastStrides(b.shape, outShape))
        .done(),
      groups: groupsFor(n),
    });
    return out;
  }

  function fill(shape: readonly number[], value: number, dtype: DType): TensorInfo {
    if (value === 0) return ctx.zeros(shape, dtype);
    const out = ctx.alloc(shape, dtype);
    const n = sizeOf(shape);
    if (n === 0) return out;
    const p = new Params().u(n);
    if (dtype === 'int32') p.i(value);
    else p.f(value);
    run.run({
      key: `fill:${dtype}`,
      code: () => declare([{ name: 'O', access: 'write', dtype }]) + PARAMS + perElement('pu(0u)', `  O[i] = ${dtype === 'int32' ? 'pi(1u)' : 'pf(1u)'};`),
      buffers: [{ slot: slot(out), access: 'write' }],
      params: p.done(),
      groups: groupsFor(n),
    });
    return out;
  }

  function cast(x: TensorInfo, dtype: DType): TensorInfo {
    const out = ctx.alloc(x.shape, dtype);
    const n = sizeOf(x.shape);
    if (n === 0) return out;
    // f32 → i32 truncates toward zero, as torch's conversion (WGSL's i32() does; out-of-range values saturate).
    run.run({
      key: `cast:${x.dtype}:${dtype}`,
      code: () =>
        declare([
          { name: 'X', access: 'read', dtype: x.dtype },
          { name: 'O', access: 'write', dtype },
        ]) +
        PARAMS +
        perElement('pu(0u)', `  O[i] = ${wgslType(dtype)}(X[i]);`),
      buffers: [
        { slot: slot(x), access: 'read' },
        { slot: slot(out), access: 'write' },
      ],
      params: new Params().u(n).done(),
      groups: groupsFor(n),
    });
    return out;
  }

  return { binary, unary, unaryBackward, where, fill, cast };
}
