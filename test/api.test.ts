/**
 * The package surface: the built entry resolves by name and runs from any kind of Node entry, and the op table is
 * typed. (That the core is browser-safe is tested by bundling it: test/browser.test.ts.)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Rule } from '../src/autograd/apply.js';
import { PRIMITIVES, type PrimitiveName } from '../src/ops/table.js';

describe('package', () => {
  it('the built package resolves by name through its exports field', async () => {
    const pkg = await import('convnet-ts');
    for (const name of [
      'Tensor',
      'tensor',
      'zeros',
      'randn',
      'manualSeed',
      'noGrad',
      'gradcheck',
      'nn',
      'optim',
      'data',
      'models',
      'io',
      'analysis',
      'train',
      'chart',
    ]) {
      expect(pkg, name).toHaveProperty(name);
    }
    expect(typeof pkg.nn.functional.conv2d).toBe('function');
    // The lectures' experiments are a subpath of their own, outside the core entry.
    const experiments = await import('convnet-ts/experiments');
    expect(typeof experiments.initExperiment).toBe('function');
    expect(typeof experiments.finetuneExperiment).toBe('function');
    expect(pkg).not.toHaveProperty('initExperiment');
    expect(pkg.analysis).not.toHaveProperty('initExperiment');
  });
  it('a script run as `node --input-type=module -e` builds resnet18 and runs it on kernel threads', () => {
    // The kernel workers used to inherit --input-type=module and die on `require`; they get their own flags now.
    const code = `import * as ct from 'convnet-ts';
      ct.setNumThreads(2);
      const m = ct.models.create('resnet18'); m.eval();
      await new Promise((r) => setTimeout(r, 300));
      const y = ct.noGrad(() => m.forward(ct.randn(2, 3, 64, 64)));
      console.log('ok', y.shape.join('x'), ct.getNumThreads());`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.stdout.trim()).toBe('ok 2x1000 2');
    expect(r.status).toBe(0);
  });
  it('layers go one way: nothing in backend/ imports tensor/ (or above), and wasm/ uses js/ only through its kernel table', () => {
    const root = fileURLToPath(new URL('../src/backend/', import.meta.url));
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(`${dir}${e.name}/`) : e.name.endsWith('.ts') ? [`${dir}${e.name}`] : [],
      );
    const offenders: string[] = [];
    for (const file of walk(root).filter((f) => !f.includes('/assembly/') && !f.includes('/generated/'))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)) {
        const target = resolve(dirname(file), m[1]);
        const rel = relative(root, target);
        const fromWasm = relative(root, file).startsWith('wasm/');
        if (rel.startsWith('..') && !rel.startsWith('../platform/')) offenders.push(`${relative(root, file)} imports ${m[1]}`);
        if (fromWasm && rel.startsWith('js/') && rel !== 'js/index.js') offenders.push(`${relative(root, file)} reaches into ${m[1]}`);
      }
    }
    expect(offenders).toEqual([]);
  });
  it('backends register themselves: the registry imports no backend, and a backend registered later is selectable', async () => {
    const src = readFileSync(fileURLToPath(new URL('../src/backend/registry.ts', import.meta.url)), 'utf8');
    expect([...src.matchAll(/from '(\.\/(?:js|wasm)\/[^']+)'/g)].map((m) => m[1])).toEqual([]);
    const ct = await import('../src/index.js');
    expect(ct.listBackends()).toEqual(expect.arrayContaining(['js', 'wasm']));
    const { createJsBackend } = await import('../src/backend/js/index.js');
    let created = 0;
    ct.registerBackend('js-copy', () => (created++, { ...createJsBackend(), name: 'js-copy' }));
    expect(created).toBe(0); // nothing is built until the backend is used
    const before = ct.getBackend();
    try {
      ct.setBackend('js-copy');
      expect(ct.tensor([1, 2]).add(1).toArray()).toEqual([2, 3]);
      expect(created).toBe(1);
    } finally {
      ct.setBackend(before);
    }
  });
  it('CONTRIBUTING.md names only files and folders that exist', () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const text = readFileSync(`${root}CONTRIBUTING.md`, 'utf8');
    const paths = [...text.matchAll(/`((?:src|test|bench|scripts)\/[\w./-]+)`/g)].map((m) => m[1]).filter((p) => !p.includes('<'));
    expect(paths.length).toBeGreaterThan(20);
    expect(paths.filter((p) => !existsSync(`${root}${p}`))).toEqual([]);
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
