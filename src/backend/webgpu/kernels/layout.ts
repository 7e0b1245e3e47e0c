/**
 * Data movement on the GPU. Every copy is a gather (one thread per output element reading its source), so no two
 * threads write one place — except padBackward's reflect/replicate/circular modes, which accumulate with atomics.
 */
import type { DType, TensorInfo } from '../../backend.js';
import type { PadMode } from '../../kernels.js';
import { sizeOf, stridesOf } from '../../shape.js';
import { broadcastStrides } from '../../strided.js';
import { slot, type GpuContext } from '../context.js';
import { Params } from '../runner.js';
import { declare, groupsFor, PARAMS, perElement, wgslType } from '../wgsl.js';
import { stridedOffsets } from './elementwise.js';
import { ATOMIC_ADD } from './atomics.js';

const PAD_MODES: Record<PadMode, number> = { constant: 0, reflect: 1, replicate: 2, circular: 3 };

export function layoutKernels(ctx: GpuContext) {
  const run = ctx.runner;

  /** out[i] = X[base + Σ coord_d · inStrides_d] over the output's shape. */
  function stridedCopy(x: TensorInfo, outShape: readonly number[], inStrides: readonly number[], base = 0): TensorInfo {
    const out = ctx.alloc(outShape, x.dtype);
    const n = sizeOf(outShape);
    if (n === 0) return out;
    const rank = outShape.length;
    run.run({
      key: `strided:${x.dtype}:${rank}`,
      code: () =>
        declare([
          { name: 'X', access: 'read', dtype: x.dtype },
          { name: 'O', access: 'write', dtype: x.dtype },
        ]) +
        PARAMS +
        perElement('pu(0u)', `  ${stridedOffsets(rank, 1, 2)}\n  O[i] = X[pu(1u) + o0];`),
      buffers: [
        { slot: slot(x), access: 'read' },
        { slot: slot(out), access: 'write' },
      ],
      params: new Params().u(n, base, ...outShape, ...inStrides).done(),
      groups: groupsFor(n),
    });
    return out;
  }

  function transpose(x: TensorInfo, perm: readonly number[]): TensorInfo {
    const strides = stridesOf(x.shape);
    return stridedCopy(
      x,
      perm.map((p) => x.shape[p]),
      perm.map((p) => strides[p]),
    );
  }

  function broadcastTo(x: TensorInfo, shape: readonly number[]): TensorInfo {
    return stridedCopy(x, shape, broadcastStrides(x.shape, shape));
  }

  function slice(x: TensorInfo, starts: readonly number[], steps: readonly number[], outShape: readonly number[]): TensorInfo {
    const strides = stridesOf(x.shape);
    const base = strides.reduce((s, st, d) => s + starts[d] * st, 0);
    return stridedCopy(
      x,
      outShape,
      strides.map((s, d) => s * steps[d]),
      base,
    );
  }

  function concat(xs: readonly TensorInfo[], dim: number): TensorInfo {
    const first = xs[0].shape;
    const outShape = [...first];
    outShape[dim] = xs.reduce((s, t) => s + t.shape[dim], 0);
    const dtype: DType = xs.every((t) => t.dtype === 'int32') ? 'int32' : 'float32';
    const out = ctx.alloc(outShape, dtype);
    const outer = sizeOf(first.slice(0, dim));
    const inner = sizeOf(first.slice(dim + 1));
    const outRow = outShape[dim] * inner;
    let col = 0;
    for (const t of xs) {
      const block = t.shape[dim] * inner;
      const n = outer * block;
      if (n > 0) {
        run.run({
          key: `concat:${t.dtype}:${dtype}`,
          code: () =>
            declare([
              { name: 'X', access: 'read', dtype: t.dtype },
              { name: 'O', access: 'write', dtype },
            ]) +
            PARAMS +
            perElement('pu(0u)', `  let block = pu(1u);\n  O[(i / block) * pu(2u) + pu(3u) + i % block] = ${wgslType(dtype)}(X[i]);`),
          buffers: [
            { slot: slot(t), access: 'read' },
            { slot: slot(out), access: 'write' },
          ],
          params: new Params().u(n, block, outRow, col).done(),
          groups: groupsFor(n),
        });
      }
      col += block;
    }
    return out;
  }

  /** Zeros of `shape` with dy at the sliced positions (slices never overlap, so each output reads at most one value). */
  function sliceBackward(dy: TensorInfo, shape: readonly number[], starts: readonly number[], steps: readonly number[]): TensorInfo {
    const out = ctx.alloc(shape, dy.dtype);
    const n = sizeOf(shape);
    if (n === 0) return out;
    const rank = shape.length;
    const dyStrides = stridesOf(dy.shape);
    run.run({
      key: `sliceBackward:${dy.dtype}:${rank}`,
      code: () =>
        declare([
          { name: 'D', access: 'read', dtype: dy.dtype },
          { name: 'O', access: 'write', dtype: dy.dtype },
        ]) +
        PARAMS +
        perElement(
          'pu(0u)',
          `  let R = ${rank}u;
  var rem = i;
  var off = 0u;
  var hit = true;
  for (var d = ${rank - 1}; d >= 0; d--) {
    let dd = u32(d);
    let c = rem % pu(1u + dd);
    rem = rem / pu(1u + dd);
    let start = pu(1u + R + dd);
    let step = pu(1u + 2u * R + dd);
    if (c < start || (c - start) % step != 0u) { hit = false; }
    let q = (c - start) / step;
    if (q >= pu(1u + 3u * R + dd)) { hit = false; }
    off += q * pu(1u + 4u * R + dd);
  }
  O[i] = select(${wgslType(dy.dtype)}(0), D[off], hit);`,
        ),
      buffers: [
        { slot: slot(dy), access: 'read' },
        { slot: slot(out), access: 'write' },
      ],
      params: new Params().u(n, ...shape, ...starts, ...steps, ...dy.shape, ...dyStrides).done(),
      groups: groupsFor(n),
    });
    return out;
  }

  /** out = x at the index along dim; an index out of range sets the GPU error flag and reads 0. */
  function gather(x: TensorInfo, dim: number, index: TensorInfo): TensorInfo {
    const out = ctx.alloc(index.shape, x.dtype);
    const n = sizeOf(index.shape);
    if (n === 0) return out;
    const rank = index.shape.length;
    const xStrides = stridesOf(x.shape);
    run.run({
      key: `gather:${x.dtype}:${rank}`,
      errors: true,
      code: () =>
        declare(
          [
            { name: 'X', access: 'read', dtype: x.dtype },
            { name: 'I', access: 'read', dtype: 'int32' },
            { name: 'O', access: 'write', dtype: x.dtype },
          ],
          true,
        ) +
        PARAMS +
        perElement(
          'pu(0u)',
          `  let R = ${rank}u;
  let dim = pu(1u);
  var rem = i;
  var off = 0u;
  let k = I[i];
  let bound = pu(2u);
  if (k < 0 || u32(k) >= bound) { atomicStore(&ERR[0], 1u); O[i] = ${wgslType(x.dtype)}(0); return; }
  for (var d = ${rank - 1}; d >= 0; d--) {
    let dd = u32(d);
    let c = rem % pu(3u + dd);
    rem = rem / pu(3u + dd);
    off += select(c, u32(k), dd == dim) * pu(3u + R + dd);
  }
  O[i] = X[off];`,
        ),
      buffers: [
        { slot: slot(x), access: 'read' },
        { slot: slot(index), access: 'read' },
        { slot: slot(out), access: 'write' },
      ],
      params: new Params().u(n, dim, x.shape[dim], ...index.shape, ...xStrides).done(),
      groups: groupsFor(n),
    });
    return out;
  }

  /**
   * Zeros of `shape` plus src scatter-added along dim at index, computed as a gather: each output element sums, in
   * order, the sources whose index points at it (deterministic, no atomics).
   */
  function scatterAdd(shape: readonly number[], dim: number, index: TensorInfo, src: TensorInfo): TensorInfo {
    const out = ctx.alloc(shape, src.dtype);
    const n = sizeOf(shape);
    if (n === 0) return out;
    const rank = shape.length;
    const T = wgslType(src.dtype);
    const iStrides = stridesOf(index.shape);
    run.run({
      key: `scatterAdd:${src.dtype}:${rank}`,
      errors: true,
      code: () =>
        declare(
          [
            { name: 'I', access: 'read', dtype: 'int32' },
            { name: 'S', access: 'read', dtype: src.dtype },
            { name: 'O', access: 'write', dtype: src.dtype },
          ],
          true,
        ) +
        PARAMS +
        perElement(
          'pu(0u)',
          `  let R = ${rank}u;
  let dim = pu(1u);
  var rem = i;
  var base = 0u;
  var tgt = 0u;
  var inside = true;
  for (var d = ${rank - 1}; d >= 0; d--) {
    let dd = u32(d);
    let c = rem % pu(2u + dd);
    rem = rem / pu(2u + dd);
    if (dd == dim) { tgt = c; } else {
      if (c >= pu(2u + R + dd)) { inside = false; }
      base += c * pu(2u + 2u * R + dd);
    }
  }
  var acc = ${T}(0);
  if (inside) {
    let K = pu(2u + R + dim);
    let st = pu(2u + 2u * R + dim);
    for (var k = 0u; k < K; k++) {
      let j = base + k * st;
      let t = I[j];
      if (t < 0 || u32(t) >= pu(2u + dim)) { atomicStore(&ERR[0], 1u); }
      if (t == i32(tgt)) { acc += S[j]; }
    }
  }
  O[i] = acc;`,
        ),
      buffers: [
        { slot: slot(index), access: 'read' },
        { slot: slot(src), access: 'read' },
        { slot: slot(out), access: 'write' },
      ],
      params: new Params().u(n, dim, ...shape, ...index.shape, ...iStrides).done(),
      groups: groupsFor(n),
    });
    return out;
  }

  /** WGSL: the source coordinate of padded coordinate `o` in a dim of size `n` padded by `before` (-1: the constant). */
  const PAD_SOURCE = `
fn pad_source(o: i32, n: i32, before: i32, mode: u32) -> i32 {
  var i = o - before;
  if (i >= 0 && i < n) { return i; }
  if (mode == 0u) { return -1; }
  if (mode == 1u) { return select(2 * (n - 1) - i, -i, i < 0); }
  if (mode == 2u) { return select(n - 1, 0, i < 0); }
  return ((i % n) + n) % n;
}`;

  function pad(x: TensorInfo, pads: readonly (readonly [number, number])[], mode: PadMode, value: number): TensorInfo {
    const outShape = x.shape.map((n, d) => n + pads[d][0] + pads[d][1]);
    const out = ctx.alloc(outShape, x.dtype);
    const n = sizeOf(outShape);
    if (n === 0) return out;
    const rank = outShape.length;
    const p = new Params().u(n, PAD_MODES[mode]);
    if (x.dtype === 'int32') p.i(value);
    else p.f(value);
    p.u(...outShape, ...x.shape, ...pads.map((q) => q[0]), ...stridesOf(x.shape));
    run.run({
      key: `pad:${x.dtype}:${rank}`,
      code: () =>
        declare([
          { name: 'X', access: 'read', dtype: x.dtype },
          { name: 'O', access: 'write', dtype: x.dtype },
        ]) +
        PARAMS +
        PAD_SOURCE +
        perElement(
          'pu(0u)',
          `  let R = ${rank}u;
  var rem = i;
  var off = 0;
  var constant = false;
  for (var d = ${rank - 1}; d >= 0; d--) {
    let dd = u32(d);
    let c = rem % pu(3u + dd);
    rem = rem / pu(3u + dd);
    let s = pad_source(i32(c), i32(pu(3u + R + dd)), i32(pu(3u + 2u * R + dd)), pu(1u));
    if (s < 0) { constant = true; }
    off += s * i32(pu(3u + 3u * R + dd));
  }
  O[i] = select(X[max(off, 0)], ${x.dtype === 'int32' ? 'pi(2u)' : 'pf(2u)'}, constant);`,
        ),
      buffers: [
        { slot: slot(x), access: 'read' },
        { slot: slot(out), access: 'write' },
      ],
      params: p.done(),
      groups: groupsFor(n),
    });
    return out;
  }

  function padBackward(dy: TensorInfo, shape: readonly number[], pads: readonly (readonly [number, number])[], mode: PadMode): TensorInfo {
    if (mode === 'constant') {
      // The adjoint of constant padding is the slice of the unpadded region.
      return slice(
        dy,
        pads.map((q) => q[0]),
        shape.map(() => 1),
        shape,
      );
    }
    const out = ctx.zeros(shape, 'float32');
    const n = sizeOf(dy.shape);
    if (n === 0 || sizeOf(shape) === 0) return out;
    const rank = shape.length;
    run.run({
      key: `padBackward:${rank}`,
      code: () =>
        declare([
          { name: 'D', access: 'read' },
          { name: 'O', access: 'atomic' },
        ]) +
        PARAMS +
        PAD_SOURCE +
        ATOMIC_ADD +
        perElement(
          'pu(0u)',
          `  let R = ${rank}u;
  var rem = i;
  var off = 0;
  for (var d = ${rank - 1}; d >= 0; d--) {
    let dd = u32(d);
    let c = rem % pu(2u + dd);
    rem = rem / pu(2u + dd);
    let s = pad_source(i32(c), i32(pu(2u + R + dd)), i32(pu(2u + 2u * R + dd)), pu(1u));
    off += s * i32(pu(2u + 3u * R + dd));
  }
  atomic_add_f32(&O[u32(off)], D[i]);`,
        ),
      buffers: [
        { slot: slot(dy), access: 'read' },
        { slot: slot(out), access: 'atomic' },
      ],
      params: new Params().u(n, PAD_MODES[mode], ...dy.shape, ...shape, ...pads.map((q) => q[0]), ...stridesOf(shape)).done(),
      groups: groupsFor(n),
    });
    return out;
  }

  return { transpose, broadcastTo, concat, slice, sliceBackward, gather, scatterAdd, pad, padBackward };
}
