/**
 * Runs a suite once per registered backend (tfjs ALL_ENVS / jax-js devices): the js reference and the wasm backend
 * (not webgpu, whose results are read asynchronously).
 * Each run selects its backend before its tests and restores the previous one after.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { getBackend, listBackends, setBackend } from '../../src/index.js';

export function describeEachBackend(name: string, body: (backend: string) => void): void {
  // webgpu reads results asynchronously; it has its own suites (test/webgpu.test.ts, the browser suite).
  for (const backend of listBackends().filter((b) => b !== 'webgpu')) {
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
