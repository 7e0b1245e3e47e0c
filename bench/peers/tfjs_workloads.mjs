// TF.js versions of the benchmark workloads (../shared/bench/WORKLOADS.md), shared by the Node peer (tfjs.mjs) and
// the browser bench (bench/browser_tfjs.ts). TF.js is NHWC: the same work in its own layout.

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median ms of fn after one warm-up (fn must not return tensors' data from tidy: tidy would walk it); repeats until minSeconds have passed (at least once). */
function time(fn, minSeconds) {
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

const randn = (tf, shape) => tf.randomNormal(shape, 0, 1, 'float32', 1);

function convBn(tf, x, filters, k, stride, name) {
  x = tf.layers.conv2d({ filters, kernelSize: k, strides: stride, padding: 'same', useBias: false, name: `${name}_conv` }).apply(x);
  return tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5, name: `${name}_bn` }).apply(x);
}

function basicBlock(tf, x, filters, stride, name) {
  const inC = x.shape[x.shape.length - 1];
  let y = tf.layers.reLU().apply(convBn(tf, x, filters, 3, stride, `${name}_a`));
  y = convBn(tf, y, filters, 3, 1, `${name}_b`);
  const shortcut = stride !== 1 || inC !== filters ? convBn(tf, x, filters, 1, stride, `${name}_proj`) : x;
  return tf.layers.reLU().apply(tf.layers.add().apply([y, shortcut]));
}

function resnet20(tf) {
  const input = tf.input({ shape: [32, 32, 3] });
  let x = tf.layers.reLU().apply(convBn(tf, input, 16, 3, 1, 'stem'));
  [16, 32, 64].forEach((c, s) => {
    for (let b = 0; b < 3; b++) x = basicBlock(tf, x, c, s > 0 && b === 0 ? 2 : 1, `s${s}b${b}`);
  });
  x = tf.layers.globalAveragePooling2d({}).apply(x);
  return tf.model({ inputs: input, outputs: tf.layers.dense({ units: 10 }).apply(x) });
}

function resnet18(tf) {
  const input = tf.input({ shape: [224, 224, 3] });
  let x = tf.layers.reLU().apply(convBn(tf, input, 64, 7, 2, 'stem'));
  x = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(x);
  [64, 128, 256, 512].forEach((c, s) => {
    for (let b = 0; b < 2; b++) x = basicBlock(tf, x, c, s > 0 && b === 0 ? 2 : 1, `l${s}b${b}`);
  });
  x = tf.layers.globalAveragePooling2d({}).apply(x);
  return tf.model({ inputs: input, outputs: tf.layers.dense({ units: 1000 }).apply(x) });
}

function lenet(tf) {
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

function trainStep(tf, model, batch, shape, minSeconds) {
  const x = randn(tf, [batch, ...shape]);
  const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 2), 10);
  const opt = tf.train.momentum(0.01, 0.9);
  const ms = time(() => {
    tf.tidy(() => {
      const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true })), true);
      loss.dataSync();
    });
  }, minSeconds);
  return (batch * 1000) / ms;
}

/** One workload on TF.js's active backend: img/s, ms (W3b1) or GFLOP/s. */
export function measureTfjs(tf, workload, minSeconds) {
  let value;
  switch (workload) {
    case 'W1':
      value = trainStep(tf, lenet(tf), 64, [28, 28, 1], minSeconds);
      break;
    case 'W2':
      value = trainStep(tf, resnet20(tf), 128, [32, 32, 3], minSeconds);
      break;
    case 'W3b8':
    case 'W3b1': {
      const batch = workload === 'W3b8' ? 8 : 1;
      const m = resnet18(tf);
      const x = randn(tf, [batch, 224, 224, 3]);
      const ms = time(
        () =>
          tf.tidy(() => {
            m.predict(x).dataSync();
          }),
        minSeconds,
      );
      value = workload === 'W3b8' ? (batch * 1000) / ms : ms;
      break;
    }
    case 'W4f':
    case 'W4fb': {
      const x = randn(tf, [8, 56, 56, 64]);
      const w = randn(tf, [3, 3, 64, 64]);
      const flop = 2 * 8 * 64 * 56 * 56 * 64 * 9;
      if (workload === 'W4f') {
        value =
          flop /
          (time(
            () =>
              tf.tidy(() => {
                tf.conv2d(x, w, 1, 'same').dataSync();
              }),
            minSeconds,
          ) *
            1e6);
      } else {
        const g = tf.grads((a, b) => tf.conv2d(a, b, 1, 'same').sum());
        value =
          (3 * flop) /
          (time(
            () =>
              tf.tidy(() => {
                g([x, w]).forEach((t) => t.dataSync());
              }),
            minSeconds,
          ) *
            1e6);
      }
      break;
    }
    case 'W5': {
      const a = randn(tf, [1024, 1024]);
      const b = randn(tf, [1024, 1024]);
      value =
        (2 * 1024 ** 3) /
        (time(
          () =>
            tf.tidy(() => {
              tf.matMul(a, b).dataSync();
            }),
          minSeconds,
        ) *
          1e6);
      break;
    }
    default:
      throw new Error(`unknown workload ${workload}`);
  }
  return value;
}
