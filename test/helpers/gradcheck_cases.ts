/**
 * The gradient checks: every differentiable primitive (and the composite ops built on them) against central
 * differences on seeded random shapes (odd sizes, stride > 1, padding, dilation, groups, ceil_mode, broadcasting).
 * Shared by the Node suite (test/gradcheck.test.ts) and the browser suite (test/browser/suite.ts).
 */
import * as ct from '../../src/index.js';
import type { Tensor } from '../../src/index.js';

const F = ct.nn.functional;
ct.manualSeed(7);
const r = (...s: number[]) => ct.randn(s, { requiresGrad: true });
const pos = (...s: number[]) => ct.rand(s).add(0.5).requiresGrad_();
/** Values kept away from the kinks of piecewise functions so finite differences are meaningful. */
const awayFrom = (kinks: number[], ...s: number[]) => {
  const x = ct.randn(s).mul(3);
  const d = x.data() as Float32Array;
  for (let i = 0; i < d.length; i++) for (const k of kinks) if (Math.abs(d[i] - k) < 0.05) d[i] = k + 0.1;
  return ct.tensor(d, s, { requiresGrad: true });
};
/** Distinct values, so max/min/pooling have no ties that a finite step could flip. */
const gen = new ct.Generator(11);
const distinct = (...s: number[]) => {
  const n = s.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: n }, (_, i) => (i - n / 2) * 0.1);
  for (let i = n - 1; i > 0; i--) {
    const j = gen.randint(0, i + 1);
    [values[i], values[j]] = [values[j], values[i]];
  }
  return ct.tensor(values, s, { requiresGrad: true });
};

export interface Check {
  name: string;
  covers: string[];
  fn: (...t: Tensor[]) => Tensor;
  inputs: () => Tensor[];
}

export const checks: Check[] = [
  { name: 'add broadcast', covers: ['add'], fn: (a, b) => a.add(b), inputs: () => [r(2, 3, 1), r(4)] },
  { name: 'sub broadcast', covers: ['sub'], fn: (a, b) => a.sub(b), inputs: () => [r(3, 1), r(1, 5)] },
  { name: 'mul broadcast', covers: ['mul'], fn: (a, b) => a.mul(b), inputs: () => [r(2, 3, 5), r(3, 1)] },
  { name: 'div broadcast', covers: ['div'], fn: (a, b) => a.div(b), inputs: () => [r(3, 4), pos(4)] },
  { name: 'pow tensor', covers: ['pow'], fn: (a, b) => a.pow(b), inputs: () => [pos(3, 2), r(2)] },
  { name: 'maximum/minimum', covers: ['maximum', 'minimum'], fn: (a, b) => a.maximum(b).add(a.minimum(b).mul(2)), inputs: () => [r(3, 5), r(5)] },
  ...(
    [
      ['neg', ct.neg],
      ['exp', ct.exp],
      ['sin', ct.sin],
      ['cos', ct.cos],
      ['sigmoid', F.sigmoid],
      ['tanh', F.tanh],
      ['selu', F.selu],
      ['gelu', F.gelu],
      ['geluTanh', (x: Tensor) => F.gelu(x, { approximate: 'tanh' })],
      ['silu', F.silu],
      ['softplus', (x: Tensor) => F.softplus(x, 2, 3)],
      ['elu', (x: Tensor) => F.elu(x, 0.7)],
    ] as const
  ).map(([op, fn]) => ({ name: op, covers: [op], fn: (x: Tensor) => fn(x), inputs: () => [awayFrom([1.5], 3, 7)] })),
  { name: 'log sqrt rsqrt', covers: ['log', 'sqrt', 'rsqrt'], fn: (x) => x.log().add(x.sqrt()).add(x.rsqrt()), inputs: () => [pos(5, 3)] },
  { name: 'abs sign', covers: ['abs', 'sign'], fn: (x) => x.abs().add(x.sign()), inputs: () => [awayFrom([0], 4, 3)] },
  { name: 'relu', covers: ['relu'], fn: (x) => F.relu(x), inputs: () => [awayFrom([0], 4, 5)] },
  { name: 'relu6', covers: ['relu6'], fn: (x) => F.relu6(x), inputs: () => [awayFrom([0, 6], 4, 5)] },
  { name: 'leakyRelu', covers: ['leakyRelu'], fn: (x) => F.leakyRelu(x, 0.1), inputs: () => [awayFrom([0], 4, 5)] },
  { name: 'hardswish', covers: ['hardswish'], fn: (x) => F.hardswish(x), inputs: () => [awayFrom([-3, 3], 4, 5)] },
  { name: 'hardsigmoid', covers: ['hardsigmoid'], fn: (x) => F.hardsigmoid(x), inputs: () => [awayFrom([-3, 3], 4, 5)] },
  { name: 'clamp', covers: ['clamp'], fn: (x) => x.clamp(-1, 1.5), inputs: () => [awayFrom([-1, 1.5], 4, 5)] },
  { name: 'powScalar', covers: ['powScalar'], fn: (x) => x.pow(2.5), inputs: () => [pos(3, 3)] },
  // A fixed condition: one computed from `a` would flip under the finite-difference step wherever |a| < eps.
  {
    name: 'where',
    covers: ['where'],
    fn: (a, b) =>
      ct.where(
        ct
          .tensor([
            [1, 0, 1, 1],
            [0, 0, 1, 0],
            [1, 1, 0, 1],
          ])
          .gt(0),
        a,
        b,
      ),
    inputs: () => [r(3, 4), r(4)],
  },
  { name: 'sum dims keepdim', covers: ['sum'], fn: (x) => x.sum([0, 2], true), inputs: () => [r(3, 2, 5)] },
  {
    name: 'mean var std',
    covers: [],
    fn: (x) =>
      x
        .mean(1)
        .add(x.var(1))
        .add(x.std(0, { unbiased: false }).sum()),
    inputs: () => [r(4, 5)],
  },
  { name: 'max/min along dim', covers: ['max', 'min'], fn: (x) => x.max(1).values.add(x.min(1).values), inputs: () => [distinct(3, 5)] },
  { name: 'amax/amin', covers: ['amax', 'amin'], fn: (x) => x.amax([0, 2]).add(x.amin([0, 2])), inputs: () => [distinct(2, 3, 4)] },
  { name: 'logsumexp', covers: [], fn: (x) => x.logsumexp(1), inputs: () => [r(3, 6)] },
  { name: 'reshape/flatten/squeeze', covers: ['reshape'], fn: (x) => x.reshape(3, 1, 4).squeeze(1).flatten(), inputs: () => [r(2, 6)] },
  { name: 'permute/transpose', covers: ['permute'], fn: (x) => x.permute(2, 0, 1).transpose(0, 1), inputs: () => [r(2, 3, 4)] },
  { name: 'expand', covers: ['expand'], fn: (x) => x.expand(2, 3, 4), inputs: () => [r(3, 1)] },
  {
    name: 'cat/stack/split/chunk',
    covers: ['cat'],
    fn: (a, b) => ct.cat([ct.stack([a, b], 1).split(1, 1)[0].squeeze(1), b], 0).chunk(2, 1)[1],
    inputs: () => [r(2, 5), r(2, 5)],
  },
  { name: 'strided slice/narrow', covers: ['slice'], fn: (x) => ct.slice(x, 1, 1, 7, 2).narrow(0, 1, 2), inputs: () => [r(3, 7)] },
  {
    name: 'gather/indexSelect',
    covers: ['gather'],
    fn: (x) =>
      x
        .gather(
          1,
          ct.tensor(
            [
              [0, 2],
              [1, 1],
              [3, 0],
            ],
            undefined,
            { dtype: 'int32' },
          ),
        )
        .add(x.indexSelect(1, ct.tensor([3, 3], undefined, { dtype: 'int32' })).sum()),
    inputs: () => [r(3, 4)],
  },
  ...(['constant', 'reflect', 'replicate', 'circular'] as const).map((mode) => ({
    name: `pad ${mode}`,
    covers: ['pad'],
    fn: (x: Tensor) => F.pad(x, [2, 1, 1, 2], mode),
    inputs: () => [r(1, 2, 3, 4)],
  })),
  { name: 'matmul batched broadcast', covers: ['matmul'], fn: (a, b) => ct.matmul(a, b), inputs: () => [r(2, 1, 3, 5), r(3, 5, 2)] },
  { name: 'matmul vector', covers: [], fn: (a, b) => ct.matmul(a, b), inputs: () => [r(5), r(5, 3)] },
  { name: 'linear', covers: [], fn: (x, w, b) => F.linear(x, w, b), inputs: () => [r(3, 7), r(4, 7), r(4)] },
  { name: 'softmax', covers: ['softmax'], fn: (x) => F.softmax(x, 1), inputs: () => [r(3, 5, 2)] },
  { name: 'logSoftmax', covers: ['logSoftmax'], fn: (x) => F.logSoftmax(x, -1), inputs: () => [r(3, 5)] },
  ...(
    [
      [[2, 3, 7, 6], [4, 3, 3, 3], {}],
      [[1, 2, 9, 8], [3, 2, 3, 3], { stride: 2, padding: 1 }],
      [[1, 2, 9, 9], [2, 2, 3, 2], { dilation: 2, padding: [2, 1] }],
      [[1, 4, 5, 5], [6, 2, 3, 3], { groups: 2, padding: 1 }],
      [[1, 3, 6, 7], [3, 1, 3, 3], { groups: 3, stride: 2, padding: 1 }],
      [[1, 2, 5, 6], [3, 2, 2, 4], { padding: 'same' }],
      [[2, 3, 4, 4], [5, 3, 1, 1], {}],
    ] as const
  ).map(([xs, ws, opts], i) => ({
    name: `conv2d #${i} ${JSON.stringify(opts)}`,
    covers: ['conv2d'],
    fn: (x: Tensor, w: Tensor, b: Tensor) => F.conv2d(x, w, b, opts as ct.nn.functional.Conv2dOptions),
    inputs: () => [r(...xs), r(...ws), r(ws[0])],
  })),
  ...(
    [
      [2, {}],
      [3, { stride: 2, padding: 1 }],
      [2, { dilation: 2, stride: 1 }],
      [3, { stride: 2, ceilMode: true }],
    ] as const
  ).map(([k, o], i) => ({
    name: `maxPool2d #${i} ${JSON.stringify(o)}`,
    covers: ['maxPool2d'],
    fn: (x: Tensor) => F.maxPool2d(x, k, o),
    inputs: () => [distinct(1, 2, 7, 6)],
  })),
  ...(
    [
      [2, {}],
      [3, { stride: 2, padding: 1, countIncludePad: false }],
      [3, { stride: 2, ceilMode: true }],
      [2, { divisorOverride: 3 }],
    ] as const
  ).map(([k, o], i) => ({
    name: `avgPool2d #${i} ${JSON.stringify(o)}`,
    covers: ['avgPool2d'],
    fn: (x: Tensor) => F.avgPool2d(x, k, o),
    inputs: () => [r(1, 2, 7, 6)],
  })),
  { name: 'adaptiveAvgPool2d', covers: ['adaptiveAvgPool2d'], fn: (x) => F.adaptiveAvgPool2d(x, [3, 2]), inputs: () => [r(1, 2, 7, 5)] },
  { name: 'adaptiveMaxPool2d', covers: ['adaptiveMaxPool2d'], fn: (x) => F.adaptiveMaxPool2d(x, [2, 3]), inputs: () => [distinct(1, 2, 5, 7)] },
  {
    name: 'batchNorm train',
    covers: ['batchNormTrain'],
    fn: (x, w, b) => F.batchNorm(x, null, null, { weight: w, bias: b, training: true }),
    inputs: () => [r(3, 2, 3, 3), r(2), r(2)],
  },
  {
    name: 'batchNorm train [N,C], no affine',
    covers: ['batchNormTrain'],
    fn: (x) => F.batchNorm(x, null, null, { training: true, eps: 1e-3 }),
    inputs: () => [r(5, 3)],
  },
  {
    name: 'batchNorm train, weight only',
    covers: ['batchNormTrain'],
    fn: (x, w) => F.batchNorm(x, null, null, { weight: w, training: true }),
    inputs: () => [r(2, 3, 4), r(3)],
  },
  {
    name: 'batchNorm train, bias only',
    covers: ['batchNormTrain'],
    fn: (x, b) => F.batchNorm(x, null, null, { bias: b, training: true }),
    inputs: () => [r(2, 3, 2, 2), r(3)],
  },
  { name: 'layerNorm', covers: [], fn: (x, w, b) => F.layerNorm(x, [5], { weight: w, bias: b }), inputs: () => [r(3, 5), r(5), r(5)] },
  { name: 'groupNorm', covers: [], fn: (x, w, b) => F.groupNorm(x, 2, { weight: w, bias: b }), inputs: () => [r(2, 4, 3), r(4), r(4)] },
  { name: 'instanceNorm', covers: [], fn: (x) => F.instanceNorm(x), inputs: () => [r(2, 2, 3, 3)] },
  { name: 'localResponseNorm', covers: [], fn: (x) => F.localResponseNorm(x, 3, { alpha: 0.1 }), inputs: () => [r(1, 5, 2, 2)] },
  { name: 'maxout', covers: [], fn: (x) => F.maxout(x, 2), inputs: () => [distinct(2, 6, 3)] },
  {
    name: 'crossEntropy smoothing',
    covers: [],
    fn: (x) => F.crossEntropy(x, ct.tensor([1, 0, 3], undefined, { dtype: 'int32' }), { labelSmoothing: 0.1 }),
    inputs: () => [r(3, 4)],
  },
  {
    name: 'multiMarginLoss',
    covers: [],
    fn: (x) => F.multiMarginLoss(x, ct.tensor([1, 0, 3], undefined, { dtype: 'int32' }), { p: 2 }),
    inputs: () => [r(3, 4)],
  },
  { name: 'bceWithLogits', covers: [], fn: (x, t) => F.binaryCrossEntropyWithLogits(x, t.detach()), inputs: () => [r(3, 4), ct.rand(3, 4)] },
  { name: 'smoothL1/huber', covers: [], fn: (x, t) => F.smoothL1Loss(x, t).add(F.huberLoss(x, t, { delta: 0.5 })), inputs: () => [r(6), r(6)] },
];
