/**
 * Numerical gradient checking: compares autograd's vector-Jacobian products with central differences.
 * The inputs are float32, so the check perturbs by eps, accumulates the finite differences in float64 and
 * compares the projection of a random upstream gradient against each input's analytic gradient.
 */
import type { Tensor } from '../tensor/tensor.js';
import { tensor } from '../tensor/creation.js';
import { Generator } from '../tensor/random.js';
import { noGrad } from './grad_mode.js';

export interface GradcheckOptions {
  /** Finite-difference step (default 1e-2: float32 needs a large step). */
  eps?: number;
  /** Tolerances on |numeric − analytic| ≤ atol + rtol·|numeric|. */
  atol?: number;
  rtol?: number;
  /** Seed of the random upstream gradient. */
  seed?: number;
  /** Throw on failure (default true); otherwise return false. */
  raiseException?: boolean;
}

export interface GradcheckFailure {
  input: number;
  index: number;
  numeric: number;
  analytic: number;
}

/**
 * Checks fn's gradients with respect to every input that requires grad.
 *
 * Example:
 *   const x = randn([3, 4], { requiresGrad: true });
 *   gradcheck((a) => a.tanh().sum(), [x]); // true, or throws naming the element that differs
 */
export function gradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: Tensor[], opts: GradcheckOptions = {}): boolean {
  const { eps = 1e-2, atol = 1e-2, rtol = 1e-2, seed = 0, raiseException = true } = opts;
  const gen = new Generator(seed);
  const out0 = fn(...inputs);
  const upstream = new Float32Array(out0.numel());
  for (let i = 0; i < upstream.length; i++) upstream[i] = gen.normal();
  const up = tensor(upstream, out0.shape);
  const project = (t: Tensor): number => {
    const d = t.data();
    let s = 0;
    for (let i = 0; i < d.length; i++) s += d[i] * upstream[i];
    return s;
  };
  for (const x of inputs) x.grad = null;
  if (out0.requiresGrad) out0.backward(up);
  const failures: GradcheckFailure[] = [];
  inputs.forEach((x, xi) => {
    if (!x.requiresGrad) return;
    const analytic = x.grad ? x.grad.data() : new Float32Array(x.numel());
    const base = x.data() as Float32Array;
    for (let i = 0; i < base.length; i++) {
      const perturbed = base.slice();
      perturbed[i] = base[i] + eps;
      const plus = noGrad(() => {
        x.copy_(tensor(perturbed, x.shape));
        return project(fn(...inputs));
      });
      perturbed[i] = base[i] - eps;
      const minus = noGrad(() => {
        x.copy_(tensor(perturbed, x.shape));
        return project(fn(...inputs));
      });
      // The step actually taken in float32 may differ from eps.
      const h = Math.fround(base[i] + eps) - Math.fround(base[i] - eps);
      const numeric = (plus - minus) / h;
      if (!(Math.abs(numeric - analytic[i]) <= atol + rtol * Math.abs(numeric))) failures.push({ input: xi, index: i, numeric, analytic: analytic[i] });
    }
    noGrad(() => x.copy_(tensor(base, x.shape)));
  });
  return report(failures, raiseException);
}

function report(failures: GradcheckFailure[], raiseException: boolean): boolean {
  if (failures.length) {
    if (!raiseException) return false;
    const f = failures[0];
    throw new Error(
      `gradcheck: ${failures.length} gradient element(s) differ; first: input ${f.input}, element ${f.index}: numeric ${f.numeric} vs analytic ${f.analytic}`,
    );
  }
  return true;
}

/**
 * gradcheck for backends whose results are read asynchronously (webgpu), and usable on every backend: every
 * perturbed evaluation is recorded first, each projected onto the upstream gradient on the device, and all are read
 * back together — one wait instead of two per element.
 *
 * Example: `await gradcheckAsync((a) => a.tanh().sum(), [randn([3, 4], { requiresGrad: true })])`
 */
export async function gradcheckAsync(fn: (...inputs: Tensor[]) => Tensor, inputs: Tensor[], opts: GradcheckOptions = {}): Promise<boolean> {
  const { eps = 1e-2, atol = 1e-2, rtol = 1e-2, seed = 0, raiseException = true } = opts;
  const gen = new Generator(seed);
  const out0 = fn(...inputs);
  const upstream = new Float32Array(out0.numel());
  for (let i = 0; i < upstream.length; i++) upstream[i] = gen.normal();
  const up = tensor(upstream, out0.shape);
  for (const x of inputs) x.grad = null;
  if (out0.requiresGrad) out0.backward(up);
  const pending: { input: number; index: number; plus: Tensor; minus: Tensor; h: number; analytic: Tensor | null }[] = [];
  for (const [xi, x] of inputs.entries()) {
    if (!x.requiresGrad) continue;
    const base = (await x.dataAsync()) as Float32Array;
    for (let i = 0; i < base.length; i++) {
      const perturbed = base.slice();
      const at = (v: number): Tensor =>
        noGrad(() => {
          perturbed[i] = v;
          x.copy_(tensor(perturbed, x.shape));
          return fn(...inputs)
            .mul(up)
            .sum();
        });
      const plus = at(base[i] + eps);
      const minus = at(base[i] - eps);
      pending.push({ input: xi, index: i, plus, minus, h: Math.fround(base[i] + eps) - Math.fround(base[i] - eps), analytic: x.grad });
    }
    noGrad(() => x.copy_(tensor(base, x.shape)));
  }
  const failures: GradcheckFailure[] = [];
  const grads = new Map<number, ArrayLike<number>>();
  for (const p of pending) {
    if (!grads.has(p.input)) grads.set(p.input, p.analytic ? await p.analytic.dataAsync() : new Float32Array(inputs[p.input].numel()));
    const numeric = ((await p.plus.itemAsync()) - (await p.minus.itemAsync())) / p.h;
    const analytic = grads.get(p.input)![p.index];
    if (!(Math.abs(numeric - analytic) <= atol + rtol * Math.abs(numeric))) failures.push({ input: p.input, index: p.index, numeric, analytic });
  }
  return report(failures, raiseException);
}
