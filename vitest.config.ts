import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['./test/helpers/global_setup.ts'],
    setupFiles: ['test/helpers/setup.ts'],
    // CPU-bound tests (model construction, training runs) must not fail because the machine is busy.
    testTimeout: 180_000,
    // Memory tests call global.gc() to measure retained memory, not garbage.
    poolOptions: { forks: { execArgv: ['--expose-gc'] } },
  },
});
