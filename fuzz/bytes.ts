/** Byte helpers shared by the fuzzer's mutators and its regression builder. */

/** The parts one after another in a new array. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A latin-1 string as bytes ('\xff' is the byte 0xff): pickle opcodes, chunk types, dictionary tokens. */
export const latin1 = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
