/** The README's examples are run, so the documentation cannot drift from the code. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(`${root}README.md`, 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);

describe('README examples', () => {
  it('has at least one TypeScript example', () => expect(blocks.length).toBeGreaterThan(0));
  blocks.forEach((code, i) => {
    it(`example ${i + 1} runs`, async () => {
      const dir = `${root}test/.generated`;
      mkdirSync(dir, { recursive: true });
      const file = `${dir}/readme_${i + 1}.ts`;
      const logs: unknown[][] = [];
      const source = code.replaceAll(`from 'convnet-ts'`, `from '../../src/index.js'`).replaceAll('console.log(', '__log(');
      writeFileSync(file, `const __log = (...a: unknown[]) => (globalThis as any).__readmeLogs.push(a);\n${source}\nexport {};\n`);
      (globalThis as any).__readmeLogs = logs;
      await import(/* @vite-ignore */ file);
      expect(logs.length).toBeGreaterThan(0);
      // A `// prints X` comment on a console.log line states its first number: it must be what the example prints.
      const calls = [...code.matchAll(/console\.log\(.*$/gm)].map((m) => /\/\/ prints (-?[\d.]+)/.exec(m[0])?.[1]);
      calls.forEach((stated, k) => {
        if (stated === undefined) return;
        const printed = logs[k]?.[0];
        expect(typeof printed, `example ${i + 1}, log ${k + 1}`).toBe('number');
        // Rounded as stated: within half a unit of its last digit.
        const half = 0.5 * 10 ** -(stated.split('.')[1]?.length ?? 0);
        expect(Math.abs((printed as number) - Number(stated)), `example ${i + 1} prints ${printed}, its comment says ${stated}`).toBeLessThanOrEqual(half);
      });
      for (const line of logs) for (const v of line) if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
    });
  });
});
