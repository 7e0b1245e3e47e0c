/**
 * Optimizer base: parameter groups with their own hyperparameters, per-parameter state, zeroGrad, and a state dict
 * laid out like PyTorch's ({ state: {index: {...}}, paramGroups: [{...hyper, params: [indices]}] }) so training resumes exactly.
 */
import { noGrad } from '../autograd/grad_mode.js';
import { Tensor } from '../tensor/tensor.js';
import { withApplyFlag, type ParamState } from './update.js';

export { runUpdate, type ParamState, type StateValue, type UpdateRule } from './update.js';

/** A group of parameters with hyperparameters overriding the optimizer's defaults. */
export type ParamGroupSpec<H> = { params: Iterable<Tensor> } & Partial<H>;
export type ParamGroup<H> = { params: Tensor[] } & H;
export type Params<H> = Iterable<Tensor> | ParamGroupSpec<H>[];

export interface OptimizerStateDict<H> {
  state: Record<number, ParamState>;
  paramGroups: (H & { params: number[] })[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the default lets code hold any optimizer; each subclass fixes its hyper-parameter type.
export abstract class Optimizer<H extends { lr: number } = any> {
  readonly paramGroups: ParamGroup<H>[] = [];
  readonly state = new Map<Tensor, ParamState>();

  constructor(
    params: Params<H>,
    readonly defaults: H,
  ) {
    this.validate(defaults, 'defaults');
    const list = [...(params as Iterable<Tensor | ParamGroupSpec<H>>)];
    if (list.length === 0) throw new Error(`${this.name}: got an empty parameter list`);
    const groups: ParamGroupSpec<H>[] =
      list[0] instanceof Tensor ? [{ params: list as Tensor[] } as unknown as ParamGroupSpec<H>] : (list as ParamGroupSpec<H>[]);
    for (const g of groups) this.addParamGroup(g);
  }

  get name(): string {
    return this.constructor.name;
  }

  /** Checks hyperparameters; subclasses extend it. */
  protected validate(h: Partial<H>, where: string): void {
    if (h.lr !== undefined && !(typeof h.lr === 'number' && Number.isFinite(h.lr) && h.lr >= 0)) {
      throw new Error(`${this.name}: invalid learning rate ${h.lr} in ${where} (expected a finite number >= 0)`);
    }
  }

  /** Adds a group (e.g. a head trained at a different lr); its parameters must be new to this optimizer. */
  addParamGroup(spec: ParamGroupSpec<H>): void {
    if (!spec || typeof spec !== 'object' || !('params' in spec)) throw new Error(`${this.name}: a parameter group must be an object with a 'params' list`);
    const params = [...spec.params];
    const where = `parameter group ${this.paramGroups.length}`;
    params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new Error(`${this.name}: ${where} item ${i} is not a Tensor`);
      if (p.dtype !== 'float32') throw new Error(`${this.name}: ${where} item ${i} is ${p.dtype}; only float32 tensors can be optimized`);
      if (!p.isLeaf) throw new Error(`${this.name}: ${where} item ${i} is not a leaf tensor (optimize parameters, not results of ops)`);
    });
    const seen = new Set<Tensor>();
    for (const g of this.paramGroups) for (const p of g.params) seen.add(p);
    params.forEach((p, i) => {
      if (seen.has(p)) throw new Error(`${this.name}: ${where} item ${i} is a parameter given twice (each parameter may appear in only one group, once)`);
      seen.add(p);
    });
    this.validate(spec, where);
    const group = { ...this.defaults, ...spec, params } as ParamGroup<H>;
    this.paramGroups.push(group);
  }

  /** Sets the gradients of all optimized parameters to null. */
  zeroGrad(): void {
    for (const g of this.paramGroups) for (const p of g.params) p.grad = null;
  }

  /**
   * Applies one update to every parameter that has a gradient.
   *
   * Args: guard — a one-element tensor; when it is not finite (NaN or ±Inf: a loss or gradient that blew up) the
   *   step changes no parameter and no state. On host backends it is read first (and a skipped step counts nothing);
   *   on GPU backends the choice is made on the device without waiting for it, and the host-side step counters
   *   (Adam's, Adagrad's) still advance.
   * Example: `opt.step({ guard: loss })` — no update from a non-finite loss.
   */
  step(opts: { guard?: Tensor } = {}): void {
    const guard = opts.guard;
    if (guard !== undefined) {
      if (!(guard instanceof Tensor) || guard.numel() !== 1) throw new Error(`${this.name}.step: guard must be a one-element tensor`);
      if (!guard.storage.backend.readAsync) {
        if (Number.isFinite(guard.item())) this.step();
        return;
      }
      // 1 where finite: x·0 is 0 for finite x and NaN otherwise, and NaN == 0 is false.
      const flag = noGrad(() => guard.reshape([]).mul(0).eq(0));
      withApplyFlag(flag, () => this.step());
      return;
    }
    noGrad(() => {
      for (const group of this.paramGroups) {
        this.validate(group, 'a parameter group');
        for (const p of group.params) {
          if (!p.grad) continue;
          let s = this.state.get(p);
          if (!s) this.state.set(p, (s = {}));
          this.update(p, p.grad, group, s);
        }
      }
    });
  }

  /** One parameter's update rule (runs under noGrad). State holds new tensors each step, never mutated ones. */
  protected abstract update(p: Tensor, grad: Tensor, group: ParamGroup<H>, state: ParamState): void;

  /** Hyperparameters and per-parameter state, parameters referenced by their index in group order. */
  stateDict(): OptimizerStateDict<H> {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((g) => {
      const { params, ...hyper } = g;
      return { ...(hyper as unknown as H), params: params.map((p) => index.get(p) ?? (index.set(p, index.size), index.size - 1)) };
    });
    const state: Record<number, ParamState> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i !== undefined) state[i] = { ...s };
    }
    return { state, paramGroups };
  }

  /** Restores hyperparameters and state saved by stateDict() from an optimizer over the same parameters. */
  loadStateDict(sd: OptimizerStateDict<H>): void {
    if (!sd || !Array.isArray(sd.paramGroups) || typeof sd.state !== 'object') throw new Error(`${this.name}.loadStateDict: expected { state, paramGroups }`);
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new Error(`${this.name}.loadStateDict: the state has ${sd.paramGroups.length} parameter groups, this optimizer has ${this.paramGroups.length}`);
    }
    const byIndex: Tensor[] = [];
    sd.paramGroups.forEach((g, gi) => {
      const mine = this.paramGroups[gi].params;
      if (g.params.length !== mine.length) {
        throw new Error(`${this.name}.loadStateDict: parameter group ${gi} has ${g.params.length} parameters in the state but ${mine.length} here`);
      }
      g.params.forEach((idx, j) => (byIndex[idx] = mine[j]));
    });
    for (const [k, s] of Object.entries(sd.state)) {
      const p = byIndex[Number(k)];
      if (!p) throw new Error(`${this.name}.loadStateDict: state for unknown parameter index ${k}`);
      for (const [name, v] of Object.entries(s)) {
        if (v instanceof Tensor && v.shape.join() !== p.shape.join() && v.numel() !== 1) {
          throw new Error(`${this.name}.loadStateDict: state '${name}' of parameter ${k} has shape [${v.shape}] but the parameter has [${p.shape}]`);
        }
      }
    }
    this.state.clear();
    for (const [k, s] of Object.entries(sd.state)) this.state.set(byIndex[Number(k)], { ...s });
    sd.paramGroups.forEach((g, gi) => {
      const { params: _ignored, ...hyper } = g;
      Object.assign(this.paramGroups[gi], hyper);
    });
  }
}
