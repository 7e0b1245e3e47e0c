/** `npm run test:zoo`: every registered model constructed and run forward at its natural input size, with times. */
import * as ct from '../src/index.js';
import { models } from '../src/index.js';

// Too large for the 4 GiB wasm32 heap with its activations (644 M parameters, 2.6 GB): its stages are checked
// against torchvision's names and shapes in test/models.test.ts instead.
const SKIP: Record<string, string> = { regnet_y_128gf: '644 M parameters, beyond the wasm32 heap; checked by stages in test/models.test.ts' };

let failed = 0;
for (const info of models.list()) {
  if (SKIP[info.name]) {
    console.log(`${info.name.padEnd(20)} skipped: ${SKIP[info.name]}`);
    continue;
  }
  const t0 = performance.now();
  try {
    const m = models.create(info.name).eval();
    const t1 = performance.now();
    const y = ct.noGrad(() => m.forward(ct.randn(1, ...info.inputShape))) as ct.Tensor;
    const ok = y.data().every(Number.isFinite);
    if (!ok) failed++;
    console.log(
      `${info.name.padEnd(20)} input [${info.inputShape}] → [${y.shape}]  construct ${((t1 - t0) / 1000).toFixed(1)} s, forward ${((performance.now() - t1) / 1000).toFixed(1)} s${ok ? '' : '  NON-FINITE OUTPUT'}`,
    );
  } catch (e) {
    failed++;
    console.log(`${info.name.padEnd(20)} FAILED: ${(e as Error).message}`);
  }
}
process.exitCode = failed ? 1 : 0;
