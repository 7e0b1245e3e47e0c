/** Loads the PyTorch-generated fixtures (scripts/gen_fixtures.py) into convnet-ts tensors. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FixtureCase } from './fixture_codec.js';

export { decode, toTensor, type EncodedTensor, type FixtureCase } from './fixture_codec.js';

export function loadCases(file = 'ops.json'): FixtureCase[] {
  const path = fileURLToPath(new URL(`../fixtures/${file}`, import.meta.url));
  return JSON.parse(readFileSync(path, 'utf8')).cases as FixtureCase[];
}
