/** Bad input gets a clear error naming the op and the shapes, never a silent wrong result. */
import { describe, expect, it } from 'vitest';
import * as ct from '../src/index.js';

const F = ct.nn.functional;
const i32 = (v: number[]) => ct.tensor(v, undefined, { dtype: 'int32' });

describe('clear errors', () => {
  it('conv2d channel mismatch names both shapes and groups', () => {
    expect(() => F.conv2d(ct.zeros(8, 3, 32, 32), ct.zeros(20, 1, 5, 5))).toThrow(
      'conv2d: input has 3 channels but weight expects 1 (input [8,3,32,32], weight [20,1,5,5], groups 1)',
    );
  });
  it('conv2d groups that do not divide the channels', () => {
    expect(() => F.conv2d(ct.zeros(1, 4, 8, 8), ct.zeros(6, 2, 3, 3), null, { groups: 3 })).toThrow(/input channels 4 must be divisible by groups 3/);
  });
  it('conv2d kernel larger than the padded input', () => {
    expect(() => F.conv2d(ct.zeros(1, 1, 4, 4), ct.zeros(1, 1, 7, 7), null, { padding: 1 })).toThrow(
      /conv2d: kernel size 7x7 .* is larger than the padded input 6x6/,
    );
  });
  it('conv2d bad options and ranks', () => {
    expect(() => F.conv2d(ct.zeros(1, 1, 8, 8), ct.zeros(1, 1, 3, 3), null, { stride: 0 })).toThrow(/conv2d: stride must be an integer >= 1/);
    expect(() => F.conv2d(ct.zeros(1, 1, 8, 8), ct.zeros(1, 1, 3, 3), null, { padding: -1 })).toThrow(/conv2d: padding must be an integer >= 0/);
    expect(() => F.conv2d(ct.zeros(1, 1, 8, 8), ct.zeros(1, 1, 3, 3), null, { stride: 1.5 })).toThrow(/stride must be an integer/);
    expect(() => F.conv2d(ct.zeros(1, 1, 8, 8), ct.zeros(1, 1, 3, 3), null, { stride: 2, padding: 'same' })).toThrow(/'same' is not supported for strided/);
    expect(() => F.conv2d(ct.zeros(8, 8), ct.zeros(1, 1, 3, 3))).toThrow(/conv2d: expected a 4-D input \[N,C,H,W\], got shape \[8,8\]/);
    expect(() => F.conv2d(ct.zeros(1, 1, 8, 8), ct.zeros(2, 1, 3, 3), ct.zeros(3))).toThrow(/conv2d: bias must have shape \[2\], got \[3\]/);
  });
  it('broadcast failures name both shapes', () => {
    expect(() => ct.add(ct.zeros(2, 3), ct.zeros(4))).toThrow('add: shapes [2,3] and [4] cannot be broadcast together');
    expect(() => ct.mul(ct.zeros(2, 3, 4), ct.zeros(3, 3))).toThrow(/mul: shapes \[2,3,4\] and \[3,3\]/);
  });
  it('non-integer and negative sizes', () => {
    expect(() => ct.zeros(2, -1)).toThrow('zeros: shape must contain non-negative integers, got [2,-1]');
    expect(() => ct.randn(2.5)).toThrow(/randn: shape must contain non-negative integers/);
    expect(() => ct.ones(2, 3).reshape(4, 2)).toThrow('reshape: shape [4,2] is invalid for input of size 6 (shape [2,3])');
    expect(() => ct.ones(2, 3).reshape(-1, -1)).toThrow(/only one dimension can be -1/);
    expect(() => ct.tensor([1, 2, 3], [2, 2])).toThrow(/tensor: 3 values cannot take shape \[2,2\]/);
    expect(() => ct.tensor([[1, 2], [3]])).toThrow(/ragged nested array/);
  });
  it('labels out of range in crossEntropy', () => {
    expect(() => F.crossEntropy(ct.zeros(2, 10), i32([3, 12]))).toThrow('crossEntropy: target 12 is out of range for 10 classes (at position 1)');
    expect(() => F.crossEntropy(ct.zeros(2, 10), ct.tensor([3, 1]))).toThrow(
      /crossEntropy: class-index targets must be int32, got float32 of shape \[2\] \(use labels.int\(\)/,
    );
    expect(() => F.crossEntropy(ct.zeros(2, 10), i32([1, 2, 3]))).toThrow(/target shape \[3\] does not match input \[2,10\]/);
  });
  it('pooling windows larger than the input and bad padding', () => {
    expect(() => F.maxPool2d(ct.zeros(1, 1, 2, 2), 3)).toThrow(/maxPool2d: kernel 3x3 .* is larger than the input 2x2/);
    expect(() => F.maxPool2d(ct.zeros(1, 1, 8, 8), 2, { padding: 2 })).toThrow(/padding 2,2 must be at most half of the kernel size 2x2/);
    expect(() => F.avgPool2d(ct.zeros(8, 8), 2)).toThrow(/avgPool2d: expected a 3-D or 4-D input, got shape \[8,8\]/);
  });
  it('matmul and linear mismatches', () => {
    expect(() => ct.matmul(ct.zeros(2, 3), ct.zeros(4, 5))).toThrow('matmul: shapes [2,3] and [4,5] cannot be multiplied (3 vs 4 in the contracted dim)');
    expect(() => F.linear(ct.zeros(2, 3), ct.zeros(4, 5))).toThrow(/linear: input has 3 features but weight expects 5/);
  });
  it('dims out of range, index out of range, bad shapes', () => {
    expect(() => ct.zeros(2, 3).sum(2)).toThrow('sum: dim 2 is out of range for a tensor of rank 2 (expected an integer in [-2, 1])');
    expect(() => ct.zeros(2, 3).gather(1, ct.tensor([[0], [3]], undefined, { dtype: 'int32' }))).toThrow(/gather: index 3 is out of range for dim 1 of size 3/);
    expect(() => ct.zeros(2, 3).narrow(1, 2, 2)).toThrow(/narrow: start 2 and length 2 are out of range/);
    expect(() => ct.cat([ct.zeros(2, 3), ct.zeros(3, 3)], 1)).toThrow(/cat: shapes must match except in dim 1/);
    expect(() => ct.zeros(2, 3).expand(4, 3, 2)).toThrow(/expand: the input of shape \[2,3\] cannot be expanded to \[4,3,2\]/);
    expect(() => F.pad(ct.zeros(1, 1, 3, 3), [3, 3], 'reflect')).toThrow(/reflect padding \(3, 3\) must be smaller than the dim size 3/);
  });
  it('normalization argument errors', () => {
    expect(() => F.batchNorm(ct.zeros(1, 3), null, null, { training: true })).toThrow(/expected more than 1 value per channel when training/);
    expect(() => F.batchNorm(ct.zeros(2, 3, 4, 4), ct.zeros(4), ct.ones(4))).toThrow(/batchNorm: runningMean must have shape \[3\], got \[4\]/);
    expect(() => F.groupNorm(ct.zeros(2, 6, 4), 4)).toThrow(/groupNorm: 6 channels are not divisible by numGroups 4/);
    expect(() => F.layerNorm(ct.zeros(2, 6), [5])).toThrow(/layerNorm: normalizedShape \[5\] must match the last dims of the input \[2,6\]/);
    expect(() => F.dropout(ct.zeros(3), 1.5)).toThrow(/dropout: dropout probability must be in \[0, 1\], got 1.5/);
    expect(() => F.maxout(ct.zeros(2, 5), 2)).toThrow(/maxout: dim 1 has 5 features, which is not divisible by 2 pieces/);
  });
  it('autograd misuse', () => {
    const x = ct.randn([3], { requiresGrad: true });
    expect(() => x.mul(2).backward()).toThrow(/grad can be implicitly created only for one-element outputs, got shape \[3\]/);
    expect(() => ct.zeros(2).backward()).toThrow(/does not require grad/);
    const y = x.mul(x).sum();
    y.backward();
    expect(() => y.backward()).toThrow(/already released; call backward\(\{ retainGraph: true \}\)/);
    expect(() => ct.zeros(2).item()).toThrow(/item: only one-element tensors/);
    expect(() => ct.add(ct.zeros(2), 'x' as unknown as number)).toThrow(/expected a Tensor or a number, got string/);
    expect(() => ct.setBackend('nope')).toThrow(/unknown backend 'nope' \(registered: js/);
  });
});
