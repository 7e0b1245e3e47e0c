/**
 * The zoo against torchvision (test/fixtures/torchvision_models.json from scripts/gen_model_fixtures.py):
 * every state-dict key, in order, with its shape, and the parameter count to the last digit.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { models } from '../src/index.js';

const fx = JSON.parse(readFileSync(fileURLToPath(new URL('./fixtures/torchvision_models.json', import.meta.url)), 'utf8')) as {
  models: Record<string, { parameters: number; stateDict: [string, number[]][] }>;
};

describe('torchvision-compatible models', () => {
  for (const [name, ref] of Object.entries(fx.models)) {
    it(`${name}: ${ref.parameters.toLocaleString('en-US')} parameters, identical state-dict names and shapes`, () => {
      const model = name === 'googlenet_aux' ? models.create('googlenet', { auxLogits: true }) : models.create(name);
      expect(model.numParameters()).toBe(ref.parameters);
      const sd = model.stateDict();
      // num_batches_tracked is a 0-d int64 in PyTorch; here a 0-d int32.
      expect(Object.entries(sd).map(([k, v]) => [k, [...v.shape]])).toEqual(ref.stateDict);
    });
  }
});
