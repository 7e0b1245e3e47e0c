/** Data movement: transpose, broadcast, concat, strided slice and its adjoint, gather/scatter-add, pad and its adjoint. */
import type { CoreKernels } from '../kernels.js';
import { forEachRow } from '../strided.js';
import type { TensorInfo } from '../backend.js';
import type { PadMode } from '../kernels.js';
import { sizeOf, stridesOf } from '../shape.js';
import { alloc, dataOf, info } from './handle.js';
import { broadcastStrides } from '../strided.js';

/** Visits every output element with the input offset given by per-output-dim input strides. */
function gatherByStrides(
  X: ArrayLike<number>,
  out: { [i: number]: number; length: number },
  outShape: readonly number[],
  inStrides: readonly number[],
  base = 0,
): void {
  const last = outShape.length - 1;
  const lastLen = last >= 0 ? outShape[last] : 1;
  const ls = last >= 0 ? inStrides[last] : 0;
  forEachRow(outShape, [inStrides], [base], ([off], r) => {
    for (let j = 0, i = r * lastLen; j < lastLen; j++, i++) out[i] = X[off + j * ls];
  });
}

export function transpose(x: TensorInfo, perm: readonly number[]): TensorInfo {
  const outShape = perm.map((p) => x.shape[p]);
  const strides = stridesOf(x.shape);
  const out = alloc(outShape, x.dtype);
  gatherByStrides(
    dataOf(x),
    out,
    outShape,
    perm.map((p) => strides[p]),
  );
  return info(outShape, out);
}

export function broadcastTo(x: TensorInfo, shape: readonly number[]): TensorInfo {
  const out = alloc(shape, x.dtype);
  gatherByStrides(dataOf(x), out, shape, broadcastStrides(x.shape, shape));
  return info(shape, out);
}

export function concat(xs: readonly TensorInfo[], dim: number): TensorInfo {
  const first = xs[0].shape;
  const outShape = [...first];
  outShape[dim] = xs.reduce((s, t) => s + t.shape[dim], 0);
  const dtype = xs.every((t) => t.dtype === 'int32') ? 'int32' : 'float32';
  const out = alloc(outShape, dtype);
  const outer = sizeOf(first.slice(0, dim));
  const inner = sizeOf(first.slice(dim + 1));
  const outRow = outShape[dim] * inner;
  let col = 0;
  for (const t of xs) {
    const X = dataOf(t);
    const block = t.shape[dim] * inner;
    for (let o = 0; o < outer; o++) {
      const dst = o * outRow + col;
      const src = o * block;
      for (let k = 0; k < block; k++) out[dst + k] = X[src + k];
    }
    col += block;
  }
  return info(outShape, out);
}

export function slice(x: TensorInfo, starts: readonly number[], steps: readonly number[], outShape: readonly number[]): TensorInfo {
  const strides = stridesOf(x.shape);
  let base = 0;
  for (let d = 0; d < strides.length; d++) base += starts[d] * strides[d];
  const out = alloc(outShape, x.dtype);
  gatherByStrides(
    dataOf(x),
    out,
    outShape,
    strides.map((s, d) => s * steps[d]),
    base,
  );
  return info(outShape, out);
}

export function sliceBackward(dy: TensorInfo, shape: readonly number[], starts: readonly number[], steps: readonly number[]): TensorInfo {
  const D = dataOf(dy);
  const out = alloc(shape, dy.dtype);
  const strides = stridesOf(shape);
  const dyStrides = stridesOf(dy.shape);
  for (let i = 0; i < D.length; i++) {
    let rem = i;
    let off = 0;
    for (let d = 0; d < dyStrides.length; d++) {
      const q = Math.floor(rem / dyStrides[d]);
      rem -= q * dyStrides[d];
      off += (starts[d] + q * steps[d]) * strides[d];
    }
    out[off] += D[i];
  }
  return info(shape, out);
}

/** Offset into a tensor of `shape` of output element i of `index` (with `dim` replaced by the index value). */
function gatherOffsets(shape: readonly number[], indexShape: readonly number[], dim: number, I: Int32Array): Int32Array {
  const strides = stridesOf(shape);
  const istrides = stridesOf(indexShape);
  const offs = new Int32Array(I.length);
  for (let i = 0; i < I.length; i++) {
    let rem = i;
    let off = 0;
    for (let d = 0; d < istrides.length; d++) {
      const q = Math.floor(rem / istrides[d]);
      rem -= q * istrides[d];
      off += (d === dim ? I[i] : q) * strides[d];
    }
    offs[i] = off;
  }
  return offs;
}

export function gather(x: TensorInfo, dim: number, index: TensorInfo): TensorInfo {
  const X = dataOf(x);
  const offs = gatherOffsets(x.shape, index.shape, dim, dataOf(index) as Int32Array);
  const out = alloc(index.shape, x.dtype);
  for (let i = 0; i < offs.length; i++) out[i] = X[offs[i]];
  return info(index.shape, out);
}

export function scatterAdd(shape: readonly number[], dim: number, index: TensorInfo, src: TensorInfo): TensorInfo {
  const S = dataOf(src);
  const offs = gatherOffsets(shape, index.shape, dim, dataOf(index) as Int32Array);
  const out = alloc(shape, src.dtype);
  for (let i = 0; i < offs.length; i++) out[offs[i]] += S[i];
  return info(shape, out);
}

/** For each dim, the source coordinate of every padded coordinate (-1 = the constant). */
function padMaps(shape: readonly number[], pads: readonly (readonly [number, number])[], mode: PadMode): Int32Array[] {
  return shape.map((n, d) => {
    const [before, after] = pads[d];
    const len = n + before + after;
    const map = new Int32Array(len);
    for (let o = 0; o < len; o++) {
      let i = o - before;
      if (i < 0 || i >= n) {
        if (mode === 'constant') i = -1;
        else if (mode === 'reflect') i = i < 0 ? -i : 2 * (n - 1) - i;
        else if (mode === 'replicate') i = i < 0 ? 0 : n - 1;
        else i = ((i % n) + n) % n;
      }
      map[o] = i;
    }
    return map;
  });
}

function forEachPadded(
  shape: readonly number[],
  pads: readonly (readonly [number, number])[],
  mode: PadMode,
  visit: (o: number, src: number) => void,
): number[] {
  const maps = padMaps(shape, pads, mode);
  const outShape = maps.map((m) => m.length);
  const strides = stridesOf(shape);
  const total = sizeOf(outShape);
  const rank = outShape.length;
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < total; o++) {
    let src = 0;
    for (let d = 0; d < rank; d++) {
      const s = maps[d][idx[d]];
      if (s < 0) {
        src = -1;
        break;
      }
      src += s * strides[d];
    }
    visit(o, src);
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d] < outShape[d]) break;
      idx[d] = 0;
    }
  }
  return outShape;
}

export function pad(x: TensorInfo, pads: readonly (readonly [number, number])[], mode: PadMode, value: number): TensorInfo {
  const X = dataOf(x);
  const outShape = x.shape.map((n, d) => n + pads[d][0] + pads[d][1]);
  const out = alloc(outShape, x.dtype);
  forEachPadded(x.shape, pads, mode, (o, src) => {
    out[o] = src < 0 ? value : X[src];
  });
  return info(outShape, out);
}

export function padBackward(dy: TensorInfo, shape: readonly number[], pads: readonly (readonly [number, number])[], mode: PadMode): TensorInfo {
  const D = dataOf(dy);
  const out = alloc(shape, dy.dtype);
  forEachPadded(shape, pads, mode, (o, src) => {
    if (src >= 0) out[src] += D[o];
  });
  return info(shape, out);
}

/** This family's kernels, collected into the js backend's table (index.ts). */
export const LAYOUT_KERNELS = { transpose, broadcastTo, concat, slice, sliceBackward, gather, scatterAdd, pad, padBackward } satisfies Partial<CoreKernels>;
