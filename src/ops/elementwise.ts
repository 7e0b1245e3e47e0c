/** Elementwise ops with NumPy broadcasting, pointwise functions, where, clamp and casts. */
import { applyOp, type Rule } from '../autograd/apply.js';
import type { DType } from '../backend/backend.js';
import { UNARY_OPS, type BinaryOp, type UnaryOp, type UnaryParams } from '../backend/kernels.js';
import { kernel } from '../backend/registry.js';
import { broadcastShapes } from '../backend/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { zerosLike } from '../tensor/creation.js';
import { asTensor, assertTensor, sumTo } from './util.js';

type Grads = readonly (Tensor | null)[];

function binaryRule(op: BinaryOp, vjp: Rule['vjp']): Rule {
  return {
    name: op,
    forward: ([a, b]) => {
      const outShape = broadcastShapes(a.shape, b.shape, op);
      return { out: Tensor.fromInfo(kernel(op)(a.info(), b.info(), outShape)), saved: undefined };
    },
    vjp,
  };
}

const reduce2 = (a: Tensor, b: Tensor, ga: Tensor | null, gb: Tensor | null): Grads => [ga && sumTo(ga, a.shape), gb && sumTo(gb, b.shape)];

export const BINARY_RULES = {
  add: binaryRule('add', (dy, { inputs: [a, b] }) => reduce2(a, b, dy, dy)),
  sub: binaryRule('sub', (dy, { inputs: [a, b] }) => reduce2(a, b, dy, neg(dy))),
  mul: binaryRule('mul', (dy, { inputs: [a, b] }) => reduce2(a, b, a.requiresGrad ? mul(dy, b) : null, b.requiresGrad ? mul(dy, a) : null)),
  div: binaryRule('div', (dy, { inputs: [a, b], out }) => reduce2(a, b, a.requiresGrad ? div(dy, b) : null, b.requiresGrad ? neg(div(mul(dy, out), b)) : null)),
  pow: binaryRule('pow', (dy, { inputs: [a, b], out }) => {
    // d/da = b·a^(b−1); d/db = a^b·log(a), taken as 0 where a = 0 (PyTorch's convention).
    const ga = a.requiresGrad ? mul(dy, mul(b, pow(a, sub(b, 1)))) : null;
    const gb = b.requiresGrad ? mul(dy, where(eq(a, 0), 0, mul(out, log(a)))) : null;
    return reduce2(a, b, ga, gb);
  }),
  maximum: binaryRule('maximum', (dy, { inputs: [a, b] }) => {
    // Ties split the gradient in half, as torch.maximum does.
    const half = mul(eq(a, b), 0.5);
    const wa = add(gt(a, b), half);
    const wb = add(lt(a, b), half);
    return reduce2(a, b, mul(dy, wa), mul(dy, wb));
  }),
  minimum: binaryRule('minimum', (dy, { inputs: [a, b] }) => {
    const half = mul(eq(a, b), 0.5);
    return reduce2(a, b, mul(dy, add(lt(a, b), half)), mul(dy, add(gt(a, b), half)));
  }),
  eq: binaryRule('eq', 'nondifferentiable'),
  ne: binaryRule('ne', 'nondifferentiable'),
  lt: binaryRule('lt', 'nondifferentiable'),
  le: binaryRule('le', 'nondifferentiable'),
  gt: binaryRule('gt', 'nondifferentiable'),
  ge: binaryRule('ge', 'nondifferentiable'),
} satisfies { [K in BinaryOp]: Rule };

function binary(op: BinaryOp, a: Tensor | number, b: Tensor | number): Tensor {
  const ta = asTensor(a, b instanceof Tensor ? b : undefined);
  const tb = asTensor(b, ta);
  return applyOp(BINARY_RULES[op], [ta, tb], {});
}

/** a + b with broadcasting. Example: add(x, 1), add(x, bias.reshape(1, -1, 1, 1)) */
export const add = (a: Tensor | number, b: Tensor | number): Tensor => binary('add', a, b);
export const sub = (a: Tensor | number, b: Tensor | number): Tensor => binary('sub', a, b);
export const mul = (a: Tensor | number, b: Tensor | number): Tensor => binary('mul', a, b);
/** True division (int32 inputs give float32). */
export const div = (a: Tensor | number, b: Tensor | number): Tensor => binary('div', a, b);
export const maximum = (a: Tensor | number, b: Tensor | number): Tensor => binary('maximum', a, b);
export const minimum = (a: Tensor | number, b: Tensor | number): Tensor => binary('minimum', a, b);
/** Comparisons return float32 masks of 0 and 1 (usable directly in arithmetic and `where`). */
export const eq = (a: Tensor | number, b: Tensor | number): Tensor => binary('eq', a, b);
export const ne = (a: Tensor | number, b: Tensor | number): Tensor => binary('ne', a, b);
export const lt = (a: Tensor | number, b: Tensor | number): Tensor => binary('lt', a, b);
export const le = (a: Tensor | number, b: Tensor | number): Tensor => binary('le', a, b);
export const gt = (a: Tensor | number, b: Tensor | number): Tensor => binary('gt', a, b);
export const ge = (a: Tensor | number, b: Tensor | number): Tensor => binary('ge', a, b);

/** a ** b. A number exponent uses the pointwise kernel (cheaper gradient). */
export function pow(a: Tensor | number, b: Tensor | number): Tensor {
  if (a instanceof Tensor && typeof b === 'number') return unary('powScalar', a, { exponent: b });
  return binary('pow', a, b);
}

// ---- pointwise functions: value and derivative kernels come in pairs ----

function unaryRule(op: UnaryOp): Rule<UnaryParams> {
  return {
    name: op,
    forward: ([x], p) => ({ out: Tensor.fromInfo(kernel(op)(x.info(), p)), saved: undefined }),
    vjp: (dy, { inputs: [x], out, attrs }) => [Tensor.fromInfo(kernel(`${op}Backward`)(x.info(), out.info(), dy.info(), attrs))],
  };
}

export const UNARY_RULES = Object.fromEntries(UNARY_OPS.map((op) => [op, unaryRule(op)])) as { [K in UnaryOp]: Rule<UnaryParams> };

/** @internal Applies a pointwise function; float32 only. */
export function unary(op: UnaryOp, x: Tensor, params: UnaryParams = {}): Tensor {
  assertTensor(x, op, 'input');
  const input = x.dtype === 'float32' ? x : cast(x, 'float32');
  return applyOp(UNARY_RULES[op], [input], params);
}

export const neg = (x: Tensor): Tensor => (x.dtype === 'int32' ? mul(x, -1) : unary('neg', x));
export const exp = (x: Tensor): Tensor => unary('exp', x);
export const log = (x: Tensor): Tensor => unary('log', x);
export const sqrt = (x: Tensor): Tensor => unary('sqrt', x);
export const rsqrt = (x: Tensor): Tensor => unary('rsqrt', x);
export const abs = (x: Tensor): Tensor => unary('abs', x);
export const sign = (x: Tensor): Tensor => unary('sign', x);
export const sin = (x: Tensor): Tensor => unary('sin', x);
export const cos = (x: Tensor): Tensor => unary('cos', x);
export const square = (x: Tensor): Tensor => mul(x, x);

/**
 * Clamps into [min, max]; either bound may be omitted (null/undefined).
 * Gradient 1 on the closed interval, 0 outside, as PyTorch.
 */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  if ((min === undefined || min === null) && (max === undefined || max === null)) throw new Error('clamp: at least one of min or max must be given');
  const lo = min ?? -Infinity;
  const hi = max ?? Infinity;
  if (Number.isNaN(lo) || Number.isNaN(hi)) throw new Error(`clamp: bounds must not be NaN (min ${min}, max ${max})`);
  return unary('clamp', x, { min: lo, max: hi });
}

// ---- where / cast / clone ----

const WHERE_RULE: Rule = {
  name: 'where',
  forward: ([c, a, b]) => {
    const outShape = broadcastShapes(broadcastShapes(c.shape, a.shape, 'where'), b.shape, 'where');
    return { out: Tensor.fromInfo(kernel('where')(c.info(), a.info(), b.info(), outShape)), saved: undefined };
  },
  vjp: (dy, { inputs: [c, a, b] }) => {
    const zero = zerosLike(dy);
    return [null, a.requiresGrad ? sumTo(where(c, dy, zero), a.shape) : null, b.requiresGrad ? sumTo(where(c, zero, dy), b.shape) : null];
  },
};

/** Picks a where cond is non-zero, else b (broadcast together). */
export function where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  assertTensor(cond, 'where', 'condition');
  const ta = asTensor(a, b instanceof Tensor ? b : undefined);
  const tb = asTensor(b, ta);
  return applyOp(WHERE_RULE, [cond, ta, tb], {});
}

const CAST_RULE: Rule<{ dtype: DType }> = {
  name: 'cast',
  forward: ([x], { dtype }) => ({ out: Tensor.fromInfo(kernel('cast')(x.info(), dtype)), saved: undefined }),
  vjp: 'nondifferentiable',
};

export function cast(x: Tensor, dtype: DType): Tensor {
  if (dtype !== 'float32' && dtype !== 'int32') throw new Error(`cast: unsupported dtype '${dtype}' (expected 'float32' or 'int32')`);
  if (x.dtype === dtype) return x;
  return applyOp(CAST_RULE, [x], { dtype });
}

/** A copy with its own storage (differentiable). */
export function clone(x: Tensor): Tensor {
  return x.dtype === 'int32' ? add(x, 0) : mul(x, 1);
}

export const PRIMITIVE_RULES_ELEMENTWISE = { ...BINARY_RULES, ...UNARY_RULES, where: WHERE_RULE, cast: CAST_RULE };
