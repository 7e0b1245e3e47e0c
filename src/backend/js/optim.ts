/**
 * The optimizers' update loops, element by element, in the order PyTorch's single-tensor implementations do their
 * float32 operations: each value PyTorch stores in a float32 tensor is rounded with fround, and add(…, alpha=)
 * is fused (one rounding) as PyTorch's vectorized fmadd is. The results then agree with PyTorch to the last ulp or two.
 */
import type { TensorInfo } from '../backend.js';
import type { OptimizerHyper, OptimizerRule } from '../kernels.js';
import { f32, info } from './handle.js';

const fr = Math.fround;
/** b + alpha·a rounded once (PyTorch's add(a, alpha=…) on float32). */
const fma = (a: number, alpha: number, b: number) => fr(b + fr(alpha) * a);
/** self + value·t1·t2 (torch.addcmul), rounded as PyTorch evaluates it. */
const addcmul = (self: number, t1: number, t2: number, value: number) => fr(self + fr(fr(fr(value) * t1) * t2));
/** self + value·t1/t2 (torch.addcdiv). */
const addcdiv = (self: number, t1: number, t2: number, value: number) => fr(self + fr(fr(fr(value) * t1) / t2));

type Arr = Float32Array;

export function optimizerStep(
  rule: OptimizerRule,
  param: TensorInfo,
  grad: TensorInfo,
  state: Readonly<Record<string, TensorInfo | undefined>>,
  h: OptimizerHyper,
): { param: TensorInfo; state: Record<string, TensorInfo> } {
  const P = f32(param).slice();
  const G = f32(grad);
  const n = P.length;
  const load = (k: string, init = 0): [Arr, boolean] => {
    const t = state[k];
    return t ? [f32(t).slice(), true] : [new Float32Array(n).fill(init), false];
  };
  const out: Record<string, Arr> = {};
  const wd = h.weightDecay;
  const gradAt = (i: number, decay = wd) => {
    const g = h.maximize ? -G[i] : G[i];
    return decay !== 0 ? fma(P[i], decay, g) : g;
  };

  switch (rule) {
    case 'sgd': {
      const m = h.momentum ?? 0;
      const [buf, had] = load('momentum_buffer');
      for (let i = 0; i < n; i++) {
        let d = gradAt(i);
        if (m !== 0) {
          buf[i] = had ? fma(d, 1 - (h.dampening ?? 0), fr(buf[i] * fr(m))) : d;
          d = h.nesterov ? fma(buf[i], m, d) : buf[i];
        }
        P[i] = fma(d, -h.lr, P[i]);
      }
      if (m !== 0) out.momentum_buffer = buf;
      break;
    }
    case 'rmsprop': {
      const alpha = h.alpha!;
      const mom = h.momentum ?? 0;
      const [sq] = load('square_avg');
      const [ga] = load('grad_avg');
      const [buf] = load('momentum_buffer');
      for (let i = 0; i < n; i++) {
        const d = gradAt(i);
        sq[i] = addcmul(fr(sq[i] * fr(alpha)), d, d, 1 - alpha);
        let avg: number;
        if (h.centered) {
          ga[i] = fma(d, 1 - alpha, fr(ga[i] * fr(alpha)));
          avg = fr(Math.sqrt(addcmul(sq[i], ga[i], ga[i], -1)));
        } else avg = fr(Math.sqrt(sq[i]));
        avg = fr(avg + fr(h.eps!));
        if (mom > 0) {
          buf[i] = addcdiv(fr(buf[i] * fr(mom)), d, avg, 1);
          P[i] = fma(buf[i], -h.lr, P[i]);
        } else P[i] = addcdiv(P[i], d, avg, -h.lr);
      }
      out.square_avg = sq;
      if (h.centered) out.grad_avg = ga;
      if (mom > 0) out.momentum_buffer = buf;
      break;
    }
    case 'adam': {
      const b1 = h.beta1!;
      const b2 = h.beta2!;
      const step = h.step!;
      const [m] = load('exp_avg');
      const [v] = load('exp_avg_sq');
      const [vmax] = load('max_exp_avg_sq');
      const stepSize = h.lr / (1 - b1 ** step);
      const bc2Sqrt = fr(Math.sqrt(1 - b2 ** step));
      const shrink = fr(1 - h.lr * wd);
      for (let i = 0; i < n; i++) {
        if (h.decoupled) P[i] = fr(P[i] * shrink);
        const d = gradAt(i, h.decoupled ? 0 : wd);
        m[i] = fma(d, 1 - b1, fr(m[i] * fr(b1)));
        v[i] = addcmul(fr(v[i] * fr(b2)), d, d, 1 - b2);
        let second = v[i];
        if (h.amsgrad) second = vmax[i] = Math.max(vmax[i], v[i]);
        const denom = fr(fr(fr(Math.sqrt(second)) / bc2Sqrt) + fr(h.eps!));
        P[i] = addcdiv(P[i], m[i], denom, -stepSize);
      }
      out.exp_avg = m;
      out.exp_avg_sq = v;
      if (h.amsgrad) out.max_exp_avg_sq = vmax;
      break;
    }
    case 'adagrad': {
      const [sum] = load('sum');
      const clr = h.lr / (1 + (h.step! - 1) * (h.lrDecay ?? 0));
      for (let i = 0; i < n; i++) {
        const d = gradAt(i);
        sum[i] = addcmul(sum[i], d, d, 1);
        const std = fr(fr(Math.sqrt(sum[i])) + fr(h.eps!));
        P[i] = addcdiv(P[i], d, std, -clr);
      }
      out.sum = sum;
      break;
    }
    case 'adadelta': {
      const rho = h.rho!;
      const eps = fr(h.eps!);
      const [sq] = load('square_avg');
      const [acc] = load('acc_delta');
      for (let i = 0; i < n; i++) {
        const d = gradAt(i);
        sq[i] = addcmul(fr(sq[i] * fr(rho)), d, d, 1 - rho);
        const std = fr(Math.sqrt(fr(sq[i] + eps)));
        const delta = fr(fr(fr(Math.sqrt(fr(acc[i] + eps))) / std) * d);
        acc[i] = addcmul(fr(acc[i] * fr(rho)), delta, delta, 1 - rho);
        P[i] = fma(delta, -h.lr, P[i]);
      }
      out.square_avg = sq;
      out.acc_delta = acc;
      break;
    }
    default:
      throw new Error(`optimizerStep: unknown rule '${rule as string}'`);
  }
  const stateOut: Record<string, TensorInfo> = {};
  for (const [k, a] of Object.entries(out)) stateOut[k] = info(param.shape, a);
  return { param: info(param.shape, P), state: stateOut };
}
