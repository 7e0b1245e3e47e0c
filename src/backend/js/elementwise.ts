/** Pointwise kernels: broadcasting binary ops, unary functions and their gradients, where, fill, cast. */
import type { CoreKernels } from '../kernels.js';
import { broadcastStrides, collapse, forEachRow } from '../strided.js';
import { stridesOf } from '../shape.js';
import type { DType, TensorInfo, TypedArray } from '../backend.js';
import { binaryResultDType, type BinaryOp, type UnaryOp, type UnaryParams } from '../kernels.js';
import { alloc, dataOf, info } from './handle.js';
import { BINARY, POINTWISE } from './pointwise.js';

/** One stretch of n outputs: out[o+j] = A[ia+j·la] op B[ib+j·lb], with a tight loop per common op. */
function run(
  op: BinaryOp,
  f: (a: number, b: number) => number,
  A: ArrayLike<number>,
  B: ArrayLike<number>,
  out: TypedArray,
  o: number,
  ia: number,
  la: number,
  ib: number,
  lb: number,
  n: number,
): void {
  switch (op) {
    case 'add':
      for (let j = 0; j < n; j++) out[o + j] = A[ia + j * la] + B[ib + j * lb];
      return;
    case 'sub':
      for (let j = 0; j < n; j++) out[o + j] = A[ia + j * la] - B[ib + j * lb];
      return;
    case 'mul':
      // int32 × int32 wraps modulo 2^32 as torch's (a double product loses the low bits past 2^53).
      if (out instanceof Int32Array) for (let j = 0; j < n; j++) out[o + j] = Math.imul(A[ia + j * la], B[ib + j * lb]);
      else for (let j = 0; j < n; j++) out[o + j] = A[ia + j * la] * B[ib + j * lb];
      return;
    case 'div':
      for (let j = 0; j < n; j++) out[o + j] = A[ia + j * la] / B[ib + j * lb];
      return;
    default:
      for (let j = 0; j < n; j++) out[o + j] = f(A[ia + j * la], B[ib + j * lb]);
  }
}

export function makeBinary(op: BinaryOp) {
  const f = BINARY[op];
  return (a: TensorInfo, b: TensorInfo, outShape: readonly number[]): TensorInfo => {
    const A = dataOf(a);
    const B = dataOf(b);
    const out = alloc(outShape, binaryResultDType(op, a.dtype, b.dtype));
    const c = collapse(outShape, broadcastStrides(a.shape, outShape), broadcastStrides(b.shape, outShape));
    const rank = c.shape.length;
    if (rank === 0) {
      if (out.length) run(op, f, A, B, out, 0, 0, 0, 0, 0, 1);
      return info(outShape, out);
    }
    const last = rank - 1;
    const n = c.shape[last];
    forEachRow(c.shape, [c.sa, c.sb], [0, 0], ([ia, ib], r) => run(op, f, A, B, out, r * n, ia, c.sa[last], ib, c.sb[last], n));
    return info(outShape, out);
  };
}

export function makeUnary(op: UnaryOp) {
  const { f } = POINTWISE[op];
  return (x: TensorInfo, p: UnaryParams): TensorInfo => {
    const X = dataOf(x);
    const out = new Float32Array(X.length);
    const n = X.length;
    // Explicit loops for the activations every CNN runs; the table's scalar function for the rest.
    switch (op) {
      case 'relu':
        for (let i = 0; i < n; i++) out[i] = X[i] > 0 || X[i] !== X[i] ? X[i] : 0; // NaN stays NaN, as torch.relu
        break;
      case 'relu6':
        for (let i = 0; i < n; i++) out[i] = X[i] <= 0 ? 0 : X[i] >= 6 ? 6 : X[i];
        break;
      case 'sigmoid':
        for (let i = 0; i < n; i++) out[i] = 1 / (1 + Math.exp(-X[i]));
        break;
      case 'silu':
        for (let i = 0; i < n; i++) out[i] = X[i] / (1 + Math.exp(-X[i]));
        break;
      case 'rsqrt':
        for (let i = 0; i < n; i++) out[i] = 1 / Math.sqrt(X[i]);
        break;
      default:
        for (let i = 0; i < n; i++) out[i] = f(X[i], p);
    }
    return info(x.shape, out);
  };
}

export function makeUnaryBackward(op: UnaryOp) {
  const { df } = POINTWISE[op];
  return (x: TensorInfo, y: TensorInfo, dy: TensorInfo, p: UnaryParams): TensorInfo => {
    const X = dataOf(x);
    const Y = dataOf(y);
    const D = dataOf(dy);
    const out = new Float32Array(X.length);
    for (let i = 0; i < X.length; i++) {
      const d = D[i];
      // A zero upstream gradient contributes nothing, even where the derivative is infinite (sqrt at 0).
      out[i] = d === 0 ? 0 : d * df(X[i], Y[i], p);
    }
    return info(x.shape, out);
  };
}

export function where(cond: TensorInfo, a: TensorInfo, b: TensorInfo, outShape: readonly number[]): TensorInfo {
  const C = dataOf(cond);
  const A = dataOf(a);
  const B = dataOf(b);
  const out = alloc(outShape, a.dtype === 'int32' && b.dtype === 'int32' ? 'int32' : 'float32');
  const sc = broadcastStrides(cond.shape, outShape);
  const sa = broadcastStrides(a.shape, outShape);
  const sb = broadcastStrides(b.shape, outShape);
  const strides = stridesOf(outShape);
  for (let i = 0; i < out.length; i++) {
    let ic = 0,
      ia = 0,
      ib = 0,
      rem = i;
    for (let d = 0; d < outShape.length; d++) {
      const q = Math.floor(rem / strides[d]);
      rem -= q * strides[d];
      ic += q * sc[d];
      ia += q * sa[d];
      ib += q * sb[d];
    }
    out[i] = C[ic] !== 0 ? A[ia] : B[ib];
  }
  return info(outShape, out);
}

export function fill(shape: readonly number[], value: number, dtype: DType): TensorInfo {
  const out = alloc(shape, dtype);
  out.fill(value);
  return info(shape, out);
}

export function cast(x: TensorInfo, dtype: DType): TensorInfo {
  const X = dataOf(x);
  let out: TypedArray;
  if (dtype === 'int32') {
    out = new Int32Array(X.length);
    // Truncation toward zero, as torch's float -> int conversion.
    for (let i = 0; i < X.length; i++) out[i] = Math.trunc(X[i]);
  } else out = Float32Array.from(X);
  return info(x.shape, out);
}

/** This family's kernels, collected into the js backend's table (index.ts). */
export const ELEMENTWISE_KERNELS = { fill, cast, where } satisfies Partial<CoreKernels>;
