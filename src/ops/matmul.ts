/** matmul with torch.matmul's semantics (1-D, 2-D, batched with broadcast batch dims) and linear. */
import { applyOp, type Rule } from '../autograd/apply.js';
import { kernel } from '../backend/registry.js';
import { broadcastShapes, shapeToString, sizeOf } from '../backend/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { add } from './elementwise.js';
import { expand, reshape } from './shape.js';
import { assertTensor } from './util.js';

type MatmulAttrs = { transA: boolean; transB: boolean };

/** @internal 3-D batched product of stored operands, op(A)·op(B). */
const MATMUL_RULE: Rule<MatmulAttrs> = {
  name: 'matmul',
  forward: ([a, b], { transA, transB }) => ({ out: Tensor.fromInfo(kernel('matmul')(a.info(), b.info(), transA, transB)), saved: undefined }),
  vjp: (dy, { inputs: [a, b], attrs: { transA, transB } }) => [
    a.requiresGrad ? (transA ? mm3(b, dy, transB, true) : mm3(dy, b, false, !transB)) : null,
    b.requiresGrad ? (transB ? mm3(dy, a, true, transA) : mm3(a, dy, !transA, false)) : null,
  ],
};

function mm3(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  return applyOp(MATMUL_RULE, [a, b], { transA, transB });
}

/**
 * Matrix product with broadcasting of batch dims, as torch.matmul.
 * Shape: [..., n, k] @ [..., k, m] → [..., n, m]; a 1-D operand is treated as a vector.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  assertTensor(a, 'matmul', 'first operand');
  assertTensor(b, 'matmul', 'second operand');
  if (a.ndim === 0 || b.ndim === 0)
    throw new Error(`matmul: both operands must have at least 1 dim, got ${shapeToString(a.shape)} and ${shapeToString(b.shape)}`);
  const a2 = a.ndim === 1 ? reshape(a, [1, a.shape[0]]) : a;
  const b2 = b.ndim === 1 ? reshape(b, [b.shape[0], 1]) : b;
  const [n, k] = a2.shape.slice(-2);
  const [k2, m] = b2.shape.slice(-2);
  if (k !== k2)
    throw new Error(`matmul: shapes ${shapeToString(a.shape)} and ${shapeToString(b.shape)} cannot be multiplied (${k} vs ${k2} in the contracted dim)`);
  const batch = broadcastShapes(a2.shape.slice(0, -2), b2.shape.slice(0, -2), 'matmul (batch dims)');
  const B = sizeOf(batch);
  const a3 = reshape(expand(a2, [...batch, n, k]), [B, n, k]);
  const b3 = reshape(expand(b2, [...batch, k, m]), [B, k, m]);
  const out = mm3(a3, b3, false, false);
  const shape = [...batch, ...(a.ndim === 1 ? [] : [n]), ...(b.ndim === 1 ? [] : [m])];
  return reshape(out, shape);
}

/**
 * y = x·Wᵀ + b, as torch.nn.functional.linear.
 * Shape: x [..., in], weight [out, in], bias [out] → [..., out].
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  assertTensor(x, 'linear', 'input');
  assertTensor(weight, 'linear', 'weight');
  if (weight.ndim !== 2) throw new Error(`linear: weight must be 2-D [out, in], got ${shapeToString(weight.shape)}`);
  const [outF, inF] = weight.shape;
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inF) {
    throw new Error(
      `linear: input has ${x.shape[x.ndim - 1] ?? 0} features but weight expects ${inF} (input ${shapeToString(x.shape)}, weight ${shapeToString(weight.shape)})`,
    );
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outF)) throw new Error(`linear: bias must have shape [${outF}], got ${shapeToString(bias.shape)}`);
  const lead = x.shape.slice(0, -1);
  const rows = sizeOf(lead);
  const y = mm3(reshape(x, [1, rows, inF]), reshape(weight, [1, outF, inF]), false, true);
  const out = reshape(y, [...lead, outF]);
  return bias ? add(out, bias) : out;
}

export const PRIMITIVE_RULES_MATMUL = { matmul: MATMUL_RULE };
