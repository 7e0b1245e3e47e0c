/** The package surface: the built entry resolves by name, the core is browser-safe, and the op table is typed. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Rule } from '../src/autograd/apply.js';
import { PRIMITIVES, type PrimitiveName } from '../src/ops/table.js';

const src = fileURLToPath(new URL('../src', import.meta.url));
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));

describe('package', () => {
  it('the built package resolves by name through its exports field', async () => {
    const pkg = await import('convnet-ts');
    for (const name of ['Tensor', 'tensor', 'zeros', 'randn', 'manualSeed', 'noGrad', 'gradcheck', 'nn', 'optim', 'data', 'models', 'io', 'analysis', 'train']) {
      expect(pkg, name).toHaveProperty(name);
    }
    expect(typeof pkg.nn.functional.conv2d).toBe('function');
  });
  it('the core imports no Node-only module (browser-safe)', () => {
    const nodeOnly = /from ['"](node:|fs|path|os|worker_threads|child_process|url)['"/]/;
    const offenders = files(src).filter((f) => nodeOnly.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
  it('every primitive has a rule with a vjp or an explicit nondifferentiable marker', () => {
    for (const [name, rule] of Object.entries(PRIMITIVES)) {
      expect(typeof rule.forward, name).toBe('function');
      expect(rule.vjp === 'nondifferentiable' || typeof rule.vjp === 'function', name).toBe(true);
    }
  });
});

// Type-level tests (checked by `npm run typecheck`): each @ts-expect-error must stay an error.
// @ts-expect-error a rule without a gradient does not type-check
export const ruleWithoutVjp: Rule = { name: 'x', forward: () => ({ out: null!, saved: undefined }) };
// @ts-expect-error a primitive table missing an op does not type-check
export const incompleteTable: { [K in PrimitiveName]: Rule } = { add: PRIMITIVES.add };
