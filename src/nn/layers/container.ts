/** Sequential, ModuleList, ModuleDict. */
import { Tensor } from '../../tensor/tensor.js';
import { Module, isTracing, type AnyModule } from '../module.js';
import { canFuse, convBnAct, isPlainBatchNorm } from '../fusion.js';
import { Conv2d } from './conv.js';
import { BatchNorm2d } from './norm.js';
import { ReLU } from './activation.js';
import { ELEMENTWISE, type LayerInfo } from '../describe.js';

/**
 * Runs its children in order. Children are named '0', '1', ... or by the keys of a record, so parameter names match
 * PyTorch's (`features.0.weight`).
 * Example: new Sequential(new Conv2d(1, 20, 5), new ReLU()); new Sequential({ conv: new Conv2d(1, 20, 5), relu: new ReLU() })
 */
export class Sequential extends Module<[Tensor], Tensor> {
  constructor(...layers: AnyModule[] | [Record<string, AnyModule>]) {
    super();
    if (layers.length === 1 && !(layers[0] instanceof Module)) {
      for (const [name, m] of Object.entries(layers[0] as Record<string, AnyModule>)) this.registerModule(name, m);
    } else {
      (layers as AnyModule[]).forEach((m, i) => {
        if (!(m instanceof Module)) throw new Error(`Sequential: argument ${i} is not a Module`);
        this.registerModule(String(i), m);
      });
    }
  }

  /** The i-th child (negative counts from the end). */
  at(i: number): AnyModule {
    const list = [...this._modules.values()];
    const idx = i < 0 ? i + list.length : i;
    if (!Number.isInteger(idx) || idx < 0 || idx >= list.length) throw new Error(`Sequential: index ${i} is out of range for ${list.length} modules`);
    return list[idx];
  }

  /** The child named `name`. */
  get(name: string): AnyModule {
    const m = this._modules.get(name);
    if (!m) throw new Error(`Sequential: no module named '${name}' (have ${[...this._modules.keys()].join(', ')})`);
    return m;
  }

  /** Replaces a child in place (e.g. a new classifier head), keeping its name. */
  set(nameOrIndex: string | number, module: AnyModule): void {
    const name = typeof nameOrIndex === 'number' ? [...this._modules.keys()][nameOrIndex < 0 ? nameOrIndex + this.length : nameOrIndex] : nameOrIndex;
    if (name === undefined || !this._modules.has(name)) throw new Error(`Sequential: no module at ${JSON.stringify(nameOrIndex)}`);
    this._modules.set(name, module);
  }

  /** Appends a child named by its index. */
  append(module: AnyModule): this {
    this.registerModule(String(this._modules.size), module);
    return this;
  }

  get length(): number {
    return this._modules.size;
  }

  [Symbol.iterator](): Iterator<AnyModule> {
    return this._modules.values();
  }

  /** An empty Sequential is the identity (summaries describe only layers without children). */
  override describe(): LayerInfo {
    return ELEMENTWISE;
  }

  forward(x: Tensor): Tensor {
    let h: unknown = x;
    const list = [...this._modules.values()];
    for (let i = 0; i < list.length; i++) {
      const m = list[i];
      // Conv2d (→ BatchNorm2d) (→ ReLU) runs as one fused convolution where nothing is recorded (nn/fusion.ts).
      if (m instanceof Conv2d && h instanceof Tensor) {
        const bn = list[i + 1] instanceof BatchNorm2d ? (list[i + 1] as BatchNorm2d) : null;
        const next = list[i + (bn ? 2 : 1)];
        const relu = next instanceof ReLU;
        if ((bn || relu) && canFuse(m, bn, h)) {
          h = convBnAct(m, bn, h, { relu });
          i += (bn ? 1 : 0) + (relu ? 1 : 0);
          continue;
        }
      }
      // BatchNorm2d → ReLU in training: one kernel each way (the same values), unless a tracer watches each layer.
      if (isPlainBatchNorm(m) && list[i + 1] instanceof ReLU && h instanceof Tensor && !isTracing()) {
        h = m.forwardAct(h, { relu: true });
        i += 1;
        continue;
      }
      h = m.forward(h);
    }
    return h as Tensor;
  }
}

/** A list of modules registered as children '0', '1', ...; it has no forward of its own. */
export class ModuleList extends Module<[], never> {
  constructor(modules: Iterable<AnyModule> = []) {
    super();
    for (const m of modules) this.append(m);
  }
  append(module: AnyModule): this {
    this.registerModule(String(this._modules.size), module);
    return this;
  }
  at(i: number): AnyModule {
    const list = [...this._modules.values()];
    const m = list[i < 0 ? i + list.length : i];
    if (!m) throw new Error(`ModuleList: index ${i} is out of range for ${list.length} modules`);
    return m;
  }
  get length(): number {
    return this._modules.size;
  }
  [Symbol.iterator](): Iterator<AnyModule> {
    return this._modules.values();
  }
  forward(): never {
    throw this.error('ModuleList has no forward; iterate over it and call its modules');
  }
}

/** Modules by name, registered as children under those names. */
export class ModuleDict extends Module<[], never> {
  constructor(modules: Record<string, AnyModule> = {}) {
    super();
    for (const [k, m] of Object.entries(modules)) this.registerModule(k, m);
  }
  get(name: string): AnyModule {
    const m = this._modules.get(name);
    if (!m) throw new Error(`ModuleDict: no module named '${name}'`);
    return m;
  }
  set(name: string, module: AnyModule): void {
    this.registerModule(name, module);
  }
  has(name: string): boolean {
    return this._modules.has(name);
  }
  keys(): string[] {
    return [...this._modules.keys()];
  }
  forward(): never {
    throw this.error('ModuleDict has no forward; call its modules by name');
  }
}
