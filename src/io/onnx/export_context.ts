/**
 * What the exporter's op and module rules see: the graph being built, the ONNX name of every traced tensor,
 * and where the batch dim of each value is (so a dynamic batch survives reshapes and broadcasts).
 */
import type { Tensor } from '../../tensor/tensor.js';
import { shapeToString } from '../../tensor/shape.js';
import { OnnxError } from './errors.js';
import type { GraphBuilder } from './graph_builder.js';

/** A traced value: its ONNX name and the axis holding the (symbolic) batch, or -1. */
export interface Value {
  name: string;
  batchAxis: number;
}

export interface ExportContext {
  readonly g: GraphBuilder;
  /** True when the batch dim is symbolic ('batch') in the exported model. */
  readonly dynamic: boolean;
  /** Node name base for what is being emitted: the module path, e.g. 'layer1.0.conv1'. */
  readonly path: string;
  /** The value of an input tensor: traced, an initializer (parameters and buffers), or a Constant node. */
  value(t: Tensor): Value;
  /** Emits an error naming the op and module when a dynamic batch cannot be kept. */
  fail(message: string): never;
}

const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

/**
 * The shape input of a Reshape from `inShape` to `outShape` that still works for any batch size: the batch dim
 * must stay a dim of its own (it becomes -1, everything else static).
 */
export function reshapeTarget(ctx: ExportContext, inShape: readonly number[], batchAxis: number, outShape: readonly number[]): Value & { shape: number[] } {
  if (!ctx.dynamic || batchAxis < 0) return { name: '', batchAxis: -1, shape: [...outShape] };
  const before = prod(inShape.slice(0, batchAxis));
  const n = inShape[batchAxis];
  for (let b = 0; b < outShape.length; b++) {
    const p = prod(outShape.slice(0, b));
    if (p > before) break;
    if (p === before && outShape[b] === n) {
      const shape = [...outShape];
      shape[b] = -1;
      return { name: '', batchAxis: b, shape };
    }
  }
  ctx.fail(`a reshape from ${shapeToString(inShape)} to ${shapeToString(outShape)} merges or splits the batch dim (axis ${batchAxis}); export with dynamicBatch: false`);
}

/** Where the batch axis of an operand (aligned right against an output of rank `outRank`) lands in the output. */
export function alignedBatchAxis(v: Value, rank: number, outRank: number): number {
  return v.batchAxis < 0 ? -1 : v.batchAxis + (outRank - rank);
}

/** The batch axis of a broadcasting op's output; checks that other operands do not pin the batch size. */
export function broadcastBatchAxis(ctx: ExportContext, operands: readonly { v: Value; shape: readonly number[] }[], outShape: readonly number[]): number {
  let axis = -1;
  for (const { v, shape } of operands) {
    const a = alignedBatchAxis(v, shape.length, outShape.length);
    if (a >= 0) {
      if (axis >= 0 && axis !== a) ctx.fail(`operands have their batch dims on different axes (${axis} and ${a})`);
      axis = a;
    }
  }
  if (axis < 0) return -1;
  for (const { v, shape } of operands) {
    const d = axis - (outShape.length - shape.length);
    if (v.batchAxis < 0 && d >= 0 && shape[d] !== 1) {
      ctx.fail(`an operand of shape ${shapeToString(shape)} without a batch dim has size ${shape[d]} on the batch axis ${axis}; export with dynamicBatch: false`);
    }
  }
  return axis;
}
