/**
 * A network written as text, one PyTorch layer per line — `Conv2d(1, 8, kernel_size=5, padding=2)`, `ReLU()`,
 * `Linear(392, 10)` — built into an nn.Sequential. It reads what `String(model)` prints (PyTorch's repr, `(0): …`
 * prefixes and the `Sequential(` … `)` frame included), so a printed model pastes back. Used by the playground's
 * network editor and anywhere a user types a network; every mistake is an error naming the line.
 */
import { Module, type AnyModule } from './module.js';
import { Sequential } from './layers/container.js';
import { Conv2d } from './layers/conv.js';
import { Flatten, Identity, Linear } from './layers/linear.js';
import { BatchNorm1d, BatchNorm2d, GroupNorm, InstanceNorm2d, LayerNorm, LocalResponseNorm } from './layers/norm.js';
import { AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool2d, MaxPool2d } from './layers/pool.js';
import { Dropout, Dropout2d } from './layers/dropout.js';
import { ELU, GELU, Hardsigmoid, Hardswish, LeakyReLU, LogSoftmax, ReLU, ReLU6, SELU, Sigmoid, SiLU, Softmax, Softplus, Tanh } from './layers/activation.js';
import { zeros } from '../tensor/creation.js';
import { noGrad } from '../autograd/grad_mode.js';

/** A Python literal as the text may hold it. */
type Value = number | boolean | string | null | Value[];
type Args = Record<string, Value | undefined>;

interface LayerSpec {
  /** PyTorch's parameter names, in order (positional arguments bind to them). */
  params: readonly string[];
  /** The ones without a default. */
  required?: readonly string[];
  build(a: Args): AnyModule;
}

// Accepted for PyTorch compatibility; they change nothing here (no in-place ops, no returned indices).
const IGNORED = new Set(['inplace', 'device', 'dtype']);

const num = (v: Value | undefined) => v as number;
const pair = (v: Value | undefined) => v as number | [number, number];
const opt = <T>(v: Value | undefined): T | undefined => (v === undefined ? undefined : (v as T));
const activation = (make: () => AnyModule): LayerSpec => ({ params: ['inplace'], build: () => make() });

const LAYERS: Record<string, LayerSpec> = {
  Conv2d: {
    params: ['in_channels', 'out_channels', 'kernel_size', 'stride', 'padding', 'dilation', 'groups', 'bias', 'padding_mode'],
    required: ['in_channels', 'out_channels', 'kernel_size'],
    build: (a) =>
      new Conv2d(num(a.in_channels), num(a.out_channels), pair(a.kernel_size), {
        stride: opt(a.stride),
        padding: opt(a.padding),
        dilation: opt(a.dilation),
        groups: opt(a.groups),
        bias: opt(a.bias),
        paddingMode: opt(a.padding_mode),
      }),
  },
  Linear: {
    params: ['in_features', 'out_features', 'bias'],
    required: ['in_features', 'out_features'],
    build: (a) => new Linear(num(a.in_features), num(a.out_features), { bias: opt(a.bias) }),
  },
  Flatten: { params: ['start_dim', 'end_dim'], build: (a) => new Flatten(opt(a.start_dim), opt(a.end_dim)) },
  Identity: { params: [], build: () => new Identity() },
  ReLU: activation(() => new ReLU()),
  ReLU6: activation(() => new ReLU6()),
  SELU: activation(() => new SELU()),
  SiLU: activation(() => new SiLU()),
  Hardswish: activation(() => new Hardswish()),
  Hardsigmoid: activation(() => new Hardsigmoid()),
  Sigmoid: { params: [], build: () => new Sigmoid() },
  Tanh: { params: [], build: () => new Tanh() },
  LeakyReLU: { params: ['negative_slope', 'inplace'], build: (a) => new LeakyReLU(opt(a.negative_slope)) },
  ELU: { params: ['alpha', 'inplace'], build: (a) => new ELU(opt(a.alpha)) },
  GELU: { params: ['approximate'], build: (a) => new GELU(opt(a.approximate)) },
  Softplus: { params: ['beta', 'threshold'], build: (a) => new Softplus(opt(a.beta), opt(a.threshold)) },
  Softmax: { params: ['dim'], required: ['dim'], build: (a) => new Softmax(num(a.dim)) },
  LogSoftmax: { params: ['dim'], required: ['dim'], build: (a) => new LogSoftmax(num(a.dim)) },
  BatchNorm1d: {
    params: ['num_features', 'eps', 'momentum', 'affine', 'track_running_stats'],
    required: ['num_features'],
    build: (a) => new BatchNorm1d(num(a.num_features), normOpts(a)),
  },
  BatchNorm2d: {
    params: ['num_features', 'eps', 'momentum', 'affine', 'track_running_stats'],
    required: ['num_features'],
    build: (a) => new BatchNorm2d(num(a.num_features), normOpts(a)),
  },
  InstanceNorm2d: {
    params: ['num_features', 'eps', 'momentum', 'affine', 'track_running_stats'],
    required: ['num_features'],
    build: (a) => new InstanceNorm2d(num(a.num_features), normOpts(a)),
  },
  LayerNorm: {
    params: ['normalized_shape', 'eps', 'elementwise_affine', 'bias'],
    required: ['normalized_shape'],
    build: (a) => new LayerNorm(a.normalized_shape as number | number[], { eps: opt(a.eps), elementwiseAffine: opt(a.elementwise_affine), bias: opt(a.bias) }),
  },
  GroupNorm: {
    params: ['num_groups', 'num_channels', 'eps', 'affine'],
    required: ['num_groups', 'num_channels'],
    build: (a) => new GroupNorm(num(a.num_groups), num(a.num_channels), { eps: opt(a.eps), affine: opt(a.affine) }),
  },
  LocalResponseNorm: {
    params: ['size', 'alpha', 'beta', 'k'],
    required: ['size'],
    build: (a) => new LocalResponseNorm(num(a.size), { alpha: opt(a.alpha), beta: opt(a.beta), k: opt(a.k) }),
  },
  MaxPool2d: {
    params: ['kernel_size', 'stride', 'padding', 'dilation', 'return_indices', 'ceil_mode'],
    required: ['kernel_size'],
    build: (a) => {
      if (a.return_indices === true) throw new Error('MaxPool2d: return_indices=True cannot be used in a Sequential (it returns a pair)');
      return new MaxPool2d(pair(a.kernel_size), { stride: opt(a.stride), padding: opt(a.padding), dilation: opt(a.dilation), ceilMode: opt(a.ceil_mode) });
    },
  },
  AvgPool2d: {
    params: ['kernel_size', 'stride', 'padding', 'ceil_mode', 'count_include_pad', 'divisor_override'],
    required: ['kernel_size'],
    build: (a) =>
      new AvgPool2d(pair(a.kernel_size), {
        stride: opt(a.stride),
        padding: opt(a.padding),
        ceilMode: opt(a.ceil_mode),
        countIncludePad: opt(a.count_include_pad),
        divisorOverride: opt(a.divisor_override),
      }),
  },
  AdaptiveAvgPool2d: { params: ['output_size'], required: ['output_size'], build: (a) => new AdaptiveAvgPool2d(a.output_size as number) },
  AdaptiveMaxPool2d: {
    params: ['output_size', 'return_indices'],
    required: ['output_size'],
    build: (a) => new AdaptiveMaxPool2d(a.output_size as number),
  },
  Dropout: { params: ['p', 'inplace'], build: (a) => new Dropout(opt(a.p)) },
  Dropout2d: { params: ['p', 'inplace'], build: (a) => new Dropout2d(opt(a.p)) },
};

function normOpts(a: Args) {
  return { eps: opt<number>(a.eps), momentum: opt<number>(a.momentum), affine: opt<boolean>(a.affine), trackRunningStats: opt<boolean>(a.track_running_stats) };
}

/** The layer names `sequentialFromText` knows. */
export const TEXT_LAYERS: readonly string[] = Object.keys(LAYERS);

/** An error in a network's text: names the line (1-based) and what was wrong. */
export class NetworkTextError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`network line ${line}: ${message}`);
    this.name = 'NetworkTextError';
  }
}

/** Tokens of a Python call's argument list: numbers, True/False/None, quoted strings, tuples/lists, name=value. */
class ArgReader {
  private i = 0;
  constructor(
    private readonly s: string,
    private readonly fail: (msg: string) => never,
  ) {}
  private ws() {
    while (this.i < this.s.length && /\s/.test(this.s[this.i])) this.i++;
  }
  private peek(): string {
    this.ws();
    return this.s[this.i] ?? '';
  }
  /** name=value pairs and positional values up to the closing parenthesis (consumed). */
  args(): { positional: Value[]; named: [string, Value][] } {
    const positional: Value[] = [];
    const named: [string, Value][] = [];
    if (this.peek() === ')') {
      this.i++;
      return { positional, named };
    }
    for (;;) {
      const m = /^([A-Za-z_]\w*)\s*=(?!=)/.exec(this.s.slice(this.i));
      if (m) {
        this.i += m[0].length;
        named.push([m[1], this.value()]);
      } else {
        if (named.length) this.fail(`a positional argument follows keyword arguments at '${this.s.slice(this.i).trim()}'`);
        positional.push(this.value());
      }
      const c = this.peek();
      this.i++;
      if (c === ')') return { positional, named };
      if (c !== ',') this.fail(c ? `expected ',' or ')' at '${this.s.slice(this.i - 1).trim()}'` : "missing ')'");
      if (this.peek() === ')') {
        this.i++;
        return { positional, named };
      }
    }
  }
  value(): Value {
    const c = this.peek();
    if (c === '(' || c === '[') {
      const close = c === '(' ? ')' : ']';
      this.i++;
      const items: Value[] = [];
      while (this.peek() !== close) {
        if (!this.peek()) this.fail(`missing '${close}'`);
        items.push(this.value());
        if (this.peek() === ',') this.i++;
        else if (this.peek() !== close) this.fail(`expected ',' or '${close}' at '${this.s.slice(this.i).trim()}'`);
      }
      this.i++;
      return items;
    }
    if (c === "'" || c === '"') {
      const end = this.s.indexOf(c, this.i + 1);
      if (end < 0) this.fail('unterminated string');
      const v = this.s.slice(this.i + 1, end);
      this.i = end + 1;
      return v;
    }
    const m = /^[^,()[\]\s]+/.exec(this.s.slice(this.i));
    if (!m) this.fail(c ? `expected a value at '${this.s.slice(this.i).trim()}'` : 'missing a value');
    this.i += m[0].length;
    const w = m[0];
    if (w === 'True' || w === 'true') return true;
    if (w === 'False' || w === 'false') return false;
    if (w === 'None' || w === 'null') return null;
    const n = Number(w);
    if (w.trim() === '' || !Number.isFinite(n)) this.fail(`'${w}' is not a number, True, False, None or a quoted string`);
    return n;
  }
  rest(): string {
    return this.s.slice(this.i).trim();
  }
}

/** One line's layer, or null for a blank line, a comment or the Sequential frame. */
function parseLine(text: string, line: number): AnyModule | null {
  const fail: (msg: string) => never = (msg) => {
    throw new NetworkTextError(line, msg);
  };
  let s = text.replace(/#.*$/, '').trim();
  if (!s || s === ')' || /^Sequential\s*\($/.test(s)) return null;
  s = s.replace(/^\(\s*[\w.]+\s*\)\s*:\s*/, ''); // "(0): " from a printed model
  const m = /^(?:nn\.)?([A-Za-z_]\w*)\s*(\()?/.exec(s);
  if (!m) return fail(`expected a layer such as Conv2d(1, 8, kernel_size=5), got '${s}'`);
  const name = m[1];
  const spec = LAYERS[name];
  if (!spec) {
    const lower = name.toLowerCase();
    const near = TEXT_LAYERS.find((k) => k.toLowerCase() === lower);
    fail(`unknown layer '${name}'${near ? ` (did you mean ${near}?)` : ''}; known: ${TEXT_LAYERS.join(', ')}`);
  }
  const reader = new ArgReader(s.slice(m[0].length), fail);
  const { positional, named } = m[2] ? reader.args() : { positional: [], named: [] };
  if (reader.rest()) fail(`unexpected '${reader.rest()}' after ${name}(...)`);
  const params = spec.params;
  if (positional.length > params.length)
    fail(`${name} takes at most ${params.length} positional argument${params.length === 1 ? '' : 's'}, got ${positional.length}`);
  const a: Args = {};
  positional.forEach((v, i) => (a[params[i]] = v));
  for (const [k, v] of named) {
    if (!params.includes(k) && !IGNORED.has(k)) fail(`${name} has no argument '${k}' (its arguments: ${params.join(', ') || 'none'})`);
    if (k in a) fail(`${name} got argument '${k}' twice`);
    a[k] = v;
  }
  for (const r of spec.required ?? []) if (a[r] === undefined || a[r] === null) fail(`${name} needs '${r}'`);
  for (const k of Object.keys(a)) if (a[k] === null) a[k] = undefined; // None means the default
  try {
    return spec.build(a);
  } catch (e) {
    return fail((e as Error).message);
  }
}

/**
 * Builds an nn.Sequential from text, one layer per line.
 *
 * Args: text — PyTorch layer calls (`Conv2d(1, 8, 5, padding=2)`), optionally prefixed `nn.`, comments after `#`;
 *   what `String(sequential)` prints is accepted as is. opts.inputShape — a sample's shape (e.g. [1, 28, 28]): when
 *   given, a zero batch of one runs through every layer and a shape mismatch is reported on the line that caused it.
 * Returns: the Sequential, and each layer's output shape when inputShape was given.
 * Errors: NetworkTextError naming the line: unknown layers or arguments, syntax, the layer's own validation, shapes.
 * Example: sequentialFromText('Conv2d(1, 8, 3)\nReLU()\nFlatten()\nLinear(5408, 10)', { inputShape: [1, 28, 28] })
 */
export function sequentialFromText(text: string, opts: { inputShape?: readonly number[] } = {}): { model: Sequential; shapes: number[][] } {
  const layers: { module: AnyModule; line: number }[] = [];
  text.split(/\r?\n/).forEach((t, i) => {
    const m = parseLine(t, i + 1);
    if (m) layers.push({ module: m, line: i + 1 });
  });
  if (!layers.length) throw new NetworkTextError(1, 'no layers (write one layer per line, e.g. Conv2d(1, 8, kernel_size=5))');
  const model = new Sequential(...layers.map((l) => l.module));
  const shapes: number[][] = [];
  if (opts.inputShape) {
    const wasTraining = model.training;
    model.eval(); // BatchNorm on a batch of one would refuse in train mode
    noGrad(() => {
      let x = zeros([1, ...opts.inputShape!]);
      for (const l of layers) {
        try {
          x = (l.module as Module).forward(x) as typeof x;
        } catch (e) {
          throw new NetworkTextError(l.line, `${(e as Error).message} (input to this layer: [${x.shape.join(', ')}])`);
        }
        shapes.push(x.shape.slice(1));
      }
    });
    model.train(wasTraining);
  }
  return { model, shapes };
}
