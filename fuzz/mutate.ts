/**
 * Mutations of seed files, drawn by fast-check from a seed so every campaign is reproducible: bit flips, byte sets,
 * truncation, splices with another seed, dictionary tokens, and the values that break size arithmetic (0, −1,
 * 2³¹−1, 2³², 2⁵³ …) written into binary fields (1–8 bytes, either endianness, or a protobuf varint) and into the
 * numbers of text (JSON shapes, tar's octal sizes).
 */
import fc from 'fast-check';
import { Rng, type Structured } from './structured.js';
import { concat, latin1 } from './bytes.js';

/** Values that overflow, wrap or zero size arithmetic. */
export const INTERESTING = [0, 1, -1, 2, 7, 8, 255, 256, 0x7fff, 0xffff, 0x10000, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53, 2 ** 53 + 2, -(2 ** 31)];

export type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'delete'; at: number; len: number }
  | { kind: 'duplicate'; at: number; len: number; to: number }
  | { kind: 'splice'; seed: number; from: number; len: number; at: number }
  | { kind: 'token'; token: number; at: number; replace: boolean }
  | { kind: 'int'; at: number; value: number; width: 1 | 2 | 4 | 8; little: boolean }
  | { kind: 'varint'; at: number; value: number; len: number }
  | { kind: 'number'; which: number; value: number; radix: 8 | 10 }
  | { kind: 'structured'; r: number };

/** Positions are fractions of the input's length so one plan applies to any seed; uniform, not biased to 0. */
const pos = fc.noBias(fc.integer({ min: 0, max: 2 ** 30 - 1 })).map((v) => v / 2 ** 30);
const value = fc.oneof(fc.constantFrom(...INTERESTING), fc.integer({ min: -1000, max: 100_000 }));

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('structured' as const), r: fc.noBias(fc.nat()) }), weight: 3 },
  fc.record({ kind: fc.constant('flip' as const), at: pos, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: pos, value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: pos }),
  fc.record({ kind: fc.constant('delete' as const), at: pos, len: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: pos, len: fc.integer({ min: 1, max: 256 }), to: pos }),
  fc.record({ kind: fc.constant('splice' as const), seed: fc.nat(), from: pos, len: fc.integer({ min: 1, max: 512 }), at: pos }),
  fc.record({ kind: fc.constant('token' as const), token: fc.nat(), at: pos, replace: fc.boolean() }),
  fc.record({
    kind: fc.constant('int' as const),
    at: pos,
    value,
    width: fc.constantFrom(1 as const, 2 as const, 4 as const, 8 as const),
    little: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('varint' as const), at: pos, value, len: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ kind: fc.constant('number' as const), which: fc.nat(), value, radix: fc.constantFrom(8 as const, 10 as const) }),
);

/** One fuzz input: which seed, and 1–4 mutations stacked on it. */
export interface Plan {
  seed: number;
  mutations: Mutation[];
}

const structuredArb = fc.record({ kind: fc.constant('structured' as const), r: fc.noBias(fc.nat()) });

/** Half the plans change only structure (so the container stays valid and the hostile value reaches the parser). */
export const planArb: fc.Arbitrary<Plan> = fc.oneof(
  fc.record({ seed: fc.nat(), mutations: fc.array(structuredArb, { minLength: 1, maxLength: 3 }) }),
  fc.record({ seed: fc.nat(), mutations: fc.array(mutationArb, { minLength: 1, maxLength: 4 }) }),
);

function intBytes(value: number, width: number, little: boolean): Uint8Array {
  const out = new Uint8Array(width);
  let v = BigInt.asUintN(width * 8, BigInt(Math.trunc(value)));
  for (let i = 0; i < width; i++) {
    out[little ? i : width - 1 - i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

function varint(value: number): Uint8Array {
  let v = BigInt.asUintN(64, BigInt(Math.trunc(value)));
  const out: number[] = [];
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v ? b | 0x80 : b);
  } while (v);
  return Uint8Array.from(out);
}

/** Runs of ASCII digits in the first 64 KiB (where headers live): the numbers of a text header. */
function numberSpans(b: Uint8Array): [number, number][] {
  const spans: [number, number][] = [];
  const n = Math.min(b.length, 65536);
  for (let i = 0; i < n; i++) {
    if (b[i] >= 48 && b[i] <= 57) {
      let j = i;
      while (j < n && b[j] >= 48 && b[j] <= 57) j++;
      spans.push([i, j]);
      i = j;
    }
  }
  return spans;
}

function applyOne(b: Uint8Array, m: Mutation, seeds: readonly Uint8Array[], dictionary: readonly Uint8Array[], structured?: Structured): Uint8Array {
  const at = (f: number) => Math.floor(f * b.length);
  switch (m.kind) {
    case 'structured':
      try {
        return structured ? structured(b, new Rng(m.r)) : b;
      } catch {
        return b; // a mutator that cannot parse what earlier mutations left leaves it alone
      }
    case 'flip': {
      if (!b.length) return b;
      const out = b.slice();
      out[at(m.at)] ^= 1 << m.bit;
      return out;
    }
    case 'set': {
      if (!b.length) return b;
      const out = b.slice();
      out[at(m.at)] = m.value;
      return out;
    }
    case 'truncate':
      return b.slice(0, at(m.at));
    case 'delete':
      return concat(b.subarray(0, at(m.at)), b.subarray(at(m.at) + m.len));
    case 'duplicate': {
      const chunk = b.subarray(at(m.at), at(m.at) + m.len);
      return concat(b.subarray(0, at(m.to)), chunk, b.subarray(at(m.to)));
    }
    case 'splice': {
      const other = seeds[m.seed % seeds.length];
      const from = Math.floor(m.from * other.length);
      return concat(b.subarray(0, at(m.at)), other.subarray(from, from + m.len), b.subarray(at(m.at)));
    }
    case 'token': {
      if (!dictionary.length) return b;
      const tok = dictionary[m.token % dictionary.length];
      const p = at(m.at);
      return concat(b.subarray(0, p), tok, b.subarray(m.replace ? p + tok.length : p));
    }
    case 'int': {
      const p = at(m.at);
      if (p + m.width > b.length) return b;
      const out = b.slice();
      out.set(intBytes(m.value, m.width, m.little), p);
      return out;
    }
    case 'varint': {
      const p = at(m.at);
      return concat(b.subarray(0, p), varint(m.value), b.subarray(Math.min(b.length, p + m.len)));
    }
    case 'number': {
      const spans = numberSpans(b);
      if (!spans.length) return b;
      const [s, e] = spans[m.which % spans.length];
      const text = m.value < 0 && m.radix === 10 ? String(m.value) : Math.abs(m.value).toString(m.radix);
      // Octal fields (tar) keep their width; decimal ones (JSON) take the number's own length.
      const body = m.radix === 8 ? text.padStart(e - s, '0').slice(-(e - s)) : text;
      return concat(b.subarray(0, s), new TextEncoder().encode(body), b.subarray(e));
    }
  }
}

/** The input a plan describes. */
export function applyPlan(plan: Plan, seeds: readonly Uint8Array[], dictionary: readonly Uint8Array[], structured?: Structured): Uint8Array {
  let b = seeds[plan.seed % seeds.length];
  for (const m of plan.mutations) b = applyOne(b, m, seeds, dictionary, structured);
  return b;
}

/** Dictionary tokens as bytes (written in the targets as latin-1 strings, so '\xff' is the byte 0xff). */
export function tokenBytes(tokens: readonly string[]): Uint8Array[] {
  return tokens.map(latin1);
}
