/** conv2d: stride, padding (int, pair, 'same', 'valid'), dilation, groups (depthwise included), optional bias. */
import { applyOp, type Rule } from '../autograd/apply.js';
import { computeConv2dInfo, type Conv2dInfo, type Conv2dOptions } from '../backend/geometry.js';
import { kernel, optionalKernel } from '../backend/registry.js';
import { isGradEnabled } from '../autograd/grad_mode.js';
import { relu } from './activation.js';
import { add } from './elementwise.js';
import { shapeToString } from '../backend/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { sum } from './reduce.js';
import { assertTensor } from './util.js';

const CONV2D_RULE: Rule<{ info: Conv2dInfo }> = {
  name: 'conv2d',
  forward: ([x, w, b], { info }) => ({ out: Tensor.fromInfo(kernel('conv2d')(x.info(), w.info(), b ? b.info() : null, info)), saved: undefined }),
  vjp: (dy, { inputs: [x, w, b], attrs: { info } }) => [
    x.requiresGrad ? Tensor.fromInfo(kernel('conv2dBackwardInput')(dy.info(), w.info(), info)) : null,
    w.requiresGrad ? Tensor.fromInfo(kernel('conv2dBackwardWeight')(x.info(), dy.info(), info)) : null,
    b && b.requiresGrad ? sum(dy, [0, 2, 3]) : null,
  ],
};

/**
 * 2-D convolution (cross-correlation, as every framework computes it).
 *
 * Args: input [N, C_in, H, W] (or [C_in, H, W]); weight [C_out, C_in/groups, kH, kW]; bias [C_out] or null;
 *   opts.stride, opts.padding (number, pair, 'same' or 'valid'), opts.dilation, opts.groups.
 * Shape: H_out = floor((H + 2·P − D·(K − 1) − 1) / S) + 1.
 * Example: conv2d(randn(8, 3, 32, 32), randn(16, 3, 3, 3), null, { padding: 1 }) // [8, 16, 32, 32]
 */
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  assertTensor(input, 'conv2d', 'input');
  assertTensor(weight, 'conv2d', 'weight');
  if (input.ndim === 3) return conv2d(input.unsqueeze(0), weight, bias, opts).squeeze(0);
  if (input.dtype !== 'float32' || weight.dtype !== 'float32')
    throw new Error(`conv2d: expected float32 input and weight, got ${input.dtype} and ${weight.dtype}`);
  const info = computeConv2dInfo(input.shape, weight.shape, opts);
  if (bias) {
    assertTensor(bias, 'conv2d', 'bias');
    if (bias.ndim !== 1 || bias.shape[0] !== info.outChannels) {
      throw new Error(`conv2d: bias must have shape [${info.outChannels}], got ${shapeToString(bias.shape)}`);
    }
  }
  return applyOp(CONV2D_RULE, bias ? [input, weight, bias] : [input, weight], { info });
}

/** What conv2dFused applies after the convolution and its bias. */
export interface Conv2dEpilogue {
  /** Added to the output (same shape as the output). */
  residual?: Tensor | null;
  /** Applies ReLU last. */
  relu?: boolean;
}

/**
 * act(conv2d(input, weight, bias) + residual) for inference: one pass where the backend has a fused kernel (wasm:
 * the bias, residual and ReLU applied to each block of the conv's output while it is in cache), else conv2d, add
 * and relu. Where autograd would record (grad enabled and an input requires grad) it is that composition, so it
 * differentiates like the unfused ops.
 *
 * Args: as conv2d; epilogue.residual: a tensor of the output's shape; epilogue.relu.
 * Example: conv2dFused(x, w, b, { padding: 1 }, { residual: identity, relu: true }) // ResNet's block tail
 */
export function conv2dFused(input: Tensor, weight: Tensor, bias: Tensor | null, opts: Conv2dOptions, epilogue: Conv2dEpilogue = {}): Tensor {
  const residual = epilogue.residual ?? null;
  const recording = isGradEnabled() && (input.requiresGrad || weight.requiresGrad || Boolean(bias?.requiresGrad) || Boolean(residual?.requiresGrad));
  const fused = recording || input.ndim !== 4 ? null : optionalKernel('conv2dFused');
  if (fused && input.dtype === 'float32' && weight.dtype === 'float32' && (!residual || residual.dtype === 'float32')) {
    const info = computeConv2dInfo(input.shape, weight.shape, opts);
    const shapeOk = !residual || residual.shape.join() === [info.batch, info.outChannels, info.outH, info.outW].join();
    const biasOk = !bias || (bias.ndim === 1 && bias.shape[0] === info.outChannels);
    if (shapeOk && biasOk) {
      const r = fused(input.info(), weight.info(), bias ? bias.info() : null, info, residual ? residual.info() : null, epilogue.relu ? 'relu' : null);
      if (r) return Tensor.fromInfo(r);
    }
  }
  let y = conv2d(input, weight, bias, opts);
  if (residual) y = add(y, residual);
  return epilogue.relu ? relu(y) : y;
}

export const PRIMITIVE_RULES_CONV = { conv2d: CONV2D_RULE };
