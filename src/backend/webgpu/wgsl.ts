/** WGSL building blocks shared by the kernels: bindings, the parameter accessors, the thread index, float helpers. */
import type { DType } from '../backend.js';
import type { Access } from './runner.js';

/** The WGSL element type of a dtype. */
export const wgslType = (d: DType): string => (d === 'int32' ? 'i32' : 'f32');

export interface BindingDecl {
  name: string;
  access: Access;
  dtype?: DType;
}

/** Storage declarations at bindings 1, 2, … in the order the dispatch lists its buffers (binding 0: parameters). */
export function declare(list: readonly BindingDecl[], errors = false): string {
  const lines = list.map((b, i) => {
    const t = b.access === 'atomic' ? 'atomic<u32>' : wgslType(b.dtype ?? 'float32');
    const mode = b.access === 'read' ? 'read' : 'read_write';
    return `@group(0) @binding(${i + 1}) var<storage, ${mode}> ${b.name}: array<${t}>;`;
  });
  if (errors) lines.push(`@group(0) @binding(${list.length + 1}) var<storage, read_write> ERR: array<atomic<u32>, 4>;`);
  return lines.join('\n') + '\n';
}

/** Accessors of the parameter words: pu(k) as u32, pi(k) as i32, pf(k) as f32. */
export const PARAMS = `
fn pu(k: u32) -> u32 { return PRM[k / 4u][k % 4u]; }
fn pi(k: u32) -> i32 { return bitcast<i32>(pu(k)); }
fn pf(k: u32) -> f32 { return bitcast<f32>(pu(k)); }
`;

/** Threads per workgroup of the one-thread-per-element kernels. */
export const WG = 256;
const MAX_GROUPS = 65535;

/** Workgroup counts covering n threads of WG each, folded into y past 65,535 groups. */
export function groupsFor(n: number): [number, number, number] {
  const g = Math.max(1, Math.ceil(n / WG));
  if (g <= MAX_GROUPS) return [g, 1, 1];
  return [MAX_GROUPS, Math.ceil(g / MAX_GROUPS), 1];
}

/** Entry point with one thread per element: `i` is the element, threads past `n` return. */
export function perElement(n: string, body: string): string {
  return `
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * ${WG}u + lid;
  if (i >= ${n}) { return; }
${body}
}`;
}

/** Float helpers WGSL lacks: NaN tests that survive fast-math compilers, erf, a tanh that does not overflow. */
export const FLOAT_HELPERS = `
fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
// Through a var: WGSL rejects NaN and infinity as constant expressions.
fn nan_f32() -> f32 { var u = 0x7fc00000u; return bitcast<f32>(u); }
fn inf_f32() -> f32 { var u = 0x7f800000u; return bitcast<f32>(u); }
fn safe_tanh(x: f32) -> f32 {
  if (abs(x) > 15.0) { return sign(x); }
  let e = exp(2.0 * x);
  return (e - 1.0) / (e + 1.0);
}
fn safe_exp(x: f32) -> f32 { return exp(min(x, 88.72283)); }
fn sigmoid_f(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
  let e = exp(x);
  return e / (1.0 + e);
}
fn expm1_f(x: f32) -> f32 {
  if (abs(x) < 1e-3) { return x + 0.5 * x * x + x * x * x / 6.0; }
  return exp(x) - 1.0;
}
fn log1p_f(x: f32) -> f32 {
  let u = 1.0 + x;
  if (u == 1.0) { return x; }
  return log(u) * x / (u - 1.0);
}
// erf: Abramowitz & Stegun 7.1.26 is 1.5e-7 absolute; W. J. Cody's rational form is closer, this uses erfc's
// exponential form for |x| > 0.5 and the Taylor series below it, both accurate to a few float32 ulps.
fn erf_f(x: f32) -> f32 {
  let a = abs(x);
  if (a < 0.5) {
    let t = x * x;
    return x * (1.1283791671 + t * (-0.3761263890 + t * (0.1128379167 + t * (-0.0268661706 + t * 0.0052239776))));
  }
  if (a > 4.0) { return sign(x); }
  let t = 1.0 / (1.0 + 0.5 * a);
  let y = t * exp(-a * a - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return sign(x) * (1.0 - y);
}
`;
