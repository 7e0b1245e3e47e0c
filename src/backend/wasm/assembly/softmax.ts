// softmax / log_softmax along one dim of a tensor seen as [outer, n, inner], and their gradients. Each part is a
// range of the outer·inner lines; f64 arithmetic and the js reference's operation order (max-subtracted exp sums).
import { CrossEntropyArgs, CrossEntropyBackwardArgs, SoftmaxArgs, SoftmaxBackwardArgs } from './args.generated';

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

/**
 * Softmax cross-entropy per row of x [rows, c] with int32 targets: logp = log_softmax(x) (kept for the gradient)
 * and loss = −logp[target] (0 where target = ignoreIndex), as log_softmax then nll_loss compute them.
 */
export function crossEntropyPart(args: usize, part: i32, thread: i32): void {
  const a = changetype<CrossEntropyArgs>(args);
  const c = a.c, ignore = a.ignoreIndex;
  const r0 = part * a.per, r1 = min(a.rows, r0 + a.per);
  for (let r = r0; r < r1; r++) {
    const row = a.x + (<usize>(r * c) << 2);
    const out = a.logp + (<usize>(r * c) << 2);
    let m: f64 = -Infinity;
    for (let k = 0; k < c; k++) m = max(m, <f64>load<f32>(row + (<usize>k << 2)));
    if (m == -Infinity) m = 0;
    let s: f64 = 0;
    for (let k = 0; k < c; k++) s += Math.exp(<f64>load<f32>(row + (<usize>k << 2)) - m);
    const lse = m + Math.log(s);
    for (let k = 0; k < c; k++) store<f32>(out + (<usize>k << 2), <f32>(<f64>load<f32>(row + (<usize>k << 2)) - lse));
    const t = load<i32>(a.target + (<usize>r << 2));
    store<f32>(a.loss + (<usize>r << 2), t == ignore || <u32>t >= <u32>c ? 0 : -load<f32>(out + (<usize>t << 2)));
  }
}

/** d loss / d x from the saved logp: dloss[r] · (softmax − onehot(target)), rows with target = ignoreIndex zero. */
export function crossEntropyBackwardPart(args: usize, part: i32, thread: i32): void {
  const a = changetype<CrossEntropyBackwardArgs>(args);
  const c = a.c, ignore = a.ignoreIndex;
  const r0 = part * a.per, r1 = min(a.rows, r0 + a.per);
  for (let r = r0; r < r1; r++) {
    const lp = a.logp + (<usize>(r * c) << 2);
    const out = a.out + (<usize>(r * c) << 2);
    const t = load<i32>(a.target + (<usize>r << 2));
    if (t == ignore || <u32>t >= <u32>c) {
      memory.fill(out, 0, <usize>c << 2);
      continue;
    }
    const g = <f64>load<f32>(a.dloss + (<usize>r << 2));
    // As log_softmax's gradient of a one-hot upstream −g: −g·[k = t] − exp(logp_k)·(−g).
    for (let k = 0; k < c; k++) {
      const e = Math.exp(<f64>load<f32>(lp + (<usize>k << 2)));
      store<f32>(out + (<usize>k << 2), <f32>((k == t ? -g : 0) - e * -g));
    }
  }
}
