/** nn.Module behaviour: names, traversal, modes, freezing, state dicts, printing, layer errors, and a LeNet that learns. */
import { describe, expect, it } from 'vitest';
import * as ct from '../src/index.js';
import { models, nn, optim, type Tensor } from '../src/index.js';

const F = nn.functional;

const lenet = (): nn.Sequential => models.lenet();

class ResidualBlock extends nn.Module {
  conv1 = new nn.Conv2d(4, 4, 3, { padding: 1, bias: false });
  bn1 = new nn.BatchNorm2d(4);
  relu = new nn.ReLU();
  forward(x: Tensor): Tensor {
    return this.relu.forward(this.bn1.forward(this.conv1.forward(x)).add(x));
  }
}

describe('Module', () => {
  it("names parameters and buffers with PyTorch's dotted names", () => {
    const block = new nn.Sequential({ layer1: new nn.Sequential(new ResidualBlock()) });
    expect(Object.keys(block.stateDict())).toEqual([
      'layer1.0.conv1.weight',
      'layer1.0.bn1.weight',
      'layer1.0.bn1.bias',
      'layer1.0.bn1.running_mean',
      'layer1.0.bn1.running_var',
      'layer1.0.bn1.num_batches_tracked',
    ]);
    expect(block.namedParameters().map(([n]) => n)).toEqual(['layer1.0.conv1.weight', 'layer1.0.bn1.weight', 'layer1.0.bn1.bias']);
    expect(block.namedBuffers().map(([n]) => n)).toEqual(['layer1.0.bn1.running_mean', 'layer1.0.bn1.running_var', 'layer1.0.bn1.num_batches_tracked']);
    expect(Object.keys(lenet().stateDict())).toContain('classifier.2.bias');
  });
  it('traverses children and modules; apply visits every module', () => {
    const m = lenet();
    expect([...m.namedChildren()].map(([n]) => n)).toEqual(['features', 'flatten', 'classifier']);
    expect([...m.modules()].length).toBe(1 + 1 + 6 + 1 + 1 + 3);
    const seen: string[] = [];
    m.apply((mod) => seen.push(mod.typeName));
    expect(seen[seen.length - 1]).toBe('Sequential');
    expect(seen.filter((s) => s === 'Conv2d').length).toBe(2);
  });
  it('counts parameters as PyTorch does (LeNet 20/50/500: 1,256,080)', () => {
    expect(lenet().numParameters()).toBe(1256080);
  });
  it('train() / eval() reach every descendant and change dropout and batch norm behaviour', () => {
    const m = new nn.Sequential(new nn.Dropout(0.5), new nn.BatchNorm1d(3));
    m.eval();
    expect([...m.modules()].every((x) => !x.training)).toBe(true);
    const x = ct.randn(4, 3);
    expect(m.forward(x).toArray()).toEqual(m.forward(x).toArray());
    m.train();
    expect([...m.modules()].every((x) => x.training)).toBe(true);
  });
  it('requiresGrad_(false) freezes; frozen parameters get no gradient and are not counted as trainable', () => {
    const m = lenet();
    (m.get('features') as nn.Sequential).requiresGrad_(false);
    expect(m.numParameters({ trainableOnly: true })).toBe(2450 * 500 + 500 + 500 * 10 + 10);
    F.crossEntropy(m.forward(ct.randn(2, 1, 28, 28)), ct.randint(0, 10, [2])).backward();
    const [conv] = m.parameters();
    expect(conv.grad).toBeNull();
    expect(m.parameters().at(-1)!.grad).not.toBeNull();
  });
  it('stateDict round-trips into a fresh model with identical outputs', () => {
    ct.manualSeed(1);
    const a = lenet().eval();
    const b = lenet().eval();
    const x = ct.randn(2, 1, 28, 28);
    expect(a.forward(x).toArray()).not.toEqual(b.forward(x).toArray());
    const res = b.loadStateDict(a.stateDict());
    expect(res).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(b.forward(x).toArray()).toEqual(a.forward(x).toArray());
  });
  it('loadStateDict reports every problem at once and loads nothing when strict loading fails', () => {
    const m = new nn.Sequential(new nn.Linear(4, 3), new nn.BatchNorm1d(3));
    const before = m.stateDict()['0.weight'].data();
    const sd = m.stateDict();
    const bad: Record<string, Tensor> = { ...sd, '0.weight': ct.zeros(3, 5), extra: ct.zeros(2) };
    delete bad['1.running_var'];
    let err: unknown;
    try {
      m.loadStateDict(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(nn.StateDictError);
    const msg = (err as Error).message;
    expect(msg).toContain("missing keys: '1.running_var' [3]");
    expect(msg).toContain("unexpected keys: 'extra' [2]");
    expect(msg).toContain("shape mismatches: '0.weight' expects [3,4] but got [3,5]");
    expect(m.stateDict()['0.weight'].data()).toEqual(before);
    // strict: false ignores missing/unexpected keys but still refuses shape mismatches
    const partial = { '0.bias': ct.ones(3), other: ct.zeros(1) };
    expect(m.loadStateDict(partial, { strict: false }).unexpectedKeys).toEqual(['other']);
    expect(m.stateDict()['0.bias'].toArray()).toEqual([1, 1, 1]);
    expect(() => m.loadStateDict({ '0.bias': ct.ones(4) }, { strict: false })).toThrow(/'0.bias' expects \[3\] but got \[4\]/);
  });
  it('prints the tree like PyTorch', () => {
    expect(lenet().toString()).toBe(
      [
        'Sequential(',
        '  (features): Sequential(',
        '    (0): Conv2d(1, 20, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))',
        '    (1): ReLU()',
        '    (2): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)',
        '    (3): Conv2d(20, 50, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))',
        '    (4): ReLU()',
        '    (5): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)',
        '  )',
        '  (flatten): Flatten(start_dim=1, end_dim=-1)',
        '  (classifier): Sequential(',
        '    (0): Linear(in_features=2450, out_features=500, bias=True)',
        '    (1): ReLU()',
        '    (2): Linear(in_features=500, out_features=10, bias=True)',
        '  )',
        ')',
      ].join('\n'),
    );
    expect(new nn.BatchNorm2d(64).toString()).toBe('BatchNorm2d(64, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)');
    expect(new nn.Conv2d(32, 32, 3, { groups: 32, bias: false, stride: 2, padding: 1 }).toString()).toBe(
      'Conv2d(32, 32, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), groups=32, bias=False)',
    );
    expect(new nn.LeakyReLU(0.2).toString()).toBe('LeakyReLU(negative_slope=0.2)');
    expect(new nn.LayerNorm([5]).toString()).toBe('LayerNorm((5,), eps=1e-05, elementwise_affine=True)');
  });
  it('Sequential indexing, replacement and iteration; ModuleList and ModuleDict register children', () => {
    const m = lenet();
    const cls = m.get('classifier') as nn.Sequential;
    expect(cls.at(-1)).toBeInstanceOf(nn.Linear);
    cls.set(-1, new nn.Linear(500, 3));
    expect(m.forward(ct.randn(1, 1, 28, 28)).shape).toEqual([1, 3]);
    expect([...cls].length).toBe(3);
    const list = new nn.ModuleList([new nn.Linear(2, 2), new nn.Linear(2, 2)]);
    const dict = new nn.ModuleDict({ head: new nn.Linear(2, 1) });
    const holder = new nn.Sequential({ list, dict });
    expect(Object.keys(holder.stateDict())).toEqual(['list.0.weight', 'list.0.bias', 'list.1.weight', 'list.1.bias', 'dict.head.weight', 'dict.head.bias']);
  });
  it('Conv2d padding modes and same padding agree with explicit padding', () => {
    const conv = new nn.Conv2d(2, 3, 3, { padding: 1, paddingMode: 'reflect' });
    const x = ct.randn(1, 2, 5, 6);
    const ref = F.conv2d(F.pad(x, [1, 1, 1, 1], 'reflect'), conv.weight, conv.bias);
    expect(conv.forward(x).toArray()).toEqual(ref.toArray());
    const same = new nn.Conv2d(2, 3, 4, { padding: 'same', paddingMode: 'circular' });
    expect(same.forward(x).shape).toEqual([1, 3, 5, 6]);
    expect(new nn.Conv2d(2, 3, 3).forward(ct.randn(2, 5, 5)).shape).toEqual([3, 3, 3]);
  });
  it('BatchNorm2d updates running statistics in training (momentum and cumulative) and uses them in eval', () => {
    const bn = new nn.BatchNorm2d(2);
    const x = ct.randn(4, 2, 3, 3).mul(3).add(5);
    bn.forward(x);
    expect(bn.numBatchesTracked!.item()).toBe(1);
    const mean = x.mean([0, 2, 3]).data();
    bn.runningMean!.data().forEach((v, i) => expect(v).toBeCloseTo(0.1 * mean[i], 5));
    bn.eval();
    const y = bn.forward(x);
    const expected = x.sub(bn.runningMean!.reshape(1, 2, 1, 1)).div(bn.runningVar!.add(1e-5).sqrt().reshape(1, 2, 1, 1));
    expect(y.sub(expected).abs().amax().item()).toBeLessThan(1e-5);
    const cum = new nn.BatchNorm2d(2, { momentum: null });
    cum.forward(x);
    cum.forward(x.mul(0));
    cum.runningMean!.data().forEach((v, i) => expect(v).toBeCloseTo(mean[i] / 2, 5));
  });
});

describe('layer errors name the module path, the expectation and the actual shape', () => {
  it("Linear 'classifier.0' fed the wrong number of features", () => {
    const m = new nn.Sequential({ features: new nn.Flatten(), classifier: new nn.Sequential(new nn.Linear(2450, 500), new nn.ReLU()) });
    expect(() => m.forward(ct.randn(64, 2400))).toThrow("Linear 'classifier.0': expected input with 2450 features, got shape [64,2400]");
  });
  it('Conv2d fed the wrong channel count, BatchNorm2d fed a 2-D tensor', () => {
    const m = new nn.Sequential({ stem: new nn.Conv2d(3, 8, 3), bn: new nn.BatchNorm2d(8) });
    expect(() => m.forward(ct.randn(2, 1, 8, 8))).toThrow("Conv2d 'stem': expected input with 3 channels, got 1 (input shape [2,1,8,8])");
    expect(() => new nn.BatchNorm2d(8).forward(ct.randn(4, 8))).toThrow('BatchNorm2d: expected a 4-D input [N, C, H, W], got shape [4,8]');
    class Net extends nn.Module {
      body = new nn.Sequential(new nn.BatchNorm2d(4));
      forward(x: Tensor): Tensor {
        return this.body.forward(x);
      }
    }
    expect(() => new Net().forward(ct.randn(2, 3, 4, 4))).toThrow("BatchNorm2d 'body.0': expected input with 4 channels, got 3");
  });
  it('bad constructor arguments', () => {
    expect(() => new nn.Conv2d(3, 8, 3, { groups: 2 })).toThrow('Conv2d: inChannels 3 must be divisible by groups 2');
    expect(() => new nn.Conv2d(3, 8, 0)).toThrow(/Conv2d: kernelSize must be an integer >= 1/);
    expect(() => new nn.Linear(-1, 3)).toThrow(/Linear: inFeatures must be a non-negative integer/);
    expect(() => new nn.Dropout(2)).toThrow(/Dropout: dropout probability must be in \[0, 1\], got 2/);
    expect(() => new nn.GroupNorm(4, 6)).toThrow(/GroupNorm: numChannels 6 must be divisible by numGroups 4/);
  });
});

describe('training with modules and optimizers', () => {
  it('a LeNet built from modules trains on random data and its loss falls', () => {
    ct.manualSeed(0);
    const model = lenet();
    const opt = new optim.SGD(model.parameters(), { lr: 0.02, momentum: 0.9 });
    const x = ct.randn(16, 1, 28, 28);
    const y = ct.randint(0, 10, [16]);
    const losses: number[] = [];
    for (let step = 0; step < 20; step++) {
      opt.zeroGrad();
      const loss = F.crossEntropy(model.forward(x), y);
      loss.backward();
      opt.step();
      losses.push(loss.item());
    }
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.5);
    const acc = ct.noGrad(() => model.forward(x).argmax(1).eq(y).mean().item());
    expect(acc).toBeGreaterThan(0.8);
  });
  it('fine-tuning a backbone at 1/10 of the head learning rate is one line', () => {
    const m = lenet();
    const opt = new optim.SGD(
      [{ params: (m.get('features') as nn.Sequential).parameters(), lr: 0.001 }, { params: (m.get('classifier') as nn.Sequential).parameters() }],
      { lr: 0.01, momentum: 0.9 },
    );
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.001, 0.01]);
    expect(opt.paramGroups[0].momentum).toBe(0.9);
  });
});
