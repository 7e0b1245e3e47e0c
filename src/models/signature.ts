/**
 * A state dict's architecture signature: a hash of its sorted `name:shape` lines, with the classifier's output size
 * left out (so a fine-tuned head still matches) and BatchNorm's `num_batches_tracked` ignored (often filtered out).
 * Used by `identify` to tell which zoo model a PyTorch or safetensors file is for.
 */

/** FNV-1a, 32 bits, as 8 hex digits. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/**
 * Args: shapes — state-dict name → shape; head — the classifier's weight name (its first dimension, and its bias's,
 *   are the number of classes).
 * Returns: the signature, or null when the head is not in the dict.
 */
export function stateDictSignature(shapes: Readonly<Record<string, readonly number[]>>, head: string): string | null {
  const headShape = shapes[head];
  if (!headShape) return null;
  const bias = head.replace(/weight$/, 'bias');
  const lines = Object.keys(shapes)
    .filter((k) => !k.endsWith('num_batches_tracked'))
    .sort()
    .map((k) => {
      const s = shapes[k];
      return `${k}:${k === head || k === bias ? ['*', ...s.slice(1)].join('x') : s.join('x')}`;
    });
  return `${fnv1a(lines.join('\n'))}-${lines.length}`;
}
