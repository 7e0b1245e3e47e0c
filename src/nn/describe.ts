/**
 * How a layer describes itself to the tools that read models: the summary table (geometry, multiply-adds, whether it
 * is a row the lectures count), BatchNorm folding (a per-channel affine map, and the layers that absorb one) and the
 * ONNX exporter (one ONNX op instead of its traced primitives). Adding a layer is then one file: the class states all
 * of this next to its forward; `test/layers.test.ts` fails for any layer of the zoo without a `describe`.
 */
import type { Tensor } from '../tensor/tensor.js';

/** What the summary table shows for one call of a layer. */
export interface LayerInfo {
  /**
   * 'compute': a row of the lecture tables (convolutions, pooling, norms, fully connected); 'elementwise': runs in
   * place and adds no memory (activations, dropout, identity), left out of the compact table and its totals;
   * 'reshape': a row (Flatten) with no arithmetic.
   */
  kind: 'compute' | 'elementwise' | 'reshape';
  /** Output channels (conv) or features (linear). */
  filters?: number;
  kernel?: readonly number[];
  stride?: readonly number[];
  padding?: readonly number[] | string;
  dilation?: readonly number[];
  /** Multiply-adds of this call, as the lectures count them (convolutions and fully connected layers). */
  macs?: number;
}

/** An ONNX attribute tagged with its type (1 could be an int or a float attribute). */
export type OnnxAttr = { int: number } | { float: number } | { ints: readonly number[] } | { floats: readonly number[] } | { string: string };

/** A value of the ONNX graph being built: its name, and which axis holds the batch (−1: none). */
export interface OnnxValue {
  name: string;
  batchAxis: number;
}

/** What a layer's `exportOnnx` may do: the exporter implements this (nn does not depend on io). */
export interface OnnxLayerContext {
  /** The module path, used as the node name (e.g. 'layer1.0.conv1'). */
  readonly path: string;
  /** The graph value of a traced tensor, parameter or buffer. */
  value(t: Tensor): OnnxValue;
  /** Appends a node; returns its output's name. */
  op(type: string, inputs: readonly string[], attrs: Record<string, OnnxAttr>, name: string): string;
  /** A float32 initializer of `dims`. */
  constant(values: ArrayLike<number>, dims: readonly number[], name: string): string;
  /** An int64 vector initializer (shapes, pads). */
  int64s(values: readonly number[], name: string): string;
  /** Stops the export with an error naming the module. */
  fail(message: string): never;
}

/** Emits the layer's node(s) once the call has returned. */
export type OnnxEmit = () => OnnxValue;

/** A per-channel affine map y = x·scale + shift over the channel axis (axis 1): eval-mode BatchNorm. */
export interface ChannelAffine {
  scale: Tensor;
  shift: Tensor;
}

/** The description of every layer that computes elementwise and in place (activations, dropout, identity). */
export const ELEMENTWISE: LayerInfo = Object.freeze({ kind: 'elementwise' });
