/**
 * Base64 (RFC 4648 section 4), written out rather than going through btoa/atob so it works on bytes
 * directly and can report exactly what is wrong with a Sec-WebSocket-Key (RFC 6455 section 4.1). The
 * one codec of the page: handshake keys, trace files, HAR bodies.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
const PAD = 61; // '='
const ASCII = new TextDecoder();
const LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

export function encodeBase64(bytes: Uint8Array): string {
  // Characters go into a byte array, then become a string in one decode (they are ASCII, so UTF-8
  // decoding is exact): a string grown four characters at a time is slow for a trace export's megabytes.
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  let o = 0;
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o++] = CODES[n >>> 18]!;
    out[o++] = CODES[(n >>> 12) & 63]!;
    out[o++] = CODES[(n >>> 6) & 63]!;
    out[o++] = CODES[n & 63]!;
  }
  const left = bytes.length - i;
  if (left > 0) {
    const n = (bytes[i]! << 16) | (left === 2 ? bytes[i + 1]! << 8 : 0);
    out[o] = CODES[n >>> 18]!;
    out[o + 1] = CODES[(n >>> 12) & 63]!;
    out[o + 2] = left === 2 ? CODES[(n >>> 6) & 63]! : PAD;
    out[o + 3] = PAD;
  }
  return ASCII.decode(out);
}

/**
 * Strict decoding: padded, length a multiple of 4, alphabet characters only, '=' only at the end.
 * Returns null for anything else (callers turn that into their own error).
 */
export function decodeBase64(text: string): Uint8Array | null {
  if (text.length % 4 !== 0) return null;
  let pad = 0;
  if (text.endsWith('==')) pad = 2;
  else if (text.endsWith('=')) pad = 1;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const c = text.charCodeAt(i + j);
      const isPad = c === 61 && i + 4 === text.length && j >= 4 - pad;
      const v = isPad ? 0 : c < 128 ? LOOKUP[c]! : -1;
      if (v < 0) return null;
      n = (n << 6) | v;
    }
    if (o < out.length) out[o++] = n >>> 16;
    if (o < out.length) out[o++] = (n >>> 8) & 0xff;
    if (o < out.length) out[o++] = n & 0xff;
  }
  return out;
}
