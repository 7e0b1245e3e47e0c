/**
 * The ONNX ops the importer runs, each written with convnet-ts ops (so the imported graph is differentiable and
 * trainable). Attribute handling follows the opset the file declares (e.g. Clip's bounds are attributes before
 * opset 11 and inputs after). Shape arithmetic (Shape → Gather → Concat → Reshape) runs on HostInts.
 */
import type { Tensor } from '../../tensor/tensor.js';
import { tensor, full } from '../../tensor/creation.js';
import * as F from '../../ops/index.js';
import { broadcastShapes, shapeToString, sizeOf } from '../../backend/shape.js';
import { OnnxError } from './errors.js';
import { describeValue } from '../format_error.js';
import type { NodeAttrs } from './node_attrs.js';
import { DType } from './proto.js';
import { HostInts } from './tensor_proto.js';

export type V = Tensor | HostInts;

export interface OpContext {
  readonly attrs: NodeAttrs;
  readonly where: string;
  readonly opset: number;
  readonly training: boolean;
}

export type ImportOp = (c: OpContext, inputs: readonly (V | undefined)[], nOutputs: number) => V[];

export function fail(c: { where: string }, message: string): never {
  throw new OnnxError(`importOnnx: ${c.where}: ${message}`);
}

const isHost = (v: V | undefined): v is HostInts => v instanceof HostInts;

/** A tensor input (integers on the host become int32 tensors, or float32 next to a float operand). */
function tin(c: OpContext, v: V | undefined, i: number, dtype?: 'float32' | 'int32'): Tensor {
  if (v === undefined) fail(c, `input ${i} is required`);
  if (isHost(v)) {
    const dt = dtype ?? 'int32';
    if (dt === 'int32' && !v.data.every((x) => x >= -2147483648 && x <= 2147483647)) fail(c, `input ${i} holds integers outside the int32 range`);
    return tensor(v.data, v.shape, { dtype: dt });
  }
  return v;
}

/** Integers of a static input (shapes, axes, pads). */
export function intsOf(c: OpContext, v: V | undefined, what: string): number[] {
  if (v === undefined) fail(c, `${what} is required`);
  if (isHost(v)) return v.data;
  if (v.requiresGrad) fail(c, `${what} must be constant, got a computed tensor`);
  return Array.from(v.data(), Number);
}

function scalarOf(c: OpContext, v: V | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  const xs = isHost(v) ? v.data : Array.from(v.data());
  if (xs.length !== 1) fail(c, `${what} must be a scalar, got ${xs.length} values`);
  return xs[0];
}

function axis(c: OpContext, a: number, rank: number): number {
  if (!Number.isInteger(a) || a < -rank || a >= Math.max(rank, 1)) fail(c, `axis ${a} is out of range for rank ${rank}`);
  return a < 0 ? a + rank : a;
}

// ---- elementwise ----

function hostBinary(a: HostInts, b: HostInts, f: (x: number, y: number) => number): HostInts {
  const shape = broadcastShapes(a.shape, b.shape, 'shape arithmetic');
  const n = sizeOf(shape);
  const pick = (h: HostInts, i: number) => (h.size === 1 ? h.data[0] : h.data[i]);
  if ((a.size !== 1 && a.size !== n) || (b.size !== 1 && b.size !== n))
    throw new OnnxError('importOnnx: shape arithmetic on broadcast shapes is not supported');
  return new HostInts(
    Array.from({ length: n }, (_, i) => f(pick(a, i), pick(b, i))),
    shape,
  );
}

function binary(op: (a: Tensor, b: Tensor) => Tensor, host?: (x: number, y: number) => number): ImportOp {
  return (c, [a, b]) => {
    if (host && isHost(a) && isHost(b)) return [hostBinary(a, b, host)];
    const floatish = (v: V | undefined) => v !== undefined && !isHost(v) && v.dtype === 'float32';
    const dt = floatish(a) || floatish(b) ? 'float32' : 'int32';
    return [op(tin(c, a, 0, dt), tin(c, b, 1, dt))];
  };
}

function variadic(op: (a: Tensor, b: Tensor) => Tensor): ImportOp {
  return (c, inputs) => {
    if (inputs.length === 0) fail(c, 'needs at least one input');
    let acc = tin(c, inputs[0], 0, 'float32');
    for (let i = 1; i < inputs.length; i++) acc = op(acc, tin(c, inputs[i], i, 'float32'));
    return [acc];
  };
}

const unary =
  (op: (x: Tensor) => Tensor): ImportOp =>
  (c, [x]) => [op(tin(c, x, 0, 'float32'))];

/** erf via Abramowitz & Stegun 7.1.26 (|error| ≤ 1.5e-7), built from differentiable ops. */
function erf(x: Tensor): Tensor {
  const s = F.sign(x);
  const a = F.abs(x);
  const t = F.div(1, F.add(F.mul(a, 0.3275911), 1));
  let poly = F.add(F.mul(t, 1.061405429), -1.453152027);
  poly = F.add(F.mul(poly, t), 1.421413741);
  poly = F.add(F.mul(poly, t), -0.284496736);
  poly = F.add(F.mul(poly, t), 0.254829592);
  poly = F.mul(poly, t);
  return F.mul(s, F.sub(1, F.mul(poly, F.exp(F.neg(F.mul(a, a))))));
}

// ---- shapes ----

function reshapeTo(c: OpContext, x: V, shapeIn: number[], allowZero: boolean): V {
  const shape = shapeIn.map((d, i) =>
    d === 0 && !allowZero
      ? i < x.shape.length
        ? x.shape[i]
        : fail(c, `shape ${JSON.stringify(shapeIn)} copies dim ${i} of a rank-${x.shape.length} input`)
      : d,
  );
  if (isHost(x)) {
    const known = shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    const resolved = shape.map((d) => (d === -1 ? x.size / Math.max(known, 1) : d));
    if (sizeOf(resolved) !== x.size) fail(c, `cannot reshape ${x.size} values to ${JSON.stringify(shapeIn)}`);
    return new HostInts(x.data, resolved);
  }
  return F.reshape(x, shape);
}

function squeezeAxes(c: OpContext, x: V, axes: number[] | undefined): V {
  const rank = x.shape.length;
  const drop = axes ? axes.map((a) => axis(c, a, rank)) : x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
  for (const a of drop) if (x.shape[a] !== 1) fail(c, `cannot squeeze axis ${a} of size ${x.shape[a]} (input ${shapeToString(x.shape)})`);
  return reshapeTo(
    c,
    x,
    x.shape.filter((_, i) => !drop.includes(i)),
    false,
  );
}

function unsqueezeAxes(c: OpContext, x: V, axes: number[]): V {
  const rank = x.shape.length + axes.length;
  const at = axes.map((a) => axis(c, a, rank));
  const shape: number[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) shape.push(at.includes(i) ? 1 : x.shape[j++]);
  return reshapeTo(c, x, shape, false);
}

function gatherOp(c: OpContext, x: V, idx: V, ax: number): V {
  const a = axis(c, ax, x.shape.length);
  const n = x.shape[a];
  const indices = isHost(idx) ? idx.data : Array.from(idx.data(), Number);
  const norm = indices.map((i) => {
    if (!Number.isInteger(i) || i < -n || i >= n) fail(c, `index ${i} is out of range for axis ${a} of size ${n}`);
    return i < 0 ? i + n : i;
  });
  if (isHost(x) && x.shape.length === 1)
    return new HostInts(
      norm.map((i) => x.data[i]),
      [...idx.shape],
    );
  const picked = F.indexSelect(tin(c, x, 0), a, tensor(norm, [norm.length], { dtype: 'int32' }));
  return F.reshape(picked, [...x.shape.slice(0, a), ...idx.shape, ...x.shape.slice(a + 1)]);
}

function sliceOp(c: OpContext, x: V, starts: number[], ends: number[], axesIn: number[] | undefined, steps: number[] | undefined): V {
  const rank = x.shape.length;
  const axes = (axesIn ?? starts.map((_, i) => i)).map((a) => axis(c, a, rank));
  if (ends.length !== starts.length || axes.length !== starts.length || (steps && steps.length !== starts.length))
    fail(c, 'starts, ends, axes and steps must have the same length');
  // Multi-dimensional integer data (rare: PyTorch's pad lists reshaped to pairs) is sliced as an int32 tensor.
  let out: V = isHost(x) && x.shape.length !== 1 ? tin(c, x, 0) : x;
  axes.forEach((a, i) => {
    const step = steps ? steps[i] : 1;
    if (!Number.isInteger(step) || step === 0) fail(c, `step ${step} is invalid`);
    const dim = out.shape[a];
    const picked: number[] = [];
    if (step > 0) {
      const clampIndex = (v: number) => Math.min(Math.max(v < 0 ? v + dim : v, 0), dim);
      for (let k = clampIndex(starts[i]); k < clampIndex(ends[i]); k += step) picked.push(k);
    } else {
      // Negative steps walk down from start (clamped to [0, dim−1]) to end (exclusive, clamped to [−1, dim−1]).
      const s = Math.min(Math.max(starts[i] < 0 ? starts[i] + dim : starts[i], -1), dim - 1);
      const e = Math.min(Math.max(ends[i] < 0 ? ends[i] + dim : ends[i], -1), dim - 1);
      for (let k = s; k > e; k += step) picked.push(k);
    }
    if (isHost(out)) {
      const src: HostInts = out;
      out = new HostInts(
        picked.map((k) => src.data[k]),
        [picked.length],
      );
    } else if (step > 0) {
      out = picked.length ? F.slice(out, a, picked[0], picked[picked.length - 1] + 1, step) : F.slice(out, a, 0, 0);
    } else {
      out = F.indexSelect(out, a, tensor(picked, [picked.length], { dtype: 'int32' }));
    }
  });
  return out;
}

// ---- convolution and pooling geometry ----

export interface Window {
  kernel: [number, number];
  strides: [number, number];
  dilations: [number, number];
  /** [top, left, bottom, right] */
  pads: [number, number, number, number];
}

/** The 2-D window of a Conv or pool node on an input of spatial size [h, w], auto_pad resolved. */
export function windowOf(c: OpContext, hw: readonly number[], kernelShape: readonly number[] | undefined): Window {
  const k = c.attrs.ints('kernel_shape') ?? kernelShape;
  if (!k || k.length !== 2) fail(c, `only 2-D windows are supported, got kernel_shape ${describeValue(k)}`);
  // A conv's window is its weight's: an attribute that disagrees is a corrupt file, not a bigger kernel.
  if (kernelShape && (k[0] !== kernelShape[0] || k[1] !== kernelShape[1]))
    fail(c, `kernel_shape ${describeValue(k)} does not match the weight's spatial size ${describeValue([...kernelShape])}`);
  const strides = c.attrs.ints('strides', [1, 1]);
  const dilations = c.attrs.ints('dilations', [1, 1]);
  if (strides.length !== 2 || dilations.length !== 2) fail(c, 'strides and dilations must have 2 values');
  if (![...k, ...strides, ...dilations].every((v) => v >= 1)) fail(c, 'kernel_shape, strides and dilations must be positive');
  const autoPad = c.attrs.string('auto_pad', 'NOTSET');
  let pads: number[];
  if (autoPad === 'NOTSET') {
    pads = c.attrs.ints('pads', [0, 0, 0, 0]);
    if (pads.length !== 4 || !pads.every((p) => p >= 0)) fail(c, `pads must be 4 non-negative values, got ${describeValue(pads)}`);
  } else if (autoPad === 'VALID') {
    pads = [0, 0, 0, 0];
  } else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const before: number[] = [];
    const after: number[] = [];
    for (let i = 0; i < 2; i++) {
      const out = Math.ceil(hw[i] / strides[i]);
      const total = Math.max((out - 1) * strides[i] + (k[i] - 1) * dilations[i] + 1 - hw[i], 0);
      const small = Math.floor(total / 2);
      before.push(autoPad === 'SAME_UPPER' ? small : total - small);
      after.push(total - before[i]);
    }
    pads = [...before, ...after];
  } else {
    fail(c, `unknown auto_pad '${autoPad}'`);
  }
  // A pad as wide as the (dilated) kernel makes windows that see only padding: -Inf from a max pool, nothing but
  // the bias from a conv; no exporter writes one, and a hostile file uses it to make a tiny graph compute gigabytes.
  for (let i = 0; i < 4; i++) {
    const extent = (k[i % 2] - 1) * dilations[i % 2] + 1;
    if (pads[i] >= extent) fail(c, `pads ${JSON.stringify(pads)} must each be smaller than the kernel's extent ${extent} along their axis`);
  }
  return {
    kernel: [k[0], k[1]],
    strides: [strides[0], strides[1]],
    dilations: [dilations[0], dilations[1]],
    pads: [pads[0], pads[1], pads[2], pads[3]],
  };
}

export const symmetric = (p: Window['pads']): boolean => p[0] === p[2] && p[1] === p[3];

/** Explicit spatial padding ([top, left, bottom, right]) of an NCHW tensor. */
export function padSpatial(x: Tensor, p: Window['pads'], value = 0): Tensor {
  return F.pad(x, [p[1], p[3], p[0], p[2]], 'constant', value);
}

function need4d(c: OpContext, x: Tensor): void {
  if (x.ndim !== 4) fail(c, `only 2-D (NCHW) inputs are supported, got shape ${shapeToString(x.shape)}`);
}

const conv: ImportOp = (c, [xv, wv, bv]) => {
  const x = tin(c, xv, 0, 'float32');
  const w = tin(c, wv, 1, 'float32');
  need4d(c, x);
  const win = windowOf(c, x.shape.slice(2), w.shape.slice(2));
  const groups = c.attrs.int('group', 1);
  const b = bv === undefined ? null : tin(c, bv, 2, 'float32');
  const input = symmetric(win.pads) ? x : padSpatial(x, win.pads);
  const padding: [number, number] = symmetric(win.pads) ? [win.pads[0], win.pads[1]] : [0, 0];
  return [F.conv2d(input, w, b, { stride: win.strides, padding, dilation: win.dilations, groups })];
};

function pool(kind: 'max' | 'avg'): ImportOp {
  return (c, [xv], nOutputs) => {
    if (nOutputs > 1) fail(c, 'the Indices output of MaxPool is not supported');
    const x = tin(c, xv, 0, 'float32');
    if (x.ndim === 5) return [depthPool(c, x, kind)];
    need4d(c, x);
    const win = windowOf(c, x.shape.slice(2), undefined);
    const ceilMode = c.attrs.int('ceil_mode', 0) === 1;
    if (kind === 'max') {
      if (c.attrs.int('storage_order', 0) !== 0) fail(c, 'storage_order 1 is not supported');
      const fits = symmetric(win.pads) && win.pads[0] <= Math.floor(win.kernel[0] / 2) && win.pads[1] <= Math.floor(win.kernel[1] / 2);
      const input = fits ? x : padSpatial(x, win.pads, -Infinity);
      const padding: [number, number] = fits ? [win.pads[0], win.pads[1]] : [0, 0];
      return [F.maxPool2d(input, win.kernel, { stride: win.strides, padding, dilation: win.dilations, ceilMode })];
    }
    if (win.dilations.some((d) => d !== 1)) fail(c, 'dilated average pooling is not supported');
    const includePad = c.attrs.int('count_include_pad', 0) === 1;
    const fits = symmetric(win.pads) && win.pads[0] <= Math.floor(win.kernel[0] / 2) && win.pads[1] <= Math.floor(win.kernel[1] / 2);
    if (!fits && !includePad && win.pads.some((p) => p > 0)) fail(c, 'asymmetric padding with count_include_pad=0 is not supported');
    const input = fits ? x : padSpatial(x, win.pads);
    const padding: [number, number] = fits ? [win.pads[0], win.pads[1]] : [0, 0];
    return [F.avgPool2d(input, win.kernel, { stride: win.strides, padding, ceilMode, countIncludePad: includePad })];
  };
}

/**
 * 3-D pooling whose window spans only the first spatial dim ([k, 1, 1], as PyTorch's LRN export emits): the
 * last two dims fold into one and a 2-D pool with a [k, 1] window does the rest.
 */
function depthPool(c: OpContext, x: Tensor, kind: 'max' | 'avg'): Tensor {
  const k = c.attrs.ints('kernel_shape', []);
  const strides = c.attrs.ints('strides', [1, 1, 1]);
  const pads = c.attrs.ints('pads', [0, 0, 0, 0, 0, 0]);
  const dil = c.attrs.ints('dilations', [1, 1, 1]);
  const ok =
    k.length === 3 &&
    k[1] === 1 &&
    k[2] === 1 &&
    strides.length === 3 &&
    strides[1] === 1 &&
    strides[2] === 1 &&
    pads.length === 6 &&
    pads[1] === 0 &&
    pads[2] === 0 &&
    pads[4] === 0 &&
    pads[5] === 0 &&
    dil.every((d) => d === 1) &&
    c.attrs.string('auto_pad', 'NOTSET') === 'NOTSET' &&
    c.attrs.int('ceil_mode', 0) === 0 &&
    k[0] >= 1 &&
    strides[0] >= 1;
  if (!ok)
    fail(
      c,
      `3-D pooling is supported only with a [k, 1, 1] window, got kernel ${JSON.stringify(k)}, strides ${JSON.stringify(strides)}, pads ${JSON.stringify(pads)}`,
    );
  const [n, ch, d, h, w] = x.shape;
  let flat = F.reshape(x, [n, ch, d, h * w]);
  const [before, after] = [pads[0], pads[3]];
  const include = kind === 'max' || c.attrs.int('count_include_pad', 0) === 1;
  if (before || after) {
    if (!include) fail(c, 'padded 3-D average pooling with count_include_pad=0 is not supported');
    flat = F.pad(flat, [0, 0, before, after], 'constant', kind === 'max' ? -Infinity : 0);
  }
  const y = kind === 'max' ? F.maxPool2d(flat, [k[0], 1], { stride: [strides[0], 1] }) : F.avgPool2d(flat, [k[0], 1], { stride: [strides[0], 1] });
  return F.reshape(y, [n, ch, y.shape[2], h, w]);
}

// ---- reductions ----

function reduceAxes(c: OpContext, inputs: readonly (V | undefined)[], attrFromOpset: number): number[] | undefined {
  const fromInput = c.opset >= attrFromOpset;
  const raw = fromInput ? (inputs[1] === undefined ? undefined : intsOf(c, inputs[1], 'axes')) : c.attrs.ints('axes');
  if (raw === undefined || raw.length === 0) {
    return c.attrs.int('noop_with_empty_axes', 0) === 1 ? [] : undefined;
  }
  return raw;
}

function reduce(op: (x: Tensor, dims: number[] | undefined, keep: boolean) => Tensor, axesInputFrom: number): ImportOp {
  return (c, inputs) => {
    const x = tin(c, inputs[0], 0, 'float32');
    const keep = c.attrs.int('keepdims', 1) === 1;
    const axes = reduceAxes(c, inputs, axesInputFrom);
    if (axes && axes.length === 0) return [x];
    const dims = axes?.map((a) => axis(c, a, x.ndim));
    return [op(x, dims, keep)];
  };
}

// ---- normalization ----

const batchNormalization: ImportOp = (c, [x, scale, bias, mean, variance]) => {
  const eps = c.attrs.float('epsilon', 1e-5);
  return [
    F.batchNorm(tin(c, x, 0, 'float32'), tin(c, mean, 3, 'float32'), tin(c, variance, 4, 'float32'), {
      weight: tin(c, scale, 1, 'float32'),
      bias: tin(c, bias, 2, 'float32'),
      training: false,
      eps,
    }),
  ];
};

// ---- the table ----

export const IMPORT_OPS: Record<string, ImportOp> = {
  // If runs one of its branch graphs; the model's interpreter handles it (it needs the enclosing values).
  If: (c) => fail(c, 'If is run by the interpreter'),
  Identity: (_c, [x]) => [x!],
  Dropout: (c, inputs, nOutputs) => {
    if (nOutputs > 1) fail(c, 'the mask output of Dropout is not supported');
    const x = tin(c, inputs[0], 0, 'float32');
    const ratio = c.opset >= 12 ? (scalarOf(c, inputs[1], 'ratio') ?? 0.5) : c.attrs.float('ratio', 0.5);
    return [c.training ? F.dropout(x, ratio, { training: true }) : x];
  },
  Constant: (c) => {
    const t = c.attrs.tensor('value');
    if (t) return [t];
    if (c.attrs.has('value_float')) return [full([], c.attrs.float('value_float', 0))];
    if (c.attrs.has('value_floats')) {
      const fs = c.attrs.floats('value_floats') ?? [];
      return [tensor(fs, [fs.length])];
    }
    if (c.attrs.has('value_int')) return [new HostInts([c.attrs.int('value_int', 0)], [])];
    if (c.attrs.has('value_ints')) {
      const is = c.attrs.ints('value_ints', []);
      return [new HostInts(is, [is.length])];
    }
    fail(c, 'has no supported value attribute (value, value_float(s), value_int(s))');
  },
  ConstantOfShape: (c, [shape]) => {
    const dims = intsOf(c, shape, 'shape');
    const v = c.attrs.tensor('value');
    const n = dims.reduce((a, b) => a * b, 1);
    if (!dims.every((d) => Number.isInteger(d) && d >= 0) || n > 2 ** 28) fail(c, `invalid shape ${JSON.stringify(dims)}`);
    if (v instanceof HostInts) return [new HostInts(new Array(n).fill(v.data[0] ?? 0), dims)];
    return [full(dims, v ? v.data()[0] : 0)];
  },
  Shape: (c, [x]) => {
    if (x === undefined) fail(c, 'input 0 is required');
    const rank = x.shape.length;
    const clampIdx = (i: number) => Math.min(Math.max(i < 0 ? i + rank : i, 0), rank);
    const s = clampIdx(c.attrs.int('start', 0));
    const e = c.attrs.has('end') ? clampIdx(c.attrs.int('end', rank)) : rank;
    const dims = x.shape.slice(s, Math.max(e, s));
    return [new HostInts([...dims], [dims.length])];
  },
  Cast: (c, [x]) => {
    const to = c.attrs.int('to', 0);
    const v = x ?? fail(c, 'input 0 is required');
    if (to === DType.FLOAT || to === DType.DOUBLE || to === DType.FLOAT16 || to === DType.BFLOAT16)
      return [isHost(v) ? tin(c, v, 0, 'float32') : F.cast(v, 'float32')];
    if (to === DType.BOOL)
      return [
        isHost(v)
          ? new HostInts(
              v.data.map((d) => (d ? 1 : 0)),
              v.shape,
            )
          : F.ne(v, 0),
      ];
    if ([DType.INT64, DType.INT32, DType.INT8, DType.UINT8, 4, 5, 12, 13].includes(to)) return [isHost(v) ? v : F.cast(v, 'int32')];
    fail(c, `cast to element type ${to} is not supported`);
  },

  Add: binary(F.add, (a, b) => a + b),
  Sub: binary(F.sub, (a, b) => a - b),
  Mul: binary(F.mul, (a, b) => a * b),
  Div: binary(F.div, (a, b) => Math.trunc(a / b)),
  Pow: binary(F.pow),
  Max: variadic(F.maximum),
  Min: variadic(F.minimum),
  Sum: variadic(F.add),
  Equal: binary(F.eq, (a, b) => Number(a === b)),
  Less: binary(F.lt),
  LessOrEqual: binary(F.le),
  Greater: binary(F.gt),
  GreaterOrEqual: binary(F.ge),
  Not: (c, [x]) => [F.sub(1, tin(c, x, 0, 'float32'))],
  Where: (c, [cond, a, b]) => [F.where(tin(c, cond, 0, 'float32'), tin(c, a, 1, 'float32'), tin(c, b, 2, 'float32'))],

  Relu: unary(F.relu),
  Sigmoid: unary(F.sigmoid),
  Tanh: unary(F.tanh),
  Exp: unary(F.exp),
  Log: unary(F.log),
  Sqrt: unary(F.sqrt),
  Neg: unary(F.neg),
  Abs: unary(F.abs),
  Sign: unary(F.sign),
  Sin: unary(F.sin),
  Cos: unary(F.cos),
  Reciprocal: unary((x) => F.div(1, x)),
  Erf: unary(erf),
  Softplus: unary((x) => F.softplus(x)),
  HardSwish: unary(F.hardswish),
  Selu: (c, [x]) => {
    const alpha = c.attrs.float('alpha', 1.67326319217681884765625);
    const gamma = c.attrs.float('gamma', 1.05070102214813232421875);
    const t = tin(c, x, 0, 'float32');
    const isDefault = Math.abs(alpha - 1.6732632423543772) < 1e-6 && Math.abs(gamma - 1.0507009873554805) < 1e-6;
    return [isDefault ? F.selu(t) : F.mul(F.elu(t, alpha), gamma)];
  },
  LeakyRelu: (c, [x]) => [F.leakyRelu(tin(c, x, 0, 'float32'), c.attrs.float('alpha', 0.01))],
  Elu: (c, [x]) => [F.elu(tin(c, x, 0, 'float32'), c.attrs.float('alpha', 1))],
  HardSigmoid: (c, [x]) => {
    const alpha = c.attrs.float('alpha', 0.2);
    const beta = c.attrs.float('beta', 0.5);
    const t = tin(c, x, 0, 'float32');
    if (Math.abs(alpha - 1 / 6) < 1e-7 && beta === 0.5) return [F.hardsigmoid(t)];
    return [F.clamp(F.add(F.mul(t, alpha), beta), 0, 1)];
  },
  Clip: (c, inputs) => {
    const x = tin(c, inputs[0], 0, 'float32');
    const lo = c.opset >= 11 ? scalarOf(c, inputs[1], 'min') : c.attrs.float('min', -Infinity);
    const hi = c.opset >= 11 ? scalarOf(c, inputs[2], 'max') : c.attrs.float('max', Infinity);
    if (lo === 0 && hi === 6) return [F.relu6(x)];
    if ((lo === undefined || lo === -Infinity) && (hi === undefined || hi === Infinity)) return [x];
    return [F.clamp(x, lo === -Infinity ? null : lo, hi === Infinity ? null : hi)];
  },
  Softmax: (c, [x]) => [softmaxLike(c, tin(c, x, 0, 'float32'), F.softmax)],
  LogSoftmax: (c, [x]) => [softmaxLike(c, tin(c, x, 0, 'float32'), F.logSoftmax)],

  MatMul: (c, [a, b]) => [F.matmul(tin(c, a, 0, 'float32'), tin(c, b, 1, 'float32'))],
  Gemm: (c, [av, bv, cv]) => {
    let a = tin(c, av, 0, 'float32');
    let b = tin(c, bv, 1, 'float32');
    if (a.ndim !== 2 || b.ndim !== 2) fail(c, `A and B must be 2-D, got ${shapeToString(a.shape)} and ${shapeToString(b.shape)}`);
    if (c.attrs.int('transA', 0)) a = F.transpose(a, 0, 1);
    if (c.attrs.int('transB', 0)) b = F.transpose(b, 0, 1);
    let y = F.matmul(a, b);
    const alpha = c.attrs.float('alpha', 1);
    if (alpha !== 1) y = F.mul(y, alpha);
    if (cv !== undefined) {
      const beta = c.attrs.float('beta', 1);
      const cc = tin(c, cv, 2, 'float32');
      y = F.add(y, beta === 1 ? cc : F.mul(cc, beta));
    }
    return [y];
  },
  Conv: conv,
  MaxPool: pool('max'),
  AveragePool: pool('avg'),
  GlobalAveragePool: (c, [x]) => {
    const t = tin(c, x, 0, 'float32');
    if (t.ndim < 3) fail(c, `expected an input [N, C, ...], got ${shapeToString(t.shape)}`);
    return [
      t.ndim === 4
        ? F.adaptiveAvgPool2d(t, 1)
        : F.mean(
            t,
            t.shape.slice(2).map((_, i) => i + 2),
            true,
          ),
    ];
  },
  GlobalMaxPool: (c, [x]) => {
    const t = tin(c, x, 0, 'float32');
    if (t.ndim < 3) fail(c, `expected an input [N, C, ...], got ${shapeToString(t.shape)}`);
    return [
      t.ndim === 4
        ? F.adaptiveMaxPool2d(t, 1)
        : F.amax(
            t,
            t.shape.slice(2).map((_, i) => i + 2),
            true,
          ),
    ];
  },
  BatchNormalization: batchNormalization,
  InstanceNormalization: (c, [x, scale, bias]) => [
    F.instanceNorm(tin(c, x, 0, 'float32'), {
      weight: tin(c, scale, 1, 'float32'),
      bias: tin(c, bias, 2, 'float32'),
      eps: c.attrs.float('epsilon', 1e-5),
      useInputStats: true,
    }),
  ],
  LayerNormalization: (c, [xv, scale, bias], nOutputs) => {
    if (nOutputs > 1) fail(c, 'the Mean and InvStdDev outputs are not supported');
    const x = tin(c, xv, 0, 'float32');
    const a = axis(c, c.attrs.int('axis', -1), x.ndim);
    return [
      F.layerNorm(x, x.shape.slice(a), {
        weight: tin(c, scale, 1, 'float32'),
        bias: bias === undefined ? null : tin(c, bias, 2, 'float32'),
        eps: c.attrs.float('epsilon', 1e-5),
      }),
    ];
  },
  LRN: (c, [x]) => {
    const size = c.attrs.int('size', 0);
    if (size < 1 || size % 2 === 0) fail(c, `size must be a positive odd number (even windows are centered differently in ONNX and PyTorch), got ${size}`);
    return [
      F.localResponseNorm(tin(c, x, 0, 'float32'), size, {
        alpha: c.attrs.float('alpha', 1e-4),
        beta: c.attrs.float('beta', 0.75),
        k: c.attrs.float('bias', 1),
      }),
    ];
  },

  Flatten: (c, [x]) => {
    const v = x ?? fail(c, 'input 0 is required');
    const a = axis(c, c.attrs.int('axis', 1), v.shape.length + 1);
    return [reshapeTo(c, v, [sizeOf(v.shape.slice(0, a)), sizeOf(v.shape.slice(a))], false)];
  },
  Reshape: (c, [x, shape]) => [
    reshapeTo(c, x ?? fail(c, 'input 0 is required'), c.opset >= 5 ? intsOf(c, shape, 'shape') : c.attrs.ints('shape', []), c.attrs.int('allowzero', 0) === 1),
  ],
  Squeeze: (c, [x, axes]) => [
    squeezeAxes(c, x ?? fail(c, 'input 0 is required'), c.opset >= 13 ? (axes === undefined ? undefined : intsOf(c, axes, 'axes')) : c.attrs.ints('axes')),
  ],
  Unsqueeze: (c, [x, axes]) => [unsqueezeAxes(c, x ?? fail(c, 'input 0 is required'), c.opset >= 13 ? intsOf(c, axes, 'axes') : c.attrs.ints('axes', []))],
  Transpose: (c, [x]) => {
    const t = tin(c, x, 0);
    const perm = c.attrs.ints('perm') ?? t.shape.map((_, i) => t.ndim - 1 - i);
    return [F.permute(t, perm)];
  },
  Expand: (c, [x, shape]) => {
    const t = tin(c, x, 0, 'float32');
    const target = broadcastShapes(t.shape, intsOf(c, shape, 'shape'), 'Expand');
    return [F.expand(t, target)];
  },
  Concat: (c, inputs) => {
    const present = inputs.filter((v): v is V => v !== undefined);
    if (present.length === 0) fail(c, 'needs at least one input');
    const a = axis(c, c.attrs.int('axis', 0), present[0].shape.length);
    if (present.every(isHost) && present[0].shape.length === 1) {
      const data = present.flatMap((h) => h.data);
      return [new HostInts(data, [data.length])];
    }
    const floatish = present.some((v) => !isHost(v) && v.dtype === 'float32');
    return [
      F.cat(
        present.map((v, i) => tin(c, v, i, floatish ? 'float32' : 'int32')),
        a,
      ),
    ];
  },
  Split: (c, inputs, nOutputs) => {
    const x = tin(c, inputs[0], 0, 'float32');
    const a = axis(c, c.attrs.int('axis', 0), x.ndim);
    let sizes = c.opset >= 13 ? (inputs[1] === undefined ? undefined : intsOf(c, inputs[1], 'split')) : c.attrs.ints('split');
    if (!sizes) {
      const n = c.attrs.has('num_outputs') ? c.attrs.int('num_outputs', nOutputs) : nOutputs;
      const each = Math.ceil(x.shape[a] / n);
      sizes = Array.from({ length: n }, (_, i) => Math.max(Math.min(each, x.shape[a] - i * each), 0));
    }
    if (sizes.reduce((p, q) => p + q, 0) !== x.shape[a]) fail(c, `split sizes ${JSON.stringify(sizes)} do not add up to ${x.shape[a]}`);
    return F.split(x, sizes, a);
  },
  Slice: (c, inputs) => {
    const x = inputs[0] ?? fail(c, 'input 0 is required');
    if (c.opset < 10) return [sliceOp(c, x, c.attrs.ints('starts', []), c.attrs.ints('ends', []), c.attrs.ints('axes'), undefined)];
    const opt = (i: number, what: string) => (inputs[i] === undefined ? undefined : intsOf(c, inputs[i], what));
    return [sliceOp(c, x, intsOf(c, inputs[1], 'starts'), intsOf(c, inputs[2], 'ends'), opt(3, 'axes'), opt(4, 'steps'))];
  },
  Gather: (c, [x, idx]) => [gatherOp(c, x ?? fail(c, 'input 0 is required'), idx ?? fail(c, 'input 1 is required'), c.attrs.int('axis', 0))],
  GatherElements: (c, [x, idx]) => {
    const t = tin(c, x, 0, 'float32');
    return [F.gather(t, axis(c, c.attrs.int('axis', 0), t.ndim), tin(c, idx, 1, 'int32'))];
  },
  Pad: (c, inputs) => {
    const x = tin(c, inputs[0], 0, 'float32');
    const mode = c.attrs.string('mode', 'constant');
    const pads = c.opset >= 11 ? intsOf(c, inputs[1], 'pads') : c.attrs.ints('pads', []);
    const value = (c.opset >= 11 ? scalarOf(c, inputs[2], 'constant_value') : c.attrs.float('value', 0)) ?? 0;
    const axes = c.opset >= 18 && inputs[3] !== undefined ? intsOf(c, inputs[3], 'axes').map((a) => axis(c, a, x.ndim)) : x.shape.map((_, i) => i);
    if (pads.length !== 2 * axes.length) fail(c, `pads must have ${2 * axes.length} values, got ${pads.length}`);
    if (pads.some((p) => p < 0)) fail(c, 'negative pads (cropping) are not supported');
    const torchPads: number[] = [];
    for (let d = x.ndim - 1; d >= 0; d--) {
      const i = axes.indexOf(d);
      torchPads.push(i < 0 ? 0 : pads[i], i < 0 ? 0 : pads[i + axes.length]);
    }
    // Padding never needs to make a tensor 16× larger (or beyond 1 M values): past that, a small file is asking for GBs.
    const outSize = x.shape.reduce((n, d, i) => {
      const j = axes.indexOf(i);
      return n * (j < 0 ? d : d + pads[j] + pads[j + axes.length]);
    }, 1);
    if (outSize > Math.max(2 ** 20, 16 * x.numel())) {
      fail(c, `pads ${describeValue(pads)} would grow ${shapeToString(x.shape)} to ${outSize} values (over 16× the input and 1 M values)`);
    }
    const torchMode = mode === 'edge' ? 'replicate' : mode === 'wrap' ? 'circular' : mode;
    if (!['constant', 'reflect', 'replicate', 'circular'].includes(torchMode)) fail(c, `unknown mode '${mode}'`);
    return [F.pad(x, torchPads, torchMode as Parameters<typeof F.pad>[2], value)];
  },
  ReduceMean: reduce((x, d, k) => F.mean(x, d, k), 18),
  ReduceSum: reduce((x, d, k) => F.sum(x, d, k), 13),
  ReduceMax: reduce((x, d, k) => F.amax(x, d, k), 18),
  ReduceMin: reduce((x, d, k) => F.amin(x, d, k), 18),
  ArgMax: (c, [x]) => [argReduce(c, tin(c, x, 0, 'float32'), 'max')],
  ArgMin: (c, [x]) => [argReduce(c, tin(c, x, 0, 'float32'), 'min')],
};

function argReduce(c: OpContext, x: Tensor, kind: 'max' | 'min'): Tensor {
  if (c.attrs.int('select_last_index', 0) !== 0) fail(c, 'select_last_index=1 is not supported');
  const a = axis(c, c.attrs.int('axis', 0), x.ndim);
  const keep = c.attrs.int('keepdims', 1) === 1;
  return (kind === 'max' ? F.max(x, a, keep) : F.min(x, a, keep)).indices;
}

/** Softmax before opset 13 flattens to 2-D at `axis` (default 1); from 13 it is along one axis (default −1). */
function softmaxLike(c: OpContext, x: Tensor, f: (t: Tensor, dim: number) => Tensor): Tensor {
  if (c.opset >= 13) return f(x, axis(c, c.attrs.int('axis', -1), x.ndim));
  const a = axis(c, c.attrs.int('axis', 1), x.ndim);
  const flat = F.reshape(x, [sizeOf(x.shape.slice(0, a)), sizeOf(x.shape.slice(a))]);
  return F.reshape(f(flat, 1), x.shape);
}
