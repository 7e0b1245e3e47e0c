/** Pooling: max_pool2d (with indices), avg_pool2d, adaptive average and max pooling. */
import { applyOp, applyOpWithSaved, type Rule } from '../autograd/apply.js';
import { computePool2dInfo, pair, type Pair, type Pool2dInfo, type Pool2dOptions } from '../backend/geometry.js';
import { kernel } from '../backend/registry.js';
import { shapeToString } from '../backend/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { assertTensor } from './util.js';

/** Runs a 4-D pooling function on a 3-D [C, H, W] input too, as PyTorch accepts both. */
function batched<T extends Tensor | { values: Tensor; indices: Tensor }>(x: Tensor, op: string, fn: (x4: Tensor) => T): T {
  assertTensor(x, op, 'input');
  if (x.dtype !== 'float32') throw new Error(`${op}: expected a float32 input, got ${x.dtype}`);
  if (x.ndim === 3) {
    const r = fn(x.unsqueeze(0));
    if (r instanceof Tensor) return r.squeeze(0) as T;
    return { values: r.values.squeeze(0), indices: r.indices.squeeze(0) } as T;
  }
  if (x.ndim !== 4) throw new Error(`${op}: expected a 3-D or 4-D input, got shape ${shapeToString(x.shape)}`);
  return fn(x);
}

const MAX_POOL_RULE: Rule<{ info: Pool2dInfo }, Tensor> = {
  name: 'maxPool2d',
  forward: ([x], { info }) => {
    const r = kernel('maxPool2d')(x.info(), info);
    return { out: Tensor.fromInfo(r.values), saved: Tensor.fromInfo(r.indices) };
  },
  vjp: (dy, { inputs: [x], saved }) => [Tensor.fromInfo(kernel('maxPool2dBackward')(dy.info(), saved.info(), x.shape))],
};

export interface MaxPool2dOptions extends Pool2dOptions {
  returnIndices?: boolean;
}

/**
 * Max pooling. Args: kernelSize; opts.stride (default kernelSize), padding, dilation, ceilMode, returnIndices.
 * Shape: H_out = floor_or_ceil((H + 2P − D(K−1) − 1)/S) + 1. With returnIndices, indices are flat per (H·W) plane, as PyTorch.
 */
export function maxPool2d(x: Tensor, kernelSize: Pair, opts: MaxPool2dOptions & { returnIndices: true }): { values: Tensor; indices: Tensor };
export function maxPool2d(x: Tensor, kernelSize: Pair, opts?: MaxPool2dOptions): Tensor;
export function maxPool2d(x: Tensor, kernelSize: Pair, opts: MaxPool2dOptions = {}): Tensor | { values: Tensor; indices: Tensor } {
  const r = batched(x, 'maxPool2d', (x4) => {
    const info = computePool2dInfo(x4.shape, kernelSize, opts, 'maxPool2d');
    const { out, saved } = applyOpWithSaved(MAX_POOL_RULE, [x4], { info });
    return { values: out, indices: saved };
  });
  return opts.returnIndices ? r : r.values;
}

const AVG_POOL_RULE: Rule<{ info: Pool2dInfo }> = {
  name: 'avgPool2d',
  forward: ([x], { info }) => ({ out: Tensor.fromInfo(kernel('avgPool2d')(x.info(), info)), saved: undefined }),
  vjp: (dy, { attrs: { info } }) => [Tensor.fromInfo(kernel('avgPool2dBackward')(dy.info(), info))],
};

/**
 * Average pooling. Args: kernelSize; opts.stride, padding, ceilMode, countIncludePad (default true), divisorOverride.
 */
export function avgPool2d(x: Tensor, kernelSize: Pair, opts: Omit<Pool2dOptions, 'dilation'> = {}): Tensor {
  return batched(x, 'avgPool2d', (x4) =>
    applyOp(AVG_POOL_RULE, [x4], { info: computePool2dInfo(x4.shape, kernelSize, { ...opts, dilation: 1 }, 'avgPool2d') }),
  );
}

const ADAPTIVE_AVG_RULE: Rule<{ outH: number; outW: number }> = {
  name: 'adaptiveAvgPool2d',
  forward: ([x], { outH, outW }) => ({ out: Tensor.fromInfo(kernel('adaptiveAvgPool2d')(x.info(), outH, outW)), saved: undefined }),
  vjp: (dy, { inputs: [x] }) => [Tensor.fromInfo(kernel('adaptiveAvgPool2dBackward')(dy.info(), x.shape))],
};

const ADAPTIVE_MAX_RULE: Rule<{ outH: number; outW: number }, Tensor> = {
  name: 'adaptiveMaxPool2d',
  forward: ([x], { outH, outW }) => {
    const r = kernel('adaptiveMaxPool2d')(x.info(), outH, outW);
    return { out: Tensor.fromInfo(r.values), saved: Tensor.fromInfo(r.indices) };
  },
  vjp: (dy, { inputs: [x], saved }) => [Tensor.fromInfo(kernel('maxPool2dBackward')(dy.info(), saved.info(), x.shape))],
};

type OutputSize = number | readonly [number | null, number | null];

function adaptiveSize(x4: Tensor, outputSize: OutputSize, op: string): [number, number] {
  const [h, w] = typeof outputSize === 'number' ? [outputSize, outputSize] : outputSize;
  const size = pair([h ?? x4.shape[2], w ?? x4.shape[3]], 'outputSize', op, 1);
  if (x4.shape[2] === 0 || x4.shape[3] === 0) throw new Error(`${op}: input spatial size must be non-empty, got ${shapeToString(x4.shape)}`);
  return size;
}

/** Average pooling to a fixed output size (null keeps a dim). Example: adaptiveAvgPool2d(x, 1) is global average pooling. */
export function adaptiveAvgPool2d(x: Tensor, outputSize: OutputSize): Tensor {
  return batched(x, 'adaptiveAvgPool2d', (x4) => {
    const [outH, outW] = adaptiveSize(x4, outputSize, 'adaptiveAvgPool2d');
    return applyOp(ADAPTIVE_AVG_RULE, [x4], { outH, outW });
  });
}

/** Max pooling to a fixed output size. */
export function adaptiveMaxPool2d(x: Tensor, outputSize: OutputSize, opts: { returnIndices: true }): { values: Tensor; indices: Tensor };
export function adaptiveMaxPool2d(x: Tensor, outputSize: OutputSize, opts?: { returnIndices?: boolean }): Tensor;
export function adaptiveMaxPool2d(x: Tensor, outputSize: OutputSize, opts: { returnIndices?: boolean } = {}): Tensor | { values: Tensor; indices: Tensor } {
  const r = batched(x, 'adaptiveMaxPool2d', (x4) => {
    const [outH, outW] = adaptiveSize(x4, outputSize, 'adaptiveMaxPool2d');
    const { out, saved } = applyOpWithSaved(ADAPTIVE_MAX_RULE, [x4], { outH, outW });
    return { values: out, indices: saved };
  });
  return opts.returnIndices ? r : r.values;
}

export const PRIMITIVE_RULES_POOL = {
  maxPool2d: MAX_POOL_RULE,
  avgPool2d: AVG_POOL_RULE,
  adaptiveAvgPool2d: ADAPTIVE_AVG_RULE,
  adaptiveMaxPool2d: ADAPTIVE_MAX_RULE,
};
