/**
 * The lectures' LeNet-5 (20/50/500 variant) written with the functional API, with PyTorch's default
 * initialization (kaiming-uniform, a = √5: bound 1/√fan_in for weights and biases). The nn issue replaces this
 * with `nn.Sequential`; the numbers stay the same.
 */
import { rand, type Tensor } from '../src/index.js';
import * as ct from '../src/index.js';

const F = ct.nn.functional;

function uniformParam(shape: number[], fanIn: number): Tensor {
  const bound = 1 / Math.sqrt(fanIn);
  return ct.noGrad(() => rand(shape).mul(2 * bound).sub(bound)).requiresGrad_();
}

export interface LeNet5 {
  params: Record<string, Tensor>;
  forward(x: Tensor): Tensor;
}

/** conv(1→20, k5, p2) · relu · maxpool2 · conv(20→50, k5, p2) · relu · maxpool2 · fc(2450→500) · relu · fc(500→10) */
export function lenet5(): LeNet5 {
  const params = {
    'conv1.weight': uniformParam([20, 1, 5, 5], 25),
    'conv1.bias': uniformParam([20], 25),
    'conv2.weight': uniformParam([50, 20, 5, 5], 500),
    'conv2.bias': uniformParam([50], 500),
    'fc1.weight': uniformParam([500, 2450], 2450),
    'fc1.bias': uniformParam([500], 2450),
    'fc2.weight': uniformParam([10, 500], 500),
    'fc2.bias': uniformParam([10], 500),
  };
  const p = params;
  return {
    params,
    forward(x: Tensor): Tensor {
      let h = F.maxPool2d(F.relu(F.conv2d(x, p['conv1.weight'], p['conv1.bias'], { padding: 2 })), 2);
      h = F.maxPool2d(F.relu(F.conv2d(h, p['conv2.weight'], p['conv2.bias'], { padding: 2 })), 2);
      h = F.relu(F.linear(h.flatten(1), p['fc1.weight'], p['fc1.bias']));
      return F.linear(h, p['fc2.weight'], p['fc2.bias']);
    },
  };
}

/** Plain SGD with momentum, in place under noGrad (the optim issue brings the real optimizers). */
export function sgdMomentumStep(params: Tensor[], velocity: Map<Tensor, Tensor>, lr: number, momentum: number): void {
  ct.noGrad(() => {
    for (const p of params) {
      if (!p.grad) continue;
      const v = velocity.get(p);
      const next = v ? v.mul(momentum).add(p.grad) : p.grad;
      velocity.set(p, next);
      p.copy_(p.sub(next.mul(lr)));
      p.zeroGrad();
    }
  });
}
