/**
 * Batch transforms with per-sample randomness from a seeded Generator: a transform maps a float32 NCHW batch to a new
 * one. Compose them with compose(...). Geometry uses bilinear sampling and zero fill unless stated.
 */
import type { Generator } from '../tensor/random.js';
import type { Batch } from './dataset.js';

export interface Transform {
  /** Short description for logs, e.g. "randomCrop(32, padding=4)". */
  readonly name: string;
  apply(batch: Batch, gen: Generator): Batch;
  /** How to rebuild this transform elsewhere (a DataLoader worker); absent for custom transforms. */
  readonly spec?: TransformSpec;
}

/** A serializable description of a built-in transform: its factory's name and arguments. */
export interface TransformSpec {
  kind: string;
  args: unknown[];
}

function dims(b: Batch, who: string): [number, number, number, number] {
  if (b.shape.length !== 4) throw new Error(`${who}: expected a batch of images [B, C, H, W], got shape [${b.shape}]`);
  return b.shape as [number, number, number, number];
}

function make(name: string, apply: (b: Batch, g: Generator) => Batch, spec?: TransformSpec): Transform {
  return { name, apply, spec };
}

/** Applies transforms in order. */
export function compose(...ts: Transform[]): Transform {
  const spec = ts.every((t) => t.spec) ? { kind: 'compose', args: ts.map((t) => t.spec) } : undefined;
  return make(ts.map((t) => t.name).join(' → ') || 'identity', (b, g) => ts.reduce((acc, t) => t.apply(acc, g), b), spec);
}

/** x ← x·scale (toTensor already scales uint8 images to [0, 1]; use this for other ranges). */
export function scale(factor: number): Transform {
  return make(`scale(${factor})`, (b) => ({ ...b, x: b.x.map((v) => v * factor) }), { kind: 'scale', args: [factor] });
}

/** Per-channel (x − mean)/std, torchvision's Normalize. */
export function normalize(mean: readonly number[], std: readonly number[]): Transform {
  if (mean.length !== std.length || std.some((s) => !(s > 0))) throw new Error(`normalize: mean and std must have the same length and std > 0`);
  return make(
    `normalize(mean=[${mean}], std=[${std}])`,
    (b) => {
      const [n, c, h, w] = dims(b, 'normalize');
      if (c !== mean.length) throw new Error(`normalize: ${mean.length} channel statistics for ${c}-channel images`);
      const x = new Float32Array(b.x.length);
      const hw = h * w;
      for (let i = 0; i < n * c; i++) {
        const ch = i % c;
        for (let k = 0; k < hw; k++) x[i * hw + k] = (b.x[i * hw + k] - mean[ch]) / std[ch];
      }
      return { ...b, x };
    },
    { kind: 'normalize', args: [mean, std] },
  );
}

/** Constant zero padding of every side (e.g. MNIST 28×28 → 32×32 for LeNet-5 with pad(2)). */
export function pad(p: number): Transform {
  return make(
    `pad(${p})`,
    (b) => {
      const [n, c, h, w] = dims(b, 'pad');
      const H = h + 2 * p;
      const W = w + 2 * p;
      const x = new Float32Array(n * c * H * W);
      for (let i = 0; i < n * c; i++) {
        for (let r = 0; r < h; r++) x.set(b.x.subarray((i * h + r) * w, (i * h + r + 1) * w), (i * H + r + p) * W + p);
      }
      return { ...b, x, shape: [n, c, H, W] };
    },
    { kind: 'pad', args: [p] },
  );
}

/** Per-sample integer translation with zero fill: out(r, c) = in(r − dy, c − dx). */
function shiftImage(src: Float32Array, dst: Float32Array, off: number, c: number, h: number, w: number, dy: number, dx: number, outOff = off): void {
  for (let ch = 0; ch < c; ch++) {
    const base = off + ch * h * w;
    const obase = outOff + ch * h * w;
    for (let r = 0; r < h; r++) {
      const sr = r - dy;
      for (let col = 0; col < w; col++) {
        const sc = col - dx;
        dst[obase + r * w + col] = sr >= 0 && sr < h && sc >= 0 && sc < w ? src[base + sr * w + sc] : 0;
      }
    }
  }
}

/** ConvNetJS's random shift: each image moves by up to ±maxShift pixels in x and y (zero fill). */
export function randomTranslate(maxShift: number): Transform {
  return make(
    `randomTranslate(${maxShift})`,
    (b, g) => {
      const [n, c, h, w] = dims(b, 'randomTranslate');
      const x = new Float32Array(b.x.length);
      for (let i = 0; i < n; i++) {
        const dy = g.randint(-maxShift, maxShift + 1);
        const dx = g.randint(-maxShift, maxShift + 1);
        shiftImage(b.x, x, i * c * h * w, c, h, w, dy, dx);
      }
      return { ...b, x };
    },
    { kind: 'randomTranslate', args: [maxShift] },
  );
}

/** Pads by `padding` (zeros) and takes a random size×size crop, torchvision's RandomCrop. */
export function randomCrop(size: number, opts: { padding?: number } = {}): Transform {
  const p = opts.padding ?? 0;
  return make(
    `randomCrop(${size}, padding=${p})`,
    (b, g) => {
      const [n, c, h, w] = dims(b, 'randomCrop');
      if (size > h + 2 * p || size > w + 2 * p) throw new Error(`randomCrop: crop ${size} is larger than the padded image ${h + 2 * p}×${w + 2 * p}`);
      const x = new Float32Array(n * c * size * size);
      for (let i = 0; i < n; i++) {
        const top = g.randint(0, h + 2 * p - size + 1) - p;
        const left = g.randint(0, w + 2 * p - size + 1) - p;
        for (let ch = 0; ch < c; ch++) {
          for (let r = 0; r < size; r++) {
            for (let col = 0; col < size; col++) {
              const sr = top + r;
              const sc = left + col;
              x[((i * c + ch) * size + r) * size + col] = sr >= 0 && sr < h && sc >= 0 && sc < w ? b.x[((i * c + ch) * h + sr) * w + sc] : 0;
            }
          }
        }
      }
      return { ...b, x, shape: [n, c, size, size] };
    },
    { kind: 'randomCrop', args: [size, opts] },
  );
}

/** Mirrors each image left–right with probability p. */
export function randomHorizontalFlip(p = 0.5): Transform {
  return make(
    `randomHorizontalFlip(${p})`,
    (b, g) => {
      const [n, c, h, w] = dims(b, 'randomHorizontalFlip');
      const x = b.x.slice();
      for (let i = 0; i < n; i++) {
        if (g.random() >= p) continue;
        for (let row = 0; row < c * h; row++) {
          const base = (i * c * h + row) * w;
          for (let col = 0; col < w; col++) x[base + col] = b.x[base + w - 1 - col];
        }
      }
      return { ...b, x };
    },
    { kind: 'randomHorizontalFlip', args: [p] },
  );
}

function bilinear(src: Float32Array, base: number, h: number, w: number, y: number, x: number): number {
  if (y < -1 || y > h || x < -1 || x > w) return 0;
  const y0 = Math.floor(y);
  const x0 = Math.floor(x);
  const fy = y - y0;
  const fx = x - x0;
  const at = (r: number, c: number) => (r >= 0 && r < h && c >= 0 && c < w ? src[base + r * w + c] : 0);
  return (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1)) + fy * ((1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1));
}

/** Rotates each image by a uniform angle in [−degrees, degrees] about its centre (bilinear, zero fill). */
export function randomRotation(degrees: number): Transform {
  return make(
    `randomRotation(${degrees})`,
    (b, g) => {
      const [n, c, h, w] = dims(b, 'randomRotation');
      const x = new Float32Array(b.x.length);
      const cy = (h - 1) / 2;
      const cx = (w - 1) / 2;
      for (let i = 0; i < n; i++) {
        const a = ((g.random() * 2 - 1) * degrees * Math.PI) / 180;
        const cos = Math.cos(a);
        const sin = Math.sin(a);
        for (let ch = 0; ch < c; ch++) {
          const base = (i * c + ch) * h * w;
          for (let r = 0; r < h; r++) {
            for (let col = 0; col < w; col++) {
              const dy = r - cy;
              const dx = col - cx;
              x[base + r * w + col] = bilinear(b.x, base, h, w, cy + cos * dy - sin * dx, cx + sin * dy + cos * dx);
            }
          }
        }
      }
      return { ...b, x };
    },
    { kind: 'randomRotation', args: [degrees] },
  );
}

/**
 * torchvision's RandomResizedCrop: a crop with random area fraction in `scale` and aspect ratio in `ratio`,
 * resized (bilinear) to size×size; falls back to the whole image after 10 tries.
 */
export function randomResizedCrop(size: number, opts: { scale?: [number, number]; ratio?: [number, number] } = {}): Transform {
  const [smin, smax] = opts.scale ?? [0.08, 1];
  const [rmin, rmax] = opts.ratio ?? [3 / 4, 4 / 3];
  return make(
    `randomResizedCrop(${size}, scale=[${smin}, ${smax}])`,
    (b, g) => {
      const [n, c, h, w] = dims(b, 'randomResizedCrop');
      const x = new Float32Array(n * c * size * size);
      for (let i = 0; i < n; i++) {
        let ch = h,
          cw = w,
          top = 0,
          left = 0;
        for (let t = 0; t < 10; t++) {
          const area = h * w * (smin + (smax - smin) * g.random());
          const logr = Math.log(rmin) + (Math.log(rmax) - Math.log(rmin)) * g.random();
          const ar = Math.exp(logr);
          const cwt = Math.round(Math.sqrt(area * ar));
          const cht = Math.round(Math.sqrt(area / ar));
          if (cwt > 0 && cht > 0 && cwt <= w && cht <= h) {
            ch = cht;
            cw = cwt;
            top = g.randint(0, h - ch + 1);
            left = g.randint(0, w - cw + 1);
            break;
          }
        }
        for (let k = 0; k < c; k++) {
          const base = (i * c + k) * h * w;
          for (let r = 0; r < size; r++) {
            for (let col = 0; col < size; col++) {
              const sy = top + ((r + 0.5) * ch) / size - 0.5;
              const sx = left + ((col + 0.5) * cw) / size - 0.5;
              x[((i * c + k) * size + r) * size + col] = bilinear(b.x, base, h, w, Math.min(Math.max(sy, 0), h - 1), Math.min(Math.max(sx, 0), w - 1));
            }
          }
        }
      }
      return { ...b, x, shape: [n, c, size, size] };
    },
    { kind: 'randomResizedCrop', args: [size, opts] },
  );
}

/** Random brightness, contrast and saturation factors in [1 − s, 1 + s] per image (values clamped to [0, 1]). */
export function colorJitter(opts: { brightness?: number; contrast?: number; saturation?: number }): Transform {
  const { brightness = 0, contrast = 0, saturation = 0 } = opts;
  return make(
    `colorJitter(brightness=${brightness}, contrast=${contrast}, saturation=${saturation})`,
    (b, g) => {
      const [n, c, h, w] = dims(b, 'colorJitter');
      const hw = h * w;
      const x = b.x.slice();
      const factor = (s: number) => (s > 0 ? 1 - s + 2 * s * g.random() : 1);
      for (let i = 0; i < n; i++) {
        const base = i * c * hw;
        const fb = factor(brightness);
        const fc = factor(contrast);
        const fs = factor(saturation);
        for (let k = 0; k < c * hw; k++) x[base + k] *= fb;
        const gray = (k: number) => (c === 3 ? 0.299 * x[base + k] + 0.587 * x[base + hw + k] + 0.114 * x[base + 2 * hw + k] : x[base + k]);
        if (fc !== 1) {
          let mean = 0;
          for (let k = 0; k < hw; k++) mean += gray(k);
          mean /= hw;
          for (let k = 0; k < c * hw; k++) x[base + k] = (x[base + k] - mean) * fc + mean;
        }
        if (fs !== 1 && c === 3) {
          for (let k = 0; k < hw; k++) {
            const gv = gray(k);
            for (let ch = 0; ch < 3; ch++) x[base + ch * hw + k] = (x[base + ch * hw + k] - gv) * fs + gv;
          }
        }
        for (let k = 0; k < c * hw; k++) x[base + k] = Math.min(1, Math.max(0, x[base + k]));
      }
      return { ...b, x };
    },
    { kind: 'colorJitter', args: [opts] },
  );
}

/** Adds N(0, std²) noise to every value. */
export function gaussianNoise(std: number): Transform {
  return make(`gaussianNoise(${std})`, (b, g) => ({ ...b, x: b.x.map((v) => v + std * g.normal()) }), { kind: 'gaussianNoise', args: [std] });
}

/**
 * Random erasing / cutout: with probability p, zeroes a random rectangle covering a fraction in `scale` of the
 * image with aspect ratio in `ratio` (torchvision's RandomErasing with value 0).
 */
export function randomErasing(opts: { p?: number; scale?: [number, number]; ratio?: [number, number] } = {}): Transform {
  const { p = 0.5, scale: [smin, smax] = [0.02, 0.33], ratio: [rmin, rmax] = [0.3, 3.3] } = opts;
  return make(
    `randomErasing(p=${p})`,
    (b, g) => {
      const [n, c, h, w] = dims(b, 'randomErasing');
      const x = b.x.slice();
      for (let i = 0; i < n; i++) {
        if (g.random() >= p) continue;
        for (let t = 0; t < 10; t++) {
          const area = h * w * (smin + (smax - smin) * g.random());
          const ar = Math.exp(Math.log(rmin) + (Math.log(rmax) - Math.log(rmin)) * g.random());
          const eh = Math.round(Math.sqrt(area * ar));
          const ew = Math.round(Math.sqrt(area / ar));
          if (eh >= h || ew >= w || eh < 1 || ew < 1) continue;
          const top = g.randint(0, h - eh + 1);
          const left = g.randint(0, w - ew + 1);
          for (let ch = 0; ch < c; ch++)
            for (let r = top; r < top + eh; r++) x.fill(0, ((i * c + ch) * h + r) * w + left, ((i * c + ch) * h + r) * w + left + ew);
          break;
        }
      }
      return { ...b, x };
    },
    { kind: 'randomErasing', args: [opts] },
  );
}

/** Cutout (DeVries & Taylor): zeroes one size×size square per image at a random centre (may extend past edges). */
export function cutout(size: number): Transform {
  return make(
    `cutout(${size})`,
    (b, g) => {
      const [n, c, h, w] = dims(b, 'cutout');
      const x = b.x.slice();
      for (let i = 0; i < n; i++) {
        const cy = g.randint(0, h);
        const cx = g.randint(0, w);
        const y0 = Math.max(0, cy - Math.floor(size / 2));
        const y1 = Math.min(h, y0 + size);
        const x0 = Math.max(0, cx - Math.floor(size / 2));
        const x1 = Math.min(w, x0 + size);
        for (let ch = 0; ch < c; ch++) for (let r = y0; r < y1; r++) x.fill(0, ((i * c + ch) * h + r) * w + x0, ((i * c + ch) * h + r) * w + x1);
      }
      return { ...b, x };
    },
    { kind: 'cutout', args: [size] },
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a spec's args are checked by each factory's own validation.
const FACTORIES: Record<string, (...args: any[]) => Transform> = {
  compose: (...specs: TransformSpec[]) => compose(...specs.map(fromSpec)),
  scale,
  normalize,
  pad,
  randomTranslate,
  randomCrop,
  randomHorizontalFlip,
  randomRotation,
  randomResizedCrop,
  colorJitter,
  gaussianNoise,
  randomErasing,
  cutout,
};

/** Rebuilds a built-in transform from its spec (used by DataLoader workers). */
export function fromSpec(spec: TransformSpec): Transform {
  const f = FACTORIES[spec.kind];
  if (!f) throw new Error(`transforms.fromSpec: unknown transform '${spec.kind}'`);
  return spec.kind === 'compose' ? f(...(spec.args as TransformSpec[])) : f(...spec.args);
}
