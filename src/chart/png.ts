/**
 * A minimal PNG encoder for small images drawn inside figures (augmented samples, filters): 8-bit grayscale or RGB,
 * stored without compression (deflate's "stored" blocks), so it needs no zlib and runs the same in Node and browsers.
 * Images of a few thousand pixels are what it is for; the data URL goes into a Vega-Lite image mark.
 */

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (const x of bytes) {
    a = (a + x) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** zlib stream of stored (uncompressed) deflate blocks. */
function zlibStored(raw: Uint8Array): Uint8Array {
  const blocks = Math.max(1, Math.ceil(raw.length / 65535));
  const out = new Uint8Array(2 + raw.length + blocks * 5 + 4);
  out[0] = 0x78;
  out[1] = 0x01;
  let o = 2;
  for (let i = 0; i < blocks; i++) {
    const part = raw.subarray(i * 65535, Math.min(raw.length, (i + 1) * 65535));
    out[o] = i === blocks - 1 ? 1 : 0;
    out[o + 1] = part.length & 0xff;
    out[o + 2] = part.length >>> 8;
    out[o + 3] = ~part.length & 0xff;
    out[o + 4] = (~part.length >>> 8) & 0xff;
    out.set(part, o + 5);
    o += 5 + part.length;
  }
  new DataView(out.buffer).setUint32(o, adler32(raw));
  return out;
}

/**
 * Encodes 8-bit pixels as a PNG file.
 * Args: pixels — row-major, `channels` values per pixel (1: gray, 3: RGB), each 0–255; width, height.
 * Example: const png = encodePng(new Uint8Array(28 * 28), 28, 28, 1);
 */
export function encodePng(pixels: Uint8Array, width: number, height: number, channels: 1 | 3): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    throw new Error(`encodePng: width and height must be positive integers, got ${width}×${height}`);
  if (pixels.length !== width * height * channels)
    throw new Error(`encodePng: expected ${width}×${height}×${channels} = ${width * height * channels} values, got ${pixels.length}`);
  const stride = width * channels;
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1); // filter 0
  const header = new Uint8Array(13);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, width);
  hv.setUint32(4, height);
  header[8] = 8;
  header[9] = channels === 1 ? 0 : 2;
  const parts = [new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', zlibStored(raw)), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * A planar image [C, H, W] of floats as a PNG data URL, mapped linearly from [lo, hi] to 0–255 (clamped).
 * Example: pngDataUrl(x.data().subarray(0, 784), [1, 28, 28], 0, 1)
 */
export function pngDataUrl(planar: ArrayLike<number>, shape: readonly [number, number, number], lo: number, hi: number): string {
  const [c, h, w] = shape;
  if (c !== 1 && c !== 3) throw new Error(`pngDataUrl: expected 1 or 3 channels, got ${c}`);
  if (planar.length !== c * h * w) throw new Error(`pngDataUrl: expected ${c}×${h}×${w} values, got ${planar.length}`);
  const px = new Uint8Array(h * w * c);
  for (let ch = 0; ch < c; ch++)
    for (let i = 0; i < h * w; i++) px[i * c + ch] = Math.max(0, Math.min(255, Math.round(((planar[ch * h * w + i] - lo) / (hi - lo)) * 255)));
  const png = encodePng(px, w, h, c);
  let bin = '';
  for (const b of png) bin += String.fromCharCode(b);
  return `data:image/png;base64,${btoa(bin)}`;
}
