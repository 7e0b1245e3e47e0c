/** analysis: the lectures' AlexNet table, VGG-16 totals, receptive fields, and Conv/Linear + BatchNorm fusion. */
import { describe, expect, it } from 'vitest';
import * as ct from '../src/index.js';
import { analysis, models, nn } from '../src/index.js';
import { withForwardTracer } from '../src/nn/module.js';

describe('summary', () => {
  it("reproduces the lectures' AlexNet table on a 3×227×227 input", () => {
    const s = analysis.summary(models.create('alexnet'), [3, 227, 227]);
    const rows = s.layers
      .filter((r) => !r.group)
      .map((r) => [
        r.inputShape[1],
        r.inputShape.length === 4 ? r.inputShape[2] : null,
        r.filters,
        r.kernel?.[0] ?? null,
        r.stride?.[0] ?? null,
        Array.isArray(r.padding) ? r.padding[0] : null,
        r.outputShape[1],
        r.outputShape.length === 4 ? r.outputShape[2] : null,
        Math.round(r.memoryKB),
        Math.round(r.params / 1000),
        Math.round(r.flops / 1e6),
      ]);
    // Layer, C, H/W, filters, kernel, stride, pad, C, H/W, memory (KB), params (k), MFLOP (multiply-adds).
    expect(rows).toEqual([
      [3, 227, 64, 11, 4, 2, 64, 56, 784, 23, 73], // conv1
      [64, 56, null, 3, 2, 0, 64, 27, 182, 0, 0], // pool1
      [64, 27, 192, 5, 1, 2, 192, 27, 547, 307, 224], // conv2
      [192, 27, null, 3, 2, 0, 192, 13, 127, 0, 0], // pool2
      [192, 13, 384, 3, 1, 1, 384, 13, 254, 664, 112], // conv3
      // conv4: 13·13·256 outputs × 384·3·3 = 149.5 M multiply-adds (the slide prints 145).
      [384, 13, 256, 3, 1, 1, 256, 13, 169, 885, 150],
      [256, 13, 256, 3, 1, 1, 256, 13, 169, 590, 100], // conv5
      [256, 13, null, 3, 2, 0, 256, 6, 36, 0, 0], // pool5
      [256, 6, null, null, null, null, 9216, null, 36, 0, 0], // flatten
      // fc6: 9216·4096 + 4096 = 37,752,832 parameters (the slide's arithmetic says 37,725,832).
      [9216, null, 4096, null, null, null, 4096, null, 16, 37753, 38],
      [4096, null, 4096, null, null, null, 4096, null, 16, 16781, 17], // fc7
      [4096, null, 1000, null, null, null, 1000, null, 4, 4097, 4], // fc8
    ]);
    expect(s.total.params).toBe(61100840);
    expect(Math.round(s.total.flops / 1e6)).toBe(717); // the lectures' "0.7 GFLOP"
  });
  it('VGG-16 totals: 138,357,544 parameters and 15.47 G multiply-adds at 224×224', () => {
    const s = analysis.summary(models.create('vgg16'), [3, 224, 224]);
    expect(s.total.params).toBe(138357544);
    expect(s.total.flops).toBe(15346630656 + 123633664); // convolutions + fully connected layers
    const conv = s.layers.filter((r) => r.type === 'Conv2d');
    expect(conv).toHaveLength(13);
    expect(conv[0].memoryKB).toBe((64 * 224 * 224 * 4) / 1024);
  }, 300_000);
  it('shows nested blocks indented under their block, and prints text, Markdown and JSON', () => {
    const s = analysis.summary(models.create('resnet18'), [3, 64, 64]);
    const block = s.layers.find((r) => r.name === 'layer1.0')!;
    expect(block.group).toBe(true);
    expect(s.layers.find((r) => r.name === 'layer1.0.conv1')!.depth).toBe(block.depth + 1);
    const text = analysis.formatSummary(s);
    expect(text).toMatch(/\n {4}layer1\.0\.conv1 +Conv2d/);
    expect(analysis.formatSummary(s, 'markdown').split('\n')[1]).toMatch(/^\| --- \|/);
    const json = analysis.summaryJson(s) as { layers: Record<string, unknown>[]; total: Record<string, number> };
    for (const k of ['name', 'type', 'inputShape', 'outputShape', 'kernel', 'stride', 'padding', 'memoryKB', 'params', 'flops'])
      expect(json.layers[0]).toHaveProperty(k);
    expect(Object.keys(json.total).sort()).toEqual(['flops', 'memoryKB', 'params']);
  });
});

describe('receptive fields', () => {
  it("follows the lectures' 1 + L·(K − 1) for stride 1, and the general formula with strides and dilation", () => {
    expect(analysis.receptiveFieldOf([{ kernel: 3 }, { kernel: 3 }, { kernel: 3 }])).toBe(7);
    expect(analysis.receptiveFieldOf(Array(5).fill({ kernel: 5 }))).toBe(21);
    expect(analysis.receptiveFieldOf([{ kernel: 3, stride: 2 }, { kernel: 3 }])).toBe(7);
    expect(
      analysis.receptiveFieldOf([
        { kernel: 3, dilation: 2 },
        { kernel: 3, dilation: 4 },
      ]),
    ).toBe(1 + 4 + 8);
  });
  it('is reported per layer of a model', () => {
    const m = new nn.Sequential(
      new nn.Conv2d(1, 4, 3, { padding: 1 }),
      new nn.Conv2d(4, 4, 3, { padding: 1 }),
      new nn.MaxPool2d(2),
      new nn.Conv2d(4, 4, 3, { padding: 1 }),
    );
    expect(analysis.receptiveFields(m, [1, 16, 16]).map((r) => r.receptiveField)).toEqual([3, 5, 6, 10]);
    expect(analysis.summary(models.create('alexnet'), [3, 227, 227]).layers.find((r) => r.name === 'features.12')!.receptiveField).toBe(195);
  });
});

describe('fuseConvBn', () => {
  it('folds eval-mode BatchNorm into the preceding conv: same outputs, no BatchNorm left', () => {
    ct.manualSeed(8);
    const m = models.create('resnet18', { numClasses: 10 });
    // Non-trivial running statistics and affine parameters.
    for (const mod of m.modules()) {
      if (mod instanceof nn.BatchNorm2d) {
        ct.noGrad(() => {
          mod.runningMean!.copy_(ct.randn(mod.numFeatures).mul(0.1));
          mod.runningVar!.copy_(ct.rand(mod.numFeatures).add(0.5));
          mod.weight!.copy_(ct.rand(mod.numFeatures).add(0.5));
          mod.bias!.copy_(ct.randn(mod.numFeatures).mul(0.1));
        });
      }
    }
    m.eval();
    const x = ct.randn(2, 3, 48, 48);
    const before = ct.noGrad(() => m.forward(x)) as ct.Tensor;
    const count = analysis.fuseConvBn(m, [3, 48, 48]);
    expect(count).toBe(20);
    expect([...m.modules()].some((mod) => mod instanceof nn.BatchNorm2d)).toBe(false);
    const after = ct.noGrad(() => m.forward(x)) as ct.Tensor;
    const diff = after.sub(before).abs().amax().item() / before.abs().amax().item();
    expect(diff).toBeLessThan(1e-5);
  });
  it('fuses Linear + BatchNorm1d and convs without bias inside Sequential', () => {
    ct.manualSeed(9);
    const m = new nn.Sequential(
      new nn.Conv2d(3, 4, 3, { bias: false }),
      new nn.BatchNorm2d(4),
      new nn.ReLU(),
      new nn.Flatten(),
      new nn.Linear(4 * 4 * 4, 5),
      new nn.BatchNorm1d(5),
    );
    m.train();
    for (let i = 0; i < 3; i++) ct.noGrad(() => m.forward(ct.randn(8, 3, 6, 6)));
    m.eval();
    const x = ct.randn(3, 3, 6, 6);
    const before = ct.noGrad(() => m.forward(x));
    expect(analysis.fuseConvBn(m, [3, 6, 6])).toBe(2);
    expect(m.at(1)).toBeInstanceOf(nn.Identity);
    expect((m.at(0) as nn.Conv2d).bias).not.toBeNull();
    expect(
      ct
        .noGrad(() => m.forward(x))
        .sub(before)
        .abs()
        .amax()
        .item(),
    ).toBeLessThan(1e-5);
  });
});

describe("the lectures' VGG-16 totals", () => {
  it('13.6 GFLOP is our 15.47 G multiply-adds without conv1_2 — the slide appears to have skipped that row', () => {
    const s = analysis.summary(models.create('vgg16'), [3, 224, 224]);
    const conv12 = s.layers.filter((r) => r.type === 'Conv2d')[1];
    expect(conv12.flops).toBe(224 * 224 * 64 * 64 * 9);
    expect(Math.round((s.total.flops - conv12.flops) / 1e8) / 10).toBe(13.6);
    expect(Math.round(s.total.params / 1e6)).toBe(138);
  }, 300_000);
});

describe('receptive fields, checked against an independent computation', () => {
  /**
   * The receptive field of `layer`'s centre unit along H, found without the summary's arithmetic: with every weight
   * 1, every bias 0 and an input of zeros, the unit is 0 unless a band of input rows set to 1 meets its receptive
   * field (every path is then positive — or +Inf, still not 0 — and max-pooling passes it). Binary search on growing
   * prefix and suffix bands finds the first and last rows that reach the unit.
   */
  function measuredRf(model: ct.nn.AnyModule, layer: string, inputShape: number[]): number {
    ct.noGrad(() => {
      for (const [name, p] of model.namedParameters()) p.copy_(ct.full(p.shape, name.endsWith('bias') ? 0 : 1));
    });
    model.eval();
    const target = [...model.namedModules()].find(([n]) => n === layer)![1];
    const [c, h, w] = inputShape;
    const unitAfter = (rows: (r: number) => boolean): number => {
      const x = new Float32Array(c * h * w);
      for (let r = 0; r < h; r++) if (rows(r)) x.fill(1, r * w, r * w + w);
      for (let ch = 1; ch < c; ch++) x.copyWithin(ch * h * w, 0, h * w);
      let out: ct.Tensor | null = null;
      ct.noGrad(() =>
        withForwardTracer({ enter() {}, exit: (m, _i, o) => void (m === target && (out = o as ct.Tensor)) }, () => model.forward(ct.tensor(x, [1, c, h, w]))),
      );
      const o = out as unknown as ct.Tensor;
      const [, , oh, ow] = o.shape;
      return o.data()[Math.floor(oh / 2) * ow + Math.floor(ow / 2)];
    };
    expect(unitAfter(() => false)).toBe(0);
    const changes = (rows: (r: number) => boolean) => unitAfter(rows) !== 0;
    let lo = 0;
    let hi = h - 1; // first row r such that rows 0..r reach the unit
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (changes((r) => r <= mid)) hi = mid;
      else lo = mid + 1;
    }
    const top = lo;
    lo = 0;
    hi = h - 1; // last row r such that rows r..h-1 reach the unit
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (changes((r) => r >= mid)) lo = mid;
      else hi = mid - 1;
    }
    return lo - top + 1;
  }

  // The convolutional part of each model (the classifier's size depends on the input's), on an input larger than
  // the receptive field so no edge clips it.
  it.each([
    ['lenet5', 'features', '6', [1, 48, 48]],
    ['lenet', 'features', '5', [1, 48, 48]],
    ['resnet20', '', 'layer3', [3, 96, 96]],
    ['plain20', '', 'layer3', [3, 96, 96]],
    ['resnet18', '', 'layer4', [3, 480, 480]],
  ] as const)("%s: the summary's receptive field of %s.%s equals the measured one", (name, part, layer, shape) => {
    const full = ct.models.create(name);
    const model = part ? (full as ct.nn.Sequential).get(part) : full;
    const rows = analysis.summary(model, [...shape], { rows: 'all' }).layers;
    const row = rows.find((r) => r.name === layer)!;
    expect(measuredRf(model, layer, [...shape])).toBe(row.receptiveField);
  });

  it('ResNet receptive fields are the textbook ones (a downsample shortcut adds no extent)', () => {
    const rf = (name: string, layer: string, shape: number[]) =>
      analysis.summary(ct.models.create(name), shape, { rows: 'all' }).layers.find((r) => r.name === layer)!.receptiveField;
    expect(rf('resnet20', 'layer3', [3, 32, 32])).toBe(81);
    expect(rf('resnet18', 'layer4', [3, 224, 224])).toBe(435);
  });
});
