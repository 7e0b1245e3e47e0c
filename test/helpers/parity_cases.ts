/**
 * How each PyTorch fixture op (scripts/gen_fixtures.py) is called in convnet-ts, and one case's check: output,
 * extras and input gradients. Shared by the Node suite (test/parity.test.ts) and the browser suite.
 */
import * as ct from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { assertClose, LARGE_REDUCTION_RTOL, PARITY_RTOL } from './tolerance.js';
import { decode, toTensor, type FixtureCase } from './fixture_codec.js';

type Out = Tensor | { values: Tensor; indices: Tensor } | { out: Tensor; extras: Record<string, Tensor> };
type Call = (x: Tensor[], a: any) => Out;

const F = ct.nn.functional;
const dims = (a: { dim?: number | number[] }) => a.dim;

export const CALLS: Record<string, Call> = {
  add: ([a, b]) => ct.add(a, b),
  sub: ([a, b]) => ct.sub(a, b),
  mul: ([a, b]) => ct.mul(a, b),
  div: ([a, b]) => ct.div(a, b),
  pow: ([a, b]) => ct.pow(a, b),
  maximum: ([a, b]) => ct.maximum(a, b),
  minimum: ([a, b]) => ct.minimum(a, b),
  eq: ([a, b]) => ct.eq(a, b),
  ne: ([a, b]) => ct.ne(a, b),
  lt: ([a, b]) => ct.lt(a, b),
  le: ([a, b]) => ct.le(a, b),
  gt: ([a, b]) => ct.gt(a, b),
  ge: ([a, b]) => ct.ge(a, b),
  powScalar: ([x], a) => x.pow(a.exponent),
  neg: ([x]) => x.neg(),
  exp: ([x]) => x.exp(),
  log: ([x]) => x.log(),
  sqrt: ([x]) => x.sqrt(),
  rsqrt: ([x]) => x.rsqrt(),
  abs: ([x]) => x.abs(),
  sigmoid: ([x]) => F.sigmoid(x),
  tanh: ([x]) => F.tanh(x),
  relu: ([x]) => F.relu(x),
  relu6: ([x]) => F.relu6(x),
  selu: ([x]) => F.selu(x),
  gelu: ([x]) => F.gelu(x),
  geluTanh: ([x]) => F.gelu(x, { approximate: 'tanh' }),
  silu: ([x]) => F.silu(x),
  hardswish: ([x]) => F.hardswish(x),
  hardsigmoid: ([x]) => F.hardsigmoid(x),
  leakyRelu: ([x], a) => F.leakyRelu(x, a.negativeSlope),
  elu: ([x], a) => F.elu(x, a.alpha),
  softplus: ([x], a) => F.softplus(x, a.beta, a.threshold),
  clamp: ([x], a) => x.clamp(a.min, a.max),
  where: ([c, a, b]) => ct.where(c.gt(0), a, b),
  maxout: ([x], a) => F.maxout(x, a.pieces),
  sum: ([x], a) => x.sum(dims(a), a.keepdim),
  mean: ([x], a) => x.mean(dims(a), a.keepdim),
  var: ([x], a) => x.var(dims(a), { unbiased: a.unbiased, keepdim: a.keepdim }),
  std: ([x], a) => x.std(dims(a), { unbiased: a.unbiased, keepdim: a.keepdim }),
  max: ([x], a) => x.max(a.dim, a.keepdim),
  min: ([x], a) => x.min(a.dim, a.keepdim),
  amax: ([x], a) => x.amax(dims(a), a.keepdim),
  amin: ([x], a) => x.amin(dims(a), a.keepdim),
  argmax: ([x], a) => x.argmax(a.dim, a.keepdim),
  argmin: ([x], a) => x.argmin(a.dim, a.keepdim),
  logsumexp: ([x], a) => x.logsumexp(a.dim, a.keepdim),
  reshape: ([x], a) => x.reshape(a.shape),
  permute: ([x], a) => x.permute(a.dims),
  transpose: ([x], a) => x.transpose(a.dim0, a.dim1),
  flatten: ([x], a) => x.flatten(a.startDim),
  squeeze: ([x], a) => x.squeeze(a.dim),
  unsqueeze: ([x], a) => x.unsqueeze(a.dim),
  expand: ([x], a) => x.expand(a.shape),
  cat: (xs, a) => ct.cat(xs, a.dim),
  stack: (xs, a) => ct.stack(xs, a.dim),
  split: ([x], a) => x.split(a.size, a.dim)[a.pick],
  chunk: ([x], a) => x.chunk(a.chunks, a.dim)[a.pick],
  narrow: ([x], a) => x.narrow(a.dim, a.start, a.length),
  slice: ([x], a) => ct.slice(x, a.dim, a.start, a.end, a.step),
  indexSelect: ([x, i], a) => x.indexSelect(a.dim, i),
  gather: ([x, i], a) => x.gather(a.dim, i),
  pad: ([x], a) => F.pad(x, a.pad, a.mode, a.value),
  matmul: ([a, b]) => ct.matmul(a, b),
  linear: ([x, w, b]) => F.linear(x, w, b),
  softmax: ([x], a) => F.softmax(x, a.dim),
  logSoftmax: ([x], a) => F.logSoftmax(x, a.dim),
  conv2d: ([x, w, b], a) => F.conv2d(x, w, b, a),
  maxPool2d: ([x], a) => F.maxPool2d(x, a.kernelSize, { ...a, returnIndices: true }),
  avgPool2d: ([x], a) => F.avgPool2d(x, a.kernelSize, a),
  adaptiveAvgPool2d: ([x], a) => F.adaptiveAvgPool2d(x, a.outputSize),
  adaptiveMaxPool2d: ([x], a) => F.adaptiveMaxPool2d(x, a.outputSize, { returnIndices: true }),
  batchNormTrain: ([x, w, b, rm, rv], a) => {
    const out = F.batchNorm(x, rm, rv, { weight: w, bias: b, training: true, ...a });
    return { out, extras: { runningMean: rm, runningVar: rv } };
  },
  batchNormEval: ([x, w, b, rm, rv]) => F.batchNorm(x, rm, rv, { weight: w, bias: b, training: false }),
  layerNorm: ([x, w, b], a) => F.layerNorm(x, a.normalizedShape, { weight: w, bias: b, eps: a.eps }),
  groupNorm: ([x, w, b], a) => F.groupNorm(x, a.numGroups, { weight: w, bias: b }),
  instanceNorm: ([x, w, b]) => F.instanceNorm(x, { weight: w, bias: b }),
  localResponseNorm: ([x], a) => F.localResponseNorm(x, a.size, a),
  crossEntropy: ([x, t, w], a) => F.crossEntropy(x, t, { ...a, weight: a.weighted ? w : null }),
  nllLoss: ([x, t, w], a) => F.nllLoss(x, t, { ...a, weight: a.weighted ? w : null }),
  mseLoss: ([x, t], a) => F.mseLoss(x, t, a),
  l1Loss: ([x, t], a) => F.l1Loss(x, t, a),
  smoothL1Loss: ([x, t], a) => F.smoothL1Loss(x, t, a),
  huberLoss: ([x, t], a) => F.huberLoss(x, t, a),
  bceWithLogits: ([x, t, w, pw], a) => F.binaryCrossEntropyWithLogits(x, t, a.weighted ? { weight: w, posWeight: pw } : {}),
  multiMarginLoss: ([x, t, w], a) => F.multiMarginLoss(x, t, { ...a, weight: a.weighted ? w : null }),
};

interface CaseCheck {
  actual: Tensor;
  expected: ReturnType<typeof decode>;
  what: string;
}

/** Runs one case (forward, then backward where the case has gradients) and lists what to compare with PyTorch. */
function computeCase(c: FixtureCase): { checks: CaseCheck[]; rtol: number } {
  const inputs = c.inputs.map((e, i) => toTensor(e, Boolean(c.grads?.[i])));
  const res = CALLS[c.op](inputs, c.attrs);
  const rtol = c.tol ? LARGE_REDUCTION_RTOL : PARITY_RTOL;
  let out: Tensor;
  const extras: Record<string, Tensor> = {};
  if ('values' in res) {
    out = res.values;
    extras.indices = res.indices;
  } else if ('extras' in res) {
    out = res.out;
    Object.assign(extras, res.extras);
  } else out = res;
  const checks: CaseCheck[] = [{ actual: out, expected: decode(c.output), what: `${c.id} output` }];
  for (const [k, e] of Object.entries(c.extras)) checks.push({ actual: extras[k], expected: decode(e), what: `${c.id} ${k}` });
  if (c.upstream && c.grads) {
    out.backward(toTensor(c.upstream));
    c.grads.forEach((g, i) => {
      if (!g) return;
      const actual = inputs[i].grad;
      if (!actual) throw new Error(`${c.id}: input ${i} received no gradient`);
      checks.push({ actual, expected: decode(g), what: `${c.id} grad of input ${i}` });
    });
  }
  return { checks, rtol };
}

/** One fixture case on the active backend: output, extras and input gradients equal PyTorch's within tolerance. */
export function runCase(c: FixtureCase): void {
  const { checks, rtol } = computeCase(c);
  for (const k of checks) assertClose(k.actual, k.expected, rtol, k.what);
}

/**
 * runCase at given tolerances (an algorithm whose rounding error is larger, measured in its own test): `rtol` of
 * the check's label ('<id> output', '<id> grad of input <i>').
 */
export function runCaseAt(c: FixtureCase, rtol: (what: string) => number): void {
  for (const k of computeCase(c).checks) assertClose(k.actual, k.expected, rtol(k.what), k.what);
}

/**
 * runCase for backends whose results are read asynchronously (webgpu): computes, waits for every compared tensor,
 * then compares with `rtol(case)` (GPU sums reorder additions, and the GPU's exp/log are not correctly rounded).
 */
export async function runCaseAsync(c: FixtureCase, rtol: (c: FixtureCase, base: number) => number): Promise<void> {
  const { checks, rtol: base } = computeCase(c);
  await Promise.all(checks.map((k) => k.actual.dataAsync()));
  for (const k of checks) assertClose(k.actual, k.expected, rtol(c, base), k.what);
}
