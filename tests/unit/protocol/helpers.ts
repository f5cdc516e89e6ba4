/** Test helpers shared by the protocol tests. */
import { parseHex } from '../../../src/lib/protocol/index.ts';

/** Hex fixture to bytes ("81 05 48 65"). */
export const hex = (text: string): Uint8Array => parseHex(text);

export const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

export const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** The parts one after another, built here rather than by the code under test. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Capture what a function throws (fails the test if it does not throw). */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to throw');
}
