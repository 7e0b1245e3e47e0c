/** softmax and log_softmax over any dim (fused kernels; stable for large logits). */
import { applyOp, type Rule } from '../autograd/apply.js';
import { kernel } from '../backend/registry.js';
import { normalizeDim } from '../backend/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { cast } from './elementwise.js';
import { assertTensor } from './util.js';

const SOFTMAX_RULE: Rule<{ dim: number }> = {
  name: 'softmax',
  forward: ([x], { dim }) => ({ out: Tensor.fromInfo(kernel('softmax')(x.info(), dim)), saved: undefined }),
  vjp: (dy, { out, attrs: { dim } }) => [Tensor.fromInfo(kernel('softmaxBackward')(out.info(), dy.info(), dim))],
};

const LOG_SOFTMAX_RULE: Rule<{ dim: number }> = {
  name: 'logSoftmax',
  forward: ([x], { dim }) => ({ out: Tensor.fromInfo(kernel('logSoftmax')(x.info(), dim)), saved: undefined }),
  vjp: (dy, { out, attrs: { dim } }) => [Tensor.fromInfo(kernel('logSoftmaxBackward')(out.info(), dy.info(), dim))],
};

function prep(x: Tensor, dim: number, op: string): [Tensor, number] {
  assertTensor(x, op, 'input');
  if (dim === undefined) throw new Error(`${op}: dim is required`);
  return [cast(x, 'float32'), x.ndim === 0 ? 0 : normalizeDim(dim, x.ndim, op)];
}

/** exp(x) / Σ exp(x) along `dim`. */
export function softmax(x: Tensor, dim: number): Tensor {
  const [t, d] = prep(x, dim, 'softmax');
  if (t.ndim === 0) return applyOp(SOFTMAX_RULE, [t.reshape([1])], { dim: 0 }).reshape([]);
  return applyOp(SOFTMAX_RULE, [t], { dim: d });
}

/** x − log Σ exp(x) along `dim`. */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  const [t, d] = prep(x, dim, 'logSoftmax');
  if (t.ndim === 0) return applyOp(LOG_SOFTMAX_RULE, [t.reshape([1])], { dim: 0 }).reshape([]);
  return applyOp(LOG_SOFTMAX_RULE, [t], { dim: d });
}

export const PRIMITIVE_RULES_SOFTMAX = { softmax: SOFTMAX_RULE, logSoftmax: LOG_SOFTMAX_RULE };
