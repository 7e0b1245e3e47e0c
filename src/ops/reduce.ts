/** Reductions over one or more dims with keepdim: sum, mean, var, std, amax/amin, max/min with indices, argmax, logsumexp. */
import { applyOp, applyOpWithSaved, type Rule } from '../autograd/apply.js';
import { kernel } from '../backend/registry.js';
import { normalizeDim, normalizeDims, reducedShape, shapeToString } from '../backend/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { add, cast, div, eq, exp, log, mul, sqrt, sub, where } from './elementwise.js';
import { assertTensor } from './util.js';
import { expand, reshape } from './shape.js';

type Dims = number | readonly number[];

const SUM_RULE: Rule<{ dims: number[]; keepdim: boolean }> = {
  name: 'sum',
  forward: ([x], { dims, keepdim }) => {
    const r = Tensor.fromInfo(kernel('sum')(x.info(), dims));
    return { out: new Tensor(r.storage, reducedShape(x.shape, dims, keepdim), r.dtype), saved: undefined };
  },
  vjp: (dy, { inputs: [x], attrs: { dims } }) => [expand(reshape(dy, reducedShape(x.shape, dims, true)), x.shape)],
};

/**
 * Sum over `dim` (all dims when omitted). Example: sum(x), sum(x, [2, 3], true)
 */
export function sum(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  assertTensor(x, 'sum', 'input');
  const dims = normalizeDims(dim, x.ndim, 'sum');
  return applyOp(SUM_RULE, [x], { dims, keepdim });
}

function countOf(x: Tensor, dims: readonly number[]): number {
  return dims.reduce((n, d) => n * x.shape[d], 1);
}

/** Mean over `dim` (all dims when omitted). */
export function mean(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  assertTensor(x, 'mean', 'input');
  const dims = normalizeDims(dim, x.ndim, 'mean');
  return div(sum(cast(x, 'float32'), dims, keepdim), countOf(x, dims));
}

export interface VarOptions {
  /** Bessel's correction (divide by n − 1), true by default as in torch.var. */
  unbiased?: boolean;
  keepdim?: boolean;
}

/** Variance over `dim`; unbiased (n − 1) by default. Computed as mean of squared deviations for stability. */
export function variance(x: Tensor, dim?: Dims, opts: VarOptions = {}): Tensor {
  assertTensor(x, 'var', 'input');
  const dims = normalizeDims(dim, x.ndim, 'var');
  const n = countOf(x, dims);
  const dof = opts.unbiased === false ? n : n - 1;
  const centered = sub(x, mean(x, dims, true));
  return div(sum(mul(centered, centered), dims, opts.keepdim ?? false), Math.max(dof, 0));
}

/** Standard deviation: sqrt(var). */
export function std(x: Tensor, dim?: Dims, opts: VarOptions = {}): Tensor {
  return sqrt(variance(x, dim, opts));
}

function extremumRule(mode: 'max' | 'min'): Rule<{ dim: number; keepdim: boolean }, Tensor> {
  return {
    name: mode,
    forward: ([x], { dim, keepdim }) => {
      const r = kernel('argReduce')(x.info(), dim, mode);
      const shape = reducedShape(x.shape, [dim], keepdim);
      const values = Tensor.fromInfo(r.values);
      const indices = Tensor.fromInfo(r.indices);
      return { out: new Tensor(values.storage, shape, values.dtype), saved: new Tensor(indices.storage, shape, 'int32') };
    },
    // The whole gradient goes to the returned index.
    vjp: (dy, { inputs: [x], attrs: { dim }, saved: indices }) => {
      const kept = reducedShape(x.shape, [dim], true);
      return [Tensor.fromInfo(kernel('scatterAdd')(x.shape, dim, reshape(indices, kept).info(), reshape(dy, kept).info()))];
    },
  };
}
const MAX_RULE = extremumRule('max');
const MIN_RULE = extremumRule('min');

function extremum(x: Tensor, dim: number, keepdim: boolean, mode: 'max' | 'min'): { values: Tensor; indices: Tensor } {
  assertTensor(x, mode, 'input');
  if (x.numel() === 0) throw new Error(`${mode}: cannot reduce an empty tensor (shape ${shapeToString(x.shape)})`);
  const d = normalizeDim(dim, x.ndim, mode);
  if (x.ndim === 0) return { values: x, indices: cast(mul(x, 0), 'int32') };
  const { out, saved } = applyOpWithSaved(mode === 'max' ? MAX_RULE : MIN_RULE, [x], { dim: d, keepdim });
  return { values: out, indices: saved };
}

/** Max along `dim` with the index of the first maximum (torch.max(x, dim)). */
export const max = (x: Tensor, dim: number, keepdim = false) => extremum(x, dim, keepdim, 'max');
/** Min along `dim` with the index of the first minimum. */
export const min = (x: Tensor, dim: number, keepdim = false) => extremum(x, dim, keepdim, 'min');

function aReduceRule(mode: 'max' | 'min'): Rule<{ dims: number[]; keepdim: boolean }> {
  return {
    name: mode === 'max' ? 'amax' : 'amin',
    forward: ([x], { dims, keepdim }) => {
      let cur = x.info();
      for (const d of dims) cur = kernel('argReduce')(cur, d, mode).values;
      const t = Tensor.fromInfo(cur);
      return { out: new Tensor(t.storage, reducedShape(x.shape, dims, keepdim), t.dtype), saved: undefined };
    },
    vjp: (dy, { inputs: [x], out, attrs: { dims } }) => {
      // The gradient is shared evenly among tied extrema, as torch.amax does.
      const kept = reducedShape(x.shape, dims, true);
      const mask = eq(x, reshape(out, kept));
      return [mul(mask, div(reshape(dy, kept), sum(mask, dims, true)))];
    },
  };
}
const AMAX_RULE = aReduceRule('max');
const AMIN_RULE = aReduceRule('min');

function aReduce(x: Tensor, dim: Dims | undefined, keepdim: boolean, mode: 'max' | 'min'): Tensor {
  const op = mode === 'max' ? 'amax' : 'amin';
  assertTensor(x, op, 'input');
  if (x.numel() === 0) throw new Error(`${op}: cannot reduce an empty tensor (shape ${shapeToString(x.shape)})`);
  const dims = normalizeDims(dim, x.ndim, op);
  return applyOp(mode === 'max' ? AMAX_RULE : AMIN_RULE, [x], { dims, keepdim });
}

/** Max over one or more dims (all when omitted); ties share the gradient. */
export const amax = (x: Tensor, dim?: Dims, keepdim = false) => aReduce(x, dim, keepdim, 'max');
export const amin = (x: Tensor, dim?: Dims, keepdim = false) => aReduce(x, dim, keepdim, 'min');

function argExtremum(x: Tensor, dim: number | undefined, keepdim: boolean, mode: 'max' | 'min'): Tensor {
  if (dim === undefined) {
    const flat = reshape(x, [-1]);
    return extremum(flat, 0, false, mode).indices;
  }
  return extremum(x, dim, keepdim, mode).indices;
}

/** Index of the first maximum along `dim` (of the flattened tensor when omitted), int32. */
export const argmax = (x: Tensor, dim?: number, keepdim = false) => argExtremum(x, dim, keepdim, 'max');
export const argmin = (x: Tensor, dim?: number, keepdim = false) => argExtremum(x, dim, keepdim, 'min');

/** log Σ exp(x) over `dim`, stabilised by the max (infinite maxima handled as PyTorch does). */
export function logsumexp(x: Tensor, dim: Dims, keepdim = false): Tensor {
  assertTensor(x, 'logsumexp', 'input');
  const dims = normalizeDims(dim, x.ndim, 'logsumexp');
  const m = amax(x.detach(), dims, true);
  const safeM = where(eq(m.abs(), Infinity), 0, m);
  const s = log(sum(exp(sub(x, safeM)), dims, true));
  const out = add(s, safeM);
  return keepdim ? out : reshape(out, reducedShape(x.shape, dims, false));
}

export const PRIMITIVE_RULES_REDUCE = { sum: SUM_RULE, max: MAX_RULE, min: MIN_RULE, amax: AMAX_RULE, amin: AMIN_RULE };
