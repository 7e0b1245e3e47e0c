// Small PNG/JPEG files for the image tests (Node and browser): an RGBA gradient (PNG and JPEG), a 4-bit palette PNG
// and a 16-bit grayscale PNG. Run: node scripts/gen_image_fixtures.mjs (outputs are committed under test/fixtures/images).
import { writeFileSync } from 'node:fs';
import { encode as encodePng } from 'fast-png';
import jpeg from 'jpeg-js';

const dir = new URL('../test/fixtures/images/', import.meta.url);
const w = 23,
  h = 17;
const rgba = new Uint8Array(w * h * 4);
for (let y = 0; y < h; y++) {
  for (let x = 0; x < w; x++) rgba.set([(x * 255) / (w - 1), (y * 255) / (h - 1), (x * y) % 256, 128 + ((x + y) % 128)], (y * w + x) * 4);
}
writeFileSync(new URL('gradient.png', dir), encodePng({ width: w, height: h, data: rgba, channels: 4, depth: 8 }));
writeFileSync(new URL('gradient.jpg', dir), jpeg.encode({ data: rgba, width: w, height: h }, 90).data);
const palette = [
  [0, 0, 0],
  [255, 0, 0],
  [0, 255, 0],
  [0, 0, 255],
  [255, 255, 0],
  [0, 255, 255],
  [255, 0, 255],
  [128, 128, 128],
];
const packed = new Uint8Array(Math.ceil(w / 2) * h);
for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) packed[y * Math.ceil(w / 2) + (x >> 1)] |= ((x + 2 * y) % 8) << (x & 1 ? 0 : 4);
writeFileSync(new URL('palette.png', dir), encodePng({ width: w, height: h, data: packed, channels: 1, depth: 4, palette }));
const gray = new Uint16Array(w * h);
for (let i = 0; i < gray.length; i++) gray[i] = (i * 997) % 65536;
writeFileSync(new URL('gray16.png', dir), encodePng({ width: w, height: h, data: gray, channels: 1, depth: 16 }));
