/**
 * Primitive ops: a forward computed by kernels and a vector-Jacobian product, defined side by side.
 * `applyOp` runs the forward and, when gradients are being recorded, attaches a GradNode to the output.
 */
import type { Tensor } from '../tensor/tensor.js';
import { isGradEnabled } from './grad_mode.js';
import { GradNode } from './node.js';

export interface VjpContext<A, S> {
  inputs: readonly Tensor[];
  out: Tensor;
  attrs: A;
  saved: S;
}

export interface Rule<A = Record<string, never>, S = undefined> {
  /** Name shown in errors and graph dumps; the op's key in the primitive table. */
  readonly name: string;
  /** Computes the output (through kernels only) and anything the gradient needs. */
  forward(inputs: readonly Tensor[], attrs: A): { out: Tensor; saved: S };
  /**
   * Gradients of the inputs given the output's gradient (null where an input needs none),
   * or 'nondifferentiable' for ops like comparisons and argmax.
   */
  readonly vjp: ((dy: Tensor, ctx: VjpContext<A, S>) => readonly (Tensor | null)[]) | 'nondifferentiable';
}

/** Observes every primitive op as it runs (used by the ONNX exporter); at most one at a time. */
export interface OpTracer {
  op(name: string, inputs: readonly Tensor[], attrs: unknown, out: Tensor, saved: unknown): void;
}
let opTracer: OpTracer | null = null;

/** Runs fn with a tracer observing every primitive op. */
export function withOpTracer<T>(t: OpTracer, fn: () => T): T {
  const prev = opTracer;
  opTracer = t;
  try {
    return fn();
  } finally {
    opTracer = prev;
  }
}

export function applyOp<A, S>(rule: Rule<A, S>, inputs: readonly Tensor[], attrs: A): Tensor {
  return applyOpWithSaved(rule, inputs, attrs).out;
}

/** Like applyOp, also returning what the forward saved (e.g. max's indices, which callers return too). */
export function applyOpWithSaved<A, S>(rule: Rule<A, S>, inputs: readonly Tensor[], attrs: A): { out: Tensor; saved: S } {
  const { out, saved } = rule.forward(inputs, attrs);
  opTracer?.op(rule.name, inputs, attrs, out, saved);
  const vjp = rule.vjp;
  if (vjp !== 'nondifferentiable' && isGradEnabled() && inputs.some((t) => t.requiresGrad)) {
    out.requiresGrad = true;
    const ctx: VjpContext<A, S> = { inputs, out, attrs, saved };
    out.gradFn = new GradNode(rule.name, inputs, (dy) => vjp(dy, ctx));
  }
  return { out, saved };
}
