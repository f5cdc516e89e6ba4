/**
 * HTTP/1.1 messages (RFC 9112) as bytes in, structures out, and back.
 *
 * The parser is strict where leniency has caused request smuggling or confusion (obs-fold, whitespace
 * before the colon, Transfer-Encoding together with Content-Length, bad Content-Length lists) and
 * lenient where RFC 9112 section 2.2 allows it (a bare LF ends a line). It records the byte span of
 * every part as it goes, so the same code drives `annotateHttp`.
 */
import {
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_HEADER_BYTES,
  DEFAULT_MAX_HEADERS,
  HTTP_VERSION_1_1,
  REASON_PHRASES,
  STATUS_SWITCHING_PROTOCOLS,
} from './constants.ts';
import { concatBytes } from './bytes.ts';
import { HttpError, type HttpErrorCode } from './errors.ts';

export interface HttpHeader {
  name: string;
  value: string;
}

/** One chunk of a chunked body (RFC 9112 section 7.1). The last chunk has size 0. */
export interface HttpChunk {
  size: number;
  /** Raw chunk extensions after the size, e.g. ';name=value' ('' when none). */
  extensions: string;
  data: Uint8Array;
}

interface HttpMessageBase {
  /** 'HTTP/1.1' or 'HTTP/1.0'. */
  version: string;
  headers: HttpHeader[];
  /** The body after removing chunked framing. */
  body: Uint8Array;
  /** Present for a chunked body: every chunk including the final size-0 one. */
  chunks?: HttpChunk[];
  /** Present for a chunked body: the trailer fields (often empty). */
  trailers?: HttpHeader[];
}

export interface HttpRequest extends HttpMessageBase {
  kind: 'request';
  method: string;
  target: string;
}

export interface HttpResponse extends HttpMessageBase {
  kind: 'response';
  status: number;
  reason: string;
}

export type HttpMessage = HttpRequest | HttpResponse;

export interface HttpParseOptions {
  /** What to expect; by default a message starting with 'HTTP/' is a response, anything else a request. */
  kind?: 'request' | 'response';
  /** Largest head (start line + fields + blank line) in bytes; beyond it 431. */
  maxHeaderBytes?: number;
  /** Most header fields; beyond it 431. */
  maxHeaders?: number;
  /** Largest body in bytes; beyond it 413. */
  maxBodyBytes?: number;
  /** Longest request-target; beyond it 414 (RFC 9112 section 3 recommends at least 8000). */
  maxTargetLength?: number;
  /** Method of the request this response answers: a response to HEAD has no body (RFC 9110 9.3.2). */
  requestMethod?: string;
  /** The input ends here (connection closed): a response without framing ends at the last byte. */
  eof?: boolean;
}

export interface HttpParseResult {
  message: HttpMessage;
  bytesUsed: number;
  /** True when the bytes after this message belong to another protocol (101, or 2xx to CONNECT). */
  upgrade: boolean;
}

/** A labelled byte span recorded while parsing (the raw material of annotateHttp). */
export interface HttpSpan {
  id: string;
  label: string;
  start: number;
  end: number;
  value: string | number;
  note?: string;
}

/** Index of the first control character (CTL, RFC 5234 B.1), optionally allowing HTAB; -1 if none. */
function firstControl(text: string, allowTab: boolean): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && !(allowTab && c === 9)) || c === 0x7f) return i;
  }
  return -1;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const VERSION = /^HTTP\/(\d)\.(\d)$/;
const CR = 13;
const LF = 10;

function httpError(
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

/**
 * Byte length of a message's head, through the CRLF CRLF that ends it (RFC 9112 section 2.1), or all of
 * `bytes` when they hold no such end. It counts bytes on the wire; parsing is parseHttpMessage's job.
 */
export function headLength(bytes: Uint8Array): number {
  for (let i = 3; i < bytes.length; i++) {
    if (bytes[i - 3] === 13 && bytes[i - 2] === 10 && bytes[i - 1] === 13 && bytes[i] === 10) return i + 1;
  }
  return bytes.length;
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

interface Line {
  /** Content start and end (without the line terminator). */
  start: number;
  end: number;
  /** Index just past the LF. */
  next: number;
}

/** RFC 9112 section 2.2: lines end with CRLF; a recipient MAY accept a bare LF. A bare CR is invalid. */
function readLine(bytes: Uint8Array, pos: number, limit: number): Line | null {
  const lf = bytes.indexOf(LF, pos);
  if (lf < 0 || lf >= limit) return null;
  const end = lf > pos && bytes[lf - 1] === CR ? lf - 1 : lf;
  const cr = bytes.subarray(pos, end).indexOf(CR);
  if (cr >= 0) {
    throw httpError('A bare CR is not allowed in an HTTP head', 'BARE_CR', 400, 'RFC 9112 2.2', pos + cr);
  }
  return { start: pos, end, next: lf + 1 };
}

function parseRequestLine(
  text: string,
  at: number,
  options: HttpParseOptions,
): { method: string; target: string; version: string } {
  const parts = text.split(' ');
  if (
    parts.length !== 3 ||
    !TOKEN.test(parts[0]!) ||
    parts[1] === '' ||
    firstControl(parts[1]!, false) >= 0 ||
    parts[1]!.includes(' ')
  ) {
    throw httpError(
      'A request line is: method SP request-target SP HTTP-version',
      'BAD_REQUEST_LINE',
      400,
      'RFC 9112 3',
      at,
    );
  }
  const [method, target, version] = parts as [string, string, string];
  checkVersion(version, at + method.length + target.length + 2, 'BAD_REQUEST_LINE');
  if (target.length > (options.maxTargetLength ?? 8000)) {
    throw httpError(
      `Request target of ${target.length} bytes is too long`,
      'URI_TOO_LONG',
      414,
      'RFC 9112 3',
      at + method.length + 1,
    );
  }
  return { method, target, version };
}

function checkVersion(version: string, at: number, code: 'BAD_REQUEST_LINE' | 'BAD_STATUS_LINE'): void {
  const m = VERSION.exec(version);
  if (!m) throw httpError(`"${version}" is not an HTTP version`, code, 400, 'RFC 9112 2.3', at);
  if (m[1] !== '1') {
    throw httpError(
      `HTTP/${m[1]}.${m[2]} is not HTTP/1.x`,
      'UNSUPPORTED_VERSION',
      505,
      'RFC 9110 15.6.6',
      at,
    );
  }
}

function parseStatusLine(text: string, at: number): { version: string; status: number; reason: string } {
  // status-line = HTTP-version SP status-code SP [ reason-phrase ]; RFC 9112 section 4 asks clients to
  // accept a missing final SP as well.
  const m = /^(\S+) (\d{3})(?: (.*))?$/.exec(text);
  if (!m) {
    throw httpError(
      'A status line is: HTTP-version SP status-code SP reason',
      'BAD_STATUS_LINE',
      400,
      'RFC 9112 4',
      at,
    );
  }
  checkVersion(m[1]!, at, 'BAD_STATUS_LINE');
  const reason = m[3] ?? '';
  if (firstControl(reason, true) >= 0) {
    throw httpError('Control character in the reason phrase', 'BAD_STATUS_LINE', 400, 'RFC 9112 4', at);
  }
  return { version: m[1]!, status: Number(m[2]), reason };
}

/** RFC 9112 section 5: field-line = field-name ":" OWS field-value OWS. */
function parseFieldLine(text: string, at: number): HttpHeader {
  if (text[0] === ' ' || text[0] === '\t') {
    throw httpError(
      'Obsolete line folding (a field line starting with whitespace)',
      'OBS_FOLD',
      400,
      'RFC 9112 5.2',
      at,
    );
  }
  const colon = text.indexOf(':');
  if (colon < 0) throw httpError('A field line needs a colon', 'BAD_HEADER', 400, 'RFC 9112 5', at);
  const name = text.slice(0, colon);
  if (/[ \t]$/.test(name)) {
    throw httpError(
      'No whitespace is allowed between a field name and the colon',
      'WHITESPACE_BEFORE_COLON',
      400,
      'RFC 9112 5.1',
      at + colon - 1,
    );
  }
  if (!TOKEN.test(name))
    throw httpError(`"${name}" is not a valid field name`, 'BAD_HEADER', 400, 'RFC 9110 5.1', at);
  const value = text.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
  const bad = firstControl(value, true);
  if (bad >= 0) {
    throw httpError(
      'Control character in a field value',
      'BAD_HEADER',
      400,
      'RFC 9110 5.5',
      at + colon + 1 + (text.length - colon - 1 - text.slice(colon + 1).trimStart().length) + bad,
    );
  }
  return { name, value };
}

/** All values of a field, combined as a comma list (RFC 9110 section 5.3), or undefined when absent. */
export function getHeader(headers: readonly HttpHeader[], name: string): string | undefined {
  const lower = name.toLowerCase();
  const values = headers.filter((h) => h.name.toLowerCase() === lower).map((h) => h.value);
  return values.length === 0 ? undefined : values.join(', ');
}

/** The comma-separated list elements of a field, trimmed, empty ones dropped (RFC 9110 section 5.6.1). */
export function headerTokens(headers: readonly HttpHeader[], name: string): string[] {
  const v = getHeader(headers, name);
  if (v === undefined) return [];
  return v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

interface Framing {
  kind: 'none' | 'length' | 'chunked' | 'close';
  length: number;
}

/** RFC 9112 section 6.3: how long is the body? */
function bodyFraming(
  message: HttpRequest | HttpResponse,
  options: HttpParseOptions,
  headAt: number,
): Framing {
  if (message.kind === 'response') {
    const s = message.status;
    if (options.requestMethod?.toUpperCase() === 'HEAD' || (s >= 100 && s < 200) || s === 204 || s === 304) {
      return { kind: 'none', length: 0 };
    }
    if (options.requestMethod?.toUpperCase() === 'CONNECT' && s >= 200 && s < 300)
      return { kind: 'none', length: 0 };
  }
  const te = getHeader(message.headers, 'transfer-encoding');
  const cl = getHeader(message.headers, 'content-length');
  if (te !== undefined) {
    if (cl !== undefined) {
      // Section 6.1: a sender MUST NOT send both; a recipient ought to treat it as an error (smuggling).
      throw httpError(
        'Both Transfer-Encoding and Content-Length',
        'CONFLICTING_FRAMING',
        400,
        'RFC 9112 6.1',
        headAt,
      );
    }
    const codings = te.split(',').map((s) => s.trim().toLowerCase());
    if (codings.length !== 1 || codings[0] !== 'chunked') {
      if (message.kind === 'request' && codings[codings.length - 1] !== 'chunked') {
        throw httpError(
          'In a request, chunked must be the final transfer coding',
          'UNSUPPORTED_TRANSFER_CODING',
          400,
          'RFC 9112 6.3',
          headAt,
        );
      }
      throw httpError(
        `Transfer coding "${te}" is not supported here`,
        'UNSUPPORTED_TRANSFER_CODING',
        501,
        'RFC 9112 6.1',
        headAt,
      );
    }
    return { kind: 'chunked', length: 0 };
  }
  if (cl !== undefined) {
    // Section 6.3 item 5: a list of identical values may be accepted, anything else is an error.
    const values = cl.split(',').map((s) => s.trim());
    const first = values[0]!;
    if (!/^\d{1,15}$/.test(first) || values.some((v) => v !== first)) {
      throw httpError(`Invalid Content-Length "${cl}"`, 'BAD_CONTENT_LENGTH', 400, 'RFC 9112 6.3', headAt);
    }
    return { kind: 'length', length: Number(first) };
  }
  // Section 6.3 items 6-7: a request without framing has no body; a response runs until close.
  return message.kind === 'request' ? { kind: 'none', length: 0 } : { kind: 'close', length: 0 };
}

function isUpgrade(message: HttpMessage, options: HttpParseOptions): boolean {
  if (message.kind === 'response') {
    return (
      message.status === STATUS_SWITCHING_PROTOCOLS ||
      (options.requestMethod?.toUpperCase() === 'CONNECT' && message.status >= 200 && message.status < 300)
    );
  }
  // A request asking to switch (RFC 9110 section 7.8): what follows depends on the server's answer,
  // so an incremental parser stops here rather than read the new protocol's bytes as HTTP.
  return (
    getHeader(message.headers, 'upgrade') !== undefined &&
    headerTokens(message.headers, 'connection').some((t) => t.toLowerCase() === 'upgrade')
  );
}

/**
 * Parse one HTTP/1.x message starting at `offset`. null: more bytes are needed. Throws HttpError.
 * `spans`, when given, receives the byte span of each part as it is recognised (also on error, up to
 * the fault).
 */
export function parseHttpMessage(
  bytes: Uint8Array,
  offset = 0,
  options: HttpParseOptions = {},
  spans?: HttpSpan[],
): HttpParseResult | null {
  const maxHead = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  const maxHeaders = options.maxHeaders ?? DEFAULT_MAX_HEADERS;
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const headLimit = Math.min(bytes.length, offset + maxHead);
  const tooLarge = (): HttpError =>
    httpError(
      `The head is larger than ${maxHead} bytes`,
      'HEADERS_TOO_LARGE',
      431,
      'RFC 6585 5',
      offset + maxHead,
    );
  const needMore = (): null => {
    if (bytes.length - offset >= maxHead) throw tooLarge();
    return null;
  };

  const first = readLine(bytes, offset, headLimit);
  if (!first) return needMore();
  const firstText = latin1(bytes, first.start, first.end);
  const kind = options.kind ?? (firstText.startsWith('HTTP/') ? 'response' : 'request');
  let message: HttpMessage;
  if (kind === 'request') {
    const { method, target, version } = parseRequestLine(firstText, offset, options);
    message = { kind: 'request', method, target, version, headers: [], body: new Uint8Array(0) };
    spans?.push({
      id: 'request-line',
      label: 'Request line',
      start: offset,
      end: first.next,
      value: firstText,
      note: `${method} ${target} ${version}`,
    });
  } else {
    const { version, status, reason } = parseStatusLine(firstText, offset);
    message = { kind: 'response', status, reason, version, headers: [], body: new Uint8Array(0) };
    spans?.push({
      id: 'status-line',
      label: 'Status line',
      start: offset,
      end: first.next,
      value: firstText,
      note: `${status} ${reason}`,
    });
  }

  let pos = first.next;
  const seen = new Map<string, number>();
  for (;;) {
    const line = readLine(bytes, pos, headLimit);
    if (!line) return needMore();
    if (line.end === line.start) {
      spans?.push({
        id: 'head-end',
        label: 'End of head (empty line)',
        start: pos,
        end: line.next,
        value: '',
      });
      pos = line.next;
      break;
    }
    const text = latin1(bytes, line.start, line.end);
    const header = parseFieldLine(text, line.start);
    message.headers.push(header);
    if (message.headers.length > maxHeaders) {
      throw httpError(
        `More than ${maxHeaders} header fields`,
        'TOO_MANY_HEADERS',
        431,
        'RFC 6585 5',
        line.start,
      );
    }
    if (spans) {
      const lower = header.name.toLowerCase();
      const n = (seen.get(lower) ?? 0) + 1;
      seen.set(lower, n);
      spans.push({
        id: n === 1 ? `header:${lower}` : `header:${lower}#${n}`,
        label: header.name,
        start: line.start,
        end: line.next,
        value: header.value,
      });
    }
    pos = line.next;
  }

  const framing = bodyFraming(message, options, pos);
  if (framing.kind === 'length') {
    if (framing.length > maxBody) {
      throw httpError(
        `Body of ${framing.length} bytes is over the limit of ${maxBody}`,
        'BODY_TOO_LARGE',
        413,
        'RFC 9110 15.5.14',
        pos,
      );
    }
    if (bytes.length - pos < framing.length) return null;
    message.body = bytes.slice(pos, pos + framing.length);
    if (framing.length > 0) {
      spans?.push({
        id: 'body',
        label: 'Body',
        start: pos,
        end: pos + framing.length,
        value: framing.length,
        note: `Content-Length: ${framing.length}`,
      });
    }
    pos += framing.length;
  } else if (framing.kind === 'close') {
    if (!options.eof) return null;
    if (bytes.length - pos > maxBody) {
      throw httpError(`Body over the limit of ${maxBody}`, 'BODY_TOO_LARGE', 413, 'RFC 9110 15.5.14', pos);
    }
    message.body = bytes.slice(pos);
    if (bytes.length > pos) {
      spans?.push({
        id: 'body',
        label: 'Body (until the connection closes)',
        start: pos,
        end: bytes.length,
        value: bytes.length - pos,
      });
    }
    pos = bytes.length;
  } else if (framing.kind === 'chunked') {
    const end = parseChunked(bytes, pos, message, maxBody, maxHead, spans);
    if (end < 0) return null;
    pos = end;
  }
  return { message, bytesUsed: pos - offset, upgrade: isUpgrade(message, options) };
}

/** RFC 9112 section 7.1: chunks, the last chunk, trailers. Returns the end, or -1 for "need more". */
function parseChunked(
  bytes: Uint8Array,
  start: number,
  message: HttpMessage,
  maxBody: number,
  maxLine: number,
  spans: HttpSpan[] | undefined,
): number {
  const chunks: HttpChunk[] = [];
  const parts: Uint8Array[] = [];
  let total = 0;
  let pos = start;
  for (let index = 0; ; index++) {
    const line = readLine(bytes, pos, Math.min(bytes.length, pos + maxLine));
    if (!line) {
      if (bytes.length - pos >= maxLine)
        throw httpError('Chunk size line too long', 'BAD_CHUNK', 400, 'RFC 9112 7.1', pos);
      return -1;
    }
    const text = latin1(bytes, line.start, line.end);
    const m = /^([0-9a-fA-F]{1,15})([ \t]*;.*)?$/.exec(text);
    if (!m) throw httpError(`"${text}" is not a chunk size`, 'BAD_CHUNK', 400, 'RFC 9112 7.1', line.start);
    const size = parseInt(m[1]!, 16);
    const extensions = m[2] ?? '';
    spans?.push({
      id: size === 0 ? 'last-chunk' : `chunk-size:${index}`,
      label: size === 0 ? 'Last chunk (size 0)' : `Chunk ${index} size`,
      start: pos,
      end: line.next,
      value: size,
      note: extensions === '' ? undefined : `extensions: ${extensions.trim()}`,
    });
    pos = line.next;
    if (size === 0) {
      chunks.push({ size, extensions, data: new Uint8Array(0) });
      break;
    }
    total += size;
    if (total > maxBody)
      throw httpError(
        `Body over the limit of ${maxBody}`,
        'BODY_TOO_LARGE',
        413,
        'RFC 9110 15.5.14',
        line.start,
      );
    if (bytes.length - pos < size) return -1;
    const data = bytes.slice(pos, pos + size);
    spans?.push({
      id: `chunk-data:${index}`,
      label: `Chunk ${index} data`,
      start: pos,
      end: pos + size,
      value: size,
    });
    pos += size;
    // chunk-data is followed by CRLF (or a bare LF, section 2.2).
    if (bytes.length - pos < 1 || (bytes[pos] === CR && bytes.length - pos < 2)) return -1;
    const crlf = bytes[pos] === CR && bytes[pos + 1] === LF ? 2 : bytes[pos] === LF ? 1 : 0;
    if (crlf === 0)
      throw httpError('Chunk data must be followed by CRLF', 'BAD_CHUNK', 400, 'RFC 9112 7.1', pos);
    spans?.push({
      id: `chunk-end:${index}`,
      label: `Chunk ${index} end (CRLF)`,
      start: pos,
      end: pos + crlf,
      value: '',
    });
    pos += crlf;
    chunks.push({ size, extensions, data });
    parts.push(data);
  }
  const trailers: HttpHeader[] = [];
  for (;;) {
    const line = readLine(bytes, pos, Math.min(bytes.length, pos + maxLine));
    if (!line) {
      if (bytes.length - pos >= maxLine)
        throw httpError('Trailer line too long', 'HEADERS_TOO_LARGE', 431, 'RFC 9112 7.1.2', pos);
      return -1;
    }
    if (line.end === line.start) {
      spans?.push({
        id: 'trailers-end',
        label: 'End of chunked body (empty line)',
        start: pos,
        end: line.next,
        value: '',
      });
      pos = line.next;
      break;
    }
    const field = parseFieldLine(latin1(bytes, line.start, line.end), line.start);
    trailers.push(field);
    spans?.push({
      id: `trailer:${field.name.toLowerCase()}`,
      label: `${field.name} (trailer)`,
      start: pos,
      end: line.next,
      value: field.value,
    });
    pos = line.next;
  }
  message.body = concatBytes(parts, total);
  message.chunks = chunks;
  message.trailers = trailers;
  return pos;
}

// ---------------------------------------------------------------------------------------------------

/**
 * Incremental parser: feed chunks of any size, get complete messages. After a message that switches
 * protocols (101, or 2xx to CONNECT) it stops: later bytes are kept in `remainder` untouched (for a
 * WebSocket upgrade these are the first frames).
 */
export class HttpParser {
  private buffer = new Uint8Array(0);
  private scanned = 0;
  private done = false;
  private consumed = 0;
  private readonly options: HttpParseOptions;

  constructor(options: HttpParseOptions = {}) {
    this.options = options;
  }

  /** True once a message switched protocols; nothing after it is parsed as HTTP. */
  get upgraded(): boolean {
    return this.done;
  }

  /** Total bytes consumed by complete messages so far. */
  get bytesUsed(): number {
    return this.consumed;
  }

  /** Bytes received but not part of a complete message (after an upgrade: the other protocol's bytes). */
  get remainder(): Uint8Array {
    return this.buffer;
  }

  push(chunk: Uint8Array): HttpMessage[] {
    this.append(chunk);
    return this.drain(false);
  }

  /** The connection closed: finish a body delimited by the close, or throw if a message is cut short. */
  end(): HttpMessage[] {
    const out = this.drain(true);
    if (!this.done && this.buffer.length > 0) {
      throw httpError(
        'The connection closed in the middle of a message',
        'BAD_REQUEST_LINE',
        400,
        'RFC 9112 8',
        this.consumed,
      );
    }
    return out;
  }

  private append(chunk: Uint8Array): void {
    const next = new Uint8Array(this.buffer.length + chunk.length);
    next.set(this.buffer);
    next.set(chunk, this.buffer.length);
    this.buffer = next;
  }

  private drain(eof: boolean): HttpMessage[] {
    const out: HttpMessage[] = [];
    while (!this.done && this.buffer.length > 0) {
      // Do not re-parse a head until its terminating empty line has arrived (keeps tiny chunks linear).
      if (!eof && !this.headComplete()) break;
      const result = parseHttpMessage(this.buffer, 0, { ...this.options, eof });
      if (!result) break;
      out.push(result.message);
      this.consumed += result.bytesUsed;
      this.buffer = this.buffer.slice(result.bytesUsed);
      this.scanned = 0;
      if (result.upgrade) this.done = true;
    }
    return out;
  }

  private headComplete(): boolean {
    const b = this.buffer;
    for (let i = Math.max(1, this.scanned); i < b.length; i++) {
      if (b[i] === LF && (b[i - 1] === LF || (b[i - 1] === CR && i >= 2 && b[i - 2] === LF))) return true;
    }
    this.scanned = b.length;
    if (b.length >= (this.options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES)) return true; // let the parser throw 431
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------

export interface RequestInit {
  method: string;
  target: string;
  version?: string;
  headers?: HttpHeader[];
  body?: Uint8Array | string;
  chunks?: HttpChunk[];
  trailers?: HttpHeader[];
}

export interface ResponseInit {
  status: number;
  reason?: string;
  version?: string;
  headers?: HttpHeader[];
  body?: Uint8Array | string;
  chunks?: HttpChunk[];
  trailers?: HttpHeader[];
}

const CRLF = '\r\n';

function serializeHead(startLine: string, headers: readonly HttpHeader[]): string {
  let s = startLine + CRLF;
  for (const h of headers) s += `${h.name}: ${h.value}${CRLF}`;
  return s + CRLF;
}

function serializeBody(
  headers: readonly HttpHeader[],
  body: Uint8Array | string | undefined,
  chunks: readonly HttpChunk[] | undefined,
  trailers: readonly HttpHeader[] | undefined,
): Uint8Array[] {
  const data = typeof body === 'string' ? new TextEncoder().encode(body) : (body ?? new Uint8Array(0));
  const chunked = (getHeader(headers, 'transfer-encoding') ?? '').toLowerCase().includes('chunked');
  if (!chunked) return [data];
  const list: HttpChunk[] = chunks
    ? [...chunks]
    : data.length > 0
      ? [{ size: data.length, extensions: '', data }]
      : [];
  if (list.length === 0 || list[list.length - 1]!.size !== 0)
    list.push({ size: 0, extensions: '', data: new Uint8Array(0) });
  const out: Uint8Array[] = [];
  for (const c of list) {
    out.push(latin1Bytes(`${c.size.toString(16)}${c.extensions}${CRLF}`));
    if (c.size > 0) {
      out.push(c.data, latin1Bytes(CRLF));
    }
  }
  let tail = '';
  for (const t of trailers ?? []) tail += `${t.name}: ${t.value}${CRLF}`;
  out.push(latin1Bytes(tail + CRLF));
  return out;
}

/**
 * Serialise a request exactly as described: the headers given are written in order and nothing is
 * added (lessons show what is on the wire). With `Transfer-Encoding: chunked`, `chunks` (or the body as
 * one chunk) are framed per RFC 9112 section 7.1.
 */
export function serializeRequest(init: RequestInit): Uint8Array {
  const headers = init.headers ?? [];
  const head = serializeHead(`${init.method} ${init.target} ${init.version ?? HTTP_VERSION_1_1}`, headers);
  return concatBytes([latin1Bytes(head), ...serializeBody(headers, init.body, init.chunks, init.trailers)]);
}

/** Serialise a response; the reason phrase defaults to the standard one (RFC 9110 section 15). */
export function serializeResponse(init: ResponseInit): Uint8Array {
  const headers = init.headers ?? [];
  const reason = init.reason ?? REASON_PHRASES[init.status] ?? '';
  const head = serializeHead(`${init.version ?? HTTP_VERSION_1_1} ${init.status} ${reason}`, headers);
  return concatBytes([latin1Bytes(head), ...serializeBody(headers, init.body, init.chunks, init.trailers)]);
}

/**
 * A refusal as a message: `extra` headers, then a one-line text body with its Content-Type and
 * Content-Length, and `Connection: close` (RFC 9112 section 9.6: the server closes after it). When
 * `extra` carries Upgrade (a 426, RFC 9110 sections 7.8 and 15.5.22), Connection names it as well.
 * One writer for every error the demo server and the scenarios send, so their bytes agree.
 */
export function errorResponse(status: number, text: string, extra: readonly HttpHeader[] = []): HttpResponse {
  const body = text === '' ? new Uint8Array(0) : new TextEncoder().encode(`${text}\n`);
  const upgrade = extra.some((h) => h.name.toLowerCase() === 'upgrade');
  return {
    kind: 'response',
    version: HTTP_VERSION_1_1,
    status,
    reason: REASON_PHRASES[status] ?? '',
    headers: [
      ...extra,
      ...(body.length > 0 ? [{ name: 'Content-Type', value: 'text/plain; charset=utf-8' }] : []),
      { name: 'Content-Length', value: String(body.length) },
      { name: 'Connection', value: upgrade ? 'Upgrade, close' : 'close' },
    ],
    body,
  };
}

/** Serialise a parsed message (parse then serialise gives an equivalent message back). */
export function serializeMessage(message: HttpMessage): Uint8Array {
  return message.kind === 'request' ? serializeRequest(message) : serializeResponse(message);
}
