/**
 * Cache-blocked single-precision GEMM in plain TypeScript: C (+)= A·B.
 * Operands are addressed through (row stride, column stride), so transposed views cost nothing: packing
 * copies KC×NC panels of B and MC×KC panels of A into contiguous buffers, and a 4×4 register-blocked
 * micro-kernel accumulates in float64 locals (what V8 keeps in registers) before rounding to float32 once.
 */

const MR = 4;
const NR = 4;
const KC = 256;
const MC = 64;
const NC = 512;

export interface MatView {
  data: Float32Array;
  offset: number;
  rowStride: number;
  colStride: number;
}

let packA = new Float32Array(MC * KC);
let packB = new Float32Array(KC * NC);

/** C[cOff + i*ldc + j] = (accumulate ? C : 0) + Σ_k A(i,k)·B(k,j), for i < M, j < N. */
export function gemm(M: number, N: number, K: number, A: MatView, B: MatView, C: Float32Array, cOff: number, ldc: number, accumulate: boolean): void {
  if (M === 0 || N === 0) return;
  if (K === 0) {
    if (!accumulate) for (let i = 0; i < M; i++) C.fill(0, cOff + i * ldc, cOff + i * ldc + N);
    return;
  }
  for (let jc = 0; jc < N; jc += NC) {
    const nc = Math.min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = Math.min(KC, K - pc);
      packPanelB(B, pc, kc, jc, nc);
      const overwrite = pc === 0 && !accumulate;
      for (let ic = 0; ic < M; ic += MC) {
        const mc = Math.min(MC, M - ic);
        packPanelA(A, ic, mc, pc, kc);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = Math.min(NR, nc - jr);
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = Math.min(MR, mc - ir);
            micro(kc, ir * kc, jr * kc, C, cOff + (ic + ir) * ldc + jc + jr, ldc, mr, nr, overwrite);
          }
        }
      }
    }
  }
}

/** Packs rows [ic, ic+mc) × cols [pc, pc+kc) of A as MR-row slivers, k-major, zero-padded. */
function packPanelA(A: MatView, ic: number, mc: number, pc: number, kc: number): void {
  const { data, offset, rowStride, colStride } = A;
  const dst = packA;
  for (let ir = 0; ir < mc; ir += MR) {
    const base = ir * kc;
    const rows = Math.min(MR, mc - ir);
    for (let r = 0; r < MR; r++) {
      if (r < rows) {
        let src = offset + (ic + ir + r) * rowStride + pc * colStride;
        for (let k = 0; k < kc; k++, src += colStride) dst[base + k * MR + r] = data[src];
      } else for (let k = 0; k < kc; k++) dst[base + k * MR + r] = 0;
    }
  }
}

/** Packs rows [pc, pc+kc) × cols [jc, jc+nc) of B as NR-column slivers, k-major, zero-padded. */
function packPanelB(B: MatView, pc: number, kc: number, jc: number, nc: number): void {
  const { data, offset, rowStride, colStride } = B;
  const dst = packB;
  for (let jr = 0; jr < nc; jr += NR) {
    const base = jr * kc;
    const cols = Math.min(NR, nc - jr);
    for (let c = 0; c < NR; c++) {
      if (c < cols) {
        let src = offset + pc * rowStride + (jc + jr + c) * colStride;
        for (let k = 0; k < kc; k++, src += rowStride) dst[base + k * NR + c] = data[src];
      } else for (let k = 0; k < kc; k++) dst[base + k * NR + c] = 0;
    }
  }
}

function micro(kc: number, aBase: number, bBase: number, C: Float32Array, c: number, ldc: number, mr: number, nr: number, overwrite: boolean): void {
  const a = packA;
  const b = packB;
  let c00 = 0,
    c01 = 0,
    c02 = 0,
    c03 = 0;
  let c10 = 0,
    c11 = 0,
    c12 = 0,
    c13 = 0;
  let c20 = 0,
    c21 = 0,
    c22 = 0,
    c23 = 0;
  let c30 = 0,
    c31 = 0,
    c32 = 0,
    c33 = 0;
  let ai = aBase;
  let bi = bBase;
  for (let k = 0; k < kc; k++, ai += 4, bi += 4) {
    const a0 = a[ai],
      a1 = a[ai + 1],
      a2 = a[ai + 2],
      a3 = a[ai + 3];
    const b0 = b[bi],
      b1 = b[bi + 1],
      b2 = b[bi + 2],
      b3 = b[bi + 3];
    c00 += a0 * b0;
    c01 += a0 * b1;
    c02 += a0 * b2;
    c03 += a0 * b3;
    c10 += a1 * b0;
    c11 += a1 * b1;
    c12 += a1 * b2;
    c13 += a1 * b3;
    c20 += a2 * b0;
    c21 += a2 * b1;
    c22 += a2 * b2;
    c23 += a2 * b3;
    c30 += a3 * b0;
    c31 += a3 * b1;
    c32 += a3 * b2;
    c33 += a3 * b3;
  }
  if (mr === 4 && nr === 4) {
    if (overwrite) {
      C[c] = c00;
      C[c + 1] = c01;
      C[c + 2] = c02;
      C[c + 3] = c03;
      c += ldc;
      C[c] = c10;
      C[c + 1] = c11;
      C[c + 2] = c12;
      C[c + 3] = c13;
      c += ldc;
      C[c] = c20;
      C[c + 1] = c21;
      C[c + 2] = c22;
      C[c + 3] = c23;
      c += ldc;
      C[c] = c30;
      C[c + 1] = c31;
      C[c + 2] = c32;
      C[c + 3] = c33;
    } else {
      C[c] += c00;
      C[c + 1] += c01;
      C[c + 2] += c02;
      C[c + 3] += c03;
      c += ldc;
      C[c] += c10;
      C[c + 1] += c11;
      C[c + 2] += c12;
      C[c + 3] += c13;
      c += ldc;
      C[c] += c20;
      C[c + 1] += c21;
      C[c + 2] += c22;
      C[c + 3] += c23;
      c += ldc;
      C[c] += c30;
      C[c + 1] += c31;
      C[c + 2] += c32;
      C[c + 3] += c33;
    }
    return;
  }
  const acc = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
  for (let r = 0; r < mr; r++) {
    for (let q = 0; q < nr; q++) {
      const v = acc[r * 4 + q];
      C[c + r * ldc + q] = overwrite ? v : C[c + r * ldc + q] + v;
    }
  }
}

/** Grows the packing buffers if a caller changes the blocking (kept for symmetry with the wasm backend). */
export function _resetPackBuffers(): void {
  packA = new Float32Array(MC * KC);
  packB = new Float32Array(KC * NC);
}
