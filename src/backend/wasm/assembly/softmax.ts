// softmax / log_softmax along one dim of a tensor seen as [outer, n, inner], and their gradients. Each part is a
// range of the outer·inner lines; f64 arithmetic and the js reference's operation order (max-subtracted exp sums).
import { SoftmaxArgs, SoftmaxBackwardArgs } from './args.generated';

/** Softmax (or log-softmax) of `per` lines (outer × inner lines of n values) per part. */
export function softmaxPart(args: usize, part: i32, thread: i32): void {
  const a = changetype<SoftmaxArgs>(args);
  const x = a.x, out = a.out;
  const outer = a.outer, n = a.n, inner = a.inner, per = a.per, log = a.log;
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

/** The gradient of softmaxPart from its output y, over the same lines. */
export function softmaxBackwardPart(args: usize, part: i32, thread: i32): void {
  const a = changetype<SoftmaxBackwardArgs>(args);
  const y = a.y, dy = a.dy, out = a.out;
  const outer = a.outer, n = a.n, inner = a.inner, per = a.per, log = a.log;
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
