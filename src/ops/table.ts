/**
 * Every primitive op — the ops that call kernels and carry their own vector-Jacobian product. Composite ops
 * (mean, var, norms, losses, ...) are built from these and differentiate through them.
 * The table is typed by PrimitiveName: a primitive without a rule, or a rule without `vjp`, fails `tsc`.
 */
import type { Rule } from '../autograd/apply.js';
import { BINARY_OPS, UNARY_OPS } from '../backend/kernels.js';
import { BINARY_RULES, UNARY_RULES, PRIMITIVE_RULES_ELEMENTWISE } from './elementwise.js';
import { PRIMITIVE_RULES_REDUCE } from './reduce.js';
import { PRIMITIVE_RULES_SHAPE } from './shape.js';
import { PRIMITIVE_RULES_MATMUL } from './matmul.js';
import { PRIMITIVE_RULES_SOFTMAX } from './softmax.js';
import { PRIMITIVE_RULES_CONV } from './conv.js';
import { PRIMITIVE_RULES_POOL } from './pool.js';
import { PRIMITIVE_RULES_NORM } from './norm.js';

export const PRIMITIVE_NAMES = [
  ...BINARY_OPS,
  ...UNARY_OPS,
  'where',
  'cast',
  'sum',
  'max',
  'min',
  'amax',
  'amin',
  'reshape',
  'permute',
  'expand',
  'cat',
  'slice',
  'gather',
  'pad',
  'matmul',
  'softmax',
  'logSoftmax',
  'conv2d',
  'maxPool2d',
  'avgPool2d',
  'adaptiveAvgPool2d',
  'adaptiveMaxPool2d',
  'batchNormTrain',
] as const;

export type PrimitiveName = (typeof PRIMITIVE_NAMES)[number];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each primitive's rule has its own attribute and saved-value types.
export const PRIMITIVES: { readonly [K in PrimitiveName]: Rule<any, any> } = {
  ...BINARY_RULES,
  ...UNARY_RULES,
  where: PRIMITIVE_RULES_ELEMENTWISE.where,
  cast: PRIMITIVE_RULES_ELEMENTWISE.cast,
  ...PRIMITIVE_RULES_REDUCE,
  ...PRIMITIVE_RULES_SHAPE,
  ...PRIMITIVE_RULES_MATMUL,
  ...PRIMITIVE_RULES_SOFTMAX,
  ...PRIMITIVE_RULES_CONV,
  ...PRIMITIVE_RULES_POOL,
  ...PRIMITIVE_RULES_NORM,
};

/** Names of primitives that have a gradient (everything but comparisons and casts). */
export function differentiablePrimitives(): PrimitiveName[] {
  return PRIMITIVE_NAMES.filter((n) => PRIMITIVES[n].vjp !== 'nondifferentiable');
}
