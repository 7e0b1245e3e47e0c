/**
 * nn.Module: the base of every layer and model. Parameters (fields holding a Parameter) and child modules
 * (fields holding a Module) are discovered in declaration order, like PyTorch's registration order, so
 * `namedParameters()` and `stateDict()` produce PyTorch's dotted names (`features.0.weight`,
 * `layer1.0.bn1.running_mean`). Buffers are registered explicitly under PyTorch's names.
 */
import { noGrad } from '../autograd/grad_mode.js';
import { shapeToString } from '../backend/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { Parameter } from './parameter.js';
import type { ChannelAffine, LayerInfo, OnnxEmit, OnnxLayerContext } from './describe.js';

/** Modules whose forward is running, outermost first: gives errors the module's path in the model. */
/** Any module, whatever its forward's arguments and result: what containers, tracers, summaries and io hold. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- forward's signature varies per layer; callers narrow it.
export type AnyModule = Module<any, any>;

/** A module class (for instanceof tests and per-class tables), whatever its constructor takes. */
export type ModuleClass = abstract new (...args: never[]) => AnyModule;

const callStack: AnyModule[] = [];

/** Observes every module call (used by analysis.summary and activationStats); at most one at a time. */
export interface ForwardTracer {
  enter(module: AnyModule, inputs: unknown[], depth: number): void;
  exit(module: AnyModule, inputs: unknown[], output: unknown, depth: number): void;
}
let tracer: ForwardTracer | null = null;

/** Whether a tracer observes module calls now (export, summaries): inference fusion then leaves the layers alone. */
export function isTracing(): boolean {
  return tracer !== null;
}

/** Runs fn with a tracer observing module calls. */
export function withForwardTracer<T>(t: ForwardTracer, fn: () => T): T {
  const prev = tracer;
  tracer = t;
  try {
    return fn();
  } finally {
    tracer = prev;
  }
}

/**
 * PyTorch's `state_dict._metadata`: module prefix → { version }. A `.pth` state dict carries it (as a hidden property
 * under this key, set by io.decodePth); a safetensors file or a plain object has none. BatchNorm's loading rule
 * depends on it (see loadStateDict).
 */
export const STATE_DICT_METADATA: unique symbol = Symbol.for('convnet-ts.stateDictMetadata');
export type StateDictMetadata = Record<string, { version?: number }>;

export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** Thrown by loadStateDict: every problem at once, nothing loaded. */
export class StateDictError extends Error {
  constructor(
    message: string,
    readonly missingKeys: string[],
    readonly unexpectedKeys: string[],
    readonly shapeMismatches: { key: string; expected: number[]; got: number[] }[],
  ) {
    super(message);
    this.name = 'StateDictError';
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a layer's forward may take any arguments (a tuple type); most take one Tensor.
export abstract class Module<I extends any[] = [Tensor], O = Tensor> {
  /** Train mode (dropout active, batch norm uses batch statistics) or eval mode. */
  training = true;
  /** @internal Explicitly registered children (containers, names that are not identifiers). */
  protected readonly _modules = new Map<string, AnyModule>();
  /** @internal Buffers under their state-dict names (e.g. running_mean); null entries are skipped. */
  protected readonly _buffers = new Map<string, Tensor | null>();
  /** @internal Buffers excluded from the state dict. */
  protected readonly _nonPersistent = new Set<string>();

  constructor() {
    // Wrap this instance's forward so errors raised inside can name the module's path (e.g. 'classifier.0').
    const forward = this.forward;
    Object.defineProperty(this, 'forward', {
      enumerable: false,
      configurable: true,
      writable: true,
      value: (...args: I): O => {
        callStack.push(this);
        const t = tracer;
        const depth = callStack.length - 1;
        try {
          t?.enter(this, args, depth);
          const out = forward.apply(this, args);
          t?.exit(this, args, out, depth);
          return out;
        } finally {
          callStack.pop();
        }
      },
    });
    for (const key of ['_modules', '_buffers', '_nonPersistent', 'training']) hide(this, key);
  }

  /** Computes the output; subclasses implement it. */
  abstract forward(...inputs: I): O;

  /** PyTorch's class name shown in repr and errors. */
  get typeName(): string {
    return this.constructor.name;
  }

  /** The arguments shown in the one-line description, e.g. `1, 20, kernel_size=(5, 5)`. */
  extraRepr(): string {
    return '';
  }

  // ---- self-description (nn/describe.ts): what summary, BatchNorm folding and ONNX export read ----

  /**
   * A leaf layer's row in the summary table for one call that mapped `input` to `output` (shapes with the batch).
   * Every layer without children implements it; containers are described by their children.
   */
  describe?(input: readonly number[], output: readonly number[]): LayerInfo;
  /** This layer as ONNX node(s) for a call on `x`, or null to trace through its primitive ops. */
  exportOnnx?(ctx: OnnxLayerContext, x: Tensor): OnnxEmit | null;
  /** A per-channel affine map equal to this layer in eval mode (BatchNorm with running statistics), or null. */
  channelAffine?(): ChannelAffine | null;
  /** Folds a per-channel affine map applied to this layer's output into its weights; returns the layer to use (this or a copy with a bias). */
  absorbAffine?(affine: ChannelAffine): AnyModule;

  // ---- registration ----

  /** Registers a child under `name` (for names that are not identifiers, e.g. Sequential's '0'). */
  registerModule<M extends AnyModule>(name: string, module: M): M {
    checkName(name, this, 'registerModule');
    if (!(module instanceof Module)) throw new Error(`${this.typeName}.registerModule: '${name}' is not a Module`);
    this._modules.set(name, module);
    return module;
  }

  /** Replaces the direct child `name` (a field or a registered child) with another module. */
  replaceChild(name: string, module: AnyModule): void {
    if (this._modules.has(name)) this._modules.set(name, module);
    else if ((this as Record<string, unknown>)[name] instanceof Module) (this as Record<string, unknown>)[name] = module;
    else throw new Error(`${this.typeName}.replaceChild: no child named '${name}'`);
  }

  /** Registers a tensor that is state but not a parameter (running statistics). */
  registerBuffer(name: string, tensor: Tensor | null, opts: { persistent?: boolean } = {}): void {
    checkName(name, this, 'registerBuffer');
    if (tensor !== null && !(tensor instanceof Tensor)) throw new Error(`${this.typeName}.registerBuffer: '${name}' is not a Tensor`);
    this._buffers.set(name, tensor);
    if (opts.persistent === false) this._nonPersistent.add(name);
    else this._nonPersistent.delete(name);
  }

  /** The buffer registered as `name`. */
  getBuffer(name: string): Tensor | null {
    return this._buffers.get(name) ?? null;
  }

  // ---- traversal ----

  /** Direct children with their names: module-valued fields in declaration order, then registered ones. */
  *namedChildren(): Generator<[string, AnyModule]> {
    for (const [k, v] of Object.entries(this)) if (v instanceof Module) yield [k, v];
    yield* this._modules;
  }

  *children(): Generator<AnyModule> {
    for (const [, m] of this.namedChildren()) yield m;
  }

  /** This module and all descendants, depth-first, each once, with dotted names ('' for this one). */
  *namedModules(prefix = '', seen = new Set<AnyModule>()): Generator<[string, AnyModule]> {
    if (seen.has(this)) return;
    seen.add(this);
    yield [prefix, this];
    for (const [name, child] of this.namedChildren()) yield* child.namedModules(prefix ? `${prefix}.${name}` : name, seen);
  }

  *modules(): Generator<AnyModule> {
    for (const [, m] of this.namedModules()) yield m;
  }

  /** This module's own parameters (fields holding a Parameter), in declaration order. */
  protected *ownParameters(): Generator<[string, Parameter]> {
    for (const [k, v] of Object.entries(this)) if (v instanceof Parameter) yield [k, v];
  }

  /** Parameters with dotted names; each shared parameter once. */
  namedParameters(opts: { prefix?: string; recurse?: boolean } = {}): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    const seen = new Set<Tensor>();
    const mods: Iterable<[string, AnyModule]> = opts.recurse === false ? [['', this]] : this.namedModules(opts.prefix ?? '');
    for (const [path, m] of mods) {
      for (const [name, p] of m.ownParameters()) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push([path ? `${path}.${name}` : name, p]);
      }
    }
    return out;
  }

  parameters(opts: { recurse?: boolean } = {}): Parameter[] {
    return this.namedParameters(opts).map(([, p]) => p);
  }

  /** Buffers with dotted names (running_mean, running_var, num_batches_tracked, ...). */
  namedBuffers(opts: { prefix?: string; recurse?: boolean } = {}): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const mods: Iterable<[string, AnyModule]> = opts.recurse === false ? [['', this]] : this.namedModules(opts.prefix ?? '');
    for (const [path, m] of mods) {
      for (const [name, b] of m._buffers) if (b) out.push([path ? `${path}.${name}` : name, b]);
    }
    return out;
  }

  buffers(opts: { recurse?: boolean } = {}): Tensor[] {
    return this.namedBuffers(opts).map(([, b]) => b);
  }

  /** Number of parameter elements (all, or only those requiring grad). */
  numParameters(opts: { trainableOnly?: boolean } = {}): number {
    return this.parameters()
      .filter((p) => !opts.trainableOnly || p.requiresGrad)
      .reduce((n, p) => n + p.numel(), 0);
  }

  /** Calls fn on every descendant then on this module (PyTorch's order); returns this. */
  apply(fn: (m: AnyModule) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  // ---- modes ----

  /** Sets train (default) or eval mode on this module and every descendant. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Freezes (false) or unfreezes every parameter. */
  requiresGrad_(flag = true): this {
    for (const p of this.parameters()) p.requiresGrad = flag;
    return this;
  }

  /** Clears the gradients of every parameter. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  // ---- state ----

  /**
   * Parameters and persistent buffers by PyTorch name, sharing memory with the module (like PyTorch's);
   * clone the tensors to keep a snapshot.
   */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [path, m] of this.namedModules()) {
      const key = (name: string) => (path ? `${path}.${name}` : name);
      for (const [name, p] of m.ownParameters()) out[key(name)] = p.detach();
      for (const [name, b] of m._buffers) if (b && !m._nonPersistent.has(name)) out[key(name)] = b.detach();
    }
    return out;
  }

  /**
   * Copies values from `dict` into the parameters and buffers.
   * strict (default true): missing and unexpected keys are errors. Shape mismatches are always errors.
   * Every problem is reported at once, and nothing is loaded unless everything can be.
   * As PyTorch: a BatchNorm's num_batches_tracked absent from a dict without version metadata for that module (a
   * plain dict, a safetensors file) is set to 0, not missing; in a torch.save state dict (version 2) it is missing.
   * opts.metadata overrides the dict's own (STATE_DICT_METADATA); null means none.
   */
  loadStateDict(dict: Record<string, Tensor>, opts: { strict?: boolean; metadata?: StateDictMetadata | null } = {}): LoadStateDictResult {
    const strict = opts.strict ?? true;
    const metadata = opts.metadata !== undefined ? opts.metadata : ((dict as { [STATE_DICT_METADATA]?: StateDictMetadata })[STATE_DICT_METADATA] ?? null);
    const own = this.stateDict();
    const targets = new Map<string, Tensor>();
    // PyTorch's BatchNorm rule: a dict without version metadata for the module (a plain dict, safetensors) that lacks
    // num_batches_tracked loads it as 0; a versioned one (torch.save's, version ≥ 2) must have it.
    const zeroFilled = new Set<string>();
    for (const [path, m] of this.namedModules()) {
      const key = (name: string) => (path ? `${path}.${name}` : name);
      for (const [name, p] of m.ownParameters()) targets.set(key(name), p);
      for (const [name, b] of m._buffers) if (b && !m._nonPersistent.has(name)) targets.set(key(name), b);
      const nbt = key('num_batches_tracked');
      const version = metadata?.[path]?.version;
      if (m._buffers.get('num_batches_tracked') && !(nbt in dict) && (version === undefined || version < 2)) zeroFilled.add(nbt);
    }
    const missingKeys = Object.keys(own).filter((k) => !(k in dict) && !zeroFilled.has(k));
    const unexpectedKeys = Object.keys(dict).filter((k) => !targets.has(k));
    const shapeMismatches: { key: string; expected: number[]; got: number[] }[] = [];
    for (const [k, target] of targets) {
      const src = dict[k];
      if (src === undefined) continue;
      if (!(src instanceof Tensor)) {
        shapeMismatches.push({ key: k, expected: [...target.shape], got: [] });
      } else if (src.shape.join() !== target.shape.join()) {
        // num_batches_tracked is a scalar in PyTorch; accept any single-element tensor for it.
        if (!(src.numel() === 1 && target.numel() === 1)) shapeMismatches.push({ key: k, expected: [...target.shape], got: [...src.shape] });
      }
    }
    const problems: string[] = [];
    if (strict && missingKeys.length) problems.push(`missing keys: ${missingKeys.map((k) => `'${k}' ${shapeToString(own[k].shape)}`).join(', ')}`);
    if (strict && unexpectedKeys.length) problems.push(`unexpected keys: ${unexpectedKeys.map((k) => `'${k}' ${describe(dict[k])}`).join(', ')}`);
    if (shapeMismatches.length) {
      problems.push(
        `shape mismatches: ${shapeMismatches.map((s) => `'${s.key}' expects ${shapeToString(s.expected)} but got ${describe(dict[s.key])}`).join(', ')}`,
      );
    }
    if (problems.length) {
      throw new StateDictError(`${this.typeName}.loadStateDict: ${problems.join('; ')}`, missingKeys, unexpectedKeys, shapeMismatches);
    }
    noGrad(() => {
      for (const [k, target] of targets) {
        const src = dict[k];
        if (src === undefined) {
          if (zeroFilled.has(k)) target.copy_(zerosLikeShape(target));
          continue;
        }
        target.copy_(src.numel() === 1 && target.numel() === 1 ? src.reshape(target.shape) : src);
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  // ---- printing ----

  /** PyTorch-style tree: `Sequential(\n  (0): Conv2d(1, 20, kernel_size=(5, 5), ...)\n)`. */
  toString(): string {
    const children = [...this.namedChildren()];
    const extra = this.extraRepr();
    if (children.length === 0) return `${this.typeName}(${extra})`;
    const lines: string[] = [];
    if (extra) lines.push(...extra.split('\n'));
    for (const [name, child] of children) lines.push(`(${name}): ${indent(child.toString())}`);
    return `${this.typeName}(\n${lines.map((l) => `  ${l}`).join('\n')}\n)`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  // ---- errors ----

  /** Runs fn as a call of this module, so that errors inside name its path: for entry points besides forward. */
  protected asCall<T>(fn: () => T): T {
    if (callStack[callStack.length - 1] === this) return fn();
    callStack.push(this);
    try {
      return fn();
    } finally {
      callStack.pop();
    }
  }

  /**
   * An Error prefixed with this module's type and its path in the model being run,
   * e.g. `Linear 'classifier.0': expected input with 2450 features, got shape [64, 2400]`.
   */
  protected error(message: string): Error {
    const path = pathOf(this);
    return new Error(`${this.typeName}${path ? ` '${path}'` : ''}: ${message}`);
  }
}

/** The module's dotted path from the outermost module currently running forward ('' when called directly). */
function pathOf(m: AnyModule): string {
  const i = callStack.lastIndexOf(m);
  if (i <= 0) return '';
  for (const [name, mod] of callStack[0].namedModules()) if (mod === m) return name;
  return '';
}

function hide(obj: object, key: string): void {
  const desc = Object.getOwnPropertyDescriptor(obj, key);
  if (desc) Object.defineProperty(obj, key, { ...desc, enumerable: false });
}

function checkName(name: string, m: AnyModule, what: string): void {
  if (typeof name !== 'string' || name === '' || name.includes('.')) {
    throw new Error(`${m.typeName}.${what}: name must be a non-empty string without '.', got ${JSON.stringify(name)}`);
  }
}

function indent(s: string): string {
  return s.split('\n').join('\n  ');
}

function describe(t: unknown): string {
  return t instanceof Tensor ? shapeToString(t.shape) : typeof t;
}

/** Zeros of a tensor's shape and dtype (for num_batches_tracked). */
function zerosLikeShape(t: Tensor): Tensor {
  return t.mul(0);
}
