/**
 * Runs a suite once per registered backend (tfjs ALL_ENVS / jax-js devices): the js reference and the wasm backend.
 * Each run selects its backend before its tests and restores the previous one after.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { getBackend, listBackends, setBackend } from '../../src/index.js';

export function describeEachBackend(name: string, body: (backend: string) => void): void {
  for (const backend of listBackends()) {
    describe(`${name} [${backend}]`, () => {
      let previous = 'js';
      beforeAll(() => {
        previous = getBackend();
        setBackend(backend);
      });
      afterAll(() => setBackend(previous));
      body(backend);
    });
  }
}
