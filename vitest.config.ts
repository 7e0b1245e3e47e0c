import { defineConfig } from 'vitest/config';

// The suites that drive Chromium assert what a user feels — the page never blocks for more than 100 ms, a demo
// trains within its time — so they run after every other file, one file at a time (one fork): on a 2-core machine
// another file's training would otherwise take their cores and stretch every task they time.
const timed = ['test/playground.test.ts', 'test/browser.test.ts'];

export default defineConfig({
  test: {
    globalSetup: ['./test/helpers/global_setup.ts'],
    setupFiles: ['test/helpers/setup.ts'],
    // CPU-bound tests (model construction, training runs) must not fail because the machine is busy.
    testTimeout: 180_000,
    // Memory tests call global.gc() to measure retained memory, not garbage.
    poolOptions: { forks: { execArgv: ['--expose-gc'] } },
    projects: [
      { extends: true, test: { name: 'node', include: ['test/**/*.test.ts'], exclude: timed, sequence: { groupOrder: 0 } } },
      {
        extends: true,
        test: { name: 'chromium', include: timed, poolOptions: { forks: { singleFork: true } }, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
