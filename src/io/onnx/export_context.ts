/**
 * What the exporter's op and module rules see: the graph being built, the ONNX name of every traced tensor,
 * and where the batch dim of each value is (so a dynamic batch survives reshapes and broadcasts).
 */
import type { Tensor } from '../../tensor/tensor.js';
import { shapeToString } from '../../backend/shape.js';
import type { GraphBuilder } from './graph_builder.js';

/**
 * A traced value: its ONNX name and the axis holding the (symbolic) batch, or -1. `pack` > 1 means that axis
 * holds batch × pack (a reshape merged the batch with the dims after it, as batched matmul does).
 */
export interface Value {
  name: string;
  batchAxis: number;
  pack?: number;
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
 * The shape input of a Reshape from `inShape` to `outShape` that still works for any batch size: the batch must
 * stay the leading factor of one output dim (which becomes −1; everything else is static).
 */
export function reshapeTarget(ctx: ExportContext, inShape: readonly number[], v: Value, outShape: readonly number[]): Value & { shape: number[] } {
  const a = v.batchAxis;
  if (!ctx.dynamic || a < 0) return { name: '', batchAxis: -1, shape: [...outShape] };
  const pack = v.pack ?? 1;
  const n = inShape[a] / pack;
  const before = prod(inShape.slice(0, a));
  const after = pack * prod(inShape.slice(a + 1));
  for (let b = 0; b < outShape.length; b++) {
    const p = prod(outShape.slice(0, b));
    if (p > before) break;
    const outPack = outShape[b] / n;
    if (p === before && Number.isInteger(outPack) && outPack >= 1 && after % outPack === 0) {
      const shape = [...outShape];
      shape[b] = -1;
      return { name: '', batchAxis: b, shape, pack: outPack };
    }
  }
  ctx.fail(
    `a reshape from ${shapeToString(inShape)} to ${shapeToString(outShape)} moves the batch dim (axis ${a}) inside another dim; export with dynamicBatch: false`,
  );
}

/** Where the batch axis of an operand (aligned right against an output of rank `outRank`) lands in the output. */
export function alignedBatchAxis(v: Value, rank: number, outRank: number): number {
  return v.batchAxis < 0 ? -1 : v.batchAxis + (outRank - rank);
}

/** The batch axis of a broadcasting op's output; checks that other operands do not pin the batch size. */
export function broadcastBatchAxis(ctx: ExportContext, operands: readonly { v: Value; shape: readonly number[] }[], outShape: readonly number[]): number {
  let axis = -1;
  let pack = 1;
  for (const { v, shape } of operands) {
    const a = alignedBatchAxis(v, shape.length, outShape.length);
    if (a >= 0) {
      if (axis >= 0 && (axis !== a || pack !== (v.pack ?? 1))) ctx.fail(`operands have their batch dims on different axes (${axis} and ${a})`);
      axis = a;
      pack = v.pack ?? 1;
    }
  }
  if (axis < 0) return -1;
  for (const { v, shape } of operands) {
    const d = axis - (outShape.length - shape.length);
    if (v.batchAxis < 0 && d >= 0 && shape[d] !== 1) {
      ctx.fail(
        `an operand of shape ${shapeToString(shape)} without a batch dim has size ${shape[d]} on the batch axis ${axis}; export with dynamicBatch: false`,
      );
    }
  }
  return axis;
}
