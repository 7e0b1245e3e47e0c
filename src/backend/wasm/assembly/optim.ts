// Optimizer updates (SGD with momentum/Nesterov, Adam/AdamW with AMSGrad) mirroring the reference loops in src/optim/sgd.ts and adam.ts operation by
// operation: every value PyTorch keeps in a float32 tensor is rounded to f32 (<f32>), products and sums in between
// are exact f64, so results equal the js reference bit for bit. Constants arrive pre-rounded (fr(...)) as f64.
import { arg } from './geometry';

// @ts-ignore: decorator
@inline function F(args: usize, word: i32): f64 {
  return load<f64>(args + (<usize>word << 2));
}

// @ts-ignore: decorator
@inline function fr(x: f64): f64 {
  return <f64><f32>x;
}

/**
 * args: 0 n, 1 per part, 2 param, 3 grad, 4 momentum buffer (0: none yet), 5 param out, 6 buffer out (0: no
 * momentum), 7 nesterov, 8 maximize; f64 at words 10 fr(wd), 12 fr(1 − dampening), 14 fr(momentum), 16 fr(−lr),
 * 18 momentum (0 or not), 20 wd (0 or not).
 */
export function sgdPart(args: usize, part: i32, thread: i32): void {
  const n = arg(args, 0), per = arg(args, 1);
  const P = <usize>arg(args, 2), G = <usize>arg(args, 3), B = <usize>arg(args, 4), PO = <usize>arg(args, 5), BO = <usize>arg(args, 6);
  const nesterov = arg(args, 7) != 0, maximize = arg(args, 8) != 0;
  const wdF = F(args, 10), dampF = F(args, 12), mF = F(args, 14), negLr = F(args, 16), m = F(args, 18), wd = F(args, 20);
  const i0 = part * per, i1 = min(n, i0 + per);
  for (let i = i0; i < i1; i++) {
    const o = <usize>i << 2;
    const p = <f64>load<f32>(P + o);
    let g = <f64>load<f32>(G + o);
    if (maximize) g = -g;
    let d = wd != 0 ? fr(g + wdF * p) : g;
    if (m != 0) {
      const buf = B != 0 ? fr(fr(<f64>load<f32>(B + o) * mF) + dampF * d) : d;
      store<f32>(BO + o, <f32>buf);
      d = nesterov ? fr(d + mF * buf) : buf;
    }
    store<f32>(PO + o, <f32>(p + negLr * d));
  }
}

/**
 * args: 0 n, 1 per part, 2 param, 3 grad, 4 exp_avg (0: zeros), 5 exp_avg_sq (0: zeros), 6 max_exp_avg_sq
 * (0: zeros), 7 param out, 8 exp_avg out, 9 exp_avg_sq out, 10 max_exp_avg_sq out (0: no amsgrad), 11 decoupled,
 * 12 maximize; f64 at 14 fr(wd) (0 when decoupled), 16 shrink, 18 fr(b1), 20 fr(1 − b1), 22 fr(b2),
 * 24 fr(1 − b2), 26 bc2Sqrt, 28 fr(eps), 30 fr(−stepSize).
 */
export function adamPart(args: usize, part: i32, thread: i32): void {
  const n = arg(args, 0), per = arg(args, 1);
  const P = <usize>arg(args, 2), G = <usize>arg(args, 3), M = <usize>arg(args, 4), V = <usize>arg(args, 5), VM = <usize>arg(args, 6);
  const PO = <usize>arg(args, 7), MO = <usize>arg(args, 8), VO = <usize>arg(args, 9), VMO = <usize>arg(args, 10);
  const decoupled = arg(args, 11) != 0, maximize = arg(args, 12) != 0;
  const wdF = F(args, 14), shrink = F(args, 16), b1 = F(args, 18), omb1 = F(args, 20), b2 = F(args, 22), omb2 = F(args, 24);
  const bc2Sqrt = F(args, 26), eps = F(args, 28), negStep = F(args, 30);
  const i0 = part * per, i1 = min(n, i0 + per);
  for (let i = i0; i < i1; i++) {
    const o = <usize>i << 2;
    let p = <f64>load<f32>(P + o);
    if (decoupled) p = fr(p * shrink);
    let g = <f64>load<f32>(G + o);
    if (maximize) g = -g;
    const d = wdF != 0 ? fr(g + wdF * p) : g;
    const m0: f64 = M != 0 ? <f64>load<f32>(M + o) : 0;
    const v0: f64 = V != 0 ? <f64>load<f32>(V + o) : 0;
    const m = fr(fr(m0 * b1) + omb1 * d);
    const v = fr(fr(v0 * b2) + fr(fr(omb2 * d) * d));
    store<f32>(MO + o, <f32>m);
    store<f32>(VO + o, <f32>v);
    let second = v;
    if (VMO != 0) {
      const vm0: f64 = VM != 0 ? <f64>load<f32>(VM + o) : 0;
      second = max(vm0, v);
      store<f32>(VMO + o, <f32>second);
    }
    const denom = fr(fr(fr(Math.sqrt(second)) / bc2Sqrt) + eps);
    store<f32>(PO + o, <f32>(p + fr(fr(negStep * m) / denom)));
  }
}
