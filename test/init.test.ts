/** nn.init against PyTorch's formulas: fans and gains from the fixtures, bounds and moments of samples. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as ct from '../src/index.js';
import { nn } from '../src/index.js';

const fx = JSON.parse(readFileSync(fileURLToPath(new URL('./fixtures/optim.json', import.meta.url)), 'utf8'));
const init = nn.init;

function stats(t: ct.Tensor): { mean: number; std: number; absMax: number } {
  const d = t.data();
  let s = 0,
    s2 = 0,
    m = 0;
  for (const v of d) {
    s += v;
    s2 += v * v;
    m = Math.max(m, Math.abs(v));
  }
  const mean = s / d.length;
  return { mean, std: Math.sqrt(s2 / d.length - mean * mean), absMax: m };
}

describe('nn.init', () => {
  it('fan in / fan out as PyTorch computes them (fan_in = C_in/groups × kernel area)', () => {
    for (const c of fx.fans as { shape: number[]; fanIn: number; fanOut: number }[]) {
      expect(init.calculateFanInAndFanOut(ct.zeros(c.shape))).toEqual([c.fanIn, c.fanOut]);
    }
  });
  it('gains equal torch.nn.init.calculate_gain', () => {
    const g = fx.gains as Record<string, number>;
    for (const k of ['linear', 'conv2d', 'sigmoid', 'tanh', 'relu', 'selu'] as const) expect(init.calculateGain(k)).toBeCloseTo(g[k], 12);
    expect(init.calculateGain('leaky_relu', 0.2)).toBeCloseTo(g['leaky_relu(0.2)'], 12);
    expect(init.calculateGain('leaky_relu')).toBeCloseTo(g.leaky_relu, 12);
  });
  it("default Conv2d/Linear init is U(±1/√fan_in) like PyTorch's kaiming_uniform(a=√5)", () => {
    ct.manualSeed(3);
    const d = fx.defaultInit as Record<string, { fanIn: number; weightAbsMax: number; weightStd: number; biasAbsMax: number }>;
    const layers: Record<string, nn.Conv2d | nn.Linear> = {
      conv5x5: new nn.Conv2d(20, 50, 5),
      linear: new nn.Linear(2450, 500),
      depthwise: new nn.Conv2d(32, 32, 3, { groups: 32 }),
    };
    for (const [name, layer] of Object.entries(layers)) {
      const bound = 1 / Math.sqrt(d[name].fanIn);
      const w = stats(layer.weight);
      expect(w.absMax).toBeLessThanOrEqual(bound);
      // PyTorch's own sample reaches the same bound and spread (std of U(−b, b) is b/√3).
      expect(Math.abs(w.absMax - d[name].weightAbsMax) / bound).toBeLessThan(0.02);
      expect(Math.abs(w.std - bound / Math.sqrt(3)) / (bound / Math.sqrt(3))).toBeLessThan(0.05);
      expect(Math.abs(w.std - d[name].weightStd) / d[name].weightStd).toBeLessThan(0.05);
      expect(Math.abs(w.mean)).toBeLessThan(0.05 * bound);
      expect(stats(layer.bias!).absMax).toBeLessThanOrEqual(bound);
    }
    const bn = new nn.BatchNorm2d(8);
    expect(bn.weight!.toArray()).toEqual(Array(8).fill(1));
    expect(bn.bias!.toArray()).toEqual(Array(8).fill(0));
  });
  it('xavier and kaiming draw with the right spread', () => {
    ct.manualSeed(4);
    const w = ct.zeros(256, 128, 3, 3);
    const [fanIn, fanOut] = [128 * 9, 256 * 9];
    expect(stats(init.xavierUniform(w)).absMax).toBeLessThanOrEqual(Math.sqrt(6 / (fanIn + fanOut)));
    expect(stats(init.xavierNormal(w)).std).toBeCloseTo(Math.sqrt(2 / (fanIn + fanOut)), 3);
    expect(stats(init.kaimingNormal(w, { nonlinearity: 'relu' })).std).toBeCloseTo(Math.sqrt(2 / fanIn), 3);
    expect(stats(init.kaimingNormal(w, { mode: 'fanOut', nonlinearity: 'relu' })).std).toBeCloseTo(Math.sqrt(2 / fanOut), 3);
    const ku = stats(init.kaimingUniform(w, { nonlinearity: 'relu' }));
    expect(ku.absMax).toBeLessThanOrEqual(Math.sqrt(6 / fanIn));
    expect(ku.absMax).toBeGreaterThan(0.99 * Math.sqrt(6 / fanIn));
    expect(stats(init.normal(ct.zeros(10000), 2, 0.5)).mean).toBeCloseTo(2, 1);
    expect(init.constant(ct.zeros(3), 7).toArray()).toEqual([7, 7, 7]);
  });
  it('truncNormal stays within [a, b] and has the truncated moments', () => {
    ct.manualSeed(5);
    const s = stats(init.truncNormal(ct.zeros(200000), 0, 1, -2, 2));
    expect(s.absMax).toBeLessThanOrEqual(2);
    expect(Math.abs(s.mean)).toBeLessThan(0.01);
    expect(s.std).toBeCloseTo(0.8796, 2); // std of N(0,1) truncated to [-2, 2]
  });
  it('orthogonal gives orthonormal rows (or columns) scaled by gain', () => {
    ct.manualSeed(6);
    for (const shape of [
      [6, 10],
      [10, 6],
      [4, 2, 3, 3],
    ]) {
      const q = init.orthogonal(ct.zeros(shape), 2);
      const m = q.reshape(shape[0], -1);
      const gram = m.shape[0] <= m.shape[1] ? m.matmul(m.t()) : m.t().matmul(m);
      const n = gram.shape[0];
      const target = ct.eye(n).mul(4);
      expect(gram.sub(target).abs().amax().item()).toBeLessThan(1e-5);
    }
  });
  it('rejects tensors without fans and unknown options', () => {
    expect(() => init.xavierUniform(ct.zeros(5))).toThrow(/fewer than 2 dims \(shape \[5\]\)/);
    expect(() => init.kaimingUniform(ct.zeros(3, 3), { mode: 'fan_in' as never })).toThrow(/mode must be 'fanIn' or 'fanOut'/);
    expect(() => init.calculateGain('swish' as never)).toThrow(/unsupported nonlinearity 'swish'/);
  });
});
