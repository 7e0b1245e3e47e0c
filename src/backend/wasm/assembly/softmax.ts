// softmax / log_softmax along one dim of a tensor seen as [outer, n, inner], and their gradients. Each part is a
// range of the outer·inner lines; f64 arithmetic and the js reference's operation order (max-subtracted exp sums).
import { arg } from './geometry';

/** args: 0 x, 1 out, 2 outer, 3 n, 4 inner, 5 lines per part, 6 log (0/1). */
export function softmaxPart(args: usize, part: i32, thread: i32): void {
  const x = <usize>arg(args, 0), out = <usize>arg(args, 1);
  const outer = arg(args, 2), n = arg(args, 3), inner = arg(args, 4), per = arg(args, 5), log = arg(args, 6) != 0;
  const lines = outer * inner;
  const l0 = part * per, l1 = min(lines, l0 + per);
  const step = <usize>inner << 2;
  for (let l = l0; l < l1; l++) {
    const o = l / inner, i = l - o * inner;
    const base = <usize>(o * n * inner + i) << 2;
    let m: f64 = -Infinity;
    for (let k = 0; k < n; k++) m = max(m, <f64>load<f32>(x + base + <usize>k * step));
    if (m == -Infinity) m = 0;
    let s: f64 = 0;
    for (let k = 0; k < n; k++) s += Math.exp(<f64>load<f32>(x + base + <usize>k * step) - m);
    if (log) {
      const lse = m + Math.log(s);
      for (let k = 0; k < n; k++) store<f32>(out + base + <usize>k * step, <f32>(<f64>load<f32>(x + base + <usize>k * step) - lse));
    } else {
      for (let k = 0; k < n; k++) store<f32>(out + base + <usize>k * step, <f32>(Math.exp(<f64>load<f32>(x + base + <usize>k * step) - m) / s));
    }
  }
}

/** args: 0 y, 1 dy, 2 out, 3 outer, 4 n, 5 inner, 6 lines per part, 7 log (0/1). */
export function softmaxBackwardPart(args: usize, part: i32, thread: i32): void {
  const y = <usize>arg(args, 0), dy = <usize>arg(args, 1), out = <usize>arg(args, 2);
  const outer = arg(args, 3), n = arg(args, 4), inner = arg(args, 5), per = arg(args, 6), log = arg(args, 7) != 0;
  const lines = outer * inner;
  const l0 = part * per, l1 = min(lines, l0 + per);
  const step = <usize>inner << 2;
  for (let l = l0; l < l1; l++) {
    const o = l / inner, i = l - o * inner;
    const base = <usize>(o * n * inner + i) << 2;
    let s: f64 = 0;
    if (log) {
      // dx = dy − exp(y)·Σ dy
      for (let k = 0; k < n; k++) s += <f64>load<f32>(dy + base + <usize>k * step);
      for (let k = 0; k < n; k++) {
        const p = base + <usize>k * step;
        store<f32>(out + p, <f32>(<f64>load<f32>(dy + p) - Math.exp(<f64>load<f32>(y + p)) * s));
      }
    } else {
      // dx = y·(dy − Σ dy·y)
      for (let k = 0; k < n; k++) {
        const p = base + <usize>k * step;
        s += <f64>load<f32>(dy + p) * <f64>load<f32>(y + p);
      }
      for (let k = 0; k < n; k++) {
        const p = base + <usize>k * step;
        store<f32>(out + p, <f32>(<f64>load<f32>(y + p) * (<f64>load<f32>(dy + p) - s)));
      }
    }
  }
}
