/**
 * Bad numbers in training: finds where a NaN or ±Inf first appeared (a layer's output in forward order, a gradient,
 * a parameter), so `fit` can stop with the step, the place and a hint instead of training on NaN for epochs.
 */
import { noGrad } from '../autograd/grad_mode.js';
import { withForwardTracer, type AnyModule } from '../nn/module.js';
import { Tensor } from '../tensor/tensor.js';

/** Training stopped on a non-finite loss or gradient (`onNan: 'stop'`, the default). */
export class NonFiniteError extends Error {
  constructor(
    message: string,
    /** 1-based epoch and step within it. */
    readonly epoch: number,
    readonly step: number,
    /** Where it first appeared: 'output of features.3 (BatchNorm2d)', 'gradient of fc.weight', … */
    readonly origin: string,
  ) {
    super(message);
    this.name = 'NonFiniteError';
  }
}

export function allFinite(t: Tensor): boolean {
  const d = t.data();
  for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) return false;
  return true;
}

/** The first parameter (in order) whose gradient holds NaN or ±Inf, or null. */
export function firstNonFiniteGrad(model: AnyModule): string | null {
  for (const [name, p] of model.namedParameters()) if (p.grad && !allFinite(p.grad)) return name;
  return null;
}

/** The first parameter whose value holds NaN or ±Inf, or null. */
export function firstNonFiniteParam(model: AnyModule): string | null {
  for (const [name, p] of model.namedParameters()) if (!allFinite(p)) return name;
  return null;
}

/** Runs forward on `x` again (no gradients) and names the first module, in call order, whose output is non-finite. */
export function firstNonFiniteOutput(model: AnyModule, x: Tensor): string | null {
  const names = new Map<AnyModule, string>();
  for (const [name, m] of model.namedModules()) names.set(m, name || '(model)');
  let found: string | null = null;
  noGrad(() =>
    withForwardTracer(
      {
        enter() {},
        exit(m, _inputs, out) {
          if (found === null && out instanceof Tensor && out.dtype === 'float32' && !allFinite(out))
            found = `the output of ${names.get(m) ?? '?'} (${m.typeName})`;
        },
      },
      () => model.forward(x),
    ),
  );
  return found;
}
