import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // Memory tests call global.gc() to measure retained memory, not garbage.
    poolOptions: { forks: { execArgv: ['--expose-gc'] } },
  },
});
