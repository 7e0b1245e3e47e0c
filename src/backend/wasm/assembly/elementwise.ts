// Pointwise kernels. Binary ops walk a collapsed broadcast (rank ≤ 8: shape and per-input strides) with a SIMD
// inner loop when the last dim is contiguous or broadcast; parts are ranges of rows (all dims but the last).
// Unary functions compute in f64 and round once, as the js reference does, so results match it exactly except
// for the last-ulp differences of transcendental functions (exp, log, tanh).
import { BinaryArgs, CastArgs, FillArgs, UnaryArgs, UnaryBackwardArgs } from './args.generated';

export const MAX_RANK: i32 = 8;

// Op codes: generated from ../interface.json (the JS side gets the same numbers). BIN_COPY is out = a, a strided
// copy (transpose, broadcast, slice); bit-exact, so it serves int32 tensors too.
import {
  BIN_ADD as ADD, BIN_SUB as SUB, BIN_MUL as MUL, BIN_DIV as DIV, BIN_MAXIMUM as MAXIMUM, BIN_MINIMUM as MINIMUM,
  BIN_EQ as EQ, BIN_NE as NE, BIN_LT as LT, BIN_LE as LE, BIN_GT as GT, BIN_GE as GE, BIN_COPY as COPY,
  UN_NEG as NEG, UN_EXP as EXP, UN_LOG as LOG, UN_SQRT as SQRT, UN_RSQRT as RSQRT, UN_ABS as ABS, UN_RELU as RELU,
  UN_RELU6 as RELU6, UN_LEAKY_RELU as LEAKY, UN_ELU as ELU, UN_SIGMOID as SIGMOID, UN_TANH as TANH, UN_SILU as SILU,
  UN_HARDSWISH as HARDSWISH, UN_HARDSIGMOID as HARDSIGMOID, UN_CLAMP as CLAMP,
} from './codes.generated';

// @ts-ignore: decorator
@inline function binV(op: i32, a: v128, b: v128): v128 {
  const one = f32x4.splat(1);
  switch (op) {
    case ADD: return f32x4.add(a, b);
    case SUB: return f32x4.sub(a, b);
    case MUL: return f32x4.mul(a, b);
    case DIV: return f32x4.div(a, b);
    case MAXIMUM: return f32x4.max(a, b);
    case MINIMUM: return f32x4.min(a, b);
    case EQ: return v128.and(f32x4.eq(a, b), one);
    case NE: return v128.and(f32x4.ne(a, b), one);
    case LT: return v128.and(f32x4.lt(a, b), one);
    case LE: return v128.and(f32x4.le(a, b), one);
    case GT: return v128.and(f32x4.gt(a, b), one);
    case GE: return v128.and(f32x4.ge(a, b), one);
    case COPY: return a;
    default: unreachable(); return a;
  }
}

// @ts-ignore: decorator
@inline function binS(op: i32, a: f32, b: f32): f32 {
  return f32x4.extract_lane(binV(op, f32x4.splat(a), f32x4.splat(b)), 0);
}

/** n outputs: out[j] = a[j·la] op b[j·lb] (strides in elements). */
function stretch(op: i32, out: usize, a: usize, la: i32, b: usize, lb: i32, n: i32): void {
  let j = 0;
  if (la == 1 && lb == 1) {
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      v128.store(out + o, binV(op, v128.load(a + o), v128.load(b + o)));
    }
  } else if (la == 1 && lb == 0) {
    const bv = v128.load32_splat(b);
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      v128.store(out + o, binV(op, v128.load(a + o), bv));
    }
  } else if (la == 0 && lb == 1) {
    const av = v128.load32_splat(a);
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      v128.store(out + o, binV(op, av, v128.load(b + o)));
    }
  }
  for (; j < n; j++) {
    store<f32>(out + (<usize>j << 2), binS(op, load<f32>(a + (<usize>(j * la) << 2)), load<f32>(b + (<usize>(j * lb) << 2))));
  }
}

/** a op b in f64 (exact for int32 operands; float32 results rounded once, as the js kernels). */
// @ts-ignore: decorator
@inline function binD(op: i32, a: f64, b: f64): f64 {
  switch (op) {
    case ADD: return a + b;
    case SUB: return a - b;
    case MUL: return a * b;
    case DIV: return a / b;
    case MAXIMUM: return a != a || b != b ? NaN : Math.max(a, b);
    case MINIMUM: return a != a || b != b ? NaN : Math.min(a, b);
    case EQ: return a == b ? 1 : 0;
    case NE: return a != b ? 1 : 0;
    case LT: return a < b ? 1 : 0;
    case LE: return a <= b ? 1 : 0;
    case GT: return a > b ? 1 : 0;
    case GE: return a >= b ? 1 : 0;
    default: unreachable(); return a;
  }
}

/**
 * n outputs with an int32 operand (scalar): int32 results for add/sub/mul/maximum/minimum of two int32s (wrapping,
 * as torch), else float32 (binaryResultDType in kernels.ts).
 */
function stretchMixed(op: i32, out: usize, a: usize, la: i32, b: usize, lb: i32, n: i32, intA: bool, intB: bool, intOut: bool): void {
  for (let j = 0; j < n; j++) {
    const pa = a + (<usize>(j * la) << 2), pb = b + (<usize>(j * lb) << 2);
    const po = out + (<usize>j << 2);
    if (intOut) {
      const x = load<i32>(pa), y = load<i32>(pb);
      store<i32>(po, op == ADD ? x + y : op == SUB ? x - y : op == MUL ? x * y : op == MAXIMUM ? max(x, y) : min(x, y));
    } else {
      const x: f64 = intA ? <f64>load<i32>(pa) : <f64>load<f32>(pa);
      const y: f64 = intB ? <f64>load<i32>(pb) : <f64>load<f32>(pb);
      store<f32>(po, <f32>binD(op, x, y));
    }
  }
}

/** out = a op b over a collapsed strided shape (rank ≤ 8): `per` rows per part (elements when rank is 1). */
export function binaryPart(args: usize, part: i32, thread: i32): void {
  const g = changetype<BinaryArgs>(args);
  const op = g.op;
  const mixed = g.intA || g.intB;
  const intA = g.intA, intB = g.intB, intOut = g.intOut;
  const out = g.out, a = g.a, b = g.b;
  const rank = g.rank;
  const last = rank - 1;
  const n = g.shape(last);
  if (rank == 1) {
    // One stretch: parts are element ranges.
    const per1 = g.per;
    const i0 = part * per1;
    const cnt = min(n, i0 + per1) - i0;
    if (cnt <= 0) return;
    const la1 = g.stridesA(0), lb1 = g.stridesB(0);
    if (mixed) stretchMixed(op, out + (<usize>i0 << 2), a + (<usize>(i0 * la1) << 2), la1, b + (<usize>(i0 * lb1) << 2), lb1, cnt, intA, intB, intOut);
    else stretch(op, out + (<usize>i0 << 2), a + (<usize>(i0 * la1) << 2), la1, b + (<usize>(i0 * lb1) << 2), lb1, cnt);
    return;
  }
  let rows = 1;
  for (let d = 0; d < last; d++) rows *= g.shape(d);
  const per = g.per;
  const r0 = part * per;
  const r1 = min(rows, r0 + per);
  if (r0 >= r1) return;
  // Offsets of row r0: decompose it over the outer dims.
  let ia = 0, ib = 0;
  let rem = r0;
  for (let d = last - 1; d >= 0; d--) {
    const size = g.shape(d);
    const q = rem % size;
    rem /= size;
    ia += q * g.stridesA(d);
    ib += q * g.stridesB(d);
  }
  const la = g.stridesA(last), lb = g.stridesB(last);
  for (let r = r0; r < r1; r++) {
    if (mixed) stretchMixed(op, out + (<usize>(r * n) << 2), a + (<usize>ia << 2), la, b + (<usize>ib << 2), lb, n, intA, intB, intOut);
    else stretch(op, out + (<usize>(r * n) << 2), a + (<usize>ia << 2), la, b + (<usize>ib << 2), lb, n);
    // Advance to row r+1: bump the innermost outer dim, carrying.
    let carry = r + 1;
    for (let d = last - 1; d >= 0; d--) {
      const size = g.shape(d);
      ia += g.stridesA(d);
      ib += g.stridesB(d);
      if (carry % size != 0) break;
      ia -= size * g.stridesA(d);
      ib -= size * g.stridesB(d);
      carry /= size;
    }
  }
}


// @ts-ignore: decorator
@inline function sigmoid(x: f64): f64 {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

function unaryF(op: i32, x: f64, p0: f64, p1: f64): f64 {
  switch (op) {
    case NEG: return -x;
    case EXP: return Math.exp(x);
    case LOG: return Math.log(x);
    case SQRT: return Math.sqrt(x);
    case RSQRT: return 1 / Math.sqrt(x);
    case ABS: return Math.abs(x);
    case RELU: return x > 0 || x != x ? x : 0; // NaN stays NaN, as torch.relu
    case RELU6: return x <= 0 ? 0 : x >= 6 ? 6 : x;
    case LEAKY: return x > 0 ? x : x * p0;
    case ELU: return x > 0 ? x : p0 * Math.expm1(x);
    case SIGMOID: return sigmoid(x);
    case TANH: return Math.tanh(x);
    case SILU: return x * sigmoid(x);
    case HARDSWISH: return x <= -3 ? 0 : x >= 3 ? x : (x * (x + 3)) / 6;
    case HARDSIGMOID: return x <= -3 ? 0 : x >= 3 ? 1 : x / 6 + 0.5;
    case CLAMP: return x < p0 ? p0 : x > p1 ? p1 : x;
    default: unreachable(); return x;
  }
}

function unaryDf(op: i32, x: f64, y: f64, p0: f64, p1: f64): f64 {
  switch (op) {
    case NEG: return -1;
    case EXP: return y;
    case LOG: return 1 / x;
    case SQRT: return 0.5 / y;
    case RSQRT: return -0.5 * y * y * y;
    case ABS: return x > 0 ? 1 : x < 0 ? -1 : x; // Math.sign (keeps ±0 and NaN)
    case RELU: return x > 0 ? 1 : 0;
    case RELU6: return x > 0 && x < 6 ? 1 : 0;
    case LEAKY: return x > 0 ? 1 : p0;
    case ELU: return x > 0 ? 1 : p0 * Math.exp(x);
    case SIGMOID: return y * (1 - y);
    case TANH: return 1 - y * y;
    case SILU: {
      const s = sigmoid(x);
      return s * (1 + x * (1 - s));
    }
    case HARDSWISH: return x < -3 ? 0 : x <= 3 ? x / 3 + 0.5 : 1;
    case HARDSIGMOID: return x > -3 && x < 3 ? 1.0 / 6.0 : 0;
    case CLAMP: return x >= p0 && x <= p1 ? 1 : 0;
    default: unreachable(); return 0;
  }
}

/** out = f(x) elementwise, `per` elements per part; p0, p1: the function's parameters (alpha, clamp bounds). */
export function unaryPart(args: usize, part: i32, thread: i32): void {
  const a = changetype<UnaryArgs>(args);
  const op = a.op;
  const out = a.out, x = a.x, n = a.n, per = a.per;
  const p0 = a.p0, p1 = a.p1;
  const i0 = part * per;
  const i1 = min(n, i0 + per);
  let i = i0;
  if (op == RELU) {
    const z = f32x4.splat(0);
    for (; i + 4 <= i1; i += 4) {
      const o = <usize>i << 2;
      const v = v128.load(x + o);
      // x > 0 ? x : 0, NaN kept (as torch.relu and the js kernel)
      v128.store(out + o, v128.and(v, v128.or(f32x4.gt(v, z), f32x4.ne(v, v))));
    }
  } else if (op == NEG) {
    for (; i + 4 <= i1; i += 4) {
      const o = <usize>i << 2;
      v128.store(out + o, f32x4.neg(v128.load(x + o)));
    }
  }
  for (; i < i1; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, <f32>unaryF(op, <f64>load<f32>(x + o), p0, p1));
  }
}

/** out = dy == 0 ? 0 : dy·f'(x) (y = f(x) given), `per` elements per part. */
export function unaryBackwardPart(args: usize, part: i32, thread: i32): void {
  const a = changetype<UnaryBackwardArgs>(args);
  const op = a.op;
  const out = a.out, x = a.x, y = a.y, dy = a.dy;
  const n = a.n, per = a.per;
  const p0 = a.p0, p1 = a.p1;
  const i0 = part * per;
  const i1 = min(n, i0 + per);
  let i = i0;
  if (op == RELU) {
    const z = f32x4.splat(0);
    const one = f32x4.splat(1);
    for (; i + 4 <= i1; i += 4) {
      const o = <usize>i << 2;
      // dy·(x > 0 ? 1 : 0), and +0 where dy == 0, exactly as the scalar rule
      const d = v128.load(dy + o);
      const slope = v128.and(f32x4.gt(v128.load(x + o), z), one);
      v128.store(out + o, v128.and(f32x4.mul(d, slope), f32x4.ne(d, z)));
    }
  }
  for (; i < i1; i++) {
    const o = <usize>i << 2;
    const d = <f64>load<f32>(dy + o);
    store<f32>(out + o, d == 0 ? 0 : <f32>(d * unaryDf(op, <f64>load<f32>(x + o), <f64>load<f32>(y + o), p0, p1)));
  }
}

/** out[0..n) = value, `per` elements per part. */
export function fillPart(args: usize, part: i32, thread: i32): void {
  const a = changetype<FillArgs>(args);
  const out = a.out, n = a.n, per = a.per;
  const v = a.value;
  const i0 = part * per;
  const i1 = min(n, i0 + per);
  // int32: the value's own bits (an f32 cannot carry every int32).
  const vv = a.int ? i32x4.splat(a.ivalue) : f32x4.splat(v);
  let i = i0;
  for (; i + 4 <= i1; i += 4) v128.store(out + (<usize>i << 2), vv);
  for (; i < i1; i++) store<i32>(out + (<usize>i << 2), i32x4.extract_lane(vv, 0));
}

/**
 * float32 → int32 (toInt) as the js kernel: truncation toward zero, then wrapped modulo 2^32 (JavaScript's
 * ToInt32: NaN and ±Infinity give 0); int32 → float32 rounded to nearest.
 */
export function castPart(args: usize, part: i32, thread: i32): void {
  const a = changetype<CastArgs>(args);
  const i0 = part * a.per, i1 = min(a.n, i0 + a.per);
  for (let i = i0; i < i1; i++) {
    const o = <usize>i << 2;
    if (a.toInt) {
      const t = Math.trunc(<f64>load<f32>(a.x + o));
      let r: i32 = 0;
      if (isFinite(t)) {
        if (t >= -2147483648 && t <= 2147483647) r = <i32>t;
        else {
          const m = t % 4294967296;
          r = <i32><u32>(m < 0 ? m + 4294967296 : m);
        }
      }
      store<i32>(a.out + o, r);
    } else {
      store<f32>(a.out + o, <f32>load<i32>(a.x + o));
    }
  }
}
