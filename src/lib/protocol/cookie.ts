/**
 * HTTP cookies, as far as the security lesson and the demo server use them (RFC 6265): the `Set-Cookie`
 * field a server writes (section 4.1) and the `Cookie` field a browser sends back (section 5.4), which
 * a browser also attaches to a WebSocket opening handshake. `SameSite` comes from RFC 6265's revision
 * (draft-ietf-httpbis-rfc6265bis, section 4.1.2.7), which browsers implement.
 */
import type { HttpHeader } from './http/types.ts';

export type SameSite = 'Strict' | 'Lax' | 'None';

export interface SetCookie {
  name: string;
  value: string;
  path?: string;
  /** Seconds; 0 removes the cookie at once (section 5.2.2). */
  maxAge?: number;
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: SameSite;
}

export interface CookiePair {
  name: string;
  value: string;
}

/** RFC 9110 section 5.6.2 token characters: what a cookie name may be made of (RFC 6265 section 4.1.1). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** cookie-octet (section 4.1.1): printable US-ASCII without space, DQUOTE, comma, semicolon, backslash. */
const COOKIE_VALUE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/;
/** path-value (section 4.1.1): any CHAR except CTLs and ';'. */
const PATH_VALUE = /^[\x20-\x3a\x3c-\x7e]+$/;

/** The value of a `Set-Cookie` field; throws RangeError for a name, value or path the syntax forbids. */
export function formatSetCookie(cookie: SetCookie): string {
  if (!TOKEN.test(cookie.name)) throw new RangeError(`cookie name is not a token: ${cookie.name}`);
  if (!COOKIE_VALUE.test(cookie.value)) throw new RangeError(`cookie value has a forbidden character`);
  const parts = [`${cookie.name}=${cookie.value}`];
  if (cookie.path !== undefined) {
    if (!PATH_VALUE.test(cookie.path)) throw new RangeError(`cookie path has a forbidden character`);
    parts.push(`Path=${cookie.path}`);
  }
  if (cookie.maxAge !== undefined) {
    if (!Number.isInteger(cookie.maxAge)) throw new RangeError('Max-Age is a whole number of seconds');
    parts.push(`Max-Age=${cookie.maxAge}`);
  }
  if (cookie.httpOnly) parts.push('HttpOnly');
  if (cookie.secure) parts.push('Secure');
  if (cookie.sameSite) parts.push(`SameSite=${cookie.sameSite}`);
  return parts.join('; ');
}

/**
 * The pairs of a `Cookie` field value, `a=1; b=2` (section 4.2.1), in order. Like a server should, it is
 * lenient (section 5.4 is what browsers send, not what every client does): a pair without `=` is
 * skipped, whitespace around names and values is trimmed, and a quoted value keeps its quotes.
 */
export function parseCookieHeader(value: string): CookiePair[] {
  const pairs: CookiePair[] = [];
  for (const part of value.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 1) continue;
    const name = part.slice(0, eq).trim();
    if (!TOKEN.test(name)) continue;
    pairs.push({ name, value: part.slice(eq + 1).trim() });
  }
  return pairs;
}

/**
 * The value of cookie `name` among a request's header fields, or undefined. A browser sends one `Cookie`
 * field (section 5.4); where a client sent several, they are read in order and the first match wins.
 */
export function cookieValue(headers: readonly HttpHeader[], name: string): string | undefined {
  for (const header of headers) {
    if (header.name.toLowerCase() !== 'cookie') continue;
    const found = parseCookieHeader(header.value).find((pair) => pair.name === name);
    if (found) return found.value;
  }
  return undefined;
}
