/**
 * ONNX import: an ONNX file becomes an OnnxModel, a Module that runs the graph with convnet-ts ops, so it can be
 * evaluated, fine-tuned and exported again. Conv, Gemm, BatchNormalization and LRN nodes whose weights are
 * initializers become real layers (nn.Conv2d, nn.Linear, BatchNorm, nn.LocalResponseNorm) at the path their
 * weight names give ('layer1.0.conv1.weight' → layer1.0.conv1), so replaceHead, freeze and loadStateDict work
 * on them; other float initializers become parameters under their own names. The file is untrusted: it is
 * validated before anything runs, and every op the model uses but convnet-ts lacks is named in one error.
 */
import { noGrad } from '../../autograd/grad_mode.js';
import { Module, type AnyModule } from '../../nn/module.js';
import { Parameter } from '../../nn/parameter.js';
import { Conv2d } from '../../nn/layers/conv.js';
import { Linear } from '../../nn/layers/linear.js';
import { BatchNorm2d, LocalResponseNorm } from '../../nn/layers/norm.js';
import { shapeToString } from '../../backend/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { tensor } from '../../tensor/creation.js';
import * as F from '../../ops/index.js';
import { OnnxError } from './errors.js';
import { describeNode, NodeAttrs } from './node_attrs.js';
import { decodeModelProto, type GraphProto, type ModelProto, type NodeProto } from './proto.js';
import { checkDims, decodeTensorProto, HostInts } from './tensor_proto.js';
import { IMPORT_OPS, fail, padSpatial, symmetric, windowOf, type OpContext, type V } from './import_ops.js';

/** Highest ai.onnx opset read (the ops supported here keep their meaning up to it). */
export const ONNX_IMPORT_MAX_OPSET = 22;

/** Inputs that must be constant (shapes, axes, bounds, running statistics): never trainable parameters. */
const STATIC_INPUTS: Record<string, number[]> = {
  Reshape: [1],
  Clip: [1, 2],
  Pad: [1, 2, 3],
  Slice: [1, 2, 3, 4],
  Dropout: [1, 2],
  Split: [1],
  Squeeze: [1],
  Unsqueeze: [1],
  Expand: [1],
  ConstantOfShape: [0],
  ReduceMean: [1],
  ReduceSum: [1],
  ReduceMax: [1],
  ReduceMin: [1],
  Gather: [1],
  GatherElements: [1],
  BatchNormalization: [3, 4],
};

/** A BatchNorm layer for any input of rank ≥ 2 (ONNX's BatchNormalization is rank-agnostic). */
export class OnnxBatchNorm extends BatchNorm2d {
  protected override checkInput(x: Tensor): void {
    if (x.ndim < 2) throw this.error(`expected an input of rank >= 2 [N, C, *], got shape ${shapeToString(x.shape)}`);
  }
  override get typeName(): string {
    return 'BatchNorm';
  }
}

/** A named level of the layer tree ('layer1', 'layer1.0') holding imported layers; it is not called itself. */
export class OnnxScope extends Module {
  forward(): Tensor {
    throw new Error('OnnxScope: a scope of imported layers is not callable; call the OnnxModel');
  }
}

interface Step {
  node: NodeProto;
  opType: string;
  inputs: string[];
  outputs: string[];
  attrs: NodeAttrs;
  where: string;
  /** Set for nodes run by a layer: its path, and for convs with padding the layer cannot hold, that padding. */
  layer?: { path: string; pre?: 'pad' };
  /** For If: the two branch graphs, planned against the enclosing values. */
  branches?: { then: Branch; else: Branch };
}

interface Branch {
  steps: Step[];
  outputs: string[];
}

/** How deeply If branches may nest (a guard against crafted files). */
const MAX_NESTING = 8;

export interface ImportOnnxOptions {
  /** Name used in errors (default: 'ONNX model', or the path). */
  name?: string;
}

/**
 * Builds a runnable, trainable module from ONNX bytes.
 *
 * Args: bytes — the .onnx file; opts.name for errors.
 * Returns: an OnnxModel; `model.forward(x)` gives the first output, `model.run({ input: x })` all of them.
 * Example: const net = io.importOnnx(bytes); nn.replaceHead(net, 5); net.train(); // then fit as usual
 */
export function importOnnx(bytes: Uint8Array, opts: ImportOnnxOptions = {}): OnnxModel {
  const name = opts.name ?? 'ONNX model';
  try {
    return new OnnxModel(decodeModelProto(bytes, name), name);
  } catch (e) {
    throw withSource(e, name);
  }
}

/** An OnnxError whose message names the file it came from (errors deep in a graph know only the node). */
function withSource(e: unknown, source: string): unknown {
  return e instanceof OnnxError && !e.message.includes(source) ? new OnnxError(`${e.message} (in ${source})`) : e;
}

export class OnnxModel extends Module<Tensor[], Tensor> {
  /** Graph input names (without initializers), in order: forward's positional arguments. */
  readonly inputNames: string[];
  readonly outputNames: string[];
  /** Declared input shapes (null for symbolic dims such as 'batch'). */
  readonly inputShapes: (number | null)[][];
  /** The ai.onnx opset the file declares. */
  readonly opset: number;
  readonly producer: string;
  /** metadata_props of the file. */
  readonly metadata: Record<string, string>;
  private readonly steps: Step[];
  private readonly params = new Map<string, Parameter>();
  private readonly constants = new Map<string, V>();

  /** The file (or name) the model was read from, for errors. */
  readonly source: string;

  constructor(model: ModelProto, sourceName = 'ONNX model') {
    super();
    this.source = sourceName;
    const graph = model.graph;
    if (!graph) throw new OnnxError(`importOnnx: ${sourceName} has no graph`);
    this.opset = opsetOf(model, sourceName);
    this.producer = `${model.producer_name ?? ''} ${model.producer_version ?? ''}`.trim();
    this.metadata = Object.fromEntries((model.metadata_props ?? []).map((p) => [p.key ?? '', p.value ?? '']));
    const nodes = graph.node ?? [];
    checkSupported(nodes, sourceName);

    // Initializers (decoded defensively), then graph inputs that are not initializers.
    const inits = new Map<string, Tensor | HostInts>();
    for (const [i, t] of (graph.initializer ?? []).entries()) {
      const n = t.name ?? '';
      if (!n) throw new OnnxError(`importOnnx: initializer #${i} has no name`);
      if (inits.has(n)) throw new OnnxError(`importOnnx: initializer '${n}' is defined twice`);
      inits.set(n, decodeTensorProto(t, `initializer '${n}'`));
    }
    const inputs = (graph.input ?? []).filter((v) => !inits.has(v.name ?? ''));
    if (inputs.length === 0) throw new OnnxError(`importOnnx: ${sourceName} has no graph input`);
    this.inputNames = inputs.map((v, i) => v.name || fail({ where: `graph input #${i}` }, 'has no name'));
    this.inputShapes = inputs.map((v) =>
      (v.type?.tensor_type?.shape?.dim ?? []).map((d) => (d.dim_value !== undefined && d.dim_value > 0 ? d.dim_value : null)),
    );
    for (const [i, s] of this.inputShapes.entries())
      checkDims(
        s.map((d) => d ?? 1),
        `graph input '${this.inputNames[i]}'`,
      );
    this.outputNames = (graph.output ?? []).map((v, i) => v.name || fail({ where: `graph output #${i}` }, 'has no name'));
    if (this.outputNames.length === 0) throw new OnnxError(`importOnnx: ${sourceName} has no graph output`);

    this.steps = planSteps(graph, nodes, new Set([...this.inputNames, ...inits.keys()]), this.outputNames);
    this.buildLayers(inits);

    // Remaining initializers: float data in data slots is trainable; the rest is constant.
    const staticUse = new Set<string>();
    const dataUse = new Set<string>();
    const scan = (steps: Step[]): void => {
      for (const s of steps) {
        if (s.branches) [s.branches.then, s.branches.else].forEach((b) => scan(b.steps)); // branches read enclosing values
        if (s.layer) continue;
        s.inputs.forEach((n, i) => ((STATIC_INPUTS[s.opType] ?? []).includes(i) ? staticUse : dataUse).add(n));
      }
    };
    scan(this.steps);
    for (const [n, v] of inits) {
      if (v instanceof Tensor && dataUse.has(n)) this.params.set(n, new Parameter(v));
      else if (dataUse.has(n) || staticUse.has(n)) this.constants.set(n, v);
    }
  }

  protected override *ownParameters(): Generator<[string, Parameter]> {
    yield* this.params;
  }

  /** Runs the graph on positional inputs; returns the first output. Shape: as the model's graph input. */
  forward(...xs: Tensor[]): Tensor {
    return this.run(xs)[this.outputNames[0]];
  }

  /** Runs the graph; inputs positional or by name. Returns every graph output by name. */
  run(inputs: Tensor[] | Record<string, Tensor>): Record<string, Tensor> {
    const list = Array.isArray(inputs) ? inputs : this.inputNames.map((n) => inputs[n]);
    if (list.length !== this.inputNames.length || list.some((t) => !(t instanceof Tensor))) {
      throw new OnnxError(`OnnxModel: expected ${this.inputNames.length} input tensor(s) (${this.inputNames.join(', ')}), got ${list.length}`);
    }
    const env = new Map<string, V>();
    list.forEach((t, i) => {
      this.checkInput(t, i);
      env.set(this.inputNames[i], t);
    });
    for (const [n, v] of this.constants) env.set(n, v);
    for (const [n, p] of this.params) env.set(n, p);
    try {
      this.execute(this.steps, env, new Map<string, AnyModule>(this.namedModules()));
    } catch (e) {
      throw withSource(e, this.source);
    }
    const result: Record<string, Tensor> = {};
    for (const n of this.outputNames) {
      const v = env.get(n);
      if (v === undefined) throw new OnnxError(`OnnxModel: graph output '${n}' has no value after the run (in ${this.source})`);
      result[n] = v instanceof HostInts ? tensor(v.data, v.shape, { dtype: 'int32' }) : v;
    }
    return result;
  }

  override get typeName(): string {
    return 'OnnxModel';
  }

  override extraRepr(): string {
    return `opset=${this.opset}, inputs=[${this.inputNames.join(', ')}], outputs=[${this.outputNames.join(', ')}], nodes=${this.steps.length}`;
  }

  /** Runs steps in order, writing their outputs into env. */
  private execute(steps: Step[], env: Map<string, V>, layers: Map<string, AnyModule>): void {
    for (const s of steps) {
      const args = s.inputs.map((n) => (n === '' ? undefined : env.get(n)));
      let outs: V[];
      try {
        if (s.branches) outs = this.runIf(s, args[0], env, layers);
        else outs = s.layer ? [this.runLayer(s, layers, args)] : IMPORT_OPS[s.opType](this.opContext(s), args, s.outputs.length);
      } catch (e) {
        if (e instanceof OnnxError) throw e;
        throw new OnnxError(`OnnxModel: ${s.where} failed: ${(e as Error).message}`);
      }
      s.outputs.forEach((n, i) => {
        if (n !== '' && outs[i] !== undefined) env.set(n, outs[i]);
      });
    }
  }

  /** If: evaluates the condition (usually shape arithmetic) and runs that branch with the enclosing values. */
  private runIf(s: Step, cond: V | undefined, env: Map<string, V>, layers: Map<string, AnyModule>): V[] {
    if (cond === undefined) fail(s, 'the condition is required');
    const values = cond instanceof HostInts ? cond.data : Array.from(cond.data());
    if (values.length !== 1) fail(s, `the condition must be a single value, got ${values.length}`);
    const branch = values[0] ? s.branches!.then : s.branches!.else;
    const scope = new Map(env);
    this.execute(branch.steps, scope, layers);
    return branch.outputs.map((o) => scope.get(o) ?? fail(s, `branch output '${o}' was not computed`));
  }

  private opContext(s: Step): OpContext {
    return { attrs: s.attrs, where: s.where, opset: this.opset, training: this.training };
  }

  private checkInput(t: Tensor, i: number): void {
    const want = this.inputShapes[i];
    const ok = want.length === 0 || (t.ndim === want.length && want.every((d, k) => d === null || d === t.shape[k]));
    if (!ok) {
      const w = `[${want.map((d) => d ?? '?').join(',')}]`;
      throw new OnnxError(`OnnxModel: input '${this.inputNames[i]}' expects shape ${w}, got ${shapeToString(t.shape)}`);
    }
  }

  private runLayer(s: Step, layers: Map<string, AnyModule>, args: (V | undefined)[]): Tensor {
    const layer = layers.get(s.layer!.path);
    if (!layer) throw new OnnxError(`OnnxModel: the layer '${s.layer!.path}' of ${s.where} was removed`);
    let x = args[0];
    if (!(x instanceof Tensor)) fail(s, 'expected a float tensor input');
    if (s.layer!.pre === 'pad') x = padSpatial(x, windowOf(this.opContext(s), x.shape.slice(2), undefined).pads);
    return layer.forward(x);
  }

  /** Creates the layers for Conv/Gemm/BatchNormalization/LRN nodes with initializer weights. */
  private buildLayers(inits: Map<string, Tensor | HostInts>): void {
    const uses = new Map<string, number>();
    for (const s of this.steps) for (const n of s.inputs) uses.set(n, (uses.get(n) ?? 0) + 1);
    const floatInit = (n: string | undefined): Tensor | null => {
      if (n === undefined || n === '') return null;
      const v = inits.get(n);
      return v instanceof Tensor && uses.get(n) === 1 ? v : null;
    };
    const paths = new PathAllocator(this);
    for (const s of this.steps) {
      const c = this.opContext(s);
      const [, wName, bName] = s.inputs;
      if (s.opType === 'Conv') {
        const w = floatInit(wName);
        const b = bName ? floatInit(bName) : null;
        if (!w || w.ndim !== 4 || (bName && !b)) continue;
        const win = windowOf(c, [Infinity, Infinity], w.shape.slice(2)); // pads are static unless auto_pad
        const autoPad = s.attrs.string('auto_pad', 'NOTSET');
        const fixed = (autoPad === 'NOTSET' && symmetric(win.pads)) || autoPad === 'VALID';
        const groups = s.attrs.int('group', 1);
        if (!Number.isInteger(groups) || groups < 1 || w.shape[0] % groups !== 0) fail(s, `invalid group ${groups} for weight ${shapeToString(w.shape)}`);
        const conv = new Conv2d(w.shape[1] * groups, w.shape[0], [w.shape[2], w.shape[3]], {
          stride: win.strides,
          dilation: win.dilations,
          groups,
          bias: b !== null,
          padding: fixed ? [win.pads[0], win.pads[1]] : 0,
        });
        copyInto(conv.weight, w);
        if (b && conv.bias) copyInto(conv.bias, b);
        s.layer = { path: paths.place(conv, wName, 'conv'), pre: fixed ? undefined : 'pad' };
      } else if (s.opType === 'Gemm') {
        const w = floatInit(wName);
        const b = bName ? floatInit(bName) : null;
        const plain = s.attrs.float('alpha', 1) === 1 && s.attrs.float('beta', 1) === 1 && s.attrs.int('transA', 0) === 0;
        if (!w || w.ndim !== 2 || !plain || (bName && !b)) continue;
        const weight = s.attrs.int('transB', 0) ? w : F.transpose(w, 0, 1);
        const [out, inF] = weight.shape;
        if (b && b.numel() !== out) continue; // a C that broadcasts over rows stays a plain Gemm
        const lin = new Linear(inF, out, { bias: b !== null });
        copyInto(lin.weight, weight);
        if (b && lin.bias) copyInto(lin.bias, b.reshape([out]));
        s.layer = { path: paths.place(lin, wName, 'linear') };
      } else if (s.opType === 'BatchNormalization') {
        const [scale, bias, mean, variance] = s.inputs.slice(1, 5).map(floatInit);
        if (!scale || !bias || !mean || !variance || s.outputs.filter((o) => o !== '').length > 1) continue;
        const cN = scale.numel();
        if (![bias, mean, variance].every((t) => t.numel() === cN)) fail(s, 'scale, B, mean and var must have the same length');
        const bn = new OnnxBatchNorm(cN, { eps: s.attrs.float('epsilon', 1e-5), momentum: 1 - s.attrs.float('momentum', 0.9) });
        copyInto(bn.weight!, scale);
        copyInto(bn.bias!, bias);
        copyInto(bn.runningMean!, mean);
        copyInto(bn.runningVar!, variance);
        s.layer = { path: paths.place(bn, s.inputs[1], 'batchnorm') };
      } else if (s.opType === 'LRN') {
        const size = s.attrs.int('size', 0);
        if (size < 1 || size % 2 === 0) fail(s, `size must be a positive odd number (even windows are centered differently in ONNX and PyTorch), got ${size}`);
        const lrn = new LocalResponseNorm(size, { alpha: s.attrs.float('alpha', 1e-4), beta: s.attrs.float('beta', 0.75), k: s.attrs.float('bias', 1) });
        s.layer = { path: paths.place(lrn, s.node.name ?? '', 'lrn') };
      }
    }
  }
}

/** Places layers in a tree of OnnxScopes following dotted names, falling back to flat unique names. */
class PathAllocator {
  private readonly leaves = new Set<string>();
  private readonly scopes = new Map<string, AnyModule>();
  private counter = 0;

  constructor(private readonly root: AnyModule) {
    this.scopes.set('', root);
  }

  place(layer: AnyModule, weightName: string, kind: string): string {
    const m = /^([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)\.(weight|bias|running_mean|running_var)$/.exec(weightName);
    const wanted = m ? m[1] : null;
    if (wanted && this.free(wanted)) return this.attach(wanted, layer);
    let path: string;
    do path = `${kind}_${this.counter++}`;
    while (!this.free(path));
    return this.attach(path, layer);
  }

  private free(path: string): boolean {
    if (this.leaves.has(path) || this.scopes.has(path)) return false;
    const parts = path.split('.');
    for (let i = 1; i < parts.length; i++) if (this.leaves.has(parts.slice(0, i).join('.'))) return false;
    return true;
  }

  private attach(path: string, layer: AnyModule): string {
    const parts = path.split('.');
    let parent = this.root;
    for (let i = 1; i < parts.length; i++) {
      const p = parts.slice(0, i).join('.');
      let scope = this.scopes.get(p);
      if (!scope) {
        scope = parent.registerModule(parts[i - 1], new OnnxScope());
        this.scopes.set(p, scope);
      }
      parent = scope;
    }
    parent.registerModule(parts[parts.length - 1], layer);
    this.leaves.add(path);
    return path;
  }
}

function copyInto(target: Tensor, src: Tensor): void {
  noGrad(() => target.copy_(src.reshape(target.shape)));
}

function opsetOf(model: ModelProto, sourceName: string): number {
  const entry = (model.opset_import ?? []).find((o) => (o.domain ?? '') === '' || o.domain === 'ai.onnx');
  if (!entry || entry.version === undefined) throw new OnnxError(`importOnnx: ${sourceName} declares no ai.onnx opset`);
  const v = entry.version;
  if (!Number.isInteger(v) || v < 1) throw new OnnxError(`importOnnx: ${sourceName} declares an invalid opset ${v}`);
  if (v > ONNX_IMPORT_MAX_OPSET) {
    throw new OnnxError(
      `importOnnx: ${sourceName} uses opset ${v}; convnet-ts reads opsets up to ${ONNX_IMPORT_MAX_OPSET} (re-export with a lower opset, e.g. opset_version=17)`,
    );
  }
  return v;
}

/** Every unsupported op type (branch graphs included), with counts, in one error. */
function checkSupported(nodes: NodeProto[], sourceName: string): void {
  const missing = new Map<string, number>();
  const visit = (list: NodeProto[], depth: number): void => {
    if (depth > MAX_NESTING) throw new OnnxError(`importOnnx: ${sourceName} nests graphs more than ${MAX_NESTING} deep`);
    for (const n of list) {
      const domain = n.domain ?? '';
      const op = n.op_type ?? '';
      const key = domain === '' || domain === 'ai.onnx' ? op : `${domain}.${op}`;
      if (!(key in IMPORT_OPS)) missing.set(key || '(no op_type)', (missing.get(key) ?? 0) + 1);
      for (const a of n.attribute ?? []) {
        if (a.g) visit(a.g.node ?? [], depth + 1);
        for (const g of (a as { graphs?: GraphProto[] }).graphs ?? []) visit(g.node ?? [], depth + 1);
      }
    }
  };
  visit(nodes, 0);
  if (missing.size) {
    const list = [...missing].map(([op, k]) => `${op} (${k} node${k > 1 ? 's' : ''})`).join(', ');
    throw new OnnxError(
      `importOnnx: ${sourceName} uses ${missing.size} op type(s) convnet-ts cannot import: ${list}. Supported: ${Object.keys(IMPORT_OPS).sort().join(', ')}`,
    );
  }
}

/** Checks that nodes are in topological order and outputs are produced; plans If branches; returns the steps. */
function planSteps(graph: GraphProto, nodes: NodeProto[], known: Set<string>, outputs: string[], depth = 0): Step[] {
  const defined = new Set(known);
  const steps = nodes.map((node, i): Step => {
    const where = describeNode(node, i);
    const inputs = node.input ?? [];
    for (const n of inputs) {
      if (n !== '' && !defined.has(n))
        throw new OnnxError(`importOnnx: ${where} uses '${n}', which no earlier node, input or initializer defines (the graph must be topologically sorted)`);
    }
    const attrs = new NodeAttrs(node, where);
    const step: Step = { node, opType: node.op_type ?? '', inputs, outputs: node.output ?? [], attrs, where };
    if (step.opType === 'If') {
      if (depth >= MAX_NESTING) throw new OnnxError(`importOnnx: ${where} nests If graphs more than ${MAX_NESTING} deep`);
      const plan = (key: string): Branch => {
        const g = attrs.graph(key);
        if (!g) throw new OnnxError(`importOnnx: ${where} has no ${key}`);
        if ((g.initializer ?? []).length) throw new OnnxError(`importOnnx: ${where}: initializers inside branch graphs are not supported`);
        const outs = (g.output ?? []).map((o) => o.name ?? '');
        if (outs.length !== step.outputs.length)
          throw new OnnxError(`importOnnx: ${where}: ${key} has ${outs.length} outputs for the node's ${step.outputs.length}`);
        return { steps: planSteps(g, g.node ?? [], defined, outs, depth + 1), outputs: outs };
      };
      step.branches = { then: plan('then_branch'), else: plan('else_branch') };
    }
    for (const n of step.outputs) {
      if (n === '') continue;
      if (defined.has(n)) throw new OnnxError(`importOnnx: ${where} redefines the value '${n}'`);
      defined.add(n);
    }
    return step;
  });
  for (const o of outputs)
    if (!defined.has(o)) throw new OnnxError(`importOnnx: graph output '${o}' is never computed${graph.name ? ` in graph '${graph.name}'` : ''}`);
  return steps;
}
