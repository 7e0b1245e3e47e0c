/**
 * Images in and out of tensors, the same in Node and in browsers: PNG and JPEG bytes decode with pure-JS decoders
 * (fast-png, jpeg-js), so a file gives identical pixels everywhere; browser objects (File/Blob, ImageData, <img>,
 * <canvas>, OffscreenCanvas, ImageBitmap) are read through a canvas. Header sizes are checked before decoding, so a
 * small file cannot claim gigabytes.
 */
import { decode as decodePng } from 'fast-png';
import { decode as decodeJpeg } from 'jpeg-js';
import { tensor } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { FormatError } from '../io/format_error.js';

/** An image that cannot be decoded or is over the size limit; the message names the file. */
export class ImageError extends FormatError {
  constructor(message: string) {
    super('image', message);
    this.name = 'ImageError';
  }
}

/** Decoded pixels: `width × height` RGBA bytes, row-major. */
export interface RgbaImage {
  width: number;
  height: number;
  rgba: Uint8Array;
}

/** Anything `readImage` accepts. Browser types are structural so this compiles (and runs) in Node too. */
export type ImageSource = Uint8Array | ArrayBuffer | Blob | RgbaImage | ImageDataLike | CanvasImageSourceLike;

interface ImageDataLike {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}
/** HTMLImageElement, HTMLCanvasElement, OffscreenCanvas, ImageBitmap, VideoFrame: drawn onto a canvas to read. */
type CanvasImageSourceLike = { width: number; height: number } & object;

export interface DecodeOptions {
  /** Refuse images with more pixels than this (default 64 M, ~256 MB of RGBA): decompression bombs. */
  maxPixels?: number;
}

const DEFAULT_MAX_PIXELS = 64 * 2 ** 20;

function isPng(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
}

function isJpeg(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0xff && b[1] === 0xd8;
}

function checkSize(width: number, height: number, name: string, maxPixels: number): void {
  if (!(width > 0 && height > 0)) throw new ImageError(`${name}: cannot decode image (header gives size ${width}×${height})`);
  if (width * height > maxPixels) {
    throw new ImageError(
      `${name}: image is ${width}×${height} (${((width * height) / 2 ** 20).toFixed(1)} M pixels), over the limit of ${(maxPixels / 2 ** 20).toFixed(0)} M (maxPixels)`,
    );
  }
}

/** PNG size from its IHDR chunk (bytes 16–23), read before anything is inflated. */
function pngHeaderSize(b: Uint8Array, name: string): [number, number] {
  if (b.length < 33 || String.fromCharCode(b[12], b[13], b[14], b[15]) !== 'IHDR')
    throw new ImageError(`${name}: cannot decode image (PNG has no IHDR chunk: truncated or corrupt)`);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return [v.getUint32(16), v.getUint32(20)];
}

/** JPEG size from its first start-of-frame marker. */
function jpegHeaderSize(b: Uint8Array, name: string): [number, number] {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) throw new ImageError(`${name}: cannot decode image (corrupt JPEG: no marker at byte ${i})`);
    const marker = b[i + 1];
    if (marker === 0xff) {
      i++;
      continue;
    }
    const len = (b[i + 2] << 8) | b[i + 3];
    // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return [(b[i + 7] << 8) | b[i + 8], (b[i + 5] << 8) | b[i + 6]];
    }
    if (len < 2) throw new ImageError(`${name}: cannot decode image (corrupt JPEG: segment length ${len} at byte ${i})`);
    i += 2 + len;
  }
  throw new ImageError(`${name}: cannot decode image (JPEG has no frame header: truncated or corrupt)`);
}

/** fast-png's output (1–4 channels, 1–16 bits, or a palette) as RGBA8. */
function pngToRgba(png: ReturnType<typeof decodePng>, name: string): Uint8Array {
  const { width, height, channels, depth } = png;
  const n = width * height;
  const out = new Uint8Array(n * 4);
  if (png.palette) {
    const idx = unpackBits(png.data as Uint8Array, width, height, depth);
    const pal = png.palette;
    for (let p = 0; p < n; p++) {
      const c = pal[idx[p]];
      if (!c) throw new ImageError(`${name}: PNG palette index ${idx[p]} out of range (${pal.length} colours)`);
      out[p * 4] = c[0];
      out[p * 4 + 1] = c[1];
      out[p * 4 + 2] = c[2];
      out[p * 4 + 3] = c.length > 3 ? (c[3] as number) : 255;
    }
    return out;
  }
  const src = depth < 8 ? unpackBits(png.data as Uint8Array, width * channels, height, depth, true) : png.data;
  const shift = depth === 16 ? 8 : 0;
  if (src.length < n * channels) throw new ImageError(`${name}: PNG pixel data is short (${src.length} of ${n * channels} values)`);
  for (let p = 0; p < n; p++) {
    const s = p * channels;
    const g = src[s] >> shift;
    if (channels <= 2) {
      out[p * 4] = out[p * 4 + 1] = out[p * 4 + 2] = g;
      out[p * 4 + 3] = channels === 2 ? src[s + 1] >> shift : 255;
    } else {
      out[p * 4] = g;
      out[p * 4 + 1] = src[s + 1] >> shift;
      out[p * 4 + 2] = src[s + 2] >> shift;
      out[p * 4 + 3] = channels === 4 ? src[s + 3] >> shift : 255;
    }
  }
  return out;
}

/** Unpacks rows of 1/2/4-bit samples (each row padded to a byte); `scale` maps grey levels onto 0–255. */
function unpackBits(data: Uint8Array, perRow: number, rows: number, depth: number, scale = false): Uint8Array {
  if (depth === 8) return data;
  const out = new Uint8Array(perRow * rows);
  const rowBytes = Math.ceil((perRow * depth) / 8);
  const mask = (1 << depth) - 1;
  const mul = scale ? 255 / mask : 1;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < perRow; c++) {
      const bit = c * depth;
      const v = (data[r * rowBytes + (bit >> 3)] >> (8 - depth - (bit & 7))) & mask;
      out[r * perRow + c] = v * mul;
    }
  }
  return out;
}

/**
 * Decodes PNG or JPEG bytes to RGBA (identical pixels in Node and browsers).
 *
 * Args: bytes — the file's contents; name — used in error messages; opts.maxPixels — size limit.
 * Example: `const { width, height, rgba } = await data.decodeImage(bytes, 'digit.png');`
 */
export async function decodeImage(bytes: Uint8Array | ArrayBuffer, name = 'image', opts: DecodeOptions = {}): Promise<RgbaImage> {
  return decodeImageSync(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes), name, opts);
}

/** `decodeImage`, synchronously. */
export function decodeImageSync(bytes: Uint8Array, name = 'image', opts: DecodeOptions = {}): RgbaImage {
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (isPng(bytes)) {
    const [w, h] = pngHeaderSize(bytes, name);
    checkSize(w, h, name, maxPixels);
    let png;
    try {
      png = decodePng(bytes);
    } catch (e) {
      throw new ImageError(`${name}: cannot decode PNG (${(e as Error).message})`);
    }
    if (png.width !== w || png.height !== h) throw new ImageError(`${name}: PNG decoded to ${png.width}×${png.height}, header says ${w}×${h}`);
    return { width: w, height: h, rgba: pngToRgba(png, name) };
  }
  if (isJpeg(bytes)) {
    const [w, h] = jpegHeaderSize(bytes, name);
    checkSize(w, h, name, maxPixels);
    try {
      const img = decodeJpeg(bytes, {
        useTArray: true,
        formatAsRGBA: true,
        maxResolutionInMP: maxPixels / 1e6,
        maxMemoryUsageInMB: Math.ceil((maxPixels * 8) / 2 ** 20),
      });
      return { width: img.width, height: img.height, rgba: img.data };
    } catch (e) {
      throw new ImageError(`${name}: cannot decode JPEG (${(e as Error).message})`);
    }
  }
  throw new ImageError(`${name}: not a PNG or JPEG file (first bytes ${[...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ')})`);
}

function isBlob(x: unknown): x is Blob {
  return typeof Blob !== 'undefined' && x instanceof Blob;
}

/** Reads a drawable browser object (img, canvas, ImageBitmap, …) through a canvas. */
function drawToRgba(src: CanvasImageSourceLike, name: string): RgbaImage {
  const w = (src as { naturalWidth?: number }).naturalWidth || src.width;
  const h = (src as { naturalHeight?: number }).naturalHeight || src.height;
  if (!(w > 0 && h > 0)) throw new ImageError(`${name}: image has size ${w}×${h} (not loaded yet? await img.decode() first)`);
  const ctx = makeContext(w, h, name);
  ctx.drawImage(src as CanvasImageSource, 0, 0);
  const d = ctx.getImageData(0, 0, w, h);
  return { width: w, height: h, rgba: new Uint8Array(d.data.buffer, d.data.byteOffset, d.data.byteLength) };
}

function makeContext(w: number, h: number, name: string): OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D {
  if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(w, h).getContext('2d', { willReadFrequently: true })!;
  if (typeof document !== 'undefined') {
    const c = document.createElement('canvas');
    c.width = w;
    c.height = h;
    return c.getContext('2d', { willReadFrequently: true })!;
  }
  throw new ImageError(`${name}: reading this kind of image needs a browser canvas; in Node, pass PNG or JPEG bytes`);
}

/**
 * Any image source as RGBA pixels.
 *
 * Args: source — PNG/JPEG bytes (Uint8Array, ArrayBuffer), a File or Blob (PNG/JPEG decoded exactly; other formats
 * through the browser's decoder), ImageData, an <img> (loaded), <canvas>, OffscreenCanvas or ImageBitmap.
 * Example: `const img = await data.readImage(fileInput.files[0]);`
 */
export async function readImage(source: ImageSource, opts: DecodeOptions & { name?: string } = {}): Promise<RgbaImage> {
  const name = opts.name ?? (isBlob(source) && 'name' in source ? String((source as File).name) : 'image');
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) return decodeImage(source, name, opts);
  if (isBlob(source)) {
    const bytes = new Uint8Array(await source.arrayBuffer());
    if (isPng(bytes) || isJpeg(bytes) || typeof createImageBitmap === 'undefined') return decodeImageSync(bytes, name, opts);
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(source);
    } catch (e) {
      throw new ImageError(`${name}: the browser cannot decode this image (${(e as Error).message})`);
    }
    checkSize(bitmap.width, bitmap.height, name, opts.maxPixels ?? DEFAULT_MAX_PIXELS);
    return drawToRgba(bitmap, name);
  }
  if ('rgba' in source && source.rgba instanceof Uint8Array) return source as RgbaImage;
  if ('data' in source && source.data instanceof Uint8ClampedArray) {
    const d = source as ImageDataLike;
    if (d.data.length !== d.width * d.height * 4) throw new ImageError(`${name}: ImageData has ${d.data.length} bytes for ${d.width}×${d.height} RGBA`);
    return { width: d.width, height: d.height, rgba: new Uint8Array(d.data.buffer, d.data.byteOffset, d.data.byteLength) };
  }
  return drawToRgba(source as CanvasImageSourceLike, name);
}

/**
 * RGBA → planar [C, H, W] values, resized bilinearly (pixel centres, as PIL's and torchvision's bilinear without
 * antialiasing) when `size` differs; grayscale (ITU-R 601 luma) when channels = 1.
 */
export function rgbaToPlanar(img: RgbaImage, channels: 1 | 3, size: [number, number] | undefined, write: (index: number, value: number) => void): void {
  const { width: w, height: h, rgba } = img;
  const [H, W] = size ?? [h, w];
  for (let r = 0; r < H; r++) {
    const sy = Math.min(Math.max(((r + 0.5) * h) / H - 0.5, 0), h - 1);
    const y0 = Math.floor(sy),
      y1 = Math.min(y0 + 1, h - 1),
      fy = sy - y0;
    for (let c = 0; c < W; c++) {
      const sx = Math.min(Math.max(((c + 0.5) * w) / W - 0.5, 0), w - 1);
      const x0 = Math.floor(sx),
        x1 = Math.min(x0 + 1, w - 1),
        fx = sx - x0;
      const px = (ch: number) => {
        const at = (y: number, x: number) => rgba[(y * w + x) * 4 + ch];
        return (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x1)) + fy * ((1 - fx) * at(y1, x0) + fx * at(y1, x1));
      };
      if (channels === 1) write(r * W + c, 0.299 * px(0) + 0.587 * px(1) + 0.114 * px(2));
      else for (let ch = 0; ch < 3; ch++) write((ch * H + r) * W + c, px(ch));
    }
  }
}

export interface ImageToTensorOptions extends DecodeOptions {
  /** Resize to [H, W] (bilinear); default the image's own size. */
  size?: [number, number];
  /** 3 (RGB, default) or 1 (grayscale). */
  channels?: 1 | 3;
  name?: string;
}

/**
 * An image as a float32 tensor [C, H, W] with values in [0, 1] (torchvision's `ToTensor`).
 *
 * Shape: out [channels, H, W]. Example: `const x = (await data.imageToTensor(file, { size: [28, 28], channels: 1 })).unsqueeze(0);`
 */
export async function imageToTensor(source: ImageSource, opts: ImageToTensorOptions = {}): Promise<Tensor> {
  const img = await readImage(source, opts);
  const channels = opts.channels ?? 3;
  const [H, W] = opts.size ?? [img.height, img.width];
  const out = new Float32Array(channels * H * W);
  rgbaToPlanar(img, channels, opts.size, (i, v) => (out[i] = v / 255));
  return tensor(out, [channels, H, W]);
}

export interface ToImageDataOptions {
  /** Values mapped to 0 and 255: a fixed [lo, hi], or 'minmax' (default) to stretch this tensor's own range. */
  range?: [number, number] | 'minmax';
}

/**
 * A tensor [C, H, W] (C = 1, 3 or 4) or [H, W] as RGBA pixels — an `ImageData` where the host has one (draw it with
 * `ctx.putImageData`), else `{ width, height, data }`. For filters and activations, 'minmax' stretches the range.
 */
export function tensorToImageData(t: Tensor, opts: ToImageDataOptions = {}): ImageData | ImageDataLike {
  const shape = t.shape.length === 2 ? [1, ...t.shape] : t.shape;
  if (shape.length !== 3 || ![1, 3, 4].includes(shape[0]))
    throw new Error(`tensorToImageData: expected a [C, H, W] tensor with C = 1, 3 or 4, or [H, W]; got [${t.shape.join(', ')}]`);
  const [C, H, W] = shape;
  const v = t.data();
  let lo: number, hi: number;
  if (opts.range === undefined || opts.range === 'minmax') {
    lo = Infinity;
    hi = -Infinity;
    for (const x of v) {
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = [0, 1];
  } else [lo, hi] = opts.range;
  const scale = hi > lo ? 255 / (hi - lo) : 0;
  const data = new Uint8ClampedArray(W * H * 4);
  for (let p = 0; p < H * W; p++) {
    for (let ch = 0; ch < 3; ch++) data[p * 4 + ch] = (v[(C === 1 ? 0 : ch) * H * W + p] - lo) * scale;
    data[p * 4 + 3] = C === 4 ? (v[3 * H * W + p] - lo) * scale : 255;
  }
  return typeof ImageData !== 'undefined' ? new ImageData(data, W, H) : { width: W, height: H, data };
}
