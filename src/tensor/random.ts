/**
 * The seeded random number generator behind every random function (rand, randn, dropout, init, shuffling,
 * augmentation). xoshiro128** seeded through splitmix32: fast, 2^128 period, and reproducible across platforms.
 */

export interface RngState {
  s: [number, number, number, number];
  /** The second value of the last polar-method pair, kept so randn streams are identical however they are split into calls. */
  spare: number | null;
}

function splitmix32(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class Generator {
  private s = new Uint32Array(4);
  private spare: number | null = null;

  constructor(seed = Date.now()) {
    this.manualSeed(seed);
  }

  /** Resets the stream; equal seeds give equal streams. Accepts any safe integer. */
  manualSeed(seed: number): this {
    if (!Number.isSafeInteger(seed)) throw new Error(`manualSeed: seed must be a safe integer, got ${seed}`);
    const hi = Math.floor(seed / 2 ** 32);
    const next = splitmix32((seed >>> 0) ^ Math.imul(hi, 0x27d4eb2d));
    for (let i = 0; i < 4; i++) this.s[i] = next();
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
    this.spare = null;
    return this;
  }

  /** Next raw 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of randomness. */
  random(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Standard normal (Marsaglia's polar method; values come in pairs, the second kept for the next call). */
  normal(): number {
    const out = new Float32Array(1);
    this.fillNormal(out);
    return out[0];
  }

  /**
   * Fills `out` with U(low, high) — the same stream as out.length calls of random(), with the state in locals
   * (an order of magnitude faster for large tensors).
   */
  fillUniform(out: Float32Array, low = 0, high = 1): void {
    const st = this.s;
    let s0 = st[0],
      s1 = st[1],
      s2 = st[2],
      s3 = st[3];
    const span = high - low;
    for (let i = 0; i < out.length; i++) {
      const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = rotl(s3, 11);
      out[i] = low + span * (r / 4294967296);
    }
    st[0] = s0;
    st[1] = s1;
    st[2] = s2;
    st[3] = s3;
  }

  /**
   * Fills `out` with N(mean, std²) by Marsaglia's polar method: pairs (u, v) uniform in the unit disc give two
   * normals u·f and v·f with f = √(−2 ln s / s), s = u² + v². Equal to out.length calls of normal().
   */
  fillNormal(out: Float32Array, mean = 0, std = 1): void {
    let i = 0;
    if (this.spare !== null && out.length > 0) {
      out[i++] = mean + std * this.spare;
      this.spare = null;
    }
    const st = this.s;
    let s0 = st[0],
      s1 = st[1],
      s2 = st[2],
      s3 = st[3];
    while (i < out.length) {
      let u = 0,
        v = 0,
        sq = 0;
      do {
        let r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
        let t = s1 << 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = rotl(s3, 11);
        u = (r / 4294967296) * 2 - 1;
        r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
        t = s1 << 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = rotl(s3, 11);
        v = (r / 4294967296) * 2 - 1;
        sq = u * u + v * v;
      } while (sq >= 1 || sq === 0);
      const f = Math.sqrt((-2 * Math.log(sq)) / sq);
      out[i++] = mean + std * u * f;
      if (i < out.length) out[i++] = mean + std * v * f;
      else this.spare = v * f;
    }
    st[0] = s0;
    st[1] = s1;
    st[2] = s2;
    st[3] = s3;
  }

  /** Uniform integer in [low, high). */
  randint(low: number, high: number): number {
    return low + Math.floor(this.random() * (high - low));
  }

  getState(): RngState {
    return { s: [this.s[0], this.s[1], this.s[2], this.s[3]], spare: this.spare };
  }

  setState(state: RngState): void {
    for (let i = 0; i < 4; i++) this.s[i] = state.s[i] >>> 0;
    this.spare = state.spare;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** The default generator used by every random function unless one is passed explicitly. */
export const defaultGenerator = new Generator(0x5eed);

/** Seeds the default generator: every later random call (and later dropout, init, shuffling) becomes reproducible. */
export function manualSeed(seed: number): void {
  defaultGenerator.manualSeed(seed);
}

export function getRngState(): RngState {
  return defaultGenerator.getState();
}

export function setRngState(state: RngState): void {
  defaultGenerator.setState(state);
}
