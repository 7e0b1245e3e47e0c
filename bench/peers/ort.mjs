// ONNX Runtime (onnxruntime-node, its native CPU build) side of `npm run bench`: W3, ResNet-18 inference, the fastest
// CPU runtime a Node user could pick. The model is convnet-ts's resnet18 (seed 0) exported to ONNX by convnet-ts
// (src/cli/bench.ts writes it and passes its path). Prints one JSON line {"value": ...} or {"cannot": reason}.
//   node bench/peers/ort.mjs --model resnet18.onnx --workload W3b8|W3b1 [--threads N] [--min-seconds S]
import * as ort from 'onnxruntime-node';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const workload = arg('workload', 'W3b8');
const threads = Number(arg('threads', '1'));
const minSeconds = Number(arg('min-seconds', '3'));
const model = arg('model', '');

async function main() {
  if (workload !== 'W3b8' && workload !== 'W3b1') throw new Error(`ONNX Runtime runs inference only (W3), not ${workload}`);
  const session = await ort.InferenceSession.create(model, { executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1 });
  const batch = workload === 'W3b8' ? 8 : 1;
  const x = new Float32Array(batch * 3 * 224 * 224).map((_, i) => Math.sin(i));
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', x, [batch, 3, 224, 224]) };
  await session.run(feeds);
  const times = [];
  const start = performance.now();
  do {
    const t = performance.now();
    await session.run(feeds);
    times.push(performance.now() - t);
  } while (performance.now() - start < minSeconds * 1000 && times.length < 20);
  times.sort((a, b) => a - b);
  const ms = times[Math.floor(times.length / 2)];
  console.log(JSON.stringify({ value: workload === 'W3b8' ? (batch * 1000) / ms : ms, threads }));
}

main().catch((e) =>
  console.log(
    JSON.stringify({
      cannot: String(e?.message ?? e)
        .split('\n')[0]
        .slice(0, 160),
    }),
  ),
);
