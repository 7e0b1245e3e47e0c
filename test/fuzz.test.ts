/**
 * The readers of untrusted bytes under the fuzzer's judge (fuzz/): every committed regression input (each a class
 * of failure a campaign once found) ends as a parse or a typed error naming the file, and a short fixed-seed
 * campaign over every format finds nothing. `npm run fuzz` runs the long campaigns.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Judge, regressionFiles, runCampaign } from '../fuzz/campaign.js';
import { TARGETS } from '../fuzz/targets.js';

const judge = new Judge(10_000);
afterAll(() => judge.close());

describe('the fuzz judge', () => {
  // Each failure kind must be caught, or a campaign that finds nothing proves nothing.
  it.each([
    ['ok', true],
    ['reject', true],
    ['unnamed', 'unnamed'],
    ['typeerror', 'wrong-error'],
    ['alloc', 'budget'],
    ['pollute', 'pollution'],
    ['crash', 'crash'],
  ] as const)('judges %s', async (cmd, expected) => {
    const v = await judge.judge('selftest', new TextEncoder().encode(cmd));
    if (expected === true) expect(v.ok).toBe(true);
    else expect(v.ok ? 'ok' : v.kind).toBe(expected);
  });

  it('calls an input that runs past the time limit a hang', async () => {
    const quick = new Judge(1500);
    try {
      const v = await quick.judge('selftest', new TextEncoder().encode('hang'));
      expect(v.ok ? 'ok' : v.kind).toBe('hang');
      expect((await quick.judge('selftest', new TextEncoder().encode('ok'))).ok).toBe(true); // a fresh worker took over
    } finally {
      await quick.close();
    }
  });
});

describe('fuzz regressions', () => {
  for (const t of TARGETS) {
    const files = regressionFiles(t.name);
    if (!files.length) continue;
    it.each(files.map((f) => [f.file, f.bytes] as const))(`${t.name}: %s ends as a parse or a typed error`, async (_file, bytes) => {
      const v = await judge.judge(t.name, bytes);
      expect(v.ok ? 'ok' : `${v.kind}: ${v.name}: ${v.message}`).toBe('ok');
    });
  }
});

describe('a short fixed-seed campaign', () => {
  it.each(TARGETS.map((t) => t.name))('%s: 1500 mutated inputs, no failure', async (name) => {
    const [r] = await runCampaign({ targets: [name], runs: 1500, seed: 20261201, timeoutMs: 10_000 });
    expect(r.inputs).toBe(1500);
    expect(r.failures.map((f) => `${f.kind} ${f.name} ×${f.count} at ${f.where}: ${f.message}`)).toEqual([]);
    // Both outcomes occur, or the mutations are not reaching the parser (or not disturbing it).
    expect(r.accepted).toBeGreaterThan(0);
    expect(r.rejected).toBeGreaterThan(0);
  });
});
