/**
 * The opening handshake (RFC 6455 section 4): the client's upgrade request, the server's checks and
 * its 101 answer (or the error it sends instead), and the client's checks of that answer.
 * Randomness (the key nonce) is a parameter, so lessons show the same bytes every time.
 */
import { KEY_NONCE_LENGTH, WEBSOCKET_GUID, WEBSOCKET_VERSION } from './constants.ts';
import { decodeBase64, encodeBase64 } from './base64.ts';
import { toHex } from './hex.ts';
import {
  errorResponse,
  getHeader,
  hasHeaderToken,
  headerTokens,
  isToken,
  parseHttpMessage,
  serializeRequest,
  serializeResponse,
  type HttpHeader,
  type HttpRequest,
  type HttpResponse,
} from './http/index.ts';
import { HttpError } from './errors.ts';

/** RFC 6455 section 4.1: the key is 16 random bytes, base64-encoded. The bytes are injected. */
export function generateKey(random16: Uint8Array): string {
  if (random16.length !== KEY_NONCE_LENGTH)
    throw new RangeError('Sec-WebSocket-Key needs exactly 16 random bytes');
  return encodeBase64(random16);
}

async function sha1(data: Uint8Array): Promise<Uint8Array> {
  // Web Crypto exists in browsers and Node 20 alike; SHA-1 is fine here, it is not used for security
  // (section 10.3: the accept value only proves the server understood the WebSocket handshake).
  const digest = await globalThis.crypto.subtle.digest('SHA-1', data as Uint8Array<ArrayBuffer>);
  return new Uint8Array(digest);
}

export interface AcceptSteps {
  key: string;
  guid: string;
  /** Step 1: key + GUID, as the ASCII string that is hashed. */
  concatenated: string;
  /** Step 2: the 20-byte SHA-1 digest. */
  sha1: Uint8Array;
  sha1Hex: string;
  /** Step 3: base64 of the digest: the Sec-WebSocket-Accept value. */
  accept: string;
}

/** RFC 6455 section 4.2.2 item 5.4, one step at a time for the lesson. */
export async function acceptSteps(key: string): Promise<AcceptSteps> {
  const concatenated = key + WEBSOCKET_GUID;
  const digest = await sha1(new TextEncoder().encode(concatenated));
  return {
    key,
    guid: WEBSOCKET_GUID,
    concatenated,
    sha1: digest,
    sha1Hex: toHex(digest, ''),
    accept: encodeBase64(digest),
  };
}

/** Sec-WebSocket-Accept = base64(SHA-1(key + GUID)). */
export async function computeAccept(key: string): Promise<string> {
  return (await acceptSteps(key)).accept;
}

// ---------------------------------------------------------------------------------------------------
// Client request (section 4.1)

export interface UpgradeRequestOptions {
  /** Origin-form request target, e.g. '/chat' (section 3 resource name). Default '/'. */
  path?: string;
  /** Host header value: host[:port]. */
  host: string;
  key: string;
  origin?: string;
  protocols?: string[];
  extensions?: string[];
  /** Extra fields appended after the standard ones. */
  headers?: HttpHeader[];
}

/** The client's upgrade request as a message (see buildUpgradeRequest for its bytes). */
export function upgradeRequest(options: UpgradeRequestOptions): HttpRequest {
  const headers: HttpHeader[] = [
    { name: 'Host', value: options.host },
    { name: 'Upgrade', value: 'websocket' },
    { name: 'Connection', value: 'Upgrade' },
    { name: 'Sec-WebSocket-Key', value: options.key },
    { name: 'Sec-WebSocket-Version', value: WEBSOCKET_VERSION },
  ];
  if (options.origin !== undefined) headers.push({ name: 'Origin', value: options.origin });
  if (options.protocols && options.protocols.length > 0) {
    headers.push({ name: 'Sec-WebSocket-Protocol', value: options.protocols.join(', ') });
  }
  if (options.extensions && options.extensions.length > 0) {
    headers.push({ name: 'Sec-WebSocket-Extensions', value: options.extensions.join(', ') });
  }
  headers.push(...(options.headers ?? []));
  return {
    kind: 'request',
    method: 'GET',
    target: options.path ?? '/',
    version: 'HTTP/1.1',
    headers,
    body: new Uint8Array(0),
  };
}

/** RFC 6455 section 4.1: `GET /chat HTTP/1.1`, Host, Upgrade, Connection, Key, Version 13, ... */
export function buildUpgradeRequest(options: UpgradeRequestOptions): Uint8Array {
  return serializeRequest(upgradeRequest(options));
}

// ---------------------------------------------------------------------------------------------------
// Server checks (section 4.2.1) and answers (4.2.2, 4.4)

export type HandshakeRequestFailure =
  | 'BAD_HTTP'
  | 'NOT_GET'
  | 'BAD_HTTP_VERSION'
  | 'BAD_TARGET'
  | 'MISSING_HOST'
  | 'BAD_HOST'
  | 'MISSING_UPGRADE'
  | 'MISSING_CONNECTION'
  | 'MISSING_KEY'
  | 'BAD_KEY'
  | 'MISSING_VERSION'
  | 'UNSUPPORTED_VERSION'
  | 'ORIGIN_REJECTED'
  | 'BAD_PROTOCOL';

export interface UpgradeRequestAccepted {
  ok: true;
  key: string;
  host: string;
  path: string;
  origin: string | undefined;
  /** Subprotocols the client offered, in its order of preference. */
  protocols: string[];
  /** The one the server picks (first offered that the server supports), if any. */
  protocol: string | undefined;
  extensions: string[];
  request: HttpRequest;
}

export interface UpgradeRequestRejected {
  ok: false;
  code: HandshakeRequestFailure;
  section: string;
  status: number;
  reason: string;
  /** The response a server sends instead of 101. */
  response: HttpResponse;
}

export type UpgradeRequestCheck = UpgradeRequestAccepted | UpgradeRequestRejected;

export interface UpgradeRequestPolicy {
  /**
   * Host values this server answers for (host[:port], case-insensitive); another gets 421 Misdirected
   * Request (RFC 9110 section 15.5.20), which also defeats DNS rebinding. Default: any valid host.
   */
  allowedHosts?: readonly string[];
  /** Origins accepted; a request from another origin gets 403 (section 4.2.2, 10.2). Default: any. */
  allowedOrigins?: readonly string[] | ((origin: string | undefined) => boolean);
  /** Subprotocols the server speaks, in no particular order. */
  supportedProtocols?: readonly string[];
}

const HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~%!$&'()*+,;=]+)(:\d{0,5})?$/;

function rejection(
  code: HandshakeRequestFailure,
  section: string,
  status: number,
  reason: string,
  extraHeaders: HttpHeader[] = [],
): UpgradeRequestRejected {
  return { ok: false, code, section, status, reason, response: errorResponse(status, reason, extraHeaders) };
}

/** The resource name (path and query, RFC 6455 section 3) of an origin-form or absolute http(s) target. */
function resourceName(target: string): string | undefined {
  if (target.startsWith('/')) return target;
  const absolute = /^https?:\/\/[^/?#]+(\/[^#]*)?$/i.exec(target);
  if (!absolute) return undefined;
  const rest = absolute[1] ?? '/';
  return rest.startsWith('/') ? rest : `/${rest}`;
}

/**
 * Server side of section 4.2.1: is this a valid opening handshake? Either the facts the server needs
 * to answer 101, or the error response it must send. The checks run in this order, and the first that
 * fails decides the answer: the bytes parse as HTTP/1.1 (400, 431); method GET (405 with Allow: GET);
 * version HTTP/1.1 (400); request target (400); exactly one valid Host (400), one this server answers
 * for (421); Upgrade: websocket (400); Connection: Upgrade (400); Sec-WebSocket-Key (400); a
 * Sec-WebSocket-Version (400), and it is 13 (426 with Upgrade and Sec-WebSocket-Version: 13); Origin
 * (403); Sec-WebSocket-Protocol (400).
 */
export function validateUpgradeRequest(
  input: HttpRequest | Uint8Array,
  policy: UpgradeRequestPolicy = {},
): UpgradeRequestCheck {
  let request: HttpRequest;
  if (input instanceof Uint8Array) {
    try {
      const parsed = parseHttpMessage(input, 0, { kind: 'request', eof: true });
      if (!parsed || parsed.message.kind !== 'request')
        return rejection('BAD_HTTP', '4.2.1', 400, 'Incomplete HTTP request');
      request = parsed.message;
    } catch (e) {
      if (e instanceof HttpError) return rejection('BAD_HTTP', e.section, e.status, e.message);
      throw e;
    }
  } else {
    request = input;
  }
  const h = request.headers;

  // 4.2.1 item 1: an HTTP/1.1 or higher GET request. A different method gets 405 with Allow (RFC 9110 15.5.6).
  if (request.method !== 'GET') {
    const refused = rejection(
      'NOT_GET',
      '4.2.1',
      405,
      `The opening handshake must be a GET, not ${request.method}`,
      [{ name: 'Allow', value: 'GET' }],
    );
    // The answer to a HEAD carries no content (RFC 9110 section 9.3.2).
    if (request.method === 'HEAD')
      refused.response = errorResponse(405, '', [{ name: 'Allow', value: 'GET' }]);
    return refused;
  }
  if (request.version !== 'HTTP/1.1') {
    return rejection(
      'BAD_HTTP_VERSION',
      '4.2.1',
      400,
      `The opening handshake needs HTTP/1.1, not ${request.version}`,
    );
  }
  // 4.1 item 3: the Request-URI is the resource name (origin-form) or an absolute http/https URI; a
  // ws:// or wss:// URI never appears in the request line (section 3 defines those for the API only).
  const resource = resourceName(request.target);
  if (resource === undefined) {
    return rejection(
      'BAD_TARGET',
      '4.1',
      400,
      `"${request.target}" is not a resource name or an http(s) URI`,
    );
  }
  // 4.2.1 item 2: a Host header field. RFC 9112 3.2: exactly one, else 400.
  const hosts = h.filter((x) => x.name.toLowerCase() === 'host');
  if (hosts.length === 0) return rejection('MISSING_HOST', '4.2.1', 400, 'Missing Host header');
  const host = hosts[0]!.value;
  if (hosts.length > 1 || !HOST.test(host))
    return rejection('BAD_HOST', '4.2.1', 400, `Invalid Host "${host}"`);
  if (policy.allowedHosts && !policy.allowedHosts.some((a) => a.toLowerCase() === host.toLowerCase())) {
    return rejection('BAD_HOST', '4.2.1', 421, `Host "${host}" is not served here`);
  }
  // 4.2.1 item 3: Upgrade contains "websocket" (case-insensitive).
  if (!hasHeaderToken(h, 'upgrade', 'websocket')) {
    return rejection('MISSING_UPGRADE', '4.2.1', 400, 'The Upgrade header must include "websocket"');
  }
  // 4.2.1 item 4: Connection is a token list that includes "Upgrade" (case-insensitive).
  if (!hasHeaderToken(h, 'connection', 'upgrade')) {
    return rejection('MISSING_CONNECTION', '4.2.1', 400, 'The Connection header must include "Upgrade"');
  }
  // 4.2.1 item 5: Sec-WebSocket-Key is base64 that decodes to 16 bytes.
  const key = getHeader(h, 'sec-websocket-key');
  if (key === undefined) return rejection('MISSING_KEY', '4.2.1', 400, 'Missing Sec-WebSocket-Key');
  const nonce = decodeBase64(key);
  if (nonce === null || nonce.length !== KEY_NONCE_LENGTH) {
    return rejection('BAD_KEY', '4.2.1', 400, 'Sec-WebSocket-Key must be base64 of 16 bytes');
  }
  // 4.2.1 item 6 and 4.4: version 13; any other value gets 426 listing the versions we speak.
  const version = getHeader(h, 'sec-websocket-version');
  if (version === undefined) {
    return rejection('MISSING_VERSION', '4.2.1', 400, 'Missing Sec-WebSocket-Version');
  }
  if (version.trim() !== WEBSOCKET_VERSION) {
    return rejection('UNSUPPORTED_VERSION', '4.4', 426, `WebSocket version "${version}" is not supported`, [
      { name: 'Upgrade', value: 'websocket' },
      { name: 'Sec-WebSocket-Version', value: WEBSOCKET_VERSION },
    ]);
  }
  // 4.2.1 item 7 and 10.2: the server decides whether it accepts this origin; if not, 403.
  const origin = getHeader(h, 'origin');
  const allowed = policy.allowedOrigins;
  if (allowed !== undefined) {
    const ok =
      typeof allowed === 'function' ? allowed(origin) : origin !== undefined && allowed.includes(origin);
    if (!ok) return rejection('ORIGIN_REJECTED', '4.2.2', 403, `Origin ${origin ?? '(none)'} is not allowed`);
  }
  // 4.2.1 item 8 and 4.1: subprotocols are tokens, and must not repeat.
  const protocols = headerTokens(h, 'sec-websocket-protocol');
  if (protocols.some((p) => !isToken(p)) || new Set(protocols).size !== protocols.length) {
    return rejection('BAD_PROTOCOL', '4.1', 400, 'Sec-WebSocket-Protocol must list distinct tokens');
  }
  const supported = policy.supportedProtocols ?? [];
  const protocol = protocols.find((p) => supported.includes(p));
  return {
    ok: true,
    key,
    host,
    path: resource,
    origin,
    protocols,
    protocol,
    extensions: headerTokens(h, 'sec-websocket-extensions'),
    request,
  };
}

export interface UpgradeResponseOptions {
  accept: string;
  protocol?: string;
  extensions?: string[];
  headers?: HttpHeader[];
}

/** RFC 6455 section 4.2.2 item 5: the 101 answer as a message. */
export function upgradeResponse(options: UpgradeResponseOptions): HttpResponse {
  const headers: HttpHeader[] = [
    { name: 'Upgrade', value: 'websocket' },
    { name: 'Connection', value: 'Upgrade' },
    { name: 'Sec-WebSocket-Accept', value: options.accept },
  ];
  if (options.protocol !== undefined)
    headers.push({ name: 'Sec-WebSocket-Protocol', value: options.protocol });
  if (options.extensions && options.extensions.length > 0) {
    headers.push({ name: 'Sec-WebSocket-Extensions', value: options.extensions.join(', ') });
  }
  headers.push(...(options.headers ?? []));
  return {
    kind: 'response',
    version: 'HTTP/1.1',
    status: 101,
    reason: 'Switching Protocols',
    headers,
    body: new Uint8Array(0),
  };
}

/** The 101 Switching Protocols response bytes. */
export function buildUpgradeResponse(options: UpgradeResponseOptions): Uint8Array {
  return serializeResponse(upgradeResponse(options));
}

/** Convenience: compute the accept value for `key` and build the 101 bytes. */
export async function buildServerHandshake(
  key: string,
  options: Omit<UpgradeResponseOptions, 'accept'> = {},
): Promise<Uint8Array> {
  return buildUpgradeResponse({ ...options, accept: await computeAccept(key) });
}

// ---------------------------------------------------------------------------------------------------
// Client checks of the response (section 4.1, "the client MUST validate the server's response")

export type HandshakeResponseFailure =
  | 'BAD_HTTP'
  | 'NOT_101'
  | 'MISSING_UPGRADE'
  | 'MISSING_CONNECTION'
  | 'MISSING_ACCEPT'
  | 'BAD_ACCEPT'
  | 'UNREQUESTED_EXTENSION'
  | 'UNREQUESTED_PROTOCOL';

export type UpgradeResponseCheck =
  | { ok: true; protocol: string | undefined; extensions: string[]; response: HttpResponse }
  | { ok: false; code: HandshakeResponseFailure; section: string; reason: string };

export interface ExpectedUpgrade {
  /** The Sec-WebSocket-Accept value the client computed from its own key. */
  accept: string;
  /** Subprotocols the client offered. */
  protocols?: readonly string[];
  /** Extension names the client offered. */
  extensions?: readonly string[];
}

function fail(code: HandshakeResponseFailure, reason: string): UpgradeResponseCheck {
  return { ok: false, code, section: '4.1', reason };
}

/** Synchronous check of the server's answer against an already computed accept value. */
export function checkUpgradeResponse(
  input: HttpResponse | Uint8Array,
  expected: ExpectedUpgrade,
): UpgradeResponseCheck {
  let response: HttpResponse;
  if (input instanceof Uint8Array) {
    try {
      const parsed = parseHttpMessage(input, 0, { kind: 'response', requestMethod: 'GET', eof: true });
      if (!parsed || parsed.message.kind !== 'response') return fail('BAD_HTTP', 'Incomplete HTTP response');
      response = parsed.message;
    } catch (e) {
      if (e instanceof HttpError) return fail('BAD_HTTP', e.message);
      throw e;
    }
  } else {
    response = input;
  }
  const h = response.headers;
  if (response.status !== 101)
    return fail('NOT_101', `Status ${response.status}, not 101 Switching Protocols`);
  if (!hasHeaderToken(h, 'upgrade', 'websocket'))
    return fail('MISSING_UPGRADE', 'The response has no "Upgrade: websocket"');
  if (!hasHeaderToken(h, 'connection', 'upgrade'))
    return fail('MISSING_CONNECTION', 'The response has no "Connection: Upgrade"');
  const accept = getHeader(h, 'sec-websocket-accept');
  if (accept === undefined) return fail('MISSING_ACCEPT', 'The response has no Sec-WebSocket-Accept');
  if (accept.trim() !== expected.accept) {
    return fail('BAD_ACCEPT', `Sec-WebSocket-Accept is "${accept}", expected "${expected.accept}"`);
  }
  const offeredExtensions = new Set(
    (expected.extensions ?? []).map((e) => e.split(';')[0]!.trim().toLowerCase()),
  );
  const extensions = headerTokens(h, 'sec-websocket-extensions');
  for (const ext of extensions) {
    const name = ext.split(';')[0]!.trim().toLowerCase();
    if (!offeredExtensions.has(name))
      return fail('UNREQUESTED_EXTENSION', `The server chose extension "${name}" the client did not offer`);
  }
  const chosen = headerTokens(h, 'sec-websocket-protocol');
  if (chosen.length > 1 || (chosen.length === 1 && !(expected.protocols ?? []).includes(chosen[0]!))) {
    return fail(
      'UNREQUESTED_PROTOCOL',
      `The server chose subprotocol "${chosen.join(', ')}" the client did not offer`,
    );
  }
  return { ok: true, protocol: chosen[0], extensions, response };
}

/** Client side of section 4.1: computes the expected accept from the client's key, then checks. */
export async function validateUpgradeResponse(
  input: HttpResponse | Uint8Array,
  expected: { key: string; protocols?: readonly string[]; extensions?: readonly string[] },
): Promise<UpgradeResponseCheck> {
  return checkUpgradeResponse(input, { ...expected, accept: await computeAccept(expected.key) });
}
