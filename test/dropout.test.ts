/**
 * Dropout draws from convnet-ts's own seeded generator, so its masks cannot match PyTorch's bit for bit;
 * these tests pin its semantics instead: rate, inverted scaling, eval identity, channel masks, gradient = mask.
 */
import { describe, expect, it } from 'vitest';
import * as ct from '../src/index.js';

const F = ct.nn.functional;

describe('dropout', () => {
  it('zeroes about p of the elements and scales the rest by 1/(1 − p)', () => {
    ct.manualSeed(5);
    const y = F.dropout(ct.ones(20000), 0.3).data();
    const zeros = y.filter((v) => v === 0).length / y.length;
    expect(Math.abs(zeros - 0.3)).toBeLessThan(0.015);
    for (const v of y) expect(v === 0 || Math.abs(v - 1 / 0.7) < 1e-6).toBe(true);
  });
  it('is the identity in eval mode and for p = 0; p = 1 zeroes everything', () => {
    const x = ct.randn(4, 5);
    expect(F.dropout(x, 0.5, { training: false })).toBe(x);
    expect(F.dropout(x, 0)).toBe(x);
    expect(F.dropout(x, 1).abs().sum().item()).toBe(0);
  });
  it('dropout2d zeroes whole channels', () => {
    ct.manualSeed(6);
    const y = F.dropout2d(ct.ones(8, 16, 3, 3), 0.5);
    const perChannel = y.reshape(8 * 16, 9).data();
    let dropped = 0;
    for (let c = 0; c < 8 * 16; c++) {
      const vals = perChannel.slice(c * 9, c * 9 + 9);
      expect(vals.every((v) => v === vals[0])).toBe(true);
      if (vals[0] === 0) dropped++;
      else expect(vals[0]).toBeCloseTo(2, 6);
    }
    expect(dropped).toBeGreaterThan(30);
    expect(dropped).toBeLessThan(98);
  });
  it('the gradient is the same scaled mask (gradcheck with a fixed generator)', () => {
    const x = ct.randn([3, 4, 2, 2], { requiresGrad: true });
    expect(ct.gradcheck((t) => F.dropout(t, 0.4, { generator: new ct.Generator(9) }), [x])).toBe(true);
    expect(ct.gradcheck((t) => F.dropout2d(t, 0.4, { generator: new ct.Generator(9) }), [x])).toBe(true);
  });
});
