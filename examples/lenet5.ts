/**
 * `npm start`: LeNet-5 built from nn modules — its architecture, a forward and backward pass with per-layer gradient
 * norms, then SGD with momentum fitting one fixed batch, showing modules, autograd, kernels and optimizers end to end.
 * (The training issue turns this into LeNet-5 trained on the embedded MNIST.)
 */
import * as ct from '../src/index.js';
import { nn, optim } from '../src/index.js';
import { lenet5 } from './lenet.js';

const F = nn.functional;
ct.manualSeed(0);

const model = lenet5();
console.log(`convnet-ts — LeNet-5 (20/50/500), ${model.numParameters().toLocaleString('en-US')} parameters, backend '${ct.getBackend()}'`);
console.log(model.toString());

const x = ct.randn(64, 1, 28, 28);
const y = ct.randint(0, 10, [64]);
let t0 = performance.now();
const loss = F.crossEntropy(model.forward(x), y);
const tForward = performance.now() - t0;
t0 = performance.now();
loss.backward();
const tBackward = performance.now() - t0;
console.log(`forward: loss ${loss.item().toFixed(4)} (ln 10 = ${Math.log(10).toFixed(4)}) in ${tForward.toFixed(0)} ms; backward in ${tBackward.toFixed(0)} ms`);
console.log('gradient norms:');
for (const [name, p] of model.namedParameters()) {
  console.log(`  ${name.padEnd(22)} ${JSON.stringify(p.shape).padEnd(16)} ‖grad‖ = ${p.grad!.square().sum().sqrt().item().toExponential(3)}`);
}

console.log('fitting this one batch with SGD (lr 0.03, momentum 0.9):');
const opt = new optim.SGD(model.parameters(), { lr: 0.03, momentum: 0.9 });
for (let step = 1; step <= 20; step++) {
  const t = performance.now();
  opt.zeroGrad();
  const l = F.crossEntropy(model.forward(x), y);
  l.backward();
  opt.step();
  if (step % 4 === 0 || step === 1) {
    const ms = performance.now() - t;
    const acc = ct.noGrad(() => model.forward(x).argmax(1).eq(y).mean().item());
    console.log(`  step ${String(step).padStart(2)}  loss ${l.item().toFixed(4)}  train accuracy ${(acc * 100).toFixed(1)}%  ${ms.toFixed(0)} ms/step`);
  }
}
