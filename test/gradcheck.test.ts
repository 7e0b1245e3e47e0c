/** Every gradient check (test/helpers/gradcheck_cases.ts) on every backend, and the coverage of the primitive table. */
import { expect, it } from 'vitest';
import { describeEachBackend } from './helpers/backends.js';
import * as ct from '../src/index.js';
import { differentiablePrimitives } from '../src/ops/table.js';
import type { Tensor } from '../src/index.js';
import { checks } from './helpers/gradcheck_cases.js';

const r = (...s: number[]) => ct.randn(s, { requiresGrad: true });

describeEachBackend('gradcheck', () => {
  it('covers every differentiable primitive', () => {
    const covered = new Set(checks.flatMap((c) => c.covers));
    expect(differentiablePrimitives().filter((p) => !covered.has(p))).toEqual([]);
  });
  for (const c of checks) {
    it(c.name, () => {
      expect(ct.gradcheck(c.fn, c.inputs())).toBe(true);
    });
  }
  it('reports a wrong gradient', () => {
    // A gradient rule that is off by a factor shows up as a failure naming the element.
    const wrong = (x: Tensor) => x.mul(x.detach()).sum(); // true gradient 2x, autograd sees x
    expect(() => ct.gradcheck(wrong, [r(3)])).toThrow(/gradcheck: .*numeric .* vs analytic/);
    expect(ct.gradcheck(wrong, [r(3)], { raiseException: false })).toBe(false);
  });
  it('gradcheckAsync (for GPU backends) agrees: passes the right gradients, reports the wrong one', async () => {
    for (const c of checks.slice(0, 12)) expect(await ct.gradcheckAsync(c.fn, c.inputs()), c.name).toBe(true);
    const wrong = (x: Tensor) => x.mul(x.detach()).sum();
    await expect(ct.gradcheckAsync(wrong, [r(3)])).rejects.toThrow(/gradcheck: .*numeric .* vs analytic/);
    expect(await ct.gradcheckAsync(wrong, [r(3)], { raiseException: false })).toBe(false);
  });
});
