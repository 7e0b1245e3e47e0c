// Training-mode batch normalization, fused, over [N, C, S]; parts are ranges of channels. f64 arithmetic as the
// js reference (js/norm.ts), two f64 lanes at a time.
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

/** Batch norm with batch statistics of x viewed as [N, C, S], `per` channels per part; weight/bias 0: none. */
export function batchNormForwardPart(args: usize, part: i32, thread: i32): void {
  const a = changetype<BatchNormForwardArgs>(args);
  const x = a.x, y = a.y, w = a.weight, b = a.bias;
  const meanOut = a.meanOut, varOut = a.varOut;
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
        v128.store(out + p, i32x4.shuffle(r0, r1, 0, 1, 4, 5));
      }
      for (; i < S; i++) {
        const p = <usize>i << 2;
        store<f32>(out + p, <f32>(<f64>load<f32>(row + p) * scale + shift));
      }
    }
  }
}

/** Gradients of batchNormForwardPart (dx, dweight, dbias) over the same channel ranges; weight 0: none. */
export function batchNormBackwardPart(args: usize, part: i32, thread: i32): void {
  const a = changetype<BatchNormBackwardArgs>(args);
  const x = a.x, dy = a.dy, meanIn = a.mean, varIn = a.variance;
  const w = a.weight, dx = a.dx, dwOut = a.dweightOut, dbOut = a.dbiasOut;
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
        const d = v128.load(dy + off + p), v = v128.load(x + off + p);
        const d0 = lo(d), d1 = hi(d);
        a1 = f64x2.add(a1, f64x2.add(d0, d1));
        a2 = f64x2.add(a2, f64x2.add(f64x2.mul(d0, f64x2.sub(lo(v), mv)), f64x2.mul(d1, f64x2.sub(hi(v), mv))));
      }
      for (; i < S; i++) {
        const p = <usize>i << 2;
        const d = <f64>load<f32>(dy + off + p);
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
        const d = v128.load(dy + off + p), v = v128.load(x + off + p);
        const r0 = f32x4.demote_f64x2_zero(f64x2.mul(kv, f64x2.sub(f64x2.sub(lo(d), mdv), f64x2.mul(f64x2.sub(lo(v), mv), pv))));
        const r1 = f32x4.demote_f64x2_zero(f64x2.mul(kv, f64x2.sub(f64x2.sub(hi(d), mdv), f64x2.mul(f64x2.sub(hi(v), mv), pv))));
        v128.store(dx + off + p, i32x4.shuffle(r0, r1, 0, 1, 4, 5));
      }
      for (; i < S; i++) {
        const p = <usize>i << 2;
        const d = <f64>load<f32>(dy + off + p);
        store<f32>(dx + off + p, <f32>(k * (d - meanDy - (<f64>load<f32>(x + off + p) - m) * proj)));
      }
    }
  }
}
