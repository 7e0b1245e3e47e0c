// TF.js side of `npm run bench`: one workload of ../shared/bench/WORKLOADS.md on TF.js's cpu or wasm backend,
// printed as one JSON line {"value": ...} or {"cannot": reason}. Run by src/cli/bench.ts in a child process (so a
// slow workload can be stopped at the time limit). TF.js is NHWC: the same work in its own layout.
//   node bench/peers/tfjs.mjs --backend cpu|wasm --workload W1|W2|W3b8|W3b1|W4f|W4fb|W5 [--min-seconds S]
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const backend = arg('backend', 'cpu');
const workload = arg('workload', 'W5');
const minSeconds = Number(arg('min-seconds', '3'));

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median ms of fn after one warm-up (fn must not return tensors' data from tidy: tidy would walk it); repeats until minSeconds have passed (at least once). */
function time(fn) {
  fn();
  const ts = [];
  const start = performance.now();
  do {
    const t = performance.now();
    fn();
    ts.push(performance.now() - t);
  } while (performance.now() - start < minSeconds * 1000 && ts.length < 20);
  return median(ts);
}

const randn = (shape) => tf.randomNormal(shape, 0, 1, 'float32', 1);

function convBn(x, filters, k, stride, name) {
  x = tf.layers.conv2d({ filters, kernelSize: k, strides: stride, padding: 'same', useBias: false, name: `${name}_conv` }).apply(x);
  return tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5, name: `${name}_bn` }).apply(x);
}

function basicBlock(x, filters, stride, name) {
  const inC = x.shape[x.shape.length - 1];
  let y = tf.layers.reLU().apply(convBn(x, filters, 3, stride, `${name}_a`));
  y = convBn(y, filters, 3, 1, `${name}_b`);
  const shortcut = stride !== 1 || inC !== filters ? convBn(x, filters, 1, stride, `${name}_proj`) : x;
  return tf.layers.reLU().apply(tf.layers.add().apply([y, shortcut]));
}

function resnet20() {
  const input = tf.input({ shape: [32, 32, 3] });
  let x = tf.layers.reLU().apply(convBn(input, 16, 3, 1, 'stem'));
  [16, 32, 64].forEach((c, s) => {
    for (let b = 0; b < 3; b++) x = basicBlock(x, c, s > 0 && b === 0 ? 2 : 1, `s${s}b${b}`);
  });
  x = tf.layers.globalAveragePooling2d({}).apply(x);
  return tf.model({ inputs: input, outputs: tf.layers.dense({ units: 10 }).apply(x) });
}

function resnet18() {
  const input = tf.input({ shape: [224, 224, 3] });
  let x = tf.layers.reLU().apply(convBn(input, 64, 7, 2, 'stem'));
  x = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(x);
  [64, 128, 256, 512].forEach((c, s) => {
    for (let b = 0; b < 2; b++) x = basicBlock(x, c, s > 0 && b === 0 ? 2 : 1, `l${s}b${b}`);
  });
  x = tf.layers.globalAveragePooling2d({}).apply(x);
  return tf.model({ inputs: input, outputs: tf.layers.dense({ units: 1000 }).apply(x) });
}

function lenet() {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 20, kernelSize: 5, padding: 'same', activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  m.add(tf.layers.conv2d({ filters: 50, kernelSize: 5, padding: 'same', activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 500, activation: 'relu' }));
  m.add(tf.layers.dense({ units: 10 }));
  return m;
}

function trainStep(model, batch, shape) {
  const x = randn([batch, ...shape]);
  const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 2), 10);
  const opt = tf.train.momentum(0.01, 0.9);
  const ms = time(() => {
    tf.tidy(() => {
      const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true })), true);
      loss.dataSync();
    });
  });
  return (batch * 1000) / ms;
}

async function main() {
  await tf.setBackend(backend);
  await tf.ready();
  let value;
  switch (workload) {
    case 'W1':
      value = trainStep(lenet(), 64, [28, 28, 1]);
      break;
    case 'W2':
      value = trainStep(resnet20(), 128, [32, 32, 3]);
      break;
    case 'W3b8':
    case 'W3b1': {
      const batch = workload === 'W3b8' ? 8 : 1;
      const m = resnet18();
      const x = randn([batch, 224, 224, 3]);
      const ms = time(() => tf.tidy(() => {
        m.predict(x).dataSync();
      }));
      value = workload === 'W3b8' ? (batch * 1000) / ms : ms;
      break;
    }
    case 'W4f':
    case 'W4fb': {
      const x = randn([8, 56, 56, 64]);
      const w = randn([3, 3, 64, 64]);
      const flop = 2 * 8 * 64 * 56 * 56 * 64 * 9;
      if (workload === 'W4f') {
        value = flop / (time(() => tf.tidy(() => {
          tf.conv2d(x, w, 1, 'same').dataSync();
        })) * 1e6);
      } else {
        const g = tf.grads((a, b) => tf.conv2d(a, b, 1, 'same').sum());
        value = (3 * flop) / (time(() => tf.tidy(() => {
          g([x, w]).forEach((t) => t.dataSync());
        })) * 1e6);
      }
      break;
    }
    case 'W5': {
      const a = randn([1024, 1024]);
      const b = randn([1024, 1024]);
      value = (2 * 1024 ** 3) / (time(() => tf.tidy(() => {
        tf.matMul(a, b).dataSync();
      })) * 1e6);
      break;
    }
    default:
      throw new Error(`unknown workload ${workload}`);
  }
  console.log(JSON.stringify({ value, threads: 1 }));
}

main().catch((e) => {
  // TF.js's wasm backend lacks the conv2d gradient kernels: report it as "cannot", with its own message.
  console.log(JSON.stringify({ cannot: String(e?.message ?? e).split('\n')[0].slice(0, 160) }));
});
