import { describe, expect, it } from 'vitest';
import * as ct from '../src/index.js';
import { summary } from '../src/analysis/summary.js';

const { models } = ct;

describe('NASNet-A (Zoph et al. 2018)', () => {
  it("NASNet-A Mobile 4@1056 has the paper's 5.3M parameters and 564M multiply-adds at 224×224", () => {
    const m = models.create('nasnet_a_mobile') as ct.models.NASNet;
    const s = summary(m, [3, 224, 224]);
    expect(s.total.params).toBe(5289978); // Table 2: 5.3M; equal to Keras's NASNetMobile (5,289,978 trainable)
    expect(Math.round(s.total.flops / 1e6)).toBe(564); // Table 2: 564M mult-adds
    // Two stem reduction cells, then 4 normal cells per stack; the last stack's cells concatenate 6 × 176 = 1056.
    const cells = [...m.cells] as ct.models.NasCell[];
    expect(cells.map((c) => c.outC)).toEqual([44, 88, 264, 264, 264, 264, 352, 528, 528, 528, 528, 704, 1056, 1056, 1056, 1056]);
  }, 120_000);

  it("NASNet-A 6@768 for CIFAR-10 has the paper's 3.3M parameters", () => {
    const m = models.create('nasnet_a_cifar') as ct.models.NASNet;
    expect(m.numParameters()).toBe(3346538); // Table 1: 3.3M
    const cells = [...m.cells] as ct.models.NasCell[];
    expect(cells.length).toBe(20); // 3 × 6 normal + 2 reduction
    expect(cells.filter((c) => c.reduction).map((c) => cells.indexOf(c))).toEqual([6, 13]);
    expect(cells.at(-1)!.outC).toBe(768);
    const y = ct.noGrad(() => m.eval().forward(ct.randn(2, 3, 32, 32)));
    expect(y.shape).toEqual([2, 10]);
  }, 120_000);

  it('builds any genotype of the search space; every operation keeps shapes and passes gradients', () => {
    ct.manualSeed(1);
    // Each operation once on each input kind (h[i-1], h[i], an earlier block), in both cells.
    const ops = ct.models.NAS_OPS;
    const blocks = (offset: number) =>
      [0, 1, 2, 3, 4, 5, 6].map((b) => ({
        inputs: [b % 2, Math.min(b + 1, b + 1)] as [number, number],
        ops: [ops[(2 * b + offset) % ops.length], ops[(2 * b + 1 + offset) % ops.length]] as [ct.models.NasOp, ct.models.NasOp],
      }));
    const genotype = { normal: { blocks: blocks(0) }, reduction: { blocks: blocks(5) } };
    const m = models.create('nasnet', { genotype, cellsPerStack: 1, filters: 8, numClasses: 3 });
    const x = ct.randn(2, 3, 16, 16);
    const loss = ct.nn.functional.crossEntropy(m.forward(x), ct.tensor([0, 2], undefined, { dtype: 'int32' }));
    loss.backward();
    const noGrad = m.namedParameters().filter(([, p]) => !p.grad || p.grad.abs().sum().item() === 0);
    expect(noGrad.map(([k]) => k)).toEqual([]);
    // A searched cell's output is its unused blocks: here only the last.
    expect(ct.models.unusedStates(genotype.normal)).toEqual([8]);
  });

  it('drop path drops whole examples of each operation in training only, scaled by depth', () => {
    ct.manualSeed(2);
    const m = models.create('nasnet', { cellsPerStack: 1, filters: 8, dropPath: 0.5 }) as ct.models.NASNet;
    const x = ct.randn(4, 3, 16, 16);
    const probs = [...m.cells].map((c) => [...c.modules()].find((k) => k instanceof ct.models.StochasticDepth) as ct.models.StochasticDepth).map((d) => d.p);
    expect(probs.map((p) => +p.toFixed(4))).toEqual([1, 2, 3, 4, 5].map((i) => +((0.5 * i) / 5).toFixed(4)));
    m.eval();
    const a = ct.noGrad(() => m.forward(x)).data();
    expect(ct.noGrad(() => m.forward(x)).data()).toEqual(a);
    m.train();
    const t1 = ct.noGrad(() => m.forward(x)).data();
    const t2 = ct.noGrad(() => m.forward(x)).data();
    expect(t1).not.toEqual(t2);
    m.setDropPath(0);
    expect(() => m.setDropPath(1)).toThrow(/\[0, 1\)/);
  });

  it('refuses malformed genotypes with the block and what was expected', () => {
    const base = ct.models.NASNET_A;
    const bad = (normal: unknown) => () => models.create('nasnet', { genotype: { normal, reduction: base.reduction } });
    expect(bad({ blocks: [] })).toThrow(/genotype.normal must have a non-empty 'blocks' list/);
    expect(bad({ blocks: [{ inputs: [0, 2], ops: ['identity', 'identity'] }] })).toThrow(/block 0 input 2 must be a state 0..1/);
    expect(bad({ blocks: [{ inputs: [0, 1], ops: ['identity', 'conv_9x9'] }] })).toThrow(/unknown operation 'conv_9x9'/);
    expect(bad({ blocks: [{ inputs: [0, 1], ops: ['identity', 'identity'] }], concat: [5] })).toThrow(/concat must list states 0..2/);
    expect(() => models.create('nasnet', { filters: 6 })).toThrow(/filters must be a positive multiple of 4/);
    expect(() => models.create('nasnet', { stem: 'tiny' })).toThrow(/stem must be 'cifar' or 'imagenet'/);
    expect(() => models.create('nasnet_a_cifar', { genotype: base })).toThrow(/has no option 'genotype'/);
  });

  it('exports to ONNX and back with the same outputs', () => {
    ct.manualSeed(3);
    const m = models.create('nasnet', { cellsPerStack: 1, filters: 8 }).eval();
    const x = ct.randn(2, 3, 15, 15); // odd sizes: the factorized reduction's shifted path pads one pixel
    const want = ct.noGrad(() => m.forward(x)).data();
    const back = ct.io.importOnnx(ct.io.exportOnnx(m, [1, 3, 15, 15])).eval();
    const got = ct.noGrad(() => back.forward(x) as ct.Tensor).data();
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 4);
  });
});
