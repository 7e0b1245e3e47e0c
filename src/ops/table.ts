/**
 * Every primitive op — the ops that call kernels and carry their own vector-Jacobian product. Composite ops
 * (mean, var, norms, losses, ...) are built from these and differentiate through them.
 * A rule without `vjp` (or an explicit 'nondifferentiable') fails `tsc`.
 */
import type { Rule } from '../autograd/apply.js';
import { PRIMITIVE_RULES_ELEMENTWISE } from './elementwise.js';
import { PRIMITIVE_RULES_REDUCE } from './reduce.js';
import { PRIMITIVE_RULES_SHAPE } from './shape.js';
import { PRIMITIVE_RULES_MATMUL } from './matmul.js';
import { PRIMITIVE_RULES_SOFTMAX } from './softmax.js';
import { PRIMITIVE_RULES_CONV } from './conv.js';
import { PRIMITIVE_RULES_POOL } from './pool.js';
import { PRIMITIVE_RULES_NORM } from './norm.js';

/**
 * Every primitive's rule, from each op family's table (ops/<family>.ts): a new primitive is its kernel signature in
 * backend/kernels.ts, its reference kernel in backend/js/<family>.ts and its op + rule in ops/<family>.ts.
 */
const RULES = {
  ...PRIMITIVE_RULES_ELEMENTWISE,
  ...PRIMITIVE_RULES_REDUCE,
  ...PRIMITIVE_RULES_SHAPE,
  ...PRIMITIVE_RULES_MATMUL,
  ...PRIMITIVE_RULES_SOFTMAX,
  ...PRIMITIVE_RULES_CONV,
  ...PRIMITIVE_RULES_POOL,
  ...PRIMITIVE_RULES_NORM,
};

export type PrimitiveName = keyof typeof RULES;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each primitive's rule has its own attribute and saved-value types.
export const PRIMITIVES: { readonly [K in PrimitiveName]: Rule<any, any> } = RULES;

export const PRIMITIVE_NAMES = Object.keys(PRIMITIVES) as PrimitiveName[];

/** Names of primitives that have a gradient (everything but comparisons and casts). */
export function differentiablePrimitives(): PrimitiveName[] {
  return PRIMITIVE_NAMES.filter((n) => PRIMITIVES[n].vjp !== 'nondifferentiable');
}
