/**
 * Shape ops: reshape/view, flatten, permute, transpose, squeeze/unsqueeze, expand, cat, stack, split, chunk,
 * narrow/slice, indexSelect, gather, pad. Reshape shares storage; every op that moves data calls a kernel.
 */
import { applyOp, type Rule } from '../autograd/apply.js';
import type { PadMode } from '../backend/kernels.js';
import { kernel } from '../backend/registry.js';
import { normalizeDim, shapeToString, shapesEqual, sizeOf } from '../backend/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { assertTensor } from './util.js';
import { sumTo } from './util.js';

// ---- reshape ----

const RESHAPE_RULE: Rule<{ shape: number[] }> = {
  name: 'reshape',
  forward: ([x], { shape }) => ({ out: new Tensor(x.storage, shape, x.dtype), saved: undefined }),
  vjp: (dy, { inputs: [x] }) => [reshape(dy, x.shape)],
};

/** Resolves one -1 and checks the element count. */
function inferShape(x: Tensor, shape: readonly number[], op: string): number[] {
  const out = [...shape];
  const neg = out.filter((d) => d === -1).length;
  if (neg > 1) throw new Error(`${op}: only one dimension can be -1, got ${shapeToString(shape)}`);
  for (const d of out) {
    if (!Number.isInteger(d) || d < -1) throw new Error(`${op}: invalid shape ${shapeToString(shape)} (sizes must be non-negative integers or a single -1)`);
  }
  const known = out.reduce((n, d) => (d === -1 ? n : n * d), 1);
  if (neg) {
    if (known === 0 || x.numel() % known !== 0) {
      throw new Error(`${op}: shape ${shapeToString(shape)} is invalid for input of size ${x.numel()} (shape ${shapeToString(x.shape)})`);
    }
    out[out.indexOf(-1)] = x.numel() / known;
  }
  if (sizeOf(out) !== x.numel()) {
    throw new Error(`${op}: shape ${shapeToString(shape)} is invalid for input of size ${x.numel()} (shape ${shapeToString(x.shape)})`);
  }
  return out;
}

/** Same data, new shape (one dim may be -1). Shares memory with the input, like torch.reshape on contiguous tensors. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  assertTensor(x, 'reshape', 'input');
  const s = inferShape(x, shape, 'reshape');
  if (shapesEqual(s, x.shape)) return x;
  return applyOp(RESHAPE_RULE, [x], { shape: s });
}
export const view = reshape;

/** Flattens dims startDim..endDim into one. Example: flatten(x, 1) turns [N,C,H,W] into [N,C·H·W]. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  assertTensor(x, 'flatten', 'input');
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeDim(startDim, x.ndim, 'flatten');
  const e = normalizeDim(endDim, x.ndim, 'flatten');
  if (s > e) throw new Error(`flatten: startDim ${startDim} comes after endDim ${endDim} for a tensor of rank ${x.ndim}`);
  return reshape(x, [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
}

/** Removes size-1 dims (all, or those listed). */
export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor {
  assertTensor(x, 'squeeze', 'input');
  const dims = dim === undefined ? x.shape.map((_, i) => i) : (typeof dim === 'number' ? [dim] : dim).map((d) => normalizeDim(d, x.ndim, 'squeeze'));
  return reshape(
    x,
    x.shape.filter((d, i) => !(d === 1 && dims.includes(i))),
  );
}

/** Inserts a size-1 dim at `dim` (in [-rank-1, rank]). */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  assertTensor(x, 'unsqueeze', 'input');
  const d = normalizeDim(dim, x.ndim + 1, 'unsqueeze');
  return reshape(x, [...x.shape.slice(0, d), 1, ...x.shape.slice(d)]);
}

// ---- permute / transpose ----

const PERMUTE_RULE: Rule<{ perm: number[] }> = {
  name: 'permute',
  forward: ([x], { perm }) => ({ out: Tensor.fromInfo(kernel('transpose')(x.info(), perm)), saved: undefined }),
  vjp: (dy, { attrs: { perm } }) => {
    const inv = new Array<number>(perm.length);
    perm.forEach((p, i) => (inv[p] = i));
    return [permute(dy, inv)];
  },
};

/** Reorders dims. Example: permute(x, [0, 2, 3, 1]) for NCHW → NHWC. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  assertTensor(x, 'permute', 'input');
  if (dims.length !== x.ndim)
    throw new Error(`permute: got ${dims.length} dims ${JSON.stringify(dims)} for a tensor of rank ${x.ndim} (shape ${shapeToString(x.shape)})`);
  const perm = dims.map((d) => normalizeDim(d, x.ndim, 'permute'));
  if (new Set(perm).size !== perm.length) throw new Error(`permute: dims ${JSON.stringify(dims)} repeat a dim`);
  if (perm.every((p, i) => p === i)) return x;
  return applyOp(PERMUTE_RULE, [x], { perm });
}

/** Swaps two dims. */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  assertTensor(x, 'transpose', 'input');
  const a = normalizeDim(dim0, x.ndim, 'transpose');
  const b = normalizeDim(dim1, x.ndim, 'transpose');
  const perm = x.shape.map((_, i) => i);
  [perm[a], perm[b]] = [perm[b], perm[a]];
  return permute(x, perm);
}

// ---- expand ----

const EXPAND_RULE: Rule<{ shape: number[] }> = {
  name: 'expand',
  forward: ([x], { shape }) => ({ out: Tensor.fromInfo(kernel('broadcastTo')(x.info(), shape)), saved: undefined }),
  vjp: (dy, { inputs: [x] }) => [sumTo(dy, x.shape)],
};

/** Broadcasts to `shape` (-1 keeps a dim). Size-1 dims repeat; new leading dims may be added. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  assertTensor(x, 'expand', 'input');
  if (shape.length < x.ndim) throw new Error(`expand: target shape ${shapeToString(shape)} has fewer dims than the input ${shapeToString(x.shape)}`);
  const lead = shape.length - x.ndim;
  const target = shape.map((d, i) => {
    const src = i >= lead ? x.shape[i - lead] : 1;
    const want = d === -1 && i >= lead ? src : d;
    if (!Number.isInteger(want) || want < 0 || (src !== 1 && src !== want)) {
      throw new Error(`expand: the input of shape ${shapeToString(x.shape)} cannot be expanded to ${shapeToString(shape)} (dim ${i}: ${src} → ${d})`);
    }
    return want;
  });
  if (shapesEqual(target, x.shape)) return x;
  return applyOp(EXPAND_RULE, [x], { shape: target });
}

// ---- cat / stack / split / chunk ----

const CAT_RULE: Rule<{ dim: number }> = {
  name: 'cat',
  forward: (xs, { dim }) => ({
    out: Tensor.fromInfo(
      kernel('concat')(
        xs.map((t) => t.info()),
        dim,
      ),
    ),
    saved: undefined,
  }),
  vjp: (dy, { inputs, attrs: { dim } }) => {
    let start = 0;
    return inputs.map((t) => {
      const g = t.requiresGrad ? narrow(dy, dim, start, t.shape[dim]) : null;
      start += t.shape[dim];
      return g;
    });
  },
};

/** Concatenates along `dim`; all other dims must match. */
export function cat(xs: readonly Tensor[], dim = 0): Tensor {
  if (!Array.isArray(xs) || xs.length === 0) throw new Error('cat: expected a non-empty list of tensors');
  xs.forEach((t, i) => assertTensor(t, 'cat', `tensors[${i}]`));
  const ref = xs[0];
  const d = normalizeDim(dim, ref.ndim, 'cat');
  for (const t of xs) {
    if (t.ndim !== ref.ndim || t.shape.some((s: number, i: number) => i !== d && s !== ref.shape[i])) {
      throw new Error(`cat: shapes must match except in dim ${d}, got ${xs.map((x) => shapeToString(x.shape)).join(', ')}`);
    }
  }
  if (xs.length === 1) return xs[0];
  return applyOp(CAT_RULE, xs, { dim: d });
}

/** Stacks equal-shape tensors along a new dim. */
export function stack(xs: readonly Tensor[], dim = 0): Tensor {
  if (!Array.isArray(xs) || xs.length === 0) throw new Error('stack: expected a non-empty list of tensors');
  const ref = xs[0];
  for (const t of xs) {
    assertTensor(t, 'stack', 'tensor');
    if (!shapesEqual(t.shape, ref.shape))
      throw new Error(`stack: all tensors must have the same shape, got ${xs.map((x) => shapeToString(x.shape)).join(', ')}`);
  }
  const d = normalizeDim(dim, ref.ndim + 1, 'stack');
  return cat(
    xs.map((t) => unsqueeze(t, d)),
    d,
  );
}

/** Splits into pieces of `size` (the last may be smaller) or of the listed sizes, along `dim`. */
export function split(x: Tensor, sizeOrSections: number | readonly number[], dim = 0): Tensor[] {
  assertTensor(x, 'split', 'input');
  const d = normalizeDim(dim, x.ndim, 'split');
  const n = x.shape[d];
  let sizes: number[];
  if (typeof sizeOrSections === 'number') {
    if (!Number.isInteger(sizeOrSections) || sizeOrSections <= 0) throw new Error(`split: split size must be a positive integer, got ${sizeOrSections}`);
    sizes = [];
    for (let s = 0; s < n; s += sizeOrSections) sizes.push(Math.min(sizeOrSections, n - s));
    if (n === 0) sizes = [0];
  } else {
    sizes = [...sizeOrSections];
    const total = sizes.reduce((a, b) => a + b, 0);
    if (sizes.some((s) => !Number.isInteger(s) || s < 0) || total !== n) {
      throw new Error(`split: sections ${JSON.stringify(sizes)} must be non-negative integers summing to ${n} (dim ${d} of shape ${shapeToString(x.shape)})`);
    }
  }
  let start = 0;
  return sizes.map((s) => {
    const t = narrow(x, d, start, s);
    start += s;
    return t;
  });
}

/** Splits into `chunks` pieces of ceil(n/chunks) along `dim` (fewer when it divides unevenly, as torch.chunk). */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks <= 0) throw new Error(`chunk: chunks must be a positive integer, got ${chunks}`);
  const d = normalizeDim(dim, x.ndim, 'chunk');
  return split(x, Math.max(1, Math.ceil(x.shape[d] / chunks)), d);
}

// ---- slicing ----

const SLICE_RULE: Rule<{ starts: number[]; steps: number[]; shape: number[] }> = {
  name: 'slice',
  forward: ([x], { starts, steps, shape }) => ({ out: Tensor.fromInfo(kernel('slice')(x.info(), starts, steps, shape)), saved: undefined }),
  vjp: (dy, { inputs: [x], attrs: { starts, steps } }) => [Tensor.fromInfo(kernel('sliceBackward')(dy.info(), x.shape, starts, steps))],
};

/**
 * x[start:end:step] along `dim`, Python-style (negative indices count from the end; bounds are clamped).
 * Example: slice(x, 1, 0, 3) takes the first three channels.
 */
export function slice(x: Tensor, dim: number, start = 0, end?: number, step = 1): Tensor {
  assertTensor(x, 'slice', 'input');
  const d = normalizeDim(dim, x.ndim, 'slice');
  if (!Number.isInteger(step) || step <= 0) throw new Error(`slice: step must be a positive integer, got ${step}`);
  const n = x.shape[d];
  const clampIdx = (i: number) => Math.min(Math.max(i < 0 ? i + n : i, 0), n);
  const s = clampIdx(start);
  const e = Math.max(clampIdx(end ?? n), s);
  const len = Math.ceil((e - s) / step);
  if (s === 0 && len === n && step === 1) return x;
  const starts = x.shape.map(() => 0);
  const steps = x.shape.map(() => 1);
  starts[d] = s;
  steps[d] = step;
  const shape = [...x.shape];
  shape[d] = len;
  return applyOp(SLICE_RULE, [x], { starts, steps, shape });
}

/** `length` elements of `dim` from `start` (torch.narrow; out of range is an error, not clamped). */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  assertTensor(x, 'narrow', 'input');
  const d = normalizeDim(dim, x.ndim, 'narrow');
  const n = x.shape[d];
  const s = start < 0 ? start + n : start;
  if (!Number.isInteger(s) || !Number.isInteger(length) || s < 0 || length < 0 || s + length > n) {
    throw new Error(`narrow: start ${start} and length ${length} are out of range for dim ${d} of size ${n} (shape ${shapeToString(x.shape)})`);
  }
  return slice(x, d, s, s + length);
}

// ---- gather / indexSelect ----

function checkIndexRange(index: Tensor, bound: number, op: string, what: string): void {
  if (index.dtype !== 'int32') throw new Error(`${op}: index must be an int32 tensor, got ${index.dtype}`);
  const data = index.storage.peek();
  if (!data) return; // on the GPU: the kernel checks, and the next read reports it
  for (let i = 0; i < data.length; i++) {
    if (data[i] < 0 || data[i] >= bound) throw new Error(`${op}: index ${data[i]} is out of range for ${what} of size ${bound}`);
  }
}

const GATHER_RULE: Rule<{ dim: number }> = {
  name: 'gather',
  forward: ([x, index], { dim }) => ({ out: Tensor.fromInfo(kernel('gather')(x.info(), dim, index.info())), saved: undefined }),
  vjp: (dy, { inputs: [x, index], attrs: { dim } }) => [Tensor.fromInfo(kernel('scatterAdd')(x.shape, dim, index.info(), dy.info())), null],
};

/** out[i][j] = x[i][index[i][j]] for dim 1 (torch.gather): picks the logit of each label, for instance. */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  assertTensor(x, 'gather', 'input');
  assertTensor(index, 'gather', 'index');
  const d = normalizeDim(dim, x.ndim, 'gather');
  if (index.ndim !== x.ndim) throw new Error(`gather: index ${shapeToString(index.shape)} must have the same rank as the input ${shapeToString(x.shape)}`);
  index.shape.forEach((s, i) => {
    if (i !== d && s > x.shape[i])
      throw new Error(`gather: index ${shapeToString(index.shape)} is larger than the input ${shapeToString(x.shape)} in dim ${i}`);
  });
  checkIndexRange(index, x.shape[d], 'gather', `dim ${d}`);
  return applyOp(GATHER_RULE, [x, index], { dim: d });
}

/** Selects entries along `dim` by a 1-D int32 index (torch.index_select). */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  assertTensor(x, 'indexSelect', 'input');
  assertTensor(index, 'indexSelect', 'index');
  if (index.ndim > 1) throw new Error(`indexSelect: index must be 0-D or 1-D, got shape ${shapeToString(index.shape)}`);
  const d = normalizeDim(dim, x.ndim, 'indexSelect');
  checkIndexRange(index, x.shape[d], 'indexSelect', `dim ${d}`);
  const k = index.numel();
  const viewShape = x.shape.map((_, i) => (i === d ? k : 1));
  const outShape = x.shape.map((s, i) => (i === d ? k : s));
  const full = Tensor.fromInfo(kernel('broadcastTo')(reshape(index, viewShape).info(), outShape));
  return applyOp(GATHER_RULE, [x, full], { dim: d });
}

// ---- pad ----

type PadPairs = (readonly [number, number])[];
const PAD_RULE: Rule<{ pads: PadPairs; mode: PadMode; value: number }> = {
  name: 'pad',
  forward: ([x], { pads, mode, value }) => ({ out: Tensor.fromInfo(kernel('pad')(x.info(), pads, mode, value)), saved: undefined }),
  vjp: (dy, { inputs: [x], attrs: { pads, mode } }) => [Tensor.fromInfo(kernel('padBackward')(dy.info(), x.shape, pads, mode))],
};

/**
 * Pads the last dims, torch.nn.functional.pad style: `pad` lists (left, right) for the last dim, then the one before, ...
 * Modes: 'constant' (with value), 'reflect', 'replicate', 'circular'. Example: pad(x, [1, 1, 2, 2], 'reflect')
 */
export function pad(x: Tensor, padding: readonly number[], mode: PadMode = 'constant', value = 0): Tensor {
  assertTensor(x, 'pad', 'input');
  if (padding.length % 2 !== 0 || padding.length / 2 > x.ndim) {
    throw new Error(`pad: padding ${JSON.stringify(padding)} must have an even length of at most 2 × rank (${2 * x.ndim})`);
  }
  if (!['constant', 'reflect', 'replicate', 'circular'].includes(mode))
    throw new Error(`pad: unknown mode '${mode}' (expected constant, reflect, replicate or circular)`);
  const pads: PadPairs = x.shape.map(() => [0, 0] as const);
  for (let i = 0; i < padding.length / 2; i++) {
    const d = x.ndim - 1 - i;
    const [before, after] = [padding[2 * i], padding[2 * i + 1]];
    if (!Number.isInteger(before) || !Number.isInteger(after)) throw new Error(`pad: padding must be integers, got ${JSON.stringify(padding)}`);
    if (before < 0 || after < 0) throw new Error(`pad: negative padding is not supported, got ${JSON.stringify(padding)}`);
    const n = x.shape[d];
    if (mode === 'reflect' && (before >= n || after >= n)) {
      throw new Error(`pad: reflect padding (${before}, ${after}) must be smaller than the dim size ${n} (dim ${d} of shape ${shapeToString(x.shape)})`);
    }
    if ((mode === 'replicate' || mode === 'circular') && n === 0) throw new Error(`pad: ${mode} padding of an empty dim ${d}`);
    if (mode === 'circular' && (before > n || after > n)) {
      throw new Error(`pad: circular padding (${before}, ${after}) must be at most the dim size ${n} (dim ${d} of shape ${shapeToString(x.shape)})`);
    }
    pads[d] = [before, after];
  }
  if (pads.every(([a, b]) => a === 0 && b === 0)) return x;
  return applyOp(PAD_RULE, [x], { pads, mode, value });
}

export const PRIMITIVE_RULES_SHAPE = {
  reshape: RESHAPE_RULE,
  permute: PERMUTE_RULE,
  expand: EXPAND_RULE,
  cat: CAT_RULE,
  slice: SLICE_RULE,
  gather: GATHER_RULE,
  pad: PAD_RULE,
};
