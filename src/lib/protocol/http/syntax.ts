/**
 * The lexical rules of HTTP/1.1 shared by every part of the parser and by anyone else who reads HTTP
 * bytes (RFC 9110 section 5.6, RFC 9112 section 2.2): tokens, control characters, lines, latin1.
 */
import { HttpError, type HttpErrorCode } from '../errors.ts';

export const CR = 13;
export const LF = 10;

/** RFC 9110 section 5.6.2: tchar, the characters of a token (methods, field names, codings, ...). */
export const TCHAR = "!#$%&'*+\\-.^_`|~0-9A-Za-z";
const TOKEN = new RegExp(`^[${TCHAR}]+$`);

/** RFC 9110 section 5.6.2: token = 1*tchar. */
export function isToken(text: string): boolean {
  return TOKEN.test(text);
}

/** Index of the first control character (CTL, RFC 5234 B.1), optionally allowing HTAB; -1 if none. */
export function firstControl(text: string, allowTab: boolean): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && !(allowTab && c === 9)) || c === 0x7f) return i;
  }
  return -1;
}

export function httpError(
  message: string,
  code: HttpErrorCode,
  status: number,
  section: string,
  offset: number,
): HttpError {
  return new HttpError(message, { code, status, section, offset });
}

/** Bytes to a string one char per byte (RFC 9112 section 2.2: parse as a superset of US-ASCII). */
export function latin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let s = '';
  for (let i = start; i < end; i += 4096) {
    s += String.fromCharCode(...bytes.subarray(i, Math.min(end, i + 4096)));
  }
  return s;
}

/** A string with chars <= 0xFF to bytes (the inverse of latin1). */
export function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) throw new RangeError(`Character U+${c.toString(16)} cannot be sent in an HTTP head`);
    out[i] = c;
  }
  return out;
}

export interface Line {
  /** Content start and end (without the line terminator). */
  start: number;
  end: number;
  /** Index just past the LF. */
  next: number;
}

/**
 * The line starting at `pos` and ending before `limit`, or null when its LF has not arrived.
 * RFC 9112 section 2.2: lines end with CRLF; a recipient MAY accept a bare LF. A bare CR is invalid.
 * `scanFrom` (>= pos) is where the search for the LF resumes: a caller that keeps it between calls
 * looks at each byte once however the line trickles in.
 */
export function readLine(bytes: Uint8Array, pos: number, limit: number, scanFrom = pos): Line | null {
  const lf = bytes.indexOf(LF, scanFrom);
  if (lf < 0 || lf >= limit) return null;
  const end = lf > pos && bytes[lf - 1] === CR ? lf - 1 : lf;
  const cr = bytes.subarray(pos, end).indexOf(CR);
  if (cr >= 0) {
    throw httpError('A bare CR is not allowed in an HTTP head', 'BARE_CR', 400, 'RFC 9112 2.2', pos + cr);
  }
  return { start: pos, end, next: lf + 1 };
}
