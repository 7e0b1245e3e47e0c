/**
 * Builds an ONNX GraphProto node by node: unique names, typed attributes, Constant nodes and initializers
 * from Tensors. The exporter's op rules speak only to this.
 */
import type { Tensor } from '../../tensor/tensor.js';
import { AttrType, DType, type AttributeProto, type NodeProto, type TensorProto } from './proto.js';

/** An attribute value tagged with its ONNX type (1 could be an int or a float attribute). */
export type Attr = { int: number } | { float: number } | { ints: readonly number[] } | { floats: readonly number[] } | { string: string };

export const int = (v: number): Attr => ({ int: v });
export const float = (v: number): Attr => ({ float: v });
export const ints = (v: readonly number[]): Attr => ({ ints: v });
export const floats = (v: readonly number[]): Attr => ({ floats: v });
export const str = (v: string): Attr => ({ string: v });

function attribute(name: string, a: Attr): AttributeProto {
  if ('int' in a) return { name, type: AttrType.INT, i: a.int };
  if ('float' in a) return { name, type: AttrType.FLOAT, f: a.float };
  if ('ints' in a) return { name, type: AttrType.INTS, ints: [...a.ints] };
  if ('floats' in a) return { name, type: AttrType.FLOATS, floats: [...a.floats] };
  return { name, type: AttrType.STRING, s: new TextEncoder().encode(a.string) };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Little-endian bytes of a typed array (ONNX raw_data is little-endian on every platform). */
function leBytes(values: Float32Array | Int32Array | BigInt64Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
  const bytes = new Uint8Array(values.byteLength);
  const view = new DataView(bytes.buffer);
  if (values instanceof Float32Array) values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  else if (values instanceof Int32Array) values.forEach((v, i) => view.setInt32(i * 4, v, true));
  else values.forEach((v, i) => view.setBigInt64(i * 8, v, true));
  return bytes;
}

/** A TensorProto of float32 values, or of integers as INT64 (what shape-like inputs need) or INT32. */
export function tensorProto(name: string, dims: readonly number[], values: ArrayLike<number>, type: 'float32' | 'int64' | 'int32'): TensorProto {
  let raw: Uint8Array;
  if (type === 'float32') raw = leBytes(Float32Array.from(values));
  else if (type === 'int32') raw = leBytes(Int32Array.from(values));
  else raw = leBytes(BigInt64Array.from(Array.from(values, (v) => BigInt(v))));
  const dataType = type === 'float32' ? DType.FLOAT : type === 'int32' ? DType.INT32 : DType.INT64;
  return { name, dims: [...dims], data_type: dataType, raw_data: raw };
}

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly used = new Set<string>();
  private readonly constCache = new Map<string, string>();

  /** A fresh value or node name based on `base` (suffixing _1, _2, ... when taken). */
  unique(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Reserves a name exactly (graph inputs, initializers named after the state dict). */
  reserve(name: string): void {
    this.used.add(name);
  }

  /**
   * Appends a node; returns its output names. `nodeName` is a path like 'layer1.0.conv1' (made unique);
   * outputs are named `${nodeName}:${i}` unless given. An input of '' means an omitted optional input.
   */
  node(opType: string, inputs: readonly string[], attrs: Record<string, Attr> = {}, nodeName = opType, nOutputs = 1, outputs?: readonly string[]): string[] {
    const name = this.unique(nodeName);
    const outs = outputs ? [...outputs] : Array.from({ length: nOutputs }, (_, i) => this.unique(`${name}:${i}`));
    this.nodes.push({
      op_type: opType,
      name,
      input: [...inputs],
      output: outs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outs;
  }

  /** A single-output node; returns its output name. */
  op(opType: string, inputs: readonly string[], attrs: Record<string, Attr> = {}, nodeName = opType): string {
    return this.node(opType, inputs, attrs, nodeName)[0];
  }

  /** An initializer holding a tensor's values under `name` (a state-dict key). */
  initializer(name: string, t: Tensor): string {
    this.reserve(name);
    const type = t.dtype === 'float32' ? 'float32' : 'int32';
    this.initializers.push(tensorProto(name, t.shape, t.data(), type));
    return name;
  }

  /** A Constant node (fixed data, not a trainable parameter), shared between uses of equal small values. */
  constant(values: ArrayLike<number>, dims: readonly number[], type: 'float32' | 'int64' | 'int32' = 'float32', hint = 'const'): string {
    const key = values.length <= 64 ? `${type}|${dims.join(',')}|${Array.from(values).join(',')}` : null;
    const cached = key ? this.constCache.get(key) : undefined;
    if (cached) return cached;
    const name = this.unique(hint);
    this.nodes.push({
      op_type: 'Constant',
      name: `${name}/Constant`,
      input: [],
      output: [name],
      attribute: [{ name: 'value', type: AttrType.TENSOR, t: tensorProto('', dims, values, type) }],
    });
    if (key) this.constCache.set(key, name);
    return name;
  }

  /** A float scalar constant. */
  scalar(v: number): string {
    return this.constant([v], [], 'float32', 'scalar');
  }

  /** An INT64 1-D constant (shapes, axes, pads). */
  int64s(values: readonly number[], hint = 'shape'): string {
    return this.constant(values, [values.length], 'int64', hint);
  }
}
