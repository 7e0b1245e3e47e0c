/**
 * The 2-D toy sets of ConvNetJS's classify2d and TensorFlow Playground: spiral, circles, XOR and clusters, in
 * [-1, 1]², two classes, from the library's seeded generator (the same seed, the same points).
 */
import { Generator } from '../../../src/index.js';

export const TOY_SETS = ['spiral', 'circles', 'xor', 'clusters'] as const;
export type ToySet = (typeof TOY_SETS)[number];

export interface Points {
  /** [x0, y0, x1, y1, ...] in [-1, 1]. */
  xy: number[];
  /** 0 or 1 per point. */
  labels: number[];
}

export function toySet(kind: ToySet, n: number, noise: number, seed: number): Points {
  const g = new Generator(seed);
  const xy: number[] = [];
  const labels: number[] = [];
  const add = (x: number, y: number, c: number) => {
    xy.push(Math.max(-1, Math.min(1, x + noise * g.normal())), Math.max(-1, Math.min(1, y + noise * g.normal())));
    labels.push(c);
  };
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    if (kind === 'spiral') {
      // Two interleaved arms, one and a half turns each.
      const t = (Math.floor(i / 2) / Math.ceil(n / 2)) * 3 * Math.PI;
      const r = 0.1 + (0.8 * t) / (3 * Math.PI);
      add(r * Math.cos(t + c * Math.PI), r * Math.sin(t + c * Math.PI), c);
    } else if (kind === 'circles') {
      const a = 2 * Math.PI * g.random();
      const r = c === 0 ? 0.35 * g.random() : 0.6 + 0.3 * g.random();
      add(r * Math.cos(a), r * Math.sin(a), c);
    } else if (kind === 'xor') {
      const x = 2 * g.random() - 1;
      const y = 2 * g.random() - 1;
      xy.push(x, y);
      labels.push(x * y > 0 ? 0 : 1);
    } else {
      // Two Gaussian blobs: separable by a line (the case a network without hidden units can already learn).
      const m = c === 0 ? -0.4 : 0.4;
      add(m + 0.25 * g.normal(), m + 0.25 * g.normal(), c);
    }
  }
  return { xy, labels };
}

/** What is wrong with a toy-data setting (e.g. from a link): the set, the number of points and the noise. */
export function toyDataErrors(c: { toySet?: string; points?: number; noise?: number }): string[] {
  const errs: string[] = [];
  if (!TOY_SETS.includes(c.toySet as ToySet)) errs.push(`data set: one of ${TOY_SETS.join(', ')}, got '${c.toySet}'`);
  if (!(Number.isInteger(c.points) && c.points! >= 2 && c.points! <= 2000)) errs.push(`points: an integer in 2…2000, got ${c.points}`);
  if (!(typeof c.noise === 'number' && c.noise >= 0 && c.noise <= 0.5)) errs.push(`noise: in [0, 0.5], got ${c.noise}`);
  return errs;
}
