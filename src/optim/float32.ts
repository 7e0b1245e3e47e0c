/**
 * PyTorch's float32 arithmetic for the optimizers' reference loops: each value PyTorch stores in a float32 tensor is
 * rounded with fround, and add(…, alpha=) is fused (one rounding) as PyTorch's vectorized fmadd is, so the results
 * agree with PyTorch's single-tensor implementations to the last ulp or two.
 */
export const fr = Math.fround;
/** b + alpha·a rounded once (PyTorch's add(a, alpha=…) on float32). */
export const fma = (a: number, alpha: number, b: number): number => fr(b + fr(alpha) * a);
/** self + value·t1·t2 (torch.addcmul), rounded as PyTorch evaluates it. */
export const addcmul = (self: number, t1: number, t2: number, value: number): number => fr(self + fr(fr(fr(value) * t1) * t2));
/** self + value·t1/t2 (torch.addcdiv). */
export const addcdiv = (self: number, t1: number, t2: number, value: number): number => fr(self + fr(fr(fr(value) * t1) / t2));

/** The gradient PyTorch steps along: negated when maximizing, plus decay·p (L2 weight decay) when decay ≠ 0. */
export function effectiveGrad(g: number, p: number, decay: number, maximize: boolean): number {
  const d = maximize ? -g : g;
  return decay !== 0 ? fma(p, decay, d) : d;
}
