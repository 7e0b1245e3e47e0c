/** Building blocks shared by the zoo: torchvision's Conv2dNormActivation and channel rounding. */
import * as nn from '../nn/index.js';
import { constant, kaimingNormal, zeros, type FanMode } from '../nn/init.js';

type Act = 'relu' | 'relu6' | 'silu' | 'hardswish' | null;

function activation(a: Act): nn.Module | null {
  switch (a) {
    case 'relu':
      return new nn.ReLU();
    case 'relu6':
      return new nn.ReLU6();
    case 'silu':
      return new nn.SiLU();
    case 'hardswish':
      return new nn.Hardswish();
    default:
      return null;
  }
}

/**
 * conv → BatchNorm → activation as one Sequential ('0', '1', '2'), torchvision.ops.Conv2dNormActivation.
 * Padding defaults to (k − 1)/2 · dilation ("same" for odd kernels); the conv has no bias.
 */
export function convNormAct(
  inC: number,
  outC: number,
  k: number,
  opts: { stride?: number; groups?: number; act?: Act; bnEps?: number; bnMomentum?: number } = {},
): nn.Sequential {
  const layers: nn.Module[] = [
    new nn.Conv2d(inC, outC, k, { stride: opts.stride ?? 1, padding: Math.floor((k - 1) / 2), groups: opts.groups ?? 1, bias: false }),
    new nn.BatchNorm2d(outC, { eps: opts.bnEps ?? 1e-5, momentum: opts.bnMomentum ?? 0.1 }),
  ];
  const a = activation(opts.act === undefined ? 'relu' : opts.act);
  if (a) layers.push(a);
  return new nn.Sequential(...layers);
}

/** torchvision's _make_divisible: rounds channels to a multiple of `divisor`, never below 90% of v. */
export function makeDivisible(v: number, divisor = 8, minValue?: number): number {
  const min = minValue ?? divisor;
  let n = Math.max(min, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (n < 0.9 * v) n += divisor;
  return n;
}

/**
 * torchvision's shared initialization: Kaiming-normal convs (fan mode as given, ReLU gain; zero bias) and BatchNorm
 * weight 1, bias 0. Linear layers are left to the caller (the families differ there).
 */
export function initConvsAndNorms(model: nn.AnyModule, mode: FanMode = 'fanOut'): void {
  for (const m of model.modules()) {
    if (m instanceof nn.Conv2d) {
      kaimingNormal(m.weight, { mode, nonlinearity: 'relu' });
      if (m.bias) zeros(m.bias);
    } else if (m instanceof nn.BatchNorm2d) {
      constant(m.weight!, 1);
      constant(m.bias!, 0);
    }
  }
}
