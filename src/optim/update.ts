/**
 * How an optimizer's update runs: its reference loop (in its own file, next to its class) over float32 arrays, or the
 * active backend's fast kernel of its own name where the backend has one (wasm: sgdUpdate, adamUpdate).
 */
import { activeBackend, optionalKernel } from '../backend/registry.js';
import { where } from '../ops/elementwise.js';
import { zerosLike } from '../tensor/creation.js';
import type { UpdateKernelName } from '../backend/kernels.js';
import { tensor } from '../tensor/creation.js';
import { Tensor } from '../tensor/tensor.js';

export type StateValue = Tensor | number;
export type ParamState = Record<string, StateValue>;

/**
 * An optimizer's elementwise update rule.
 *
 * `reference(P, G, S, had, h)` updates the parameter values P in place from the gradient G, reading and updating the
 * state arrays S (copies of the state tensors; zeros, and `had[k]` false, when the state is new) with PyTorch's
 * float32 arithmetic (see float32.ts), and returns the state keys to keep.
 */
export interface UpdateRule<H, K extends string> {
  /** The state tensors' names (PyTorch's: momentum_buffer, exp_avg, …). */
  readonly state: readonly K[];
  reference(P: Float32Array, G: Float32Array, S: Record<K, Float32Array>, had: Record<K, boolean>, h: H): readonly K[];
  /** The kernel a backend may have for this rule (same hyperparameters, same results bit for bit). */
  readonly fast?: UpdateKernelName;
}

/** The step's guard on the device (see Optimizer.step): 1 where the step applies, 0 where it must change nothing. */
let applyFlag: Tensor | null = null;

/** Runs `fn` (an optimizer's step) with updates kept or dropped on the device by `flag` (a one-element 1/0 tensor). */
export function withApplyFlag<T>(flag: Tensor | null, fn: () => T): T {
  const before = applyFlag;
  applyFlag = flag;
  try {
    return fn();
  } finally {
    applyFlag = before;
  }
}

/** Applies `rule` to `p` with gradient `grad`: writes the new values into p and replaces its state tensors. */
export function runUpdate<H, K extends string>(rule: UpdateRule<H, K>, p: Tensor, grad: Tensor, state: ParamState, h: H): void {
  const fast = rule.fast ? optionalKernel(rule.fast) : null;
  if (fast && applyFlag) {
    // Decided on the device, without a read: the new values where the flag is 1, the old ones (or zeros for state
    // that did not exist yet, which every rule treats alike but SGD with dampening) where it is 0.
    const flag = applyFlag;
    const inputs: Record<string, ReturnType<Tensor['info']>> = {};
    for (const k of rule.state) if (state[k] instanceof Tensor) inputs[k] = state[k].info();
    const r = (fast as (...a: unknown[]) => { param: ReturnType<Tensor['info']>; state: Record<string, ReturnType<Tensor['info']>> })(
      p.info(),
      grad.info(),
      inputs,
      h,
    );
    const keep = (next: Tensor, old: Tensor | null) => where(flag, next, old ?? zerosLike(next));
    p.copy_(keep(Tensor.fromInfo(r.param), p));
    for (const [k, t] of Object.entries(r.state)) {
      const old = state[k];
      state[k] = keep(Tensor.fromInfo(t), old instanceof Tensor ? old : null);
    }
    return;
  }
  if (applyFlag)
    throw new Error(`${rule.fast ?? 'this optimizer'}: a step guarded on the device needs the backend's update kernel, and '${activeBackend().name}' has none`);
  if (fast) {
    const inputs: Record<string, ReturnType<Tensor['info']>> = {};
    for (const k of rule.state) if (state[k] instanceof Tensor) inputs[k] = state[k].info();
    const r = (fast as (...a: unknown[]) => { param: ReturnType<Tensor['info']>; state: Record<string, ReturnType<Tensor['info']>> })(
      p.info(),
      grad.info(),
      inputs,
      h,
    );
    p.copy_(Tensor.fromInfo(r.param));
    for (const [k, t] of Object.entries(r.state)) state[k] = Tensor.fromInfo(t);
    return;
  }
  const P = p.data() as Float32Array;
  const n = P.length;
  const S = {} as Record<K, Float32Array>;
  const had = {} as Record<K, boolean>;
  for (const k of rule.state) {
    const t = state[k];
    had[k] = t instanceof Tensor;
    S[k] = t instanceof Tensor ? (t.data() as Float32Array) : new Float32Array(n);
  }
  const keep = rule.reference(P, grad.data() as Float32Array, S, had, h);
  p.copy_(tensor(P, p.shape));
  for (const k of keep) state[k] = tensor(S[k], p.shape);
}
