/**
 * Export rules of layers that ONNX has as one op (Conv with padding modes, Gemm, BatchNormalization, LRN,
 * LayerNormalization, InstanceNormalization, Dropout). A rule decides when the layer is entered — returning
 * an emitter, or null to trace through the layer's primitive ops instead — and emits when it returns.
 */
import type { Tensor } from '../../tensor/tensor.js';
import type { AnyModule, ModuleClass } from '../../nn/module.js';
import { Conv2d } from '../../nn/layers/conv.js';
import { Linear } from '../../nn/layers/linear.js';
import { BatchNorm1d, BatchNorm2d, InstanceNorm2d, LayerNorm, LocalResponseNorm } from '../../nn/layers/norm.js';
import { Dropout, Dropout2d } from '../../nn/layers/dropout.js';
import { computeConv2dInfo } from '../../backend/geometry.js';
import { OnnxBatchNorm } from './import.js';
import { float, int, ints, str } from './graph_builder.js';
import type { ExportContext, Value } from './export_context.js';

export type Emitter = (out: Tensor) => Value;

/** The scale and bias inputs of a per-channel norm: its parameters, or constants 1 and 0 when it has none. */
function scaleAndBias(ctx: ExportContext, m: { weight: Tensor | null; bias: Tensor | null }, c: number): [string, string] {
  const scale = m.weight ? ctx.value(m.weight).name : ctx.g.constant(new Float32Array(c).fill(1), [c], 'float32', `${ctx.path}.weight`);
  const bias = m.bias ? ctx.value(m.bias).name : ctx.g.constant(new Float32Array(c), [c], 'float32', `${ctx.path}.bias`);
  return [scale, bias];
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each rule takes its own layer class (RULES pairs them).
type ModuleRule = (ctx: ExportContext, m: any, x: Tensor) => Emitter | null;

const conv: ModuleRule = (ctx, m: Conv2d, x) => {
  if (x.ndim !== 4) return null;
  return () => {
    const g = ctx.g;
    const v = ctx.value(x);
    const info = computeConv2dInfo(x.shape, m.weight.shape, { stride: m.stride, padding: m.padding, dilation: m.dilation, groups: m.groups });
    let input = v.name;
    let pads = [info.padTop, info.padLeft, info.padBottom, info.padRight];
    if (m.paddingMode !== 'zeros') {
      if (m.paddingMode === 'circular') ctx.fail("circular padding has no ONNX opset-17 equivalent (Pad mode 'wrap' is opset 19)");
      const p = [0, 0, info.padTop, info.padLeft, 0, 0, info.padBottom, info.padRight];
      input = g.op('Pad', [input, g.int64s(p, 'pads')], { mode: str(m.paddingMode === 'replicate' ? 'edge' : 'reflect') }, `${ctx.path}/Pad`);
      pads = [0, 0, 0, 0];
    }
    const inputs = [input, ctx.value(m.weight).name];
    if (m.bias) inputs.push(ctx.value(m.bias).name);
    const attrs = {
      kernel_shape: ints(m.kernelSize),
      strides: ints(m.stride),
      pads: ints(pads),
      dilations: ints(m.dilation),
      group: int(m.groups),
    };
    return { name: g.op('Conv', inputs, attrs, ctx.path), batchAxis: v.batchAxis };
  };
};

const linear: ModuleRule = (ctx, m: Linear, x) => () => {
  const g = ctx.g;
  const v = ctx.value(x);
  const w = ctx.value(m.weight).name;
  if (x.ndim === 2) {
    const inputs = [v.name, w];
    if (m.bias) inputs.push(ctx.value(m.bias).name);
    return { name: g.op('Gemm', inputs, { transB: int(1) }, ctx.path), batchAxis: v.batchAxis };
  }
  // Other ranks: x · Wᵀ (+ b) with MatMul's broadcasting.
  let y = g.op('MatMul', [v.name, g.op('Transpose', [w], { perm: ints([1, 0]) }, `${ctx.path}/Transpose`)], {}, `${ctx.path}/MatMul`);
  if (m.bias) y = g.op('Add', [y, ctx.value(m.bias).name], {}, `${ctx.path}/Add`);
  return { name: y, batchAxis: v.batchAxis };
};

const batchNorm: ModuleRule = (ctx, m: BatchNorm2d, x) => {
  const mean = m.runningMean;
  const variance = m.runningVar;
  if (m.training || !mean || !variance || x.ndim < 2) return null; // batch statistics: trace the formula
  return () => {
    const v = ctx.value(x);
    const [scale, bias] = scaleAndBias(ctx, m, m.numFeatures);
    const attrs = { epsilon: float(m.eps), momentum: float(1 - (m.momentum ?? 0.1)) };
    return {
      name: ctx.g.op('BatchNormalization', [v.name, scale, bias, ctx.value(mean).name, ctx.value(variance).name], attrs, ctx.path),
      batchAxis: v.batchAxis,
    };
  };
};

const lrn: ModuleRule = (ctx, m: LocalResponseNorm, x) => {
  // ONNX centers even windows one channel later than PyTorch: trace those through the formula.
  if (m.size % 2 === 0 || x.ndim < 3) return null;
  return () => {
    const { alpha = 1e-4, beta = 0.75, k = 1 } = m.opts;
    const v = ctx.value(x);
    return { name: ctx.g.op('LRN', [v.name], { size: int(m.size), alpha: float(alpha), beta: float(beta), bias: float(k) }, ctx.path), batchAxis: v.batchAxis };
  };
};

const layerNorm: ModuleRule = (ctx, m: LayerNorm, x) => () => {
  const g = ctx.g;
  const v = ctx.value(x);
  const shape = m.normalizedShape;
  const n = shape.reduce((a, b) => a * b, 1);
  const scale = m.weight ? ctx.value(m.weight).name : g.constant(new Float32Array(n).fill(1), shape, 'float32', `${ctx.path}.weight`);
  const inputs = [v.name, scale];
  if (m.bias) inputs.push(ctx.value(m.bias).name);
  const attrs = { axis: int(-shape.length), epsilon: float(m.opts.eps ?? 1e-5) };
  return { name: g.op('LayerNormalization', inputs, attrs, ctx.path), batchAxis: v.batchAxis };
};

const instanceNorm: ModuleRule = (ctx, m: InstanceNorm2d, x) => {
  if (!m.training && m.trackRunningStats) return null; // running statistics: trace the formula
  if (x.ndim !== 4) return null;
  return () => {
    const v = ctx.value(x);
    const [scale, bias] = scaleAndBias(ctx, m, m.numFeatures);
    return { name: ctx.g.op('InstanceNormalization', [v.name, scale, bias], { epsilon: float(m.eps) }, ctx.path), batchAxis: v.batchAxis };
  };
};

const dropout: ModuleRule = (ctx, _m, x) => () => {
  const v = ctx.value(x);
  return { name: ctx.g.op('Dropout', [v.name], {}, ctx.path), batchAxis: v.batchAxis };
};

const RULES: [ModuleClass, ModuleRule][] = [
  [Conv2d, conv],
  [Linear, linear],
  [BatchNorm1d, batchNorm],
  [BatchNorm2d, batchNorm],
  [OnnxBatchNorm, batchNorm],
  [LocalResponseNorm, lrn],
  [LayerNorm, layerNorm],
  [InstanceNorm2d, instanceNorm],
  [Dropout, dropout],
  [Dropout2d, dropout],
];

/** The rule for a module called on `x`, or null to trace through its ops. Exact classes only: subclasses may compute something else. */
export function moduleRule(ctx: ExportContext, m: AnyModule, x: unknown): Emitter | null {
  for (const [cls, rule] of RULES) {
    if (m.constructor === cls) return x && typeof x === 'object' && 'shape' in x ? rule(ctx, m, x as Tensor) : null;
  }
  return null;
}
