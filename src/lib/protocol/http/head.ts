/**
 * The head of an HTTP/1.1 message (RFC 9112 sections 2-5): start line, field lines, empty line. Strict
 * where leniency has caused request smuggling or confusion (obs-fold, whitespace before the colon),
 * lenient where section 2.2 allows it (a bare LF ends a line). Records the byte span of every part as
 * it goes, so the same code drives annotateHttp.
 */
import { DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_HEADERS } from '../constants.ts';
import type { HttpError } from '../errors.ts';
import { CR, LF, firstControl, httpError, isToken, latin1, readLine } from './syntax.ts';
import type { HttpHeader, HttpMessage, HttpParseOptions, HttpSpan } from './types.ts';

const VERSION = /^HTTP\/(\d)\.(\d)$/;

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

/** RFC 9112 section 3: request-line = method SP request-target SP HTTP-version. */
function parseRequestLine(
  text: string,
  at: number,
  options: HttpParseOptions,
): { method: string; target: string; version: string } {
  const parts = text.split(' ');
  if (
    parts.length !== 3 ||
    !isToken(parts[0]!) ||
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

/** RFC 9112 section 5: field-line = field-name ":" OWS field-value OWS (also trailer lines, 7.1.2). */
export function parseFieldLine(text: string, at: number): HttpHeader {
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
  if (!isToken(name))
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

/** Whether the list field `name` has `token` among its elements (case-insensitive, RFC 9110 5.6.1). */
export function hasHeaderToken(headers: readonly HttpHeader[], name: string, token: string): boolean {
  const lower = token.toLowerCase();
  return headerTokens(headers, name).some((t) => t.toLowerCase() === lower);
}

/**
 * Byte length of a message's head, through the empty line that ends it (RFC 9112 section 2.1), or all
 * of `bytes` when they hold no such end. It counts bytes on the wire; parsing is parseHead's job.
 */
export function headLength(bytes: Uint8Array): number {
  const end = findHeadEnd(bytes, 0);
  return end < 0 ? bytes.length : end;
}

/**
 * Index just past the empty line that ends the head starting at `from` (a line end, then CRLF or a bare
 * LF, as readLine reads lines), or -1 when it has not arrived. `scanFrom` resumes an earlier search,
 * so a head that trickles in is scanned once.
 */
export function findHeadEnd(bytes: Uint8Array, from: number, scanFrom = from): number {
  for (let i = bytes.indexOf(LF, Math.max(from + 1, scanFrom)); i >= 0; i = bytes.indexOf(LF, i + 1)) {
    const before = bytes[i - 1];
    if (before === LF || (before === CR && i - 2 >= from && bytes[i - 2] === LF)) return i + 1;
  }
  return -1;
}

/** Throws the 431 of a head that has reached `maxHead` bytes without ending. */
function headTooLarge(maxHead: number, at: number): HttpError {
  return httpError(`The head is larger than ${maxHead} bytes`, 'HEADERS_TOO_LARGE', 431, 'RFC 6585 5', at);
}

/**
 * Parse the head of one message at `offset`: its start line and fields (the body is empty). Returns
 * the message and the index just past the head's empty line, or null when the head is not all there.
 * Throws HttpError; `spans` receives each part's byte span as it is recognised (also on error).
 */
export function parseHead(
  bytes: Uint8Array,
  offset = 0,
  options: HttpParseOptions = {},
  spans?: HttpSpan[],
): { message: HttpMessage; end: number } | null {
  const maxHead = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  const maxHeaders = options.maxHeaders ?? DEFAULT_MAX_HEADERS;
  const headLimit = Math.min(bytes.length, offset + maxHead);
  const needMore = (): null => {
    if (bytes.length - offset >= maxHead) throw headTooLarge(maxHead, offset + maxHead);
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
      return { message, end: line.next };
    }
    const header = parseFieldLine(latin1(bytes, line.start, line.end), line.start);
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
}
