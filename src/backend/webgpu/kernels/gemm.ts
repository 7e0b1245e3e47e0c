/**
 * One tiled GEMM shader for every product: C[z](m, n) = Σ_k A[z](m, k)·B[z](k, n), where the caller writes how A and
 * B are loaded and C stored as WGSL functions — a batched matmul reads arrays, a convolution reads its input as the
 * im2col matrix it never builds (implicit GEMM). Each 16×16 workgroup computes a 64×64 tile, 4×4 values per thread,
 * staging 16-deep slices of A and B in workgroup memory.
 */
import { slot, type GpuContext } from '../context.js';
import { Params, type Dispatch } from '../runner.js';
import { declare, PARAMS, type BindingDecl } from '../wgsl.js';

export const TILE = 64;

export interface GemmParts {
  /** fn loadA(z: u32, m: u32, k: u32) -> f32 (called only in range). */
  loadA: string;
  /** fn loadB(z: u32, k: u32, n: u32) -> f32 (called only in range). */
  loadB: string;
  /** fn store(z: u32, m: u32, n: u32, v: f32) (called only in range). */
  store: string;
}

/** The shader; M, N, K are parameter words 0, 1, 2 (the caller's own parameters follow from word 5). */
export function gemmShader(declarations: string, parts: GemmParts): string {
  const R = [0, 1, 2, 3];
  // Unrolled by generation: WGSL compilers keep unrolled scalars in registers, dynamically indexed arrays may spill.
  const accDecl = R.map((r) => `var c${r} = vec4f(0.0);`).join(' ');
  const fma = R.map((r) => `c${r} += a.${'xyzw'[r]} * b;`).join(' ');
  const stores = R.map(
    (r) => `  { let m = m0 + lid.y * 4u + ${r}u;
    if (m < M) {
      ${[0, 1, 2, 3].map((c) => `if (n0 + lid.x * 4u + ${c}u < N) { store(z, m, n0 + lid.x * 4u + ${c}u, c${r}.${'xyzw'[c]}); }`).join('\n      ')}
    }
  }`,
  ).join('\n');
  return `${declarations}${PARAMS}
${parts.loadA}
${parts.loadB}
${parts.store}
var<workgroup> As: array<vec4f, 256>;
var<workgroup> Bs: array<vec4f, 256>;
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let M = pu(0u); let N = pu(1u); let K = pu(2u);
  let z = wid.z;
  let m0 = wid.y * 64u;
  let n0 = wid.x * 64u;
  // Each thread loads one 4-vector of A (4 rows at one k) and one of B (4 columns at one k): 16 k × 16 vectors.
  let lk = lid.y;
  let lv = lid.x;
  ${accDecl}
  for (var k0 = 0u; k0 < K; k0 += 16u) {
    let k = k0 + lk;
    var av = vec4f(0.0);
    var bv = vec4f(0.0);
    if (k < K) {
      let m = m0 + lv * 4u;
      if (m < M) { av.x = loadA(z, m, k); }
      if (m + 1u < M) { av.y = loadA(z, m + 1u, k); }
      if (m + 2u < M) { av.z = loadA(z, m + 2u, k); }
      if (m + 3u < M) { av.w = loadA(z, m + 3u, k); }
      let n = n0 + lv * 4u;
      if (n < N) { bv.x = loadB(z, k, n); }
      if (n + 1u < N) { bv.y = loadB(z, k, n + 1u); }
      if (n + 2u < N) { bv.z = loadB(z, k, n + 2u); }
      if (n + 3u < N) { bv.w = loadB(z, k, n + 3u); }
    }
    As[lk * 16u + lv] = av;
    Bs[lk * 16u + lv] = bv;
    workgroupBarrier();
    for (var kk = 0u; kk < 16u; kk++) {
      let a = As[kk * 16u + lid.y];
      let b = Bs[kk * 16u + lid.x];
      ${fma}
    }
    workgroupBarrier();
  }
${stores}
}`;
}

/**
 * The same product without shared memory or barriers, one thread per 4 consecutive outputs of a row: for products
 * with few rows (LeNet's 6-channel convolutions, depthwise, a 10-class head), where a 64×64 tile would mostly idle.
 */
export function gemmDirectShader(declarations: string, parts: GemmParts): string {
  return `${declarations}${PARAMS}
${parts.loadA}
${parts.loadB}
${parts.store}
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let M = pu(0u); let N = pu(1u); let K = pu(2u);
  let z = wid.z;
  let strips = (N + 3u) / 4u;
  let t = (wid.y * nwg.x + wid.x) * 64u + lid;
  if (t >= M * strips) { return; }
  let m = t / strips;
  let n = (t % strips) * 4u;
  var c = vec4f(0.0);
  for (var k = 0u; k < K; k++) {
    let a = loadA(z, m, k);
    var b = vec4f(0.0);
    b.x = loadB(z, k, n);
    if (n + 1u < N) { b.y = loadB(z, k, n + 1u); }
    if (n + 2u < N) { b.z = loadB(z, k, n + 2u); }
    if (n + 3u < N) { b.w = loadB(z, k, n + 3u); }
    c += a * b;
  }
  store(z, m, n, c.x);
  if (n + 1u < N) { store(z, m, n + 1u, c.y); }
  if (n + 2u < N) { store(z, m, n + 2u, c.z); }
  if (n + 3u < N) { store(z, m, n + 3u, c.w); }
}`;
}

/** Few rows or columns: the direct shader; else the tiled one. */
export function useDirect(M: number, N: number): boolean {
  return M < 32 || N < 32;
}

/**
 * K split into this many chunks when the product has too few outputs to occupy the GPU and a long K (the weight
 * gradient of a convolution: a few hundred outputs, each a sum over batch × pixels); 1 = no split.
 */
export function splitsFor(M: number, N: number, K: number, batches: number): number {
  const threads = M * Math.ceil(N / 4) * batches;
  if (threads >= 8192 || K < 2048) return 1;
  return Math.min(64, Math.floor(K / 1024), Math.max(1, Math.floor(8192 / threads)));
}

/** Workgroups for `threads` threads of 64, folded into y past 65,535. */
function groups64(threads: number, z: number): Dispatch['groups'] {
  const g = Math.max(1, Math.ceil(threads / 64));
  return g <= 65535 ? [g, 1, z] : [65535, Math.ceil(g / 65535), z];
}

export interface GemmRun {
  /** Pipeline key prefix (the op). */
  key: string;
  M: number;
  N: number;
  K: number;
  /** Independent products (batch or group), workgroup z. */
  batches: number;
  /** The caller's storage bindings, in order (declare()'s list), and their buffers. */
  decls: BindingDecl[];
  buffers: Dispatch['buffers'];
  /** The caller's parameter words (i32), from word 5 (words 0–4: M, N, K and two of the split-K pass's). */
  params: number[];
  parts: GemmParts;
}

/** Runs C = A·B (per batch), choosing the tiled, direct or split-K shader from the shape. */
export function runGemm(ctx: GpuContext, g: GemmRun): void {
  const { M, N, K, batches } = g;
  const splits = splitsFor(M, N, K, batches);
  const params = (...head: number[]) =>
    new Params()
      .u(...head)
      .i(...g.params)
      .done();
  if (splits === 1) {
    const direct = useDirect(M, N);
    ctx.runner.run({
      key: `${g.key}:${direct ? 'direct' : 'tiled'}`,
      code: () => (direct ? gemmDirectShader(declare(g.decls), g.parts) : gemmShader(declare(g.decls), g.parts)),
      buffers: g.buffers,
      params: params(M, N, K, 0, 0),
      groups: direct ? groups64(M * Math.ceil(N / 4), batches) : [Math.ceil(N / TILE), Math.ceil(M / TILE), batches],
    });
    return;
  }
  // Pass 1: each (strip, chunk) sums its part of K into T[chunk][z][m][n]; pass 2 adds the chunks in order and stores.
  const T = ctx.alloc([splits, batches, M, N], 'float32');
  const chunk = Math.ceil(K / splits);
  const tDecl = { name: 'T', access: 'write' as const };
  ctx.runner.run({
    key: `${g.key}:splitK`,
    code: () =>
      `${declare([...g.decls, tDecl])}${PARAMS}
${g.parts.loadA}
${g.parts.loadB}
${g.parts.store}
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let M = pu(0u); let N = pu(1u); let K = pu(2u);
  let s = wid.y;
  let z = wid.z;
  let strips = (N + 3u) / 4u;
  let t = wid.x * 64u + lid;
  if (t >= M * strips) { return; }
  let m = t / strips;
  let n = (t % strips) * 4u;
  let k1 = min(K, (s + 1u) * pu(3u));
  var c = vec4f(0.0);
  for (var k = s * pu(3u); k < k1; k++) {
    let a = loadA(z, m, k);
    var b = vec4f(0.0);
    b.x = loadB(z, k, n);
    if (n + 1u < N) { b.y = loadB(z, k, n + 1u); }
    if (n + 2u < N) { b.z = loadB(z, k, n + 2u); }
    if (n + 3u < N) { b.w = loadB(z, k, n + 3u); }
    c += a * b;
  }
  let o = ((s * nwg.z + z) * M + m) * N + n;
  T[o] = c.x;
  if (n + 1u < N) { T[o + 1u] = c.y; }
  if (n + 2u < N) { T[o + 2u] = c.z; }
  if (n + 3u < N) { T[o + 3u] = c.w; }
}`,
    buffers: [...g.buffers, { slot: slot(T), access: 'write' }],
    params: params(M, N, K, chunk, 0),
    groups: [Math.ceil((M * Math.ceil(N / 4)) / 64), splits, batches],
  });
  ctx.runner.run({
    key: `${g.key}:splitKSum`,
    code: () =>
      `${declare([...g.decls, { name: 'T', access: 'read' }])}${PARAMS}
${g.parts.loadA}
${g.parts.loadB}
${g.parts.store}
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let M = pu(0u); let N = pu(1u);
  let z = wid.z;
  let t = wid.x * 64u + lid;
  if (t >= M * N) { return; }
  let splits = pu(3u);
  let per = pu(4u) * M * N;
  var v = 0.0;
  for (var s = 0u; s < splits; s++) { v += T[s * per + z * M * N + t]; }
  store(z, t / N, t % N, v);
}`,
    buffers: [...g.buffers, { slot: slot(T), access: 'read' }],
    params: params(M, N, K, splits, batches),
    groups: [Math.ceil((M * N) / 64), 1, batches],
  });
}
