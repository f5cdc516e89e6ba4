/** Byte-array helpers shared by the encoders, the reassembler and the trace consumers. */

/** The parts one after another in a new array; `size` may be passed when the caller already knows it. */
export function concatBytes(
  parts: readonly Uint8Array[],
  size = parts.reduce((n, p) => n + p.length, 0),
): Uint8Array {
  const out = new Uint8Array(size);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
