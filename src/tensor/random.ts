/**
 * The seeded random number generator behind every random function (rand, randn, dropout, init, shuffling,
 * augmentation). xoshiro128** seeded through splitmix32: fast, 2^128 period, and reproducible across platforms.
 */

export interface RngState {
  s: [number, number, number, number];
  /** The second Box–Muller value, kept so randn streams are identical however they are split into calls. */
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

  /** Standard normal via Box–Muller. */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.random();
    const v = this.random();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
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
