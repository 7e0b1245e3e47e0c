// Training-mode batch normalization, fused, over [N, C, S]; parts are ranges of channels. f64 arithmetic as the
// js reference (js/norm.ts), two f64 lanes at a time. Optionally followed by + residual and ReLU in the same pass
// (and their gradients in the backward pass), bit for bit as the separate add, relu and reluBackward kernels.
import { BatchNormBackwardArgs, BatchNormForwardArgs } from './args.generated';

// @ts-ignore: decorator
@inline function lo(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}

// @ts-ignore: decorator
@inline function hi(v: v128): v128 {
  return f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1));
}

// @ts-ignore: decorator
@inline function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

// @ts-ignore: decorator
@inline function reluKeepNaN(v: v128): v128 {
  // v > 0 ? v : 0 with NaN kept, as the relu kernel
  return v128.and(v, v128.or(f32x4.gt(v, f32x4.splat(0)), f32x4.ne(v, v)));
}

// @ts-ignore: decorator
@inline function reluGrad(d: v128, y: v128): v128 {
  // dy·(y > 0 ? 1 : 0), +0 where dy == 0: the reluBackward kernel's rule (y > 0 exactly where relu's input is)
  const z = f32x4.splat(0);
  return v128.and(f32x4.mul(d, v128.and(f32x4.gt(y, z), f32x4.splat(1))), f32x4.ne(d, z));
}

// @ts-ignore: decorator
@inline function reluGradScalar(d: f32, y: f32): f32 {
  return d == 0 ? 0 : <f32>(<f64>d * (y > 0 ? 1.0 : 0.0));
}

/**
 * Batch norm with batch statistics of x viewed as [N, C, S], `per` channels per part; weight/bias 0: none;
 * then + res (0: none) and ReLU (relu) on the way out.
 */
export function batchNormForwardPart(args: usize, part: i32, thread: i32): void {
  const a = changetype<BatchNormForwardArgs>(args);
  const x = a.x, y = a.y, w = a.weight, b = a.bias;
  const meanOut = a.meanOut, varOut = a.varOut;
  const res = a.res, relu = a.relu;
  const N = a.n, C = a.c, S = a.s, per = a.per;
  const eps = a.eps;
  const count = <f64>N * <f64>S;
  const c0 = part * per, c1 = min(C, c0 + per);
  for (let c = c0; c < c1; c++) {
    let acc = f64x2.splat(0);
    let s: f64 = 0;
    for (let n = 0; n < N; n++) {
      const row = x + (<usize>((n * C + c) * S) << 2);
      let i = 0;
      for (; i + 4 <= S; i += 4) {
        const v = v128.load(row + (<usize>i << 2));
        acc = f64x2.add(acc, f64x2.add(lo(v), hi(v)));
      }
      for (; i < S; i++) s += <f64>load<f32>(row + (<usize>i << 2));
    }
    const m = (hsum(acc) + s) / count;
    const mv = f64x2.splat(m);
    acc = f64x2.splat(0);
    s = 0;
    for (let n = 0; n < N; n++) {
      const row = x + (<usize>((n * C + c) * S) << 2);
      let i = 0;
      for (; i + 4 <= S; i += 4) {
        const v = v128.load(row + (<usize>i << 2));
        const d0 = f64x2.sub(lo(v), mv), d1 = f64x2.sub(hi(v), mv);
        acc = f64x2.add(acc, f64x2.add(f64x2.mul(d0, d0), f64x2.mul(d1, d1)));
      }
      for (; i < S; i++) {
        const d = <f64>load<f32>(row + (<usize>i << 2)) - m;
        s += d * d;
      }
    }
    const v = (hsum(acc) + s) / count;
    store<f32>(meanOut + (<usize>c << 2), <f32>m);
    store<f32>(varOut + (<usize>c << 2), <f32>v);
    const invStd = 1 / Math.sqrt(v + eps);
    const scale = w != 0 ? <f64>load<f32>(w + (<usize>c << 2)) * invStd : invStd;
    const shift = (b != 0 ? <f64>load<f32>(b + (<usize>c << 2)) : 0) - m * scale;
    const sv = f64x2.splat(scale), hv = f64x2.splat(shift);
    for (let n = 0; n < N; n++) {
      const off = <usize>((n * C + c) * S) << 2;
      const row = x + off, out = y + off;
      let i = 0;
      for (; i + 4 <= S; i += 4) {
        const p = <usize>i << 2;
        const v4 = v128.load(row + p);
        const r0 = f32x4.demote_f64x2_zero(f64x2.add(f64x2.mul(lo(v4), sv), hv));
        const r1 = f32x4.demote_f64x2_zero(f64x2.add(f64x2.mul(hi(v4), sv), hv));
        let r = i32x4.shuffle(r0, r1, 0, 1, 4, 5);
        if (res != 0) r = f32x4.add(r, v128.load(res + off + p));
        if (relu) r = reluKeepNaN(r);
        v128.store(out + p, r);
      }
      for (; i < S; i++) {
        const p = <usize>i << 2;
        let r = <f32>(<f64>load<f32>(row + p) * scale + shift);
        if (res != 0) r += load<f32>(res + off + p);
        if (relu && !(r > 0 || r != r)) r = 0;
        store<f32>(out + p, r);
      }
    }
  }
}

/**
 * Gradients of batchNormForwardPart (dx, dweight, dbias) over the same channel ranges; weight 0: none. With y (the
 * forward's output after ReLU; 0: no ReLU) dy passes through ReLU's gradient first; dres (0: none) receives that
 * masked gradient, the residual's.
 */
export function batchNormBackwardPart(args: usize, part: i32, thread: i32): void {
  const a = changetype<BatchNormBackwardArgs>(args);
  const x = a.x, dy = a.dy, meanIn = a.mean, varIn = a.variance;
  const w = a.weight, dx = a.dx, dwOut = a.dweightOut, dbOut = a.dbiasOut;
  const yIn = a.y, dres = a.dres;
  const N = a.n, C = a.c, S = a.s, per = a.per;
  const eps = a.eps;
  const count = <f64>N * <f64>S;
  const c0 = part * per, c1 = min(C, c0 + per);
  for (let c = c0; c < c1; c++) {
    const m = <f64>load<f32>(meanIn + (<usize>c << 2));
    const invStd = 1 / Math.sqrt(<f64>load<f32>(varIn + (<usize>c << 2)) + eps);
    const mv = f64x2.splat(m);
    let a1 = f64x2.splat(0), a2 = f64x2.splat(0);
    let sdy: f64 = 0, sdyx: f64 = 0;
    for (let n = 0; n < N; n++) {
      const off = <usize>((n * C + c) * S) << 2;
      let i = 0;
      for (; i + 4 <= S; i += 4) {
        const p = <usize>i << 2;
        let d = v128.load(dy + off + p);
        if (yIn != 0) d = reluGrad(d, v128.load(yIn + off + p));
        const v = v128.load(x + off + p);
        const d0 = lo(d), d1 = hi(d);
        a1 = f64x2.add(a1, f64x2.add(d0, d1));
        a2 = f64x2.add(a2, f64x2.add(f64x2.mul(d0, f64x2.sub(lo(v), mv)), f64x2.mul(d1, f64x2.sub(hi(v), mv))));
      }
      for (; i < S; i++) {
        const p = <usize>i << 2;
        const d32 = load<f32>(dy + off + p);
        const d = <f64>(yIn != 0 ? reluGradScalar(d32, load<f32>(yIn + off + p)) : d32);
        sdy += d;
        sdyx += d * (<f64>load<f32>(x + off + p) - m);
      }
    }
    sdy += hsum(a1);
    sdyx += hsum(a2);
    store<f32>(dbOut + (<usize>c << 2), <f32>sdy);
    store<f32>(dwOut + (<usize>c << 2), <f32>(sdyx * invStd));
    const k = (w != 0 ? <f64>load<f32>(w + (<usize>c << 2)) : 1) * invStd;
    const meanDy = sdy / count;
    const proj = (sdyx * invStd * invStd) / count;
    const kv = f64x2.splat(k), mdv = f64x2.splat(meanDy), pv = f64x2.splat(proj);
    for (let n = 0; n < N; n++) {
      const off = <usize>((n * C + c) * S) << 2;
      let i = 0;
      for (; i + 4 <= S; i += 4) {
        const p = <usize>i << 2;
        let d = v128.load(dy + off + p);
        if (yIn != 0) d = reluGrad(d, v128.load(yIn + off + p));
        if (dres != 0) v128.store(dres + off + p, d);
        const v = v128.load(x + off + p);
        const r0 = f32x4.demote_f64x2_zero(f64x2.mul(kv, f64x2.sub(f64x2.sub(lo(d), mdv), f64x2.mul(f64x2.sub(lo(v), mv), pv))));
        const r1 = f32x4.demote_f64x2_zero(f64x2.mul(kv, f64x2.sub(f64x2.sub(hi(d), mdv), f64x2.mul(f64x2.sub(hi(v), mv), pv))));
        v128.store(dx + off + p, i32x4.shuffle(r0, r1, 0, 1, 4, 5));
      }
      for (; i < S; i++) {
        const p = <usize>i << 2;
        const d32 = load<f32>(dy + off + p);
        const dz = yIn != 0 ? reluGradScalar(d32, load<f32>(yIn + off + p)) : d32;
        if (dres != 0) store<f32>(dres + off + p, dz);
        const d = <f64>dz;
        store<f32>(dx + off + p, <f32>(k * (d - meanDy - (<f64>load<f32>(x + off + p) - m) * proj)));
      }
    }
  }
}
