/**
 * A drawing made MNIST-like, as the dataset's own preprocessing did (LeCun et al.): the ink's bounding box scaled so
 * its longer side is 20 pixels (aspect kept, area-averaged), placed in a 28×28 image so that its centre of mass is
 * at the centre. Without this a digit drawn small or off-centre is misread. Pure code: Node tests it.
 */

/**
 * Args: ink — the drawing's grey levels in [0, 1] (1 = ink), row-major, size × size.
 * Returns: 784 values in [0, 1] (28×28), or null when there is no ink.
 */
export function toMnist(ink: ArrayLike<number>, size: number): Float32Array | null {
  let top = size;
  let bottom = -1;
  let left = size;
  let right = -1;
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++)
      if (ink[y * size + x] > 0.05) {
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
        left = Math.min(left, x);
        right = Math.max(right, x);
      }
  if (bottom < 0) return null;
  const bw = right - left + 1;
  const bh = bottom - top + 1;
  const scale = 20 / Math.max(bw, bh);
  const w = Math.max(1, Math.round(bw * scale));
  const hgt = Math.max(1, Math.round(bh * scale));
  // Area-average the box into w × hgt cells.
  const small = new Float32Array(w * hgt);
  for (let y = 0; y < hgt; y++)
    for (let x = 0; x < w; x++) {
      const y0 = top + (y * bh) / hgt;
      const y1 = top + ((y + 1) * bh) / hgt;
      const x0 = left + (x * bw) / w;
      const x1 = left + ((x + 1) * bw) / w;
      let sum = 0;
      let area = 0;
      for (let sy = Math.floor(y0); sy < Math.ceil(y1); sy++)
        for (let sx = Math.floor(x0); sx < Math.ceil(x1); sx++) {
          const a = (Math.min(y1, sy + 1) - Math.max(y0, sy)) * (Math.min(x1, sx + 1) - Math.max(x0, sx));
          sum += a * ink[sy * size + sx];
          area += a;
        }
      small[y * w + x] = sum / area;
    }
  // Centre of mass of the scaled ink → the image centre (14, 14), rounded to whole pixels.
  let mass = 0;
  let cy = 0;
  let cx = 0;
  for (let y = 0; y < hgt; y++)
    for (let x = 0; x < w; x++) {
      const v = small[y * w + x];
      mass += v;
      cy += v * (y + 0.5);
      cx += v * (x + 0.5);
    }
  const oy = Math.round(14 - cy / mass);
  const ox = Math.round(14 - cx / mass);
  const out = new Float32Array(784);
  for (let y = 0; y < hgt; y++)
    for (let x = 0; x < w; x++) {
      const ty = y + oy;
      const tx = x + ox;
      if (ty >= 0 && ty < 28 && tx >= 0 && tx < 28) out[ty * 28 + tx] = Math.min(1, small[y * w + x]);
    }
  return out;
}
