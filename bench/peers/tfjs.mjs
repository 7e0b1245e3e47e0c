// TF.js side of `npm run bench`: one workload of ../shared/bench/WORKLOADS.md on TF.js's cpu or wasm backend,
// printed as one JSON line {"value": ...} or {"cannot": reason}. Run by src/cli/bench.ts in a child process (so a
// slow workload can be stopped at the time limit). The workloads themselves are in tfjs_workloads.mjs.
//   node bench/peers/tfjs.mjs --backend cpu|wasm --workload W1|W2|W3b8|W3b1|W4f|W4fb|W5 [--min-seconds S]
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { measureTfjs } from './tfjs_workloads.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const backend = arg('backend', 'cpu');
const workload = arg('workload', 'W5');
const minSeconds = Number(arg('min-seconds', '3'));

async function main() {
  await tf.setBackend(backend);
  await tf.ready();
  console.log(JSON.stringify({ value: measureTfjs(tf, workload, minSeconds), threads: 1 }));
}

main().catch((e) => {
  // TF.js's wasm backend lacks the conv2d gradient kernels: report it as "cannot", with its own message.
  console.log(
    JSON.stringify({
      cannot: String(e?.message ?? e)
        .split('\n')[0]
        .slice(0, 160),
    }),
  );
});
