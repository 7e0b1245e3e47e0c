/**
 * Every pointwise function in WGSL, next to its derivative — the same table as the js backend's pointwise.ts (which
 * defines them), in float32. `x` is the input, `y` the forward result, `a`/`b` the function's parameters.
 */
import type { UnaryOp, UnaryParams, BinaryOp } from '../../kernels.js';

export interface WgslFn {
  f: string;
  df: string;
  /** Which UnaryParams the function reads, in order (passed as a, b). */
  params?: readonly (keyof UnaryParams)[];
}

export const WGSL_POINTWISE: { [K in UnaryOp]: WgslFn } = {
  neg: { f: '-x', df: '-1.0' },
  exp: { f: 'exp(x)', df: 'y' },
  log: { f: 'log_f(x)', df: '1.0 / x' },
  sqrt: { f: 'sqrt_f(x)', df: '0.5 / y' },
  rsqrt: { f: '1.0 / sqrt_f(x)', df: '-0.5 * y * y * y' },
  abs: { f: 'abs(x)', df: 'sign(x)' },
  sign: { f: 'sign(x)', df: '0.0' },
  sin: { f: 'sin(x)', df: 'cos(x)' },
  cos: { f: 'cos(x)', df: '-sin(x)' },
  relu: { f: 'select(0.0, x, x > 0.0 || x != x)', df: 'select(0.0, 1.0, x > 0.0)' },
  relu6: { f: 'select(select(x, 6.0, x >= 6.0), 0.0, x <= 0.0)', df: 'select(0.0, 1.0, x > 0.0 && x < 6.0)' },
  leakyRelu: { f: 'select(x * a, x, x > 0.0)', df: 'select(a, 1.0, x > 0.0)', params: ['alpha'] },
  elu: { f: 'select(a * expm1_f(x), x, x > 0.0)', df: 'select(a * exp(x), 1.0, x > 0.0)', params: ['alpha'] },
  selu: {
    f: '1.0507009873554805 * select(1.6732632423543772 * expm1_f(x), x, x > 0.0)',
    df: 'select(1.0507009873554805 * 1.6732632423543772 * exp(x), 1.0507009873554805, x > 0.0)',
  },
  gelu: {
    f: '0.5 * x * (1.0 + erf_f(x * 0.70710678118654752))',
    df: '0.5 * (1.0 + erf_f(x * 0.70710678118654752)) + x * 0.3989422804014327 * exp(-0.5 * x * x)',
  },
  geluTanh: {
    f: '0.5 * x * (1.0 + safe_tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)))',
    df: 'gelu_tanh_df(x)',
  },
  sigmoid: { f: 'sigmoid_f(x)', df: 'y * (1.0 - y)' },
  tanh: { f: 'safe_tanh(x)', df: '1.0 - y * y' },
  softplus: {
    f: 'select(log1p_f(exp(x * a)) / a, x, x * a > b)',
    df: 'select(sigmoid_f(x * a), 1.0, x * a > b)',
    params: ['beta', 'threshold'],
  },
  silu: { f: 'x * sigmoid_f(x)', df: 'silu_df(x)' },
  hardswish: {
    f: 'select(select(x * (x + 3.0) / 6.0, x, x >= 3.0), 0.0, x <= -3.0)',
    df: 'select(select(x / 3.0 + 0.5, 1.0, x > 3.0), 0.0, x < -3.0)',
  },
  hardsigmoid: { f: 'select(select(x / 6.0 + 0.5, 1.0, x >= 3.0), 0.0, x <= -3.0)', df: 'select(0.0, 1.0 / 6.0, x > -3.0 && x < 3.0)' },
  clamp: { f: 'select(select(x, b, x > b), a, x < a)', df: 'select(0.0, 1.0, x >= a && x <= b)', params: ['min', 'max'] },
  powScalar: { f: 'pow_f(x, a)', df: 'select(a * pow_f(x, a - 1.0), 0.0, a == 0.0)', params: ['exponent'] },
};

/** Helpers the table's expressions call (after FLOAT_HELPERS). */
export const POINTWISE_HELPERS = `
fn log_f(x: f32) -> f32 {
  if (x == 0.0) { return -inf_f32(); }
  if (x < 0.0) { return nan_f32(); }
  return log(x);
}
fn sqrt_f(x: f32) -> f32 { if (x < 0.0) { return nan_f32(); } return sqrt(x); }
fn silu_df(x: f32) -> f32 { let s = sigmoid_f(x); return s * (1.0 + x * (1.0 - s)); }
fn gelu_tanh_df(x: f32) -> f32 {
  let t = safe_tanh(0.7978845608028654 * (x + 0.044715 * x * x * x));
  return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * 0.7978845608028654 * (1.0 + 3.0 * 0.044715 * x * x);
}
// torch.pow on floats: negative bases only to integer powers, 0^negative = inf, x^0 = 1 (even for NaN).
fn pow_f(x: f32, e: f32) -> f32 {
  if (e == 0.0) { return 1.0; }
  if (is_nan(x) || is_nan(e)) { return nan_f32(); }
  if (e == 1.0) { return x; }
  if (e == 2.0) { return x * x; }
  if (x == 0.0) { return select(0.0, inf_f32(), e < 0.0); }
  if (x > 0.0) { return pow(x, e); }
  if (floor(e) != e) { return nan_f32(); }
  let m = pow(-x, e);
  let odd = abs(e) < 16777216.0 && (i32(abs(e)) & 1) == 1;
  return select(m, -m, odd);
}
`;

/** Binary ops on the compute type T (f32, or i32 where both inputs are int32 and the op keeps int32). */
export function binaryExpr(op: BinaryOp, int: boolean): string {
  switch (op) {
    case 'add':
      return 'a + b';
    case 'sub':
      return 'a - b';
    case 'mul':
      return 'a * b';
    case 'div':
      return 'a / b';
    case 'pow':
      return 'pow_f(a, b)';
    case 'maximum':
      return int ? 'max(a, b)' : 'select(select(b, a, a > b), nan_f32(), is_nan(a) || is_nan(b))';
    case 'minimum':
      return int ? 'min(a, b)' : 'select(select(b, a, a < b), nan_f32(), is_nan(a) || is_nan(b))';
    case 'eq':
      return 'select(0.0, 1.0, a == b)';
    case 'ne':
      return 'select(0.0, 1.0, a != b)';
    case 'lt':
      return 'select(0.0, 1.0, a < b)';
    case 'le':
      return 'select(0.0, 1.0, a <= b)';
    case 'gt':
      return 'select(0.0, 1.0, a > b)';
    case 'ge':
      return 'select(0.0, 1.0, a >= b)';
  }
}
