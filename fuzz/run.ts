/**
 * `npm run fuzz -- [--target NAME,...] [--runs N] [--seed S] [--timeout-ms MS] [--save DIR]`: a fuzz campaign over
 * every reader of untrusted bytes (see campaign.ts). Prints inputs/s and each failure class, writes the smallest
 * input of each class to DIR (default fuzz/failures/), and exits 1 if anything failed. A fixed input can then move
 * to fuzz/regressions/TARGET/, which the test suite replays.
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { FUZZ_DIR, runCampaign, saveFailures } from './campaign.js';
import { TARGETS } from './targets.js';

const { values } = parseArgs({
  options: {
    target: { type: 'string' },
    runs: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    'timeout-ms': { type: 'string', default: '5000' },
    save: { type: 'string', default: join(FUZZ_DIR, 'failures') },
  },
});
const targets = values.target?.split(',');
for (const t of targets ?? []) {
  if (!TARGETS.some((x) => x.name === t)) {
    console.error(`fuzz: unknown target '${t}' (targets: ${TARGETS.map((x) => x.name).join(', ')})`);
    process.exit(2);
  }
}
const runs = Number(values.runs);
const seed = Number(values.seed);
console.log(`fuzz: ${runs} inputs per target, seed ${seed}`);
console.log('| target | inputs | accepted | rejected (typed error) | failures | inputs/s |');
console.log('|---|---|---|---|---|---|');
const reports = await runCampaign({
  targets,
  runs,
  seed,
  timeoutMs: Number(values['timeout-ms']),
  onProgress: (t, done, total) => {
    if (process.stdout.isTTY) process.stdout.write(`\r${t}: ${done}/${total}`);
  },
  onReport: (r) => {
    if (process.stdout.isTTY) process.stdout.write('\r\x1b[K');
    const failed = r.failures.reduce((n, f) => n + f.count, 0);
    console.log(`| ${r.target} | ${r.inputs} | ${r.accepted} | ${r.rejected} | ${failed} | ${Math.round(r.inputs / r.seconds)} |`);
  },
});
const all = reports.flatMap((r) => r.failures);
for (const f of all) console.log(`\n${f.target}: ${f.kind} ${f.name} ×${f.count} at ${f.where || '?'}\n  ${f.message.split('\n')[0]}`);
if (all.length) {
  const files = saveFailures(values.save!, reports);
  console.log(`\n${all.length} failure classes; smallest inputs written to ${values.save} (${files.length} files)`);
  process.exit(1);
}
console.log('\nno failures');
