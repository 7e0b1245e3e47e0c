// Single-threaded packed GEMM with a 4×8 f32x4 register micro-kernel (the shape V8 keeps entirely in 16 xmm
// registers; 5×8 and 6×8 spill and run at ~60% of its speed). C = op(A)·op(B) (+ C when accumulating).
// Strides are in elements; op(A)[i,k] = transA ? A[k·lda + i] : A[i·lda + k], likewise for B.

export const MR: i32 = 4;
export const NR: i32 = 8;
export const KC: i32 = 256;
export const MC: i32 = 64;
export const NC: i32 = 512;

/** Bytes of scratch one thread needs for packing: A block, B block and an edge tile. */
export const GEMM_SCRATCH_BYTES: i32 = (MC * KC + KC * NC + MR * NR) * 4;

function packA(a: usize, lda: i32, transA: bool, i0: i32, mc: i32, k0: i32, kc: i32, dst: usize): void {
  for (let ip = 0; ip < mc; ip += MR) {
    const rows = min(MR, mc - ip);
    if (!transA) {
      for (let r = 0; r < MR; r++) {
        let d = dst + (<usize>r << 2);
        if (r < rows) {
          let s = a + ((<usize>(i0 + ip + r) * <usize>lda + <usize>k0) << 2);
          for (let k = 0; k < kc; k++) {
            store<f32>(d, load<f32>(s));
            s += 4;
            d += <usize>MR << 2;
          }
        } else {
          for (let k = 0; k < kc; k++) {
            store<f32>(d, 0);
            d += <usize>MR << 2;
          }
        }
      }
    } else {
      // Stored transposed: rows of op(A) are contiguous columns of A, so copy MR at a time along each stored row.
      let d = dst;
      for (let k = 0; k < kc; k++) {
        const s = a + ((<usize>(k0 + k) * <usize>lda + <usize>(i0 + ip)) << 2);
        if (rows == MR) {
          v128.store(d, v128.load(s));
        } else {
          for (let r = 0; r < MR; r++) store<f32>(d + (<usize>r << 2), r < rows ? load<f32>(s + (<usize>r << 2)) : 0);
        }
        d += <usize>MR << 2;
      }
    }
    dst += <usize>(MR * kc) << 2;
  }
}

function packB(b: usize, ldb: i32, transB: bool, k0: i32, kc: i32, j0: i32, nc: i32, dst: usize): void {
  for (let jp = 0; jp < nc; jp += NR) {
    const cols = min(NR, nc - jp);
    if (!transB) {
      let s = b + ((<usize>k0 * <usize>ldb + <usize>(j0 + jp)) << 2);
      const step = <usize>ldb << 2;
      let d = dst;
      if (cols == NR) {
        for (let k = 0; k < kc; k++) {
          v128.store(d, v128.load(s));
          v128.store(d, v128.load(s, 16), 16);
          s += step;
          d += <usize>NR << 2;
        }
      } else {
        for (let k = 0; k < kc; k++) {
          for (let c = 0; c < NR; c++) store<f32>(d + (<usize>c << 2), c < cols ? load<f32>(s + (<usize>c << 2)) : 0);
          s += step;
          d += <usize>NR << 2;
        }
      }
    } else {
      // op(B)[k, j] = B[j·ldb + k]: each of the panel's columns is a contiguous run of B.
      for (let c = 0; c < NR; c++) {
        let d = dst + (<usize>c << 2);
        if (c < cols) {
          let s = b + ((<usize>(j0 + jp + c) * <usize>ldb + <usize>k0) << 2);
          for (let k = 0; k < kc; k++) {
            store<f32>(d, load<f32>(s));
            s += 4;
            d += <usize>NR << 2;
          }
        } else {
          for (let k = 0; k < kc; k++) {
            store<f32>(d, 0);
            d += <usize>NR << 2;
          }
        }
      }
    }
    dst += <usize>(NR * kc) << 2;
  }
}

/**
 * c + a·b: one fused multiply-add where the module is built with relaxed SIMD (f32x4.relaxed_madd: an FMA on x86
 * with FMA3 and on ARM), else a multiply then an add, bit-identical to the plain-SIMD build.
 */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

// @ts-ignore: decorator
@inline function kernel4x8(kc: i32, ap: usize, bp: usize, c: usize, ldcBytes: usize, accumulate: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(ap, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(ap, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(ap, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    ap += 16;
    bp += 32;
  }
  if (accumulate) {
    c00 = f32x4.add(v128.load(c), c00);
    c01 = f32x4.add(v128.load(c, 16), c01);
    c10 = f32x4.add(v128.load(c + ldcBytes), c10);
    c11 = f32x4.add(v128.load(c + ldcBytes, 16), c11);
    c20 = f32x4.add(v128.load(c + 2 * ldcBytes), c20);
    c21 = f32x4.add(v128.load(c + 2 * ldcBytes, 16), c21);
    c30 = f32x4.add(v128.load(c + 3 * ldcBytes), c30);
    c31 = f32x4.add(v128.load(c + 3 * ldcBytes, 16), c31);
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  c += ldcBytes;
  v128.store(c, c10);
  v128.store(c, c11, 16);
  c += ldcBytes;
  v128.store(c, c20);
  v128.store(c, c21, 16);
  c += ldcBytes;
  v128.store(c, c30);
  v128.store(c, c31, 16);
}

// The 4×8 kernel reading A in place (row-major, stride lda): no packing of A, which pays off when few columns of
// B share each packed row block (N ≤ 32: late conv layers, batch-1 inference).
// @ts-ignore: decorator
@inline function kernel4x8Direct(kc: i32, a: usize, ldaBytes: usize, bp: usize, c: usize, ldcBytes: usize, accumulate: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let a0 = a, a1 = a + ldaBytes, a2 = a + 2 * ldaBytes, a3 = a + 3 * ldaBytes;
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let v = v128.load32_splat(a0);
    c00 = madd(v, b0, c00);
    c01 = madd(v, b1, c01);
    v = v128.load32_splat(a1);
    c10 = madd(v, b0, c10);
    c11 = madd(v, b1, c11);
    v = v128.load32_splat(a2);
    c20 = madd(v, b0, c20);
    c21 = madd(v, b1, c21);
    v = v128.load32_splat(a3);
    c30 = madd(v, b0, c30);
    c31 = madd(v, b1, c31);
    a0 += 4;
    a1 += 4;
    a2 += 4;
    a3 += 4;
    bp += 32;
  }
  if (accumulate) {
    c00 = f32x4.add(v128.load(c), c00);
    c01 = f32x4.add(v128.load(c, 16), c01);
    c10 = f32x4.add(v128.load(c + ldcBytes), c10);
    c11 = f32x4.add(v128.load(c + ldcBytes, 16), c11);
    c20 = f32x4.add(v128.load(c + 2 * ldcBytes), c20);
    c21 = f32x4.add(v128.load(c + 2 * ldcBytes, 16), c21);
    c30 = f32x4.add(v128.load(c + 3 * ldcBytes), c30);
    c31 = f32x4.add(v128.load(c + 3 * ldcBytes, 16), c31);
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  c += ldcBytes;
  v128.store(c, c10);
  v128.store(c, c11, 16);
  c += ldcBytes;
  v128.store(c, c20);
  v128.store(c, c21, 16);
  c += ldcBytes;
  v128.store(c, c30);
  v128.store(c, c31, 16);
}

/** A partial edge tile: compute into `tile` (MR×NR) and add/copy the valid rows×cols into C. */
function edgeTile(kc: i32, ap: usize, bp: usize, c: usize, ldc: i32, rows: i32, cols: i32, accumulate: bool, tile: usize): void {
  kernel4x8(kc, ap, bp, tile, <usize>NR << 2, false);
  for (let r = 0; r < rows; r++) {
    const crow = c + (<usize>(r * ldc) << 2);
    const trow = tile + (<usize>(r * NR) << 2);
    for (let j = 0; j < cols; j++) {
      const v = load<f32>(trow + (<usize>j << 2));
      const p = crow + (<usize>j << 2);
      store<f32>(p, accumulate ? load<f32>(p) + v : v);
    }
  }
}

/**
 * C[m×n] (+)= op(A)[m×k] · op(B)[k×n]; `scratch` holds GEMM_SCRATCH_BYTES. With `bPacked` true, b already holds
 * B in the packed layout (panels of NR columns, [k][NR] inside a panel, zero-padded: see packedOffset) and ldb is
 * ignored.
 */
export function gemm(
  m: i32, n: i32, k: i32,
  a: usize, lda: i32, transA: bool,
  b: usize, ldb: i32, transB: bool,
  c: usize, ldc: i32, accumulate: bool,
  scratch: usize, bPacked: bool = false,
): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate) for (let i = 0; i < m; i++) memory.fill(c + (<usize>(i * ldc) << 2), 0, <usize>n << 2);
    return;
  }
  const pa = scratch;
  const pb = pa + (<usize>(MC * KC) << 2);
  const tile = pb + (<usize>(KC * NC) << 2);
  const ldcBytes = <usize>ldc << 2;
  if (!transA && n <= 32) {
    gemmNarrow(m, n, k, a, lda, b, ldb, transB, c, ldc, accumulate, pa, pb, tile, bPacked);
    return;
  }
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nc = min(NC, n - j0);
    for (let k0 = 0; k0 < k; k0 += KC) {
      const kc = min(KC, k - k0);
      const acc = accumulate || k0 > 0;
      if (!bPacked) packB(b, ldb, transB, k0, kc, j0, nc, pb);
      for (let i0 = 0; i0 < m; i0 += MC) {
        const mc = min(MC, m - i0);
        packA(a, lda, transA, i0, mc, k0, kc, pa);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = min(NR, nc - jr);
          const bp = bPacked ? b + packedOffset(k, j0 + jr, k0) : pb + (<usize>(jr * kc) << 2);
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = min(MR, mc - ir);
            const ap = pa + (<usize>(ir * kc) << 2);
            const cp = c + ((<usize>(i0 + ir) * <usize>ldc + <usize>(j0 + jr)) << 2);
            if (rows == MR && cols == NR) kernel4x8(kc, ap, bp, cp, ldcBytes, acc);
            else edgeTile(kc, ap, bp, cp, ldc, rows, cols, acc, tile);
          }
        }
      }
    }
  }
}

/** C (+)= A·op(B) for n ≤ 32 (so one packed B block holds every column): A read in place, rows in steps of 4. */
function gemmNarrow(
  m: i32, n: i32, k: i32, a: usize, lda: i32, b: usize, ldb: i32, transB: bool,
  c: usize, ldc: i32, accumulate: bool, pa: usize, pb: usize, tile: usize, bPacked: bool,
): void {
  const ldaBytes = <usize>lda << 2;
  const ldcBytes = <usize>ldc << 2;
  const mFull = m & ~(MR - 1);
  for (let k0 = 0; k0 < k; k0 += KC) {
    const kc = min(KC, k - k0);
    const acc = accumulate || k0 > 0;
    if (!bPacked) packB(b, ldb, transB, k0, kc, 0, n, pb);
    for (let jr = 0; jr < n; jr += NR) {
      const cols = min(NR, n - jr);
      const bp = bPacked ? b + packedOffset(k, jr, k0) : pb + (<usize>(jr * kc) << 2);
      for (let i = 0; i < mFull; i += MR) {
        const ap = a + ((<usize>i * <usize>lda + <usize>k0) << 2);
        const cp = c + ((<usize>i * <usize>ldc + <usize>jr) << 2);
        if (cols == NR) {
          kernel4x8Direct(kc, ap, ldaBytes, bp, cp, ldcBytes, acc);
        } else {
          kernel4x8Direct(kc, ap, ldaBytes, bp, tile, <usize>NR << 2, false);
          for (let r = 0; r < MR; r++) {
            for (let j = 0; j < cols; j++) {
              const v = load<f32>(tile + (<usize>(r * NR + j) << 2));
              const q = cp + (<usize>r * ldcBytes) + (<usize>j << 2);
              store<f32>(q, acc ? load<f32>(q) + v : v);
            }
          }
        }
      }
      if (mFull < m) {
        // The last rows (fewer than 4): pack them, zero-padded, and use the edge tile.
        packA(a, lda, false, mFull, m - mFull, k0, kc, pa);
        edgeTile(kc, pa, bp, c + ((<usize>mFull * <usize>ldc + <usize>jr) << 2), ldc, m - mFull, cols, acc, tile);
      }
    }
  }
}

/** Byte offset of row k0 of the panel holding column j (a multiple of NR) in a pre-packed B with k rows. */
// @ts-ignore: decorator
@inline export function packedOffset(k: i32, j: i32, k0: i32): usize {
  return (<usize>(j >> 3) * <usize>k * <usize>NR + <usize>k0 * <usize>NR) << 2;
}
