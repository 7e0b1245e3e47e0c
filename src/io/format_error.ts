/**
 * The one error class for bytes that are not what they claim to be: every reader of untrusted input (safetensors,
 * .pth and its pickle and zip, ONNX, IDX, CIFAR, tar, PNG/JPEG, training checkpoints) throws a subclass of it, with
 * a message naming the file and the field. Anything else escaping a reader is a bug (the fuzzer checks this).
 */
export class FormatError extends Error {
  /**
   * Args:
   *   format: the format's short name ('safetensors', 'pth', 'onnx', 'idx', 'cifar', 'tar', 'image', 'checkpoint').
   *   message: what was wrong, naming the file and the field.
   */
  constructor(
    readonly format: string,
    message: string,
  ) {
    super(message);
    this.name = 'FormatError';
  }
}

/** Describes an untrusted value for an error message without serializing something huge, cyclic or a BigInt. */
export function describeValue(v: unknown, max = 60): string {
  let s: string;
  if (typeof v === 'bigint') s = `${v}n`;
  else if (typeof v === 'string') s = JSON.stringify(v.length > max ? v.slice(0, max) : v);
  else if (v === null || typeof v !== 'object') s = String(v);
  else if (Array.isArray(v))
    s = `[${v
      .slice(0, 8)
      .map((x) => (x !== null && typeof x === 'object' ? (Array.isArray(x) ? '[…]' : '{…}') : describeValue(x, 20)))
      .join(', ')}${v.length > 8 ? ', …' : ''}]`;
  else s = `${(v as object).constructor?.name ?? 'object'} {…}`;
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
