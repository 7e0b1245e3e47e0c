/**
 * torchvision state dicts load into the matching zoo models as-is, and eval-mode logits agree with PyTorch's.
 * The checkpoints come from scripts/gen_interop_fixtures.py (Debian's python3-torchvision; random weights stored
 * as strided views of small storages, BN statistics calibrated), committed with PyTorch's logits; the tests load
 * each one from the .pth file and, converted, from safetensors bytes.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { relativeToMax } from './helpers/tolerance.js';
import * as ct from '../src/index.js';

const dir = fileURLToPath(new URL('./fixtures/interop/', import.meta.url));
const expected = JSON.parse(readFileSync(`${dir}logits.json`, 'utf8')) as Record<string, { logits: number[] }>;

/** The fixture input: x[i] = sin(0.001·i) over [1, 3, 224, 224], as the generator builds it. */
function input(): ct.Tensor {
  const n = 3 * 224 * 224;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.sin(0.001 * i);
  return ct.tensor(x, [1, 3, 224, 224]);
}


describe('torchvision checkpoints in zoo models', () => {
  const x = input();
  for (const name of Object.keys(expected)) {
    it(`${name}: loads the .pth state dict as-is (strict) and matches PyTorch's logits, also through safetensors`, async () => {
      const sd = await ct.io.loadPthStateDict(`${dir}${name}.pth`);
      const model = ct.models.create(name, name === 'googlenet' ? { auxLogits: false } : {});
      model.loadStateDict(sd);
      model.eval();
      const logits = ct.noGrad(() => model.forward(x));
      expect(logits.shape).toEqual([1, 1000]);
      const err = relativeToMax(logits.data(), expected[name].logits);
      expect(err, `${name} logits, relative to the largest`).toBeLessThanOrEqual(1e-4);
      // The same weights through safetensors.
      const viaSafetensors = ct.io.decodeSafetensors(ct.io.encodeSafetensors(sd)).tensors;
      const again = ct.models.create(name, name === 'googlenet' ? { auxLogits: false } : {});
      again.loadStateDict(viaSafetensors);
      again.eval();
      expect(Array.from(ct.noGrad(() => again.forward(x)).data())).toEqual(Array.from(logits.data()));
    });
  }
});
