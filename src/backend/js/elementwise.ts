/** Pointwise kernels: broadcasting binary ops, unary functions and their gradients, where, fill, cast. */
import type { DType, TensorInfo, TypedArray } from '../backend.js';
import { binaryResultDType, type BinaryOp, type UnaryOp, type UnaryParams } from '../kernels.js';
import { sizeOf, stridesOf } from '../../tensor/shape.js';
import { alloc, dataOf, info } from './handle.js';
import { BINARY, POINTWISE } from './pointwise.js';

/** Strides of `shape` seen through broadcasting to `outShape` (0 on broadcast dims). */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const strides = stridesOf(shape);
  const off = outShape.length - shape.length;
  return outShape.map((d, i) => (i < off || shape[i - off] === 1 ? 0 : strides[i - off]));
}

/**
 * Calls visit(outIndex, offsetA, offsetB) for every output element, walking an odometer so
 * broadcast offsets are updated incrementally rather than recomputed.
 */
function forEachBroadcast2(
  outShape: readonly number[],
  sa: readonly number[],
  sb: readonly number[],
  visit: (i: number, ia: number, ib: number) => void,
): void {
  const rank = outShape.length;
  const n = sizeOf(outShape);
  if (rank === 0) {
    if (n) visit(0, 0, 0);
    return;
  }
  const idx = new Array<number>(rank).fill(0);
  let ia = 0;
  let ib = 0;
  const last = rank - 1;
  const lastLen = outShape[last];
  const la = sa[last];
  const lb = sb[last];
  for (let i = 0; i < n; ) {
    for (let j = 0; j < lastLen; j++, i++) visit(i, ia + j * la, ib + j * lb);
    for (let d = last - 1; d >= 0; d--) {
      idx[d]++;
      ia += sa[d];
      ib += sb[d];
      if (idx[d] < outShape[d]) break;
      ia -= sa[d] * outShape[d];
      ib -= sb[d] * outShape[d];
      idx[d] = 0;
    }
    if (rank === 1) break;
  }
}

export function makeBinary(op: BinaryOp) {
  const f = BINARY[op];
  return (a: TensorInfo, b: TensorInfo, outShape: readonly number[]): TensorInfo => {
    const A = dataOf(a);
    const B = dataOf(b);
    const out = alloc(outShape, binaryResultDType(op, a.dtype, b.dtype));
    const n = out.length;
    if (A.length === n && B.length === n) {
      for (let i = 0; i < n; i++) out[i] = f(A[i], B[i]);
    } else if (B.length === 1 && A.length === n) {
      const s = B[0];
      for (let i = 0; i < n; i++) out[i] = f(A[i], s);
    } else if (A.length === 1 && B.length === n) {
      const s = A[0];
      for (let i = 0; i < n; i++) out[i] = f(s, B[i]);
    } else {
      forEachBroadcast2(outShape, broadcastStrides(a.shape, outShape), broadcastStrides(b.shape, outShape), (i, ia, ib) => {
        out[i] = f(A[ia], B[ib]);
      });
    }
    return info(outShape, out);
  };
}

export function makeUnary(op: UnaryOp) {
  const { f } = POINTWISE[op];
  return (x: TensorInfo, p: UnaryParams): TensorInfo => {
    const X = dataOf(x);
    const out = new Float32Array(X.length);
    for (let i = 0; i < X.length; i++) out[i] = f(X[i], p);
    return info(x.shape, out);
  };
}

export function makeUnaryGrad(op: UnaryOp) {
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
    let ic = 0, ia = 0, ib = 0, rem = i;
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
