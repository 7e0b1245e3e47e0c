/**
 * ONNX protobuf messages: encode a ModelProto to bytes and decode bytes defensively. The schema is the official
 * onnx.proto (as a protobufjs descriptor, see onnx_proto.generated.ts); the interfaces below name the fields used.
 */
import protobuf from 'protobufjs/light.js';
import { ONNX_PROTO_DESCRIPTOR } from './onnx_proto.generated.js';
import { OnnxError } from './errors.js';

/** TensorProto.DataType values used here. */
export const DType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, BOOL: 9, FLOAT16: 10, DOUBLE: 11, BFLOAT16: 16 } as const;

/** AttributeProto.AttributeType values. */
export const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

export interface TensorProto {
  dims?: number[];
  data_type?: number;
  float_data?: number[];
  int32_data?: number[];
  int64_data?: number[];
  double_data?: number[];
  raw_data?: Uint8Array;
  name?: string;
  data_location?: number;
  external_data?: { key?: string; value?: string }[];
}

export interface AttributeProto {
  name?: string;
  type?: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorProto;
  g?: GraphProto;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
}

export interface NodeProto {
  input?: string[];
  output?: string[];
  name?: string;
  op_type?: string;
  domain?: string;
  attribute?: AttributeProto[];
}

export interface Dimension {
  dim_value?: number;
  dim_param?: string;
}

export interface ValueInfoProto {
  name?: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: Dimension[] } } };
  doc_string?: string;
}

export interface GraphProto {
  node?: NodeProto[];
  name?: string;
  initializer?: TensorProto[];
  input?: ValueInfoProto[];
  output?: ValueInfoProto[];
  value_info?: ValueInfoProto[];
  doc_string?: string;
}

export interface ModelProto {
  ir_version?: number;
  opset_import?: { domain?: string; version?: number }[];
  producer_name?: string;
  producer_version?: string;
  doc_string?: string;
  model_version?: number;
  graph?: GraphProto;
  metadata_props?: { key?: string; value?: string }[];
}

let modelType: protobuf.Type | null = null;
function modelProtoType(): protobuf.Type {
  modelType ??= protobuf.Root.fromJSON(ONNX_PROTO_DESCRIPTOR as unknown as protobuf.INamespace).lookupType('onnx.ModelProto');
  return modelType;
}

/** Serializes a ModelProto. */
export function encodeModelProto(model: ModelProto): Uint8Array {
  const type = modelProtoType();
  const problem = type.verify(model);
  if (problem) throw new OnnxError(`exportOnnx: internal error, invalid ModelProto: ${problem}`);
  return type.encode(type.fromObject(model as Record<string, unknown>)).finish();
}

/**
 * Parses ONNX bytes into plain objects (int64 fields as numbers, bytes as Uint8Array). Truncated or malformed
 * protobuf becomes an OnnxError naming the source.
 */
export function decodeModelProto(bytes: Uint8Array, name = 'ONNX model'): ModelProto {
  if (!(bytes instanceof Uint8Array)) throw new OnnxError(`importOnnx: expected the model's bytes as a Uint8Array, got ${typeof bytes}`);
  if (bytes.length === 0) throw new OnnxError(`importOnnx: ${name} is empty (0 bytes)`);
  const type = modelProtoType();
  let message: protobuf.Message;
  try {
    message = type.decode(bytes);
  } catch (e) {
    throw new OnnxError(`importOnnx: ${name} is not a valid ONNX protobuf (${(e as Error).message}); the file may be truncated or not an ONNX model`);
  }
  return type.toObject(message, { longs: Number, bytes: Uint8Array as unknown as typeof String, defaults: false, arrays: true }) as ModelProto;
}
