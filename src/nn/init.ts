/**
 * nn.init: in-place initializers with PyTorch's formulas, drawing from the seeded generator.
 * Fans follow the lecture: fan_in = in_channels/groups × kernel area (the weight's dim 1 × receptive field),
 * fan_out = out_channels × kernel area.
 */
import { noGrad } from '../autograd/grad_mode.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import { shapeToString } from '../backend/shape.js';
import type { Tensor } from '../tensor/tensor.js';

export type Nonlinearity =
  | 'linear'
  | 'conv1d'
  | 'conv2d'
  | 'conv3d'
  | 'conv_transpose1d'
  | 'conv_transpose2d'
  | 'conv_transpose3d'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leaky_relu'
  | 'selu';
export type FanMode = 'fanIn' | 'fanOut';

export interface InitOptions {
  generator?: Generator;
}

/** Writes f(i) into every element of t in place (no autograd, like PyTorch's init_ functions). */
function fill(t: Tensor, f: (i: number) => number): Tensor {
  return fillWith(t, (values) => {
    for (let i = 0; i < values.length; i++) values[i] = f(i);
  });
}

/** Lets `write` fill a fresh array of t's size, then stores it into t in place. */
function fillWith(t: Tensor, write: (values: Float32Array) => void): Tensor {
  if (t.dtype !== 'float32') throw new Error(`init: expected a float32 tensor, got ${t.dtype}`);
  const values = new Float32Array(t.numel());
  write(values);
  noGrad(() => {
    t.info(); // moves the storage to the active backend if needed
    t.storage.backend.write(t.storage.handle, values);
    t.storage.version++;
  });
  return t;
}

/**
 * The recommended gain for a nonlinearity (torch.nn.init.calculate_gain): relu √2, tanh 5/3, leaky_relu
 * √(2/(1 + slope²)), selu 3/4, linear/conv/sigmoid 1.
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'conv1d':
    case 'conv2d':
    case 'conv3d':
    case 'conv_transpose1d':
    case 'conv_transpose2d':
    case 'conv_transpose3d':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      if (typeof slope !== 'number' || !Number.isFinite(slope)) throw new Error(`calculateGain: negative slope ${slope} is not a valid number`);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new Error(`calculateGain: unsupported nonlinearity '${nonlinearity as string}'`);
  }
}

/** [fan_in, fan_out] of a weight: dims 1 and 0 times the receptive field (product of dims 2+). */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  if (t.ndim < 2) throw new Error(`init: fan in and fan out cannot be computed for a tensor with fewer than 2 dims (shape ${shapeToString(t.shape)})`);
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return [t.shape[1] * receptive, t.shape[0] * receptive];
}

function fanOf(t: Tensor, mode: FanMode): number {
  if (mode !== 'fanIn' && mode !== 'fanOut') throw new Error(`init: mode must be 'fanIn' or 'fanOut', got '${mode as string}'`);
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  return mode === 'fanIn' ? fanIn : fanOut;
}

/** U(a, b) */
export function uniform(t: Tensor, a = 0, b = 1, opts: InitOptions = {}): Tensor {
  const g = opts.generator ?? defaultGenerator;
  return fillWith(t, (values) => g.fillUniform(values, a, b));
}

/** N(mean, std²) */
export function normal(t: Tensor, mean = 0, std = 1, opts: InitOptions = {}): Tensor {
  const g = opts.generator ?? defaultGenerator;
  return fillWith(t, (values) => g.fillNormal(values, mean, std));
}

export function constant(t: Tensor, value: number): Tensor {
  return fill(t, () => value);
}
export const zeros = (t: Tensor): Tensor => constant(t, 0);
export const ones = (t: Tensor): Tensor => constant(t, 1);

/** Glorot: U(−a, a) with a = gain·√(6 / (fan_in + fan_out)). */
export function xavierUniform(t: Tensor, gain = 1, opts: InitOptions = {}): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(t, -a, a, opts);
}

/** Glorot: N(0, std²) with std = gain·√(2 / (fan_in + fan_out)). */
export function xavierNormal(t: Tensor, gain = 1, opts: InitOptions = {}): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  return normal(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), opts);
}

export interface KaimingOptions extends InitOptions {
  /** Negative slope of the rectifier after this layer (leaky_relu), default 0. */
  a?: number;
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
}

/** He: U(−b, b) with b = gain·√(3 / fan), gain from the nonlinearity (leaky_relu with slope a by default). */
export function kaimingUniform(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const fan = fanOf(t, opts.mode ?? 'fanIn');
  const gain = calculateGain(opts.nonlinearity ?? 'leaky_relu', opts.a ?? 0);
  const bound = Math.sqrt(3) * (gain / Math.sqrt(fan));
  return uniform(t, -bound, bound, opts);
}

/** He: N(0, std²) with std = gain / √fan. */
export function kaimingNormal(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const fan = fanOf(t, opts.mode ?? 'fanIn');
  const gain = calculateGain(opts.nonlinearity ?? 'leaky_relu', opts.a ?? 0);
  return normal(t, 0, gain / Math.sqrt(fan), opts);
}

/** Inverse error function (Giles' approximation refined by two Newton steps on erf). */
function erfinv(y: number): number {
  const w = -Math.log((1 - y) * (1 + y));
  let x: number;
  if (w < 5) {
    const v = w - 2.5;
    x =
      [2.81022636e-8, 3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941].reduce(
        (acc, c) => acc * v + c,
        0,
      ) * y;
  } else {
    const v = Math.sqrt(w) - 3;
    x =
      [-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682].reduce(
        (acc, c) => acc * v + c,
        0,
      ) * y;
  }
  for (let i = 0; i < 2; i++) x -= (erf64(x) - y) / ((2 / Math.sqrt(Math.PI)) * Math.exp(-x * x));
  return x;
}

/** erf in double precision (series for small |x|, continued fraction for the tail). */
function erf64(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let sum = ax,
      term = ax;
    for (let n = 1; n < 60; n++) {
      term *= (-ax * ax) / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  let f = 0;
  for (let n = 60; n >= 1; n--) f = n / 2 / (ax + f);
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
  return Math.sign(x) * (1 - erfc);
}

/**
 * N(mean, std²) truncated to [a, b] (absolute bounds, as torch.nn.init.trunc_normal_), by inverse-CDF sampling.
 */
export function truncNormal(t: Tensor, mean = 0, std = 1, a = -2, b = 2, opts: InitOptions = {}): Tensor {
  if (!(a < b)) throw new Error(`truncNormal: expected a < b, got a=${a}, b=${b}`);
  const g = opts.generator ?? defaultGenerator;
  const cdf = (x: number) => (1 + erf64(x / Math.SQRT2)) / 2;
  const l = cdf((a - mean) / std);
  const u = cdf((b - mean) / std);
  return fill(t, () => {
    const p = 2 * l - 1 + (2 * u - 2 * l) * g.random();
    const v = mean + std * Math.SQRT2 * erfinv(Math.min(Math.max(p, -1 + 1e-12), 1 - 1e-12));
    return Math.min(Math.max(v, a), b);
  });
}

/** A (semi-)orthogonal matrix from the QR decomposition of a Gaussian matrix, scaled by gain (Saxe et al.). */
export function orthogonal(t: Tensor, gain = 1, opts: InitOptions = {}): Tensor {
  if (t.ndim < 2) throw new Error(`orthogonal: only tensors with 2 or more dims are supported, got shape ${shapeToString(t.shape)}`);
  const g = opts.generator ?? defaultGenerator;
  const rows = t.shape[0];
  const cols = t.numel() / rows;
  const transpose = rows < cols;
  const [m, n] = transpose ? [cols, rows] : [rows, cols];
  // Modified Gram–Schmidt on the n columns of an m×n Gaussian matrix (m ≥ n), in float64.
  const q = Array.from({ length: n }, () => Float64Array.from({ length: m }, () => g.normal()));
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < j; k++) {
      let dot = 0;
      for (let i = 0; i < m; i++) dot += q[j][i] * q[k][i];
      for (let i = 0; i < m; i++) q[j][i] -= dot * q[k][i];
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += q[j][i] * q[j][i];
    norm = Math.sqrt(norm);
    for (let i = 0; i < m; i++) q[j][i] /= norm;
  }
  // Element (r, c) of the rows×cols result: Q is m×n with columns q[j].
  return fill(t, (idx) => {
    const r = Math.floor(idx / cols);
    const c = idx % cols;
    return gain * (transpose ? q[r][c] : q[c][r]);
  });
}

/**
 * PyTorch's default initialization of Linear and Conv weights: kaiming-uniform with a = √5, i.e. U(±1/√fan_in),
 * and the bias U(±1/√fan_in).
 */
export function defaultLayerInit(weight: Tensor, bias: Tensor | null, opts: InitOptions = {}): void {
  kaimingUniform(weight, { a: Math.sqrt(5), ...opts });
  if (bias) {
    const [fanIn] = calculateFanInAndFanOut(weight);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    uniform(bias, -bound, bound, opts);
  }
}
