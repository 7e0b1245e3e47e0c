/** The backend contract: kernel lookup errors, moving tensors between backends, freeing memory the GC cannot see. */
import { afterEach, describe, expect, it } from 'vitest';
import * as ct from '../src/index.js';
import { createJsBackend } from '../src/backend/js/index.js';
import type { Backend } from '../src/index.js';

const F = ct.nn.functional;

/** A js-backed test backend that owns its memory (like wasm) and counts frees; conv2d is left out on purpose. */
function countingBackend(name: string): { backend: Backend; freed: { count: number } } {
  const js = createJsBackend();
  const freed = { count: 0 };
  const { conv2d: _omit, ...kernels } = js.kernels;
  const backend: Backend = { ...js, name, needsFree: true, kernels, free: () => void freed.count++ };
  return { backend, freed };
}

afterEach(() => ct.setBackend('js'));

describe('backends', () => {
  it('a missing kernel names the op and the backend', () => {
    const { backend } = countingBackend('partial');
    ct.registerBackend('partial', () => backend);
    ct.setBackend('partial');
    expect(ct.getBackend()).toBe('partial');
    expect(() => F.conv2d(ct.zeros(1, 1, 4, 4), ct.zeros(1, 1, 3, 3))).toThrow("kernel 'conv2d' is not implemented by backend 'partial'");
    expect(ct.ones(2).add(1).toArray()).toEqual([2, 2]);
  });
  it('tensors created on one backend are used on another', () => {
    const a = ct.tensor([1, 2, 3]);
    const { backend } = countingBackend('other');
    ct.registerBackend('other', () => backend);
    ct.setBackend('other');
    const b = a.mul(2);
    expect(b.storage.backend.name).toBe('other');
    expect(a.storage.backend.name).toBe('other');
    ct.setBackend('js');
    expect(b.add(1).toArray()).toEqual([3, 5, 7]);
  });
  it('memory owned by a backend is freed when its tensors are garbage collected, with no dispose()', async () => {
    const { backend, freed } = countingBackend('owning');
    ct.registerBackend('owning', () => backend);
    ct.setBackend('owning');
    const w = ct.randn([32, 32], { requiresGrad: true });
    for (let i = 0; i < 200; i++) w.matmul(w).relu().sum().backward();
    ct.setBackend('js');
    for (let i = 0; i < 5 && freed.count < 1000; i++) {
      global.gc!();
      await new Promise((r) => setTimeout(r, 10));
    }
    // Each step allocates several tensors; nearly all of them must have been handed back.
    expect(freed.count).toBeGreaterThan(1000);
  });
});
