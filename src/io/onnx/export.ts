/**
 * ONNX export by tracing: the model runs once in eval mode on a random input while a tracer records every
 * layer call and primitive op. Layers with an ONNX op of their own (Conv, Gemm, BatchNormalization, ...) are
 * emitted whole; everything else (functional relu, residual adds, concatenations) is emitted op by op.
 * Parameters and buffers become initializers under their state-dict names, so the file maps back to the model.
 */
import { withOpTracer, type OpTracer } from '../../autograd/apply.js';
import { noGrad } from '../../autograd/grad_mode.js';
import { withForwardTracer, type ForwardTracer, type AnyModule } from '../../nn/module.js';
import { randn } from '../../tensor/creation.js';
import { Tensor } from '../../tensor/tensor.js';
import { OnnxError } from './errors.js';
import { GraphBuilder } from './graph_builder.js';
import type { ExportContext, Value } from './export_context.js';
import { moduleRule, type Emitter } from './export_modules.js';
import { OP_RULES } from './export_ops.js';
import { DType, encodeModelProto, type ModelProto, type NodeProto, type ValueInfoProto } from './proto.js';

/** The opset the exporter writes (ONNX Runtime ≥ 1.12, TensorRT 8.6, OpenVINO and PyTorch 1.13 all read it). */
export const ONNX_EXPORT_OPSET = 17;

export interface ExportOnnxOptions {
  /** Make dim 0 of the input and outputs symbolic ('batch') so any batch size runs (default true). */
  dynamicBatch?: boolean;
  /** Graph input name (default 'input'). */
  inputName?: string;
  /** Graph output names (default 'output', or 'output_0', 'output_1', ... / the keys of a returned record). */
  outputNames?: string[];
  /** Stored in the model's doc_string. */
  docString?: string;
  /** Extra metadata_props (e.g. class names). */
  metadata?: Record<string, string>;
}

/**
 * Exports a model to ONNX (opset 17) and returns the file's bytes.
 *
 * Args: model; inputShape — the full input shape with batch, e.g. [1, 3, 224, 224]; opts (dynamicBatch, names).
 * The model is traced once in eval mode (its train/eval flags are restored afterwards).
 * Example: await writeFile('resnet18.onnx', io.exportOnnx(models.create('resnet18'), [1, 3, 224, 224]));
 */
export function exportOnnx(model: AnyModule, inputShape: readonly number[], opts: ExportOnnxOptions = {}): Uint8Array {
  return encodeModelProto(traceOnnx(model, inputShape, opts));
}

/** The ModelProto exportOnnx serializes (for inspection and tests). */
export function traceOnnx(model: AnyModule, inputShape: readonly number[], opts: ExportOnnxOptions = {}): ModelProto {
  if (!Array.isArray(inputShape) || inputShape.length === 0 || !inputShape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new OnnxError(
      `exportOnnx: inputShape must be a non-empty list of positive integers including the batch dim (e.g. [1, 3, 224, 224]), got ${JSON.stringify(inputShape)}`,
    );
  }
  const dynamic = opts.dynamicBatch ?? true;
  // With a symbolic batch, trace with 2 so the batch dim is not mistaken for one of the many 1-sized dims
  // (except for very large inputs, e.g. EfficientNet-B7's 600×600, where a second image may not fit in memory).
  const perImage = inputShape.slice(1).reduce((a, b) => a * b, 1);
  const traceShape = dynamic && inputShape[0] === 1 && perImage <= 3 * 384 * 384 ? [2, ...inputShape.slice(1)] : [...inputShape];
  const modes = [...model.modules()].map((m) => [m, m.training] as const);
  model.eval();
  try {
    const proto = noGrad(() => new Tracer(model, dynamic).run(traceShape, opts));
    // A constant computed from the batch size (a mean over the batch divides by it) would be wrong at any
    // other size: trace again one larger and require the same graph.
    if (dynamic && perImage <= 3 * 384 * 384) {
      const again = noGrad(() => new Tracer(model, dynamic).run([traceShape[0] + 1, ...traceShape.slice(1)], opts));
      const a = proto.graph!.node!;
      const b = again.graph!.node!;
      const i = a.findIndex((n, k) => !b[k] || nodeKey(n) !== nodeKey(b[k]));
      if (i >= 0 || a.length !== b.length) {
        let n = a[i >= 0 ? i : a.length - 1];
        // A differing Constant is reported through the op that uses it.
        if (n.op_type === 'Constant') n = a.find((m) => m.input?.includes(n.output![0])) ?? n;
        throw new OnnxError(
          `exportOnnx: cannot export with a symbolic batch: ${n.op_type} '${n.name}' depends on the batch size (e.g. a mean over the batch dim); export with dynamicBatch: false`,
        );
      }
    }
    return proto;
  } finally {
    for (const [m, t] of modes) m.training = t;
  }
}

function nodeKey(n: NodeProto): string {
  return JSON.stringify(n, (_k, v) => (v instanceof Uint8Array ? Array.from(v).join(',') : v));
}

class Tracer implements ForwardTracer, OpTracer {
  readonly g = new GraphBuilder();
  private readonly values = new Map<Tensor, Value>();
  private readonly stateNames = new Map<Tensor, string>();
  private readonly modulePaths = new Map<AnyModule, string>();
  /** Paths of the modules being run (for node names). */
  private readonly pathStack: string[] = [];
  /** The module emitted as one op while its inside runs untraced. */
  private emitting: { module: AnyModule; emit: Emitter; path: string } | null = null;
  private readonly unsupported = new Map<string, string[]>();
  /** Tensors the trace cannot follow (e.g. max-pool indices): using one is an error. */
  private readonly opaque = new Set<Tensor>();

  constructor(
    private readonly model: AnyModule,
    private readonly dynamic: boolean,
  ) {
    for (const [path, m] of model.namedModules()) this.modulePaths.set(m, path);
    for (const [name, p] of model.namedParameters()) this.stateNames.set(p, name);
    for (const [name, b] of model.namedBuffers()) this.stateNames.set(b, name);
  }

  run(shape: number[], opts: ExportOnnxOptions): ModelProto {
    const inputName = opts.inputName ?? 'input';
    this.g.reserve(inputName);
    const x = randn(shape);
    this.values.set(x, { name: inputName, batchAxis: this.dynamic ? 0 : -1 });
    const result = withForwardTracer(this, () => withOpTracer(this, () => this.model.forward(x)));
    if (this.unsupported.size) {
      const list = [...this.unsupported].map(([op, where]) => `${op} (in ${[...new Set(where)].slice(0, 3).join(', ')}${where.length > 3 ? ', ...' : ''})`);
      throw new OnnxError(`exportOnnx: ${this.unsupported.size} op(s) have no ONNX export rule: ${list.join('; ')}`);
    }
    const outputs = this.outputs(result, opts.outputNames);
    const graphOutputs: ValueInfoProto[] = [];
    const used = new Set<string>();
    for (const [name, t] of outputs) {
      const v = this.value(t, 'the model output');
      if (used.has(v.name) || v.name === inputName || !this.g.nodes.some((n) => n.output?.includes(v.name))) {
        // An output that is the input, another output or a constant gets an Identity of its own.
        this.g.reserve(name);
        this.g.node('Identity', [v.name], {}, `${name}/Identity`, 1, [name]);
      } else {
        this.rename(v.name, name);
      }
      used.add(name);
      graphOutputs.push(valueInfo(name, t.shape, v.batchAxis, t.dtype));
    }
    const metadata = Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value }));
    return {
      ir_version: 8,
      opset_import: [{ domain: '', version: ONNX_EXPORT_OPSET }],
      producer_name: 'convnet-ts',
      producer_version: '0.1.0',
      doc_string: opts.docString ?? `${this.model.typeName} exported by convnet-ts`,
      graph: {
        name: this.model.typeName,
        node: this.g.nodes,
        initializer: this.g.initializers,
        input: [valueInfo(inputName, shape, this.dynamic ? 0 : -1, 'float32')],
        output: graphOutputs,
      },
      metadata_props: metadata,
    };
  }

  // ---- ForwardTracer: layers ----

  enter(module: AnyModule, inputs: unknown[]): void {
    const path = this.modulePaths.get(module) ?? module.typeName;
    this.pathStack.push(path || this.model.typeName);
    if (this.emitting) return;
    const emit = moduleRule(this.context(path), module, inputs[0]);
    if (emit) this.emitting = { module, emit, path };
  }

  exit(module: AnyModule, _inputs: unknown[], output: unknown): void {
    this.pathStack.pop();
    const e = this.emitting;
    if (!e || e.module !== module) return;
    this.emitting = null;
    if (!(output instanceof Tensor)) throw new OnnxError(`exportOnnx: ${module.typeName} '${e.path}' returned a non-tensor`);
    this.values.set(output, e.emit(output));
  }

  // ---- OpTracer: primitive ops ----

  op(name: string, inputs: readonly Tensor[], attrs: unknown, out: Tensor, saved: unknown): void {
    if (this.emitting) return;
    const path = this.pathStack[this.pathStack.length - 1] ?? this.model.typeName;
    const rule = OP_RULES[name];
    if (!rule) {
      const where = this.unsupported.get(name) ?? [];
      where.push(path);
      this.unsupported.set(name, where);
      // Keep tracing (to list every unsupported op at once) as if the op kept its input's batch axis.
      this.values.set(out, { name: `<${name}>`, batchAxis: inputs[0] ? (this.values.get(inputs[0])?.batchAxis ?? -1) : -1 });
      return;
    }
    const r = rule(this.context(path), inputs, attrs, out);
    // A batch axis that holds batch × pack keeps its pack through ops that keep the axis.
    const pack = Math.max(1, ...inputs.map((t) => this.values.get(t)?.pack ?? 1));
    const withPack = (v: Value): Value => (v.batchAxis >= 0 && v.pack === undefined && pack > 1 ? { ...v, pack } : v);
    if ('out' in r) {
      this.values.set(out, withPack(r.out));
      if (saved instanceof Tensor) {
        if (r.saved) this.values.set(saved, r.saved);
        else this.opaque.add(saved);
      }
    } else {
      this.values.set(out, withPack(r));
    }
  }

  // ---- values ----

  private context(path: string): ExportContext {
    return {
      g: this.g,
      dynamic: this.dynamic,
      path,
      value: (t) => this.value(t, `an input of '${path}'`),
      fail: (message) => {
        throw new OnnxError(`exportOnnx: cannot export '${path}': ${message}`);
      },
    };
  }

  private value(t: Tensor, what: string): Value {
    const v = this.values.get(t);
    if (v) return v;
    if (this.opaque.has(t)) throw new OnnxError(`exportOnnx: ${what} uses pooling indices, which the ONNX export does not carry`);
    const stateName = this.stateNames.get(t);
    if (stateName !== undefined) {
      const value = { name: this.g.initializer(stateName, t), batchAxis: -1 };
      this.values.set(t, value);
      return value;
    }
    // Anything else the forward created (a scalar of x.mul(0.5), a mask) is fixed data: a Constant node.
    const value = { name: this.g.constant(t.data(), t.shape, t.dtype === 'float32' ? 'float32' : 'int32'), batchAxis: -1 };
    this.values.set(t, value);
    return value;
  }

  private outputs(result: unknown, names?: string[]): [string, Tensor][] {
    let list: [string, Tensor][];
    if (result instanceof Tensor) list = [['output', result]];
    else if (Array.isArray(result) && result.every((t) => t instanceof Tensor)) list = result.map((t, i) => [`output_${i}`, t]);
    else if (result && typeof result === 'object' && Object.values(result).every((t) => t instanceof Tensor))
      list = Object.entries(result as Record<string, Tensor>);
    else throw new OnnxError(`exportOnnx: the model must return a Tensor, an array or a record of Tensors, got ${typeof result}`);
    if (names) {
      if (names.length !== list.length) throw new OnnxError(`exportOnnx: ${names.length} output name(s) given for ${list.length} output(s)`);
      list = list.map(([, t], i) => [names[i], t]);
    }
    return list;
  }

  /** Renames a value everywhere (to give graph outputs their public names). */
  private rename(from: string, to: string): void {
    this.g.reserve(to);
    for (const n of this.g.nodes) {
      n.output = n.output?.map((o) => (o === from ? to : o));
      n.input = n.input?.map((i) => (i === from ? to : i));
    }
    for (const [t, v] of this.values) if (v.name === from) this.values.set(t, { ...v, name: to });
  }
}

function valueInfo(name: string, shape: readonly number[], batchAxis: number, dtype: string): ValueInfoProto {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: dtype === 'float32' ? DType.FLOAT : DType.INT32,
        shape: { dim: shape.map((d, i) => (i === batchAxis ? { dim_param: 'batch' } : { dim_value: d })) },
      },
    },
  };
}
