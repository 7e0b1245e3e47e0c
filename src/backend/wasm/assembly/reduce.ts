// sum over the outer and inner dims of a tensor seen as [A, B, C], keeping B (every reduction CNNs run: all
// elements, the last dim, the batch dim, or [N, H, W] of NCHW for bias and norm gradients). f64 accumulation as
// the js reference; parts are ranges of B.
import { SumArgs } from './args.generated';

/** Sums x viewed as [A, B, C] over A and C into out[B], `per` values of B per part. */
export function sumPart(args: usize, part: i32, thread: i32): void {
  const a = changetype<SumArgs>(args);
  const x = a.x, out = a.out;
  const A = a.a, Bn = a.b, C = a.c, per = a.per;
  const b0 = part * per, b1 = min(Bn, b0 + per);
  if (C == 1) {
    // Column sums: walk rows, accumulate a vector of B-values (two f64 lanes per f32 pair).
    for (let b = b0; b < b1; b++) {
      let s: f64 = 0;
      for (let a = 0; a < A; a++) s += <f64>load<f32>(x + (<usize>(a * Bn + b) << 2));
      store<f32>(out + (<usize>b << 2), <f32>s);
    }
    return;
  }
  for (let b = b0; b < b1; b++) {
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
    let s: f64 = 0;
    for (let a = 0; a < A; a++) {
      const row = x + (<usize>((a * Bn + b) * C) << 2);
      let c = 0;
      for (; c + 4 <= C; c += 4) {
        const v = v128.load(row + (<usize>c << 2));
        s0 = f64x2.add(s0, f64x2.promote_low_f32x4(v));
        s1 = f64x2.add(s1, f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
      }
      for (; c < C; c++) s += <f64>load<f32>(row + (<usize>c << 2));
    }
    const t = f64x2.add(s0, s1);
    store<f32>(out + (<usize>b << 2), <f32>(f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1) + s));
  }
}
