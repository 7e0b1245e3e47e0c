/** Every layer: constructs, runs forward on its natural input, matches its functional op, and prints on one line. */
import { describe, expect, it } from 'vitest';
import * as ct from '../src/index.js';
import { nn, type Tensor } from '../src/index.js';
import { traceOnnx } from '../src/io/onnx/export.js';

const F = nn.functional;
ct.manualSeed(21);
const x4 = ct.randn(2, 6, 7, 8);
const x2 = ct.randn(3, 12);

type Row = [string, () => nn.Module, Tensor, number[], ((x: Tensor, m: any) => Tensor) | null];
const rows: Row[] = [
  [
    'Conv2d',
    () => new nn.Conv2d(6, 4, 3, { stride: 2, padding: 1, dilation: 1 }),
    x4,
    [2, 4, 4, 4],
    (x, m) => F.conv2d(x, m.weight, m.bias, { stride: 2, padding: 1 }),
  ],
  ['Linear', () => new nn.Linear(12, 5), x2, [3, 5], (x, m) => F.linear(x, m.weight, m.bias)],
  ['BatchNorm1d', () => new nn.BatchNorm1d(12).eval(), x2, [3, 12], (x, m) => F.batchNorm(x, m.runningMean, m.runningVar, { weight: m.weight, bias: m.bias })],
  ['BatchNorm2d', () => new nn.BatchNorm2d(6), x4, [2, 6, 7, 8], null],
  ['LayerNorm', () => new nn.LayerNorm([7, 8]), x4, [2, 6, 7, 8], (x, m) => F.layerNorm(x, [7, 8], { weight: m.weight, bias: m.bias })],
  ['GroupNorm', () => new nn.GroupNorm(3, 6), x4, [2, 6, 7, 8], (x, m) => F.groupNorm(x, 3, { weight: m.weight, bias: m.bias })],
  ['InstanceNorm2d', () => new nn.InstanceNorm2d(6), x4, [2, 6, 7, 8], (x) => F.instanceNorm(x)],
  ['LocalResponseNorm', () => new nn.LocalResponseNorm(3), x4, [2, 6, 7, 8], (x) => F.localResponseNorm(x, 3)],
  ['ReLU', () => new nn.ReLU(), x2, [3, 12], (x) => F.relu(x)],
  ['ReLU6', () => new nn.ReLU6(), x2, [3, 12], (x) => F.relu6(x)],
  ['LeakyReLU', () => new nn.LeakyReLU(0.2), x2, [3, 12], (x) => F.leakyRelu(x, 0.2)],
  ['ELU', () => new nn.ELU(0.5), x2, [3, 12], (x) => F.elu(x, 0.5)],
  ['SELU', () => new nn.SELU(), x2, [3, 12], (x) => F.selu(x)],
  ['GELU', () => new nn.GELU('tanh'), x2, [3, 12], (x) => F.gelu(x, { approximate: 'tanh' })],
  ['SiLU', () => new nn.SiLU(), x2, [3, 12], (x) => F.silu(x)],
  ['Sigmoid', () => new nn.Sigmoid(), x2, [3, 12], (x) => F.sigmoid(x)],
  ['Tanh', () => new nn.Tanh(), x2, [3, 12], (x) => F.tanh(x)],
  ['Softplus', () => new nn.Softplus(2, 10), x2, [3, 12], (x) => F.softplus(x, 2, 10)],
  ['Hardswish', () => new nn.Hardswish(), x2, [3, 12], (x) => F.hardswish(x)],
  ['Hardsigmoid', () => new nn.Hardsigmoid(), x2, [3, 12], (x) => F.hardsigmoid(x)],
  ['Softmax', () => new nn.Softmax(1), x2, [3, 12], (x) => F.softmax(x, 1)],
  ['LogSoftmax', () => new nn.LogSoftmax(1), x2, [3, 12], (x) => F.logSoftmax(x, 1)],
  ['Maxout', () => new nn.Maxout(3), x2, [3, 4], (x) => F.maxout(x, 3)],
  ['Dropout', () => new nn.Dropout(0.3).eval(), x2, [3, 12], (x) => x],
  ['Dropout2d', () => new nn.Dropout2d(0.3).eval(), x4, [2, 6, 7, 8], (x) => x],
  [
    'MaxPool2d',
    () => new nn.MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true }),
    x4,
    [2, 6, 4, 5],
    (x) => F.maxPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true }),
  ],
  ['AvgPool2d', () => new nn.AvgPool2d(2), x4, [2, 6, 3, 4], (x) => F.avgPool2d(x, 2)],
  ['AdaptiveAvgPool2d', () => new nn.AdaptiveAvgPool2d(1), x4, [2, 6, 1, 1], (x) => F.adaptiveAvgPool2d(x, 1)],
  ['AdaptiveMaxPool2d', () => new nn.AdaptiveMaxPool2d([2, 3]), x4, [2, 6, 2, 3], (x) => F.adaptiveMaxPool2d(x, [2, 3])],
  ['Flatten', () => new nn.Flatten(), x4, [2, 336], (x) => x.flatten(1)],
  ['Identity', () => new nn.Identity(), x2, [3, 12], (x) => x],
];

describe('layers', () => {
  for (const [name, make, input, shape, reference] of rows) {
    it(name, () => {
      const m = make();
      expect(m.typeName).toBe(name);
      const y = m.forward(input) as Tensor;
      expect(y.shape).toEqual(shape);
      if (reference) expect(y.toArray()).toEqual(reference(input, m).toArray());
      const line = m.toString();
      expect(line.startsWith(`${name}(`) && !line.includes('\n')).toBe(true);
    });
  }
  it('Dropout is active in training mode only', () => {
    const d = new nn.Dropout(0.5);
    expect(d.forward(ct.ones(1000)).eq(0).sum().item()).toBeGreaterThan(400);
    d.eval();
    expect(d.forward(ct.ones(1000)).eq(0).sum().item()).toBe(0);
  });
});

// That every leaf layer of the zoo has a describe() is checked on each model in test/models.test.ts.
describe('layers describe themselves (nn/describe.ts)', () => {
  it('the summary reads multiply-adds and geometry from the layer, and a layer without a description is still a row', () => {
    class Scale extends nn.Module {
      forward(x: Tensor): Tensor {
        return x.mul(2);
      }
    }
    class Counted extends nn.Module {
      forward(x: Tensor): Tensor {
        return x.flatten(1);
      }
      override describe(_input: readonly number[], output: readonly number[]): nn.LayerInfo {
        return { kind: 'compute', filters: output[1], kernel: [1, 1], macs: 1234 };
      }
    }
    const m = new nn.Sequential(new nn.Conv2d(1, 2, 3), new Scale(), new nn.ReLU(), new Counted());
    const s = ct.analysis.summary(m, [1, 5, 5], { rows: 'all' });
    expect(s.layers.map((r) => r.type)).toEqual(['Conv2d', 'Scale', 'ReLU', 'Counted']);
    expect(s.layers[0].flops).toBe(2 * 3 * 3 * 1 * 3 * 3);
    expect(s.layers[3]).toMatchObject({ flops: 1234, filters: 18, kernel: [1, 1] });
    expect(s.total.flops).toBe(162 + 1234);
    // Compact: the ReLU (elementwise) and the shape-preserving Scale go, as in the lecture tables.
    expect(ct.analysis.summary(m, [1, 5, 5]).layers.map((r) => r.type)).toEqual(['Conv2d', 'Counted']);
  });
  it('a subclass that overrides forward is traced by the ONNX export, not exported as its parent’s op', () => {
    class DoubledConv extends nn.Conv2d {
      override forward(x: Tensor): Tensor {
        return super.forward(x).mul(2);
      }
    }
    const conv = new DoubledConv(1, 1, 1, { bias: false });
    const ops = (m: nn.AnyModule) => (traceOnnx(m, [1, 1, 2, 2]).graph?.node ?? []).map((n) => n.op_type);
    expect(ops(new nn.Sequential(conv))).toContain('Mul');
    expect(ops(new nn.Sequential(new nn.Conv2d(1, 1, 1)))).toEqual(['Conv']);
  });
});
