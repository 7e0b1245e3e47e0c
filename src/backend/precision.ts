/**
 * How much float32 precision fast kernels may trade for speed, named after PyTorch's
 * `torch.set_float32_matmul_precision`. 'highest' (the default) keeps every kernel within the PyTorch-parity
 * tolerance (1e-5 relative); 'high' and 'medium' let the wasm backend compute 3×3 convolutions by Winograd
 * F(4×4, 3×3), and weight gradients by Winograd too, whose errors reach ~2e-5 relative (bench/NOTES.md).
 */
export type Float32Precision = 'highest' | 'high' | 'medium';

let current: Float32Precision = 'highest';

/**
 * Sets the float32 precision of convolutions and matrix products (as `torch.set_float32_matmul_precision`).
 *
 * Args:
 *   precision: 'highest' (default): algorithms within the parity tolerance only; 'high' or 'medium': also faster
 *     ones with a larger rounding error (on wasm: Winograd F(4×4, 3×3) for 3×3 stride-1 convolutions, and
 *     Winograd weight gradients).
 *
 * Example:
 *   setFloat32MatmulPrecision('high'); // faster ResNet inference on the wasm backend
 */
export function setFloat32MatmulPrecision(precision: Float32Precision): void {
  if (precision !== 'highest' && precision !== 'high' && precision !== 'medium') {
    throw new Error(`setFloat32MatmulPrecision: expected 'highest', 'high' or 'medium', got '${String(precision)}'`);
  }
  current = precision;
}

/** The precision set by setFloat32MatmulPrecision ('highest' unless changed). */
export function getFloat32MatmulPrecision(): Float32Precision {
  return current;
}
