/** IEEE 754 half precision (binary16) and bfloat16 to numbers; shared by the safetensors, PyTorch checkpoint and ONNX readers. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

const bf16Bits = new Uint32Array(1);
const bf16Value = new Float32Array(bf16Bits.buffer);

/** bfloat16 (the top 16 bits of a float32) to a number. */
export function bf16ToFloat(h: number): number {
  bf16Bits[0] = (h & 0xffff) << 16;
  return bf16Value[0];
}
