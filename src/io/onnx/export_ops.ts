/**
 * Export rules of the primitive ops (the ones recorded by autograd): each emits the ONNX nodes computing the
 * same result and returns the output's Value. Ops used outside a module with its own rule (a functional relu,
 * a residual add, a torch.cat) land here.
 */
import type { Tensor } from '../../tensor/tensor.js';
import type { Conv2dInfo, Pool2dInfo } from '../../backend/geometry.js';
import { UNARY_OPS, type UnaryParams } from '../../backend/kernels.js';
import { DType } from './proto.js';
import { float, int, ints, str } from './graph_builder.js';
import { broadcastBatchAxis, reshapeTarget, type ExportContext, type Value } from './export_context.js';

/** A rule's result: the output value, and for ops returning indices (max, max-pool) the indices' value or null. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each rule declares its own op's attribute type.
export type OpRule = (ctx: ExportContext, inputs: readonly Tensor[], attrs: any, out: Tensor) => Value | { out: Value; saved: Value | null };

const BINARY: Record<string, string> = { add: 'Add', sub: 'Sub', mul: 'Mul', div: 'Div', pow: 'Pow', maximum: 'Max', minimum: 'Min' };
const COMPARE: Record<string, string> = { eq: 'Equal', lt: 'Less', le: 'LessOrEqual', gt: 'Greater', ge: 'GreaterOrEqual' };
const SIMPLE_UNARY: Record<string, string> = {
  neg: 'Neg',
  exp: 'Exp',
  log: 'Log',
  sqrt: 'Sqrt',
  abs: 'Abs',
  sign: 'Sign',
  sin: 'Sin',
  cos: 'Cos',
  relu: 'Relu',
  sigmoid: 'Sigmoid',
  tanh: 'Tanh',
  hardswish: 'HardSwish',
};

const same = (ctx: ExportContext, x: Tensor, name: string): Value => {
  const v = ctx.value(x);
  return { name, batchAxis: v.batchAxis, pack: v.pack };
};

/** Emits a binary broadcasting node. */
function binary(opType: string): OpRule {
  return (ctx, [a, b], _attrs, out) => {
    const va = ctx.value(a);
    const vb = ctx.value(b);
    const batchAxis = broadcastBatchAxis(
      ctx,
      [
        { v: va, shape: a.shape },
        { v: vb, shape: b.shape },
      ],
      out.shape,
    );
    return { name: ctx.g.op(opType, [va.name, vb.name], {}, `${ctx.path}/${opType}`), batchAxis };
  };
}

/** Comparisons give float 0/1 here, bool in ONNX: compare, then cast back. */
function compare(opType: string, negate = false): OpRule {
  return (ctx, inputs, attrs, out) => {
    const r = binary(opType)(ctx, inputs, attrs, out) as Value;
    const b = negate ? ctx.g.op('Not', [r.name], {}, `${ctx.path}/Not`) : r.name;
    return { name: ctx.g.op('Cast', [b], { to: int(out.dtype === 'float32' ? DType.FLOAT : DType.INT32) }, `${ctx.path}/Cast`), batchAxis: r.batchAxis };
  };
}

function unary(ctx: ExportContext, op: string, x: Tensor, p: UnaryParams): Value {
  const g = ctx.g;
  const v = ctx.value(x);
  const at = `${ctx.path}/`;
  const one = (opType: string, inputs: string[], attrs = {}) => g.op(opType, inputs, attrs, at + opType);
  let name: string;
  if (op in SIMPLE_UNARY) name = one(SIMPLE_UNARY[op], [v.name]);
  else {
    switch (op) {
      case 'rsqrt':
        name = one('Reciprocal', [one('Sqrt', [v.name])]);
        break;
      case 'relu6':
        name = one('Clip', [v.name, g.scalar(0), g.scalar(6)]);
        break;
      case 'clamp': {
        const lo = p.min !== undefined && Number.isFinite(p.min) ? g.scalar(p.min) : '';
        const hi = p.max !== undefined && Number.isFinite(p.max) ? g.scalar(p.max) : '';
        name = one('Clip', [v.name, lo, hi]);
        break;
      }
      case 'leakyRelu':
        name = one('LeakyRelu', [v.name], { alpha: float(p.alpha ?? 0.01) });
        break;
      case 'elu':
        name = one('Elu', [v.name], { alpha: float(p.alpha ?? 1) });
        break;
      case 'selu':
        name = one('Selu', [v.name]);
        break;
      case 'hardsigmoid':
        name = one('HardSigmoid', [v.name], { alpha: float(1 / 6), beta: float(0.5) });
        break;
      case 'silu':
        name = one('Mul', [v.name, one('Sigmoid', [v.name])]);
        break;
      case 'powScalar':
        name = one('Pow', [v.name, g.scalar(p.exponent ?? 1)]);
        break;
      case 'softplus': {
        const beta = p.beta ?? 1;
        name = beta === 1 ? one('Softplus', [v.name]) : one('Div', [one('Softplus', [one('Mul', [v.name, g.scalar(beta)])]), g.scalar(beta)]);
        break;
      }
      case 'gelu': {
        // x·½·(1 + erf(x/√2)); opset 17 has no Gelu.
        const erf = one('Erf', [one('Div', [v.name, g.scalar(Math.SQRT2)])]);
        name = one('Mul', [one('Mul', [v.name, g.scalar(0.5)]), one('Add', [erf, g.scalar(1)])]);
        break;
      }
      case 'geluTanh': {
        const cube = one('Mul', [one('Mul', [v.name, v.name]), v.name]);
        const inner = one('Mul', [one('Add', [v.name, one('Mul', [cube, g.scalar(0.044715)])]), g.scalar(Math.sqrt(2 / Math.PI))]);
        name = one('Mul', [one('Mul', [v.name, g.scalar(0.5)]), one('Add', [one('Tanh', [inner]), g.scalar(1)])]);
        break;
      }
      default:
        throw new Error(`unary '${op}' has no export rule`);
    }
  }
  return { name, batchAxis: v.batchAxis };
}

function poolAttrs(info: Pool2dInfo, withDilation: boolean): Record<string, ReturnType<typeof ints>> {
  const floorOut = (n: number, k: number, s: number, p: number, d: number) => Math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1;
  const ceil =
    floorOut(info.inH, info.kH, info.strideH, info.padH, info.dilationH) !== info.outH ||
    floorOut(info.inW, info.kW, info.strideW, info.padW, info.dilationW) !== info.outW;
  const attrs: Record<string, ReturnType<typeof ints>> = {
    kernel_shape: ints([info.kH, info.kW]),
    strides: ints([info.strideH, info.strideW]),
    pads: ints([info.padH, info.padW, info.padH, info.padW]),
    ceil_mode: int(ceil ? 1 : 0),
  };
  if (withDilation) attrs.dilations = ints([info.dilationH, info.dilationW]);
  return attrs;
}

function adaptive(kind: 'Average' | 'Max'): OpRule {
  return (ctx, [x], { outH, outW }: { outH: number; outW: number }) => {
    const v = ctx.value(x);
    const [, , h, w] = x.shape;
    let name = '';
    if (outH === 1 && outW === 1) name = ctx.g.op(`Global${kind}Pool`, [v.name], {}, `${ctx.path}/Global${kind}Pool`);
    else if (h % outH === 0 && w % outW === 0) {
      const k = [h / outH, w / outW];
      name = ctx.g.op(`${kind}Pool`, [v.name], { kernel_shape: ints(k), strides: ints(k) }, `${ctx.path}/${kind}Pool`);
    } else {
      ctx.fail(`adaptive ${kind.toLowerCase()} pooling from ${h}x${w} to ${outH}x${outW} has uneven windows, which ONNX pooling cannot express`);
    }
    return { name, batchAxis: v.batchAxis };
  };
}

/** Reduction axes and where the batch axis goes. */
function reduced(ctx: ExportContext, v: Value, dims: readonly number[], keepdim: boolean): number {
  if (v.batchAxis < 0 || dims.includes(v.batchAxis)) return -1;
  return keepdim ? v.batchAxis : v.batchAxis - dims.filter((d) => d < v.batchAxis).length;
}

export const OP_RULES: Record<string, OpRule> = {
  ...Object.fromEntries(Object.entries(BINARY).map(([k, t]) => [k, binary(t)])),
  ...Object.fromEntries(Object.entries(COMPARE).map(([k, t]) => [k, compare(t)])),
  ne: compare('Equal', true),
  where: (ctx, [c, a, b], _attrs, out) => {
    const [vc, va, vb] = [ctx.value(c), ctx.value(a), ctx.value(b)];
    const batchAxis = broadcastBatchAxis(
      ctx,
      [
        { v: vc, shape: c.shape },
        { v: va, shape: a.shape },
        { v: vb, shape: b.shape },
      ],
      out.shape,
    );
    const cond = ctx.g.op('Cast', [vc.name], { to: int(DType.BOOL) }, `${ctx.path}/Cast`);
    return { name: ctx.g.op('Where', [cond, va.name, vb.name], {}, `${ctx.path}/Where`), batchAxis };
  },
  cast: (ctx, [x], { dtype }: { dtype: string }) =>
    same(ctx, x, ctx.g.op('Cast', [ctx.value(x).name], { to: int(dtype === 'float32' ? DType.FLOAT : DType.INT32) }, `${ctx.path}/Cast`)),
  ...Object.fromEntries(UNARY_OPS.map((op) => [op, ((ctx, [x], attrs: UnaryParams) => unary(ctx, op, x, attrs)) as OpRule])),

  sum: (ctx, [x], { dims, keepdim }: { dims: number[]; keepdim: boolean }) => {
    const v = ctx.value(x);
    const name = ctx.g.op('ReduceSum', [v.name, ctx.g.int64s(dims, 'axes')], { keepdims: int(keepdim ? 1 : 0) }, `${ctx.path}/ReduceSum`);
    return { name, batchAxis: reduced(ctx, v, dims, keepdim) };
  },
  amax: (ctx, [x], { dims, keepdim }) => reduceAttr(ctx, 'ReduceMax', x, dims, keepdim),
  amin: (ctx, [x], { dims, keepdim }) => reduceAttr(ctx, 'ReduceMin', x, dims, keepdim),
  max: (ctx, [x], { dim, keepdim }) => extremum(ctx, 'Max', x, dim, keepdim),
  min: (ctx, [x], { dim, keepdim }) => extremum(ctx, 'Min', x, dim, keepdim),

  reshape: (ctx, [x], _attrs, out) => {
    const v = ctx.value(x);
    const t = reshapeTarget(ctx, x.shape, v, out.shape);
    // [prod(in[0..k)), prod(in[k..])] is ONNX Flatten, which needs no shape constant.
    const k = flattenAxis(x.shape, out.shape);
    if (k > 0) return { name: ctx.g.op('Flatten', [v.name], { axis: int(k) }, `${ctx.path}/Flatten`), batchAxis: t.batchAxis, pack: t.pack };
    return { name: ctx.g.op('Reshape', [v.name, ctx.g.int64s(t.shape)], {}, `${ctx.path}/Reshape`), batchAxis: t.batchAxis, pack: t.pack };
  },
  permute: (ctx, [x], { perm }: { perm: number[] }) => {
    const v = ctx.value(x);
    return {
      name: ctx.g.op('Transpose', [v.name], { perm: ints(perm) }, `${ctx.path}/Transpose`),
      batchAxis: v.batchAxis < 0 ? -1 : perm.indexOf(v.batchAxis),
    };
  },
  expand: (ctx, [x], { shape }: { shape: number[] }) => {
    const v = ctx.value(x);
    const target = [...shape];
    const a = v.batchAxis < 0 ? -1 : v.batchAxis + (shape.length - x.ndim);
    if (ctx.dynamic && a >= 0) target[a] = 1; // Expand broadcasts both ways: 1 keeps the batch size.
    return { name: ctx.g.op('Expand', [v.name, ctx.g.int64s(target)], {}, `${ctx.path}/Expand`), batchAxis: a };
  },
  cat: (ctx, xs, { dim }: { dim: number }) => {
    const vs = xs.map((t) => ctx.value(t));
    const axes = new Set(vs.map((v) => v.batchAxis));
    let batchAxis = vs[0].batchAxis;
    if (ctx.dynamic && (axes.size > 1 || axes.has(dim))) {
      if (axes.has(dim)) ctx.fail(`concatenation along the batch axis ${dim}; export with dynamicBatch: false`);
      ctx.fail('concatenation of values with and without a batch dim');
    }
    if (!ctx.dynamic) batchAxis = -1;
    return {
      name: ctx.g.op(
        'Concat',
        vs.map((v) => v.name),
        { axis: int(dim) },
        `${ctx.path}/Concat`,
      ),
      batchAxis,
    };
  },
  slice: (ctx, [x], { starts, steps, shape }: { starts: number[]; steps: number[]; shape: number[] }) => {
    const v = ctx.value(x);
    const axes: number[] = [];
    for (let d = 0; d < x.ndim; d++) if (starts[d] !== 0 || steps[d] !== 1 || shape[d] !== x.shape[d]) axes.push(d);
    if (ctx.dynamic && axes.includes(v.batchAxis)) ctx.fail(`slicing along the batch axis ${v.batchAxis}; export with dynamicBatch: false`);
    const s = axes.map((d) => starts[d]);
    const e = axes.map((d) => starts[d] + (shape[d] - 1) * steps[d] + 1);
    const name = ctx.g.op(
      'Slice',
      [
        v.name,
        ctx.g.int64s(s, 'starts'),
        ctx.g.int64s(e, 'ends'),
        ctx.g.int64s(axes, 'axes'),
        ctx.g.int64s(
          axes.map((d) => steps[d]),
          'steps',
        ),
      ],
      {},
      `${ctx.path}/Slice`,
    );
    return { name, batchAxis: v.batchAxis };
  },
  gather: (ctx, [x, index], { dim }: { dim: number }) => {
    const v = ctx.value(x);
    const vi = ctx.value(index);
    if (ctx.dynamic && v.batchAxis >= 0 && vi.batchAxis !== v.batchAxis)
      ctx.fail('gathering with indices that do not follow the batch dim; export with dynamicBatch: false');
    const idx = ctx.g.op('Cast', [vi.name], { to: int(DType.INT64) }, `${ctx.path}/Cast`);
    return { name: ctx.g.op('GatherElements', [v.name, idx], { axis: int(dim) }, `${ctx.path}/GatherElements`), batchAxis: vi.batchAxis };
  },
  pad: (ctx, [x], { pads, mode, value }: { pads: (readonly [number, number])[]; mode: string; value: number }) => {
    const v = ctx.value(x);
    if (ctx.dynamic && v.batchAxis >= 0 && (pads[v.batchAxis][0] || pads[v.batchAxis][1]))
      ctx.fail('padding along the batch axis; export with dynamicBatch: false');
    if (mode === 'circular') ctx.fail("circular padding has no ONNX opset-17 equivalent (Pad mode 'wrap' is opset 19)");
    const onnxMode = mode === 'replicate' ? 'edge' : mode;
    const p = [...pads.map(([b]) => b), ...pads.map(([, a]) => a)];
    const inputs = [v.name, ctx.g.int64s(p, 'pads')];
    if (mode === 'constant' && value !== 0) inputs.push(ctx.g.scalar(value));
    return { name: ctx.g.op('Pad', inputs, { mode: str(onnxMode) }, `${ctx.path}/Pad`), batchAxis: v.batchAxis };
  },

  matmul: (ctx, [a, b], { transA, transB }: { transA: boolean; transB: boolean }) => {
    const [va, vb] = [ctx.value(a), ctx.value(b)];
    const t = (v: Value, flag: boolean) => (flag ? ctx.g.op('Transpose', [v.name], { perm: ints([0, 2, 1]) }, `${ctx.path}/Transpose`) : v.name);
    const batchAxis = va.batchAxis === 0 || vb.batchAxis === 0 ? 0 : -1;
    if (ctx.dynamic && (va.batchAxis > 0 || vb.batchAxis > 0)) ctx.fail('a matrix product over the batch dim; export with dynamicBatch: false');
    return { name: ctx.g.op('MatMul', [t(va, transA), t(vb, transB)], {}, `${ctx.path}/MatMul`), batchAxis };
  },
  softmax: (ctx, [x], { dim }: { dim: number }) => same(ctx, x, ctx.g.op('Softmax', [ctx.value(x).name], { axis: int(dim) }, `${ctx.path}/Softmax`)),
  logSoftmax: (ctx, [x], { dim }: { dim: number }) => same(ctx, x, ctx.g.op('LogSoftmax', [ctx.value(x).name], { axis: int(dim) }, `${ctx.path}/LogSoftmax`)),

  conv2d: (ctx, inputs, { info }: { info: Conv2dInfo }) => {
    const [x] = inputs;
    const v = ctx.value(x);
    const attrs = {
      kernel_shape: ints([info.kH, info.kW]),
      strides: ints([info.strideH, info.strideW]),
      pads: ints([info.padTop, info.padLeft, info.padBottom, info.padRight]),
      dilations: ints([info.dilationH, info.dilationW]),
      group: int(info.groups),
    };
    return {
      name: ctx.g.op(
        'Conv',
        inputs.map((t) => ctx.value(t).name),
        attrs,
        `${ctx.path}/Conv`,
      ),
      batchAxis: v.batchAxis,
    };
  },
  maxPool2d: (ctx, [x], { info }: { info: Pool2dInfo }) => ({
    out: same(ctx, x, ctx.g.op('MaxPool', [ctx.value(x).name], poolAttrs(info, true), `${ctx.path}/MaxPool`)),
    saved: null,
  }),
  avgPool2d: (ctx, [x], { info }: { info: Pool2dInfo }) => {
    if (info.divisorOverride !== null) ctx.fail('average pooling with divisorOverride has no ONNX equivalent');
    const attrs = { ...poolAttrs(info, false), count_include_pad: int(info.countIncludePad ? 1 : 0) };
    return same(ctx, x, ctx.g.op('AveragePool', [ctx.value(x).name], attrs, `${ctx.path}/AveragePool`));
  },
  // Batch statistics (a BatchNorm without running statistics, in eval mode): the formula, op by op.
  batchNormTrain: (ctx, inputs, { eps, hasWeight, hasBias }: { eps: number; hasWeight: boolean; hasBias: boolean }) => {
    const [x] = inputs;
    const g = ctx.g;
    const v = ctx.value(x);
    const at = `${ctx.path}/`;
    const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
    const mean = g.op('ReduceMean', [v.name], { axes: ints(axes), keepdims: int(1) }, `${at}ReduceMean`);
    const centered = g.op('Sub', [v.name, mean], {}, `${at}Sub`);
    const variance = g.op('ReduceMean', [g.op('Mul', [centered, centered], {}, `${at}Mul`)], { axes: ints(axes), keepdims: int(1) }, `${at}ReduceMean`);
    let y = g.op('Div', [centered, g.op('Sqrt', [g.op('Add', [variance, g.scalar(eps)], {}, `${at}Add`)], {}, `${at}Sqrt`)], {}, `${at}Div`);
    const perChannel = [x.shape[1], ...x.shape.slice(2).map(() => 1)];
    const view = (t: Tensor) => g.op('Reshape', [ctx.value(t).name, g.int64s(perChannel)], {}, `${at}Reshape`);
    if (hasWeight) y = g.op('Mul', [y, view(inputs[1])], {}, `${at}Mul`);
    if (hasBias) y = g.op('Add', [y, view(inputs[hasWeight ? 2 : 1])], {}, `${at}Add`);
    return { out: { name: y, batchAxis: v.batchAxis }, saved: null };
  },
  adaptiveAvgPool2d: adaptive('Average'),
  adaptiveMaxPool2d: (ctx, inputs, attrs, out) => ({ out: adaptive('Max')(ctx, inputs, attrs, out) as Value, saved: null }),
};

function reduceAttr(ctx: ExportContext, opType: string, x: Tensor, dims: number[], keepdim: boolean): Value {
  const v = ctx.value(x);
  const name = ctx.g.op(opType, [v.name], { axes: ints(dims), keepdims: int(keepdim ? 1 : 0) }, `${ctx.path}/${opType}`);
  return { name, batchAxis: reduced(ctx, v, dims, keepdim) };
}

/** torch.max(x, dim): ReduceMax for the values, ArgMax (cast to int32) for the indices. */
function extremum(ctx: ExportContext, kind: 'Max' | 'Min', x: Tensor, dim: number, keepdim: boolean): { out: Value; saved: Value } {
  const out = reduceAttr(ctx, `Reduce${kind}`, x, [dim], keepdim);
  const v = ctx.value(x);
  const arg = ctx.g.op(`Arg${kind}`, [v.name], { axis: int(dim), keepdims: int(keepdim ? 1 : 0) }, `${ctx.path}/Arg${kind}`);
  return { out, saved: { name: ctx.g.op('Cast', [arg], { to: int(DType.INT32) }, `${ctx.path}/Cast`), batchAxis: out.batchAxis } };
}

/** The smallest k ≥ 1 with `outShape` = [prod(in[0..k)), prod(in[k..])] (ONNX Flatten's output), else -1. */
function flattenAxis(inShape: readonly number[], outShape: readonly number[]): number {
  if (outShape.length !== 2) return -1;
  const prod = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);
  for (let k = 1; k < inShape.length; k++) {
    if (prod(inShape.slice(0, k)) === outShape[0] && prod(inShape.slice(k)) === outShape[1]) return k;
  }
  return -1;
}
