// Optimizer updates (SGD with momentum/Nesterov, Adam/AdamW with AMSGrad) mirroring the reference loops in src/optim/sgd.ts and adam.ts operation by
// operation: every value PyTorch keeps in a float32 tensor is rounded to f32 (<f32>), products and sums in between
// are exact f64, so results equal the js reference bit for bit. Constants arrive pre-rounded (fr(...)) as f64.
import { AdadeltaArgs, AdagradArgs, AdamArgs, RmspropArgs, SgdArgs } from './args.generated';

// @ts-ignore: decorator
@inline function fr(x: f64): f64 {
  return <f64><f32>x;
}

/** SGD over elements [part·per, (part + 1)·per); buf 0: no momentum buffer yet; bufOut 0: no momentum. */
export function sgdPart(args: usize, part: i32, thread: i32): void {
  const a = changetype<SgdArgs>(args);
  const n = a.n, per = a.per;
  const P = a.param, G = a.grad, B = a.buf, PO = a.paramOut, BO = a.bufOut;
  const nesterov = a.nesterov, maximize = a.maximize;
  const wdF = a.wdF, dampF = a.dampF, mF = a.momentumF, negLr = a.negLr, m = a.momentum, wd = a.wd;
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

/** Adam/AdamW over elements [part·per, (part + 1)·per); state pointers 0: zeros; maxExpAvgSqOut 0: no AMSGrad. */
export function adamPart(args: usize, part: i32, thread: i32): void {
  const a = changetype<AdamArgs>(args);
  const n = a.n, per = a.per;
  const P = a.param, G = a.grad, M = a.expAvg, V = a.expAvgSq, VM = a.maxExpAvgSq;
  const PO = a.paramOut, MO = a.expAvgOut, VO = a.expAvgSqOut, VMO = a.maxExpAvgSqOut;
  const decoupled = a.decoupled, maximize = a.maximize;
  const wdF = a.wdF, shrink = a.shrink, b1 = a.beta1, omb1 = a.oneMinusBeta1, b2 = a.beta2, omb2 = a.oneMinusBeta2;
  const bc2Sqrt = a.bc2Sqrt, eps = a.eps, negStep = a.negStepSize;
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

// ---- RMSprop, Adagrad, Adadelta: src/optim/rmsprop.ts, adagrad.ts, adadelta.ts operation by operation, with the
// helpers of src/optim/float32.ts (each a single rounding of an exact f64 expression, as there) ----

// @ts-ignore: decorator
@inline function fma(a: f64, alpha: f64, b: f64): f64 {
  return fr(b + fr(alpha) * a);
}
// @ts-ignore: decorator
@inline function addcmul(self: f64, t1: f64, t2: f64, value: f64): f64 {
  return fr(self + fr(fr(fr(value) * t1) * t2));
}
// @ts-ignore: decorator
@inline function addcdiv(self: f64, t1: f64, t2: f64, value: f64): f64 {
  return fr(self + fr(fr(fr(value) * t1) / t2));
}
// @ts-ignore: decorator
@inline function effectiveGrad(g: f64, p: f64, decay: f64, maximize: bool): f64 {
  const d = maximize ? -g : g;
  return decay != 0 ? fma(p, decay, d) : d;
}
/** A state value, 0 where the state does not exist yet (ptr 0). */
// @ts-ignore: decorator
@inline function stateAt(ptr: usize, o: usize): f64 {
  return ptr != 0 ? <f64>load<f32>(ptr + o) : 0;
}

/** RMSprop (centered and momentum optional: gradAvgOut / momentumOut 0 when off). */
export function rmspropPart(args: usize, part: i32, thread: i32): void {
  const a = changetype<RmspropArgs>(args);
  const alpha = a.alpha, mom = a.momentum, lr = a.lr, eps = a.eps, wd = a.wd, maximize = a.maximize;
  const i0 = part * a.per, i1 = min(a.n, i0 + a.per);
  for (let i = i0; i < i1; i++) {
    const o = <usize>i << 2;
    const p = <f64>load<f32>(a.param + o);
    const d = effectiveGrad(<f64>load<f32>(a.grad + o), p, wd, maximize);
    const sq = addcmul(fr(stateAt(a.squareAvg, o) * fr(alpha)), d, d, 1 - alpha);
    store<f32>(a.squareAvgOut + o, <f32>sq);
    let avg: f64;
    if (a.gradAvgOut != 0) {
      const ga = fma(d, 1 - alpha, fr(stateAt(a.gradAvg, o) * fr(alpha)));
      store<f32>(a.gradAvgOut + o, <f32>ga);
      avg = fr(Math.sqrt(addcmul(sq, ga, ga, -1)));
    } else avg = fr(Math.sqrt(sq));
    avg = fr(avg + fr(eps));
    if (a.momentumOut != 0) {
      const buf = addcdiv(fr(stateAt(a.momentumBuffer, o) * fr(mom)), d, avg, 1);
      store<f32>(a.momentumOut + o, <f32>buf);
      store<f32>(a.paramOut + o, <f32>fma(buf, -lr, p));
    } else store<f32>(a.paramOut + o, <f32>addcdiv(p, d, avg, -lr));
  }
}

/** Adagrad; clr is the decayed learning rate lr / (1 + (step − 1)·lrDecay). */
export function adagradPart(args: usize, part: i32, thread: i32): void {
  const a = changetype<AdagradArgs>(args);
  const clr = a.clr, eps = a.eps, wd = a.wd, maximize = a.maximize;
  const i0 = part * a.per, i1 = min(a.n, i0 + a.per);
  for (let i = i0; i < i1; i++) {
    const o = <usize>i << 2;
    const p = <f64>load<f32>(a.param + o);
    const d = effectiveGrad(<f64>load<f32>(a.grad + o), p, wd, maximize);
    const sum = addcmul(stateAt(a.sum, o), d, d, 1);
    store<f32>(a.sumOut + o, <f32>sum);
    const std = fr(fr(Math.sqrt(sum)) + fr(eps));
    store<f32>(a.paramOut + o, <f32>addcdiv(p, d, std, -clr));
  }
}

/** Adadelta. */
export function adadeltaPart(args: usize, part: i32, thread: i32): void {
  const a = changetype<AdadeltaArgs>(args);
  const rho = a.rho, lr = a.lr, wd = a.wd, maximize = a.maximize;
  const eps = fr(a.eps);
  const i0 = part * a.per, i1 = min(a.n, i0 + a.per);
  for (let i = i0; i < i1; i++) {
    const o = <usize>i << 2;
    const p = <f64>load<f32>(a.param + o);
    const d = effectiveGrad(<f64>load<f32>(a.grad + o), p, wd, maximize);
    const sq = addcmul(fr(stateAt(a.squareAvg, o) * fr(rho)), d, d, 1 - rho);
    store<f32>(a.squareAvgOut + o, <f32>sq);
    const acc0 = stateAt(a.accDelta, o);
    const std = fr(Math.sqrt(fr(sq + eps)));
    const delta = fr(fr(fr(Math.sqrt(fr(acc0 + eps))) / std) * d);
    store<f32>(a.accDeltaOut + o, <f32>addcmul(fr(acc0 * fr(rho)), delta, delta, 1 - rho));
    store<f32>(a.paramOut + o, <f32>fma(delta, -lr, p));
  }
}
