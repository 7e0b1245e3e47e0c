/**
 * Every pointwise function as a scalar pair: the value and its derivative, side by side.
 * The derivative receives x, the forward result y and the parameters; it returns dy/dx.
 * Conventions at kinks follow PyTorch (relu'(0) = 0, clamp' = 1 on the closed interval, ...).
 */
import type { UnaryOp, UnaryParams } from '../kernels.js';
import { erf } from './math.js';

export interface ScalarFn {
  f(x: number, p: UnaryParams): number;
  df(x: number, y: number, p: UnaryParams): number;
}

const SELU_ALPHA = 1.6732632423543772; // PyTorch's 1.6732632423543772848170429916717, as a double
const SELU_SCALE = 1.0507009873554805; // 1.0507009873554804934193349852946, as a double
const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const GELU_TANH_C = Math.sqrt(2 / Math.PI);

const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

export const POINTWISE: { [K in UnaryOp]: ScalarFn } = {
  neg: { f: (x) => -x, df: () => -1 },
  exp: { f: (x) => Math.exp(x), df: (_x, y) => y },
  log: { f: (x) => Math.log(x), df: (x) => 1 / x },
  sqrt: { f: (x) => Math.sqrt(x), df: (_x, y) => 0.5 / y },
  rsqrt: { f: (x) => 1 / Math.sqrt(x), df: (_x, y) => -0.5 * y * y * y },
  abs: { f: (x) => Math.abs(x), df: (x) => Math.sign(x) },
  sign: { f: (x) => Math.sign(x), df: () => 0 },
  sin: { f: (x) => Math.sin(x), df: (x) => Math.cos(x) },
  cos: { f: (x) => Math.cos(x), df: (x) => -Math.sin(x) },
  relu: { f: (x) => (x > 0 || x !== x ? x : 0), df: (x) => (x > 0 ? 1 : 0) },
  relu6: { f: (x) => (x <= 0 ? 0 : x >= 6 ? 6 : x), df: (x) => (x > 0 && x < 6 ? 1 : 0) },
  leakyRelu: { f: (x, p) => (x > 0 ? x : x * p.alpha!), df: (x, _y, p) => (x > 0 ? 1 : p.alpha!) },
  elu: { f: (x, p) => (x > 0 ? x : p.alpha! * Math.expm1(x)), df: (x, _y, p) => (x > 0 ? 1 : p.alpha! * Math.exp(x)) },
  selu: {
    f: (x) => SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x)),
    df: (x) => (x > 0 ? SELU_SCALE : SELU_SCALE * SELU_ALPHA * Math.exp(x)),
  },
  gelu: {
    f: (x) => 0.5 * x * (1 + erf(x * SQRT1_2)),
    df: (x) => 0.5 * (1 + erf(x * SQRT1_2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x),
  },
  geluTanh: {
    f: (x) => 0.5 * x * (1 + Math.tanh(GELU_TANH_C * (x + 0.044715 * x * x * x))),
    df: (x) => {
      const inner = GELU_TANH_C * (x + 0.044715 * x * x * x);
      const t = Math.tanh(inner);
      return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_TANH_C * (1 + 3 * 0.044715 * x * x);
    },
  },
  sigmoid: { f: sigmoid, df: (_x, y) => y * (1 - y) },
  tanh: { f: (x) => Math.tanh(x), df: (_x, y) => 1 - y * y },
  softplus: {
    // Linear above the threshold, as PyTorch does, to stay exact and avoid overflow.
    f: (x, p) => (x * p.beta! > p.threshold! ? x : Math.log1p(Math.exp(x * p.beta!)) / p.beta!),
    df: (x, _y, p) => (x * p.beta! > p.threshold! ? 1 : sigmoid(x * p.beta!)),
  },
  silu: {
    f: (x) => x * sigmoid(x),
    df: (x) => {
      const s = sigmoid(x);
      return s * (1 + x * (1 - s));
    },
  },
  hardswish: {
    f: (x) => (x <= -3 ? 0 : x >= 3 ? x : (x * (x + 3)) / 6),
    df: (x) => (x < -3 ? 0 : x <= 3 ? x / 3 + 0.5 : 1),
  },
  hardsigmoid: {
    f: (x) => (x <= -3 ? 0 : x >= 3 ? 1 : x / 6 + 0.5),
    df: (x) => (x > -3 && x < 3 ? 1 / 6 : 0),
  },
  clamp: {
    f: (x, p) => (x < p.min! ? p.min! : x > p.max! ? p.max! : x),
    df: (x, _y, p) => (x >= p.min! && x <= p.max! ? 1 : 0),
  },
  powScalar: {
    f: (x, p) => Math.pow(x, p.exponent!),
    df: (x, _y, p) => (p.exponent === 0 ? 0 : p.exponent! * Math.pow(x, p.exponent! - 1)),
  },
};

export const BINARY: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: (a, b) => Math.pow(a, b),
  // NaN propagates, as in torch.maximum/minimum.
  maximum: (a, b) => (a !== a || b !== b ? NaN : a > b ? a : b),
  minimum: (a, b) => (a !== a || b !== b ? NaN : a < b ? a : b),
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
};
