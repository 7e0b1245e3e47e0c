/**
 * `npm start`: a LeNet-5 forward and backward pass with per-layer gradient norms, then a few SGD steps that fit
 * one fixed batch, showing autograd and the kernels working end to end. (The training issue turns this into
 * LeNet-5 trained on the embedded MNIST.)
 */
import * as ct from '../src/index.js';
import { lenet5, sgdMomentumStep } from './lenet5_model.js';

const F = ct.nn.functional;
ct.manualSeed(0);

const model = lenet5();
const x = ct.randn(64, 1, 28, 28);
const y = ct.randint(0, 10, [64]);
const params = Object.values(model.params);
const count = params.reduce((n, p) => n + p.numel(), 0);
console.log(`convnet-ts — LeNet-5 (20/50/500), ${count.toLocaleString('en-US')} parameters, backend '${ct.getBackend()}'`);

let t0 = performance.now();
const logits = model.forward(x);
const loss = F.crossEntropy(logits, y);
const tForward = performance.now() - t0;
t0 = performance.now();
loss.backward();
const tBackward = performance.now() - t0;
console.log(`forward: logits ${JSON.stringify(logits.shape)}, loss ${loss.item().toFixed(4)} (ln 10 = ${Math.log(10).toFixed(4)}) in ${tForward.toFixed(1)} ms`);
console.log(`backward in ${tBackward.toFixed(1)} ms; gradient norms:`);
for (const [name, p] of Object.entries(model.params)) {
  console.log(`  ${name.padEnd(13)} ${JSON.stringify(p.shape).padEnd(16)} ‖grad‖ = ${p.grad!.square().sum().sqrt().item().toExponential(3)}`);
}

console.log('fitting this one batch with SGD (lr 0.03, momentum 0.9):');
for (const p of params) p.zeroGrad();
const velocity = new Map<ct.Tensor, ct.Tensor>();
for (let step = 1; step <= 20; step++) {
  const t = performance.now();
  const l = F.crossEntropy(model.forward(x), y);
  l.backward();
  sgdMomentumStep(params, velocity, 0.03, 0.9);
  if (step % 4 === 0 || step === 1) {
    const acc = ct.noGrad(() => model.forward(x).argmax(1).eq(y).mean().item());
    console.log(`  step ${String(step).padStart(2)}  loss ${l.item().toFixed(4)}  train accuracy ${(acc * 100).toFixed(1)}%  ${(performance.now() - t).toFixed(0)} ms/step`);
  }
}
