/** Typed, checked access to an ONNX node's attributes and a description of the node for errors. */
import type { Tensor } from '../../tensor/tensor.js';
import { OnnxError } from './errors.js';
import { AttrType, type AttributeProto, type GraphProto, type NodeProto } from './proto.js';
import { decodeTensorProto, type HostInts } from './tensor_proto.js';

const TYPE_NAMES: Record<number, string> = { 1: 'FLOAT', 2: 'INT', 3: 'STRING', 4: 'TENSOR', 5: 'GRAPH', 6: 'FLOATS', 7: 'INTS', 8: 'STRINGS' };

/** "Conv 'layer1.0.conv1'" (or "Conv #12" for an unnamed node). */
export function describeNode(node: NodeProto, index: number): string {
  return `${node.op_type ?? '?'} ${node.name ? `'${node.name}'` : `#${index}`}`;
}

export class NodeAttrs {
  private readonly byName = new Map<string, AttributeProto>();

  constructor(
    node: NodeProto,
    readonly where: string,
  ) {
    for (const a of node.attribute ?? []) if (a.name) this.byName.set(a.name, a);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  private get(name: string, type: number): AttributeProto | undefined {
    const a = this.byName.get(name);
    if (!a) return undefined;
    // Old exporters leave `type` unset; accept that when the right field is present.
    if (a.type !== undefined && a.type !== 0 && a.type !== type) {
      throw new OnnxError(`importOnnx: ${this.where}: attribute '${name}' should be ${TYPE_NAMES[type]}, got ${TYPE_NAMES[a.type] ?? a.type}`);
    }
    return a;
  }

  int(name: string, fallback: number): number {
    const a = this.get(name, AttrType.INT);
    const v = a?.i ?? fallback;
    if (!Number.isSafeInteger(v)) throw new OnnxError(`importOnnx: ${this.where}: attribute '${name}' is not a usable integer (${v})`);
    return v;
  }

  float(name: string, fallback: number): number {
    const a = this.get(name, AttrType.FLOAT);
    return a?.f ?? fallback;
  }

  ints(name: string): number[] | undefined;
  ints(name: string, fallback: number[]): number[];
  ints(name: string, fallback?: number[]): number[] | undefined {
    const a = this.get(name, AttrType.INTS);
    const v = a ? (a.ints ?? []) : fallback;
    // Huge values (INT64_MAX as Slice's "to the end") pass: the ops clamp them.
    if (v && !v.every((x) => Number.isInteger(x))) throw new OnnxError(`importOnnx: ${this.where}: attribute '${name}' holds unusable integers`);
    return v;
  }

  floats(name: string): number[] | undefined {
    return this.get(name, AttrType.FLOATS)?.floats;
  }

  string(name: string, fallback: string): string {
    const a = this.get(name, AttrType.STRING);
    return a?.s ? new TextDecoder().decode(a.s) : fallback;
  }

  graph(name: string): GraphProto | undefined {
    return this.get(name, AttrType.GRAPH)?.g;
  }

  tensor(name: string): Tensor | HostInts | undefined {
    const a = this.get(name, AttrType.TENSOR);
    return a?.t ? decodeTensorProto(a.t, `${this.where} attribute '${name}'`) : undefined;
  }
}
