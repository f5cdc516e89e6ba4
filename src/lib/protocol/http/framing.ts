/**
 * Message framing (RFC 9112 section 6): how long a body is, and the chunked transfer coding (section
 * 7.1) as named steps: the size line, the data's CRLF, the trailer lines. The one-shot parser and the
 * incremental HttpParser both read chunks with these steps, so there is one chunked decoder.
 */
import { STATUS_SWITCHING_PROTOCOLS } from '../constants.ts';
import { concatBytes } from '../bytes.ts';
import type { HttpError } from '../errors.ts';
import { getHeader, hasHeaderToken, parseFieldLine } from './head.ts';
import { CR, LF, httpError, latin1, readLine } from './syntax.ts';
import type { HttpChunk, HttpHeader, HttpMessage, HttpParseOptions, HttpSpan } from './types.ts';

export interface Framing {
  /** none: no body; length: Content-Length; chunked: section 7.1; close: until the connection closes. */
  kind: 'none' | 'length' | 'chunked' | 'close';
  length: number;
}

/** RFC 9112 section 6.3: how long is the body of this message? Throws for framing that cannot be trusted. */
export function bodyFraming(message: HttpMessage, options: HttpParseOptions, headAt: number): Framing {
  if (message.kind === 'response') {
    const s = message.status;
    const method = options.requestMethod?.toUpperCase();
    if (method === 'HEAD' || (s >= 100 && s < 200) || s === 204 || s === 304) {
      return { kind: 'none', length: 0 };
    }
    if (method === 'CONNECT' && s >= 200 && s < 300) return { kind: 'none', length: 0 };
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

/**
 * After this message, do the connection's bytes belong to another protocol? A 101, or a 2xx to
 * CONNECT; or a request asking to switch (RFC 9110 section 7.8), whose next bytes depend on the
 * server's answer, so an incremental parser stops there rather than read them as HTTP.
 */
export function isUpgrade(message: HttpMessage, options: HttpParseOptions): boolean {
  if (message.kind === 'response') {
    return (
      message.status === STATUS_SWITCHING_PROTOCOLS ||
      (options.requestMethod?.toUpperCase() === 'CONNECT' && message.status >= 200 && message.status < 300)
    );
  }
  return (
    getHeader(message.headers, 'upgrade') !== undefined &&
    hasHeaderToken(message.headers, 'connection', 'upgrade')
  );
}

export function bodyTooLarge(maxBody: number, at: number, size?: number): HttpError {
  return httpError(
    size === undefined
      ? `Body over the limit of ${maxBody}`
      : `Body of ${size} bytes is over the limit of ${maxBody}`,
    'BODY_TOO_LARGE',
    413,
    'RFC 9110 15.5.14',
    at,
  );
}

const CHUNK_SIZE = /^([0-9a-fA-F]{1,15})([ \t]*;.*)?$/;

export interface ChunkSize {
  size: number;
  /** Raw chunk extensions (section 7.1.1), '' when none. */
  extensions: string;
  /** Index just past the size line. */
  next: number;
}

/**
 * Step 1 of a chunk: `chunk-size [ chunk-ext ] CRLF` at `pos`. null when the line has not all arrived
 * (`scanFrom` resumes the search for its end); throws BAD_CHUNK for a line that is not a size or is
 * longer than `maxLine`.
 */
export function readChunkSize(
  bytes: Uint8Array,
  pos: number,
  maxLine: number,
  scanFrom = pos,
): ChunkSize | null {
  const line = readLine(bytes, pos, Math.min(bytes.length, pos + maxLine), scanFrom);
  if (!line) {
    if (bytes.length - pos >= maxLine)
      throw httpError('Chunk size line too long', 'BAD_CHUNK', 400, 'RFC 9112 7.1', pos);
    return null;
  }
  const text = latin1(bytes, line.start, line.end);
  const m = CHUNK_SIZE.exec(text);
  if (!m) throw httpError(`"${text}" is not a chunk size`, 'BAD_CHUNK', 400, 'RFC 9112 7.1', line.start);
  return { size: parseInt(m[1]!, 16), extensions: m[2] ?? '', next: line.next };
}

/**
 * Step 2 of a chunk, after its data: the CRLF (or a bare LF, section 2.2) at `pos`. Its length, or 0
 * when it has not arrived; throws BAD_CHUNK for anything else.
 */
export function readChunkEnd(bytes: Uint8Array, pos: number): number {
  if (bytes.length - pos < 1 || (bytes[pos] === CR && bytes.length - pos < 2)) return 0;
  const crlf = bytes[pos] === CR && bytes[pos + 1] === LF ? 2 : bytes[pos] === LF ? 1 : 0;
  if (crlf === 0)
    throw httpError('Chunk data must be followed by CRLF', 'BAD_CHUNK', 400, 'RFC 9112 7.1', pos);
  return crlf;
}

/** The annotation of one trailer line read by `readTrailer` at `pos`: a field, or the empty line that ends the body. */
export function trailerSpan(line: { field: HttpHeader | undefined; next: number }, pos: number): HttpSpan {
  if (!line.field) {
    return {
      id: 'trailers-end',
      label: 'End of chunked body (empty line)',
      start: pos,
      end: line.next,
      value: '',
    };
  }
  return {
    id: `trailer:${line.field.name.toLowerCase()}`,
    label: `${line.field.name} (trailer)`,
    start: pos,
    end: line.next,
    value: line.field.value,
  };
}

/**
 * After the last chunk, one line of the trailer section (section 7.1.2): a field, or `field` undefined
 * for the empty line that ends the body. null when the line has not arrived; a line longer than
 * `maxLine` is 431.
 */
export function readTrailer(
  bytes: Uint8Array,
  pos: number,
  maxLine: number,
  scanFrom = pos,
): { field: HttpHeader | undefined; next: number } | null {
  const line = readLine(bytes, pos, Math.min(bytes.length, pos + maxLine), scanFrom);
  if (!line) {
    if (bytes.length - pos >= maxLine)
      throw httpError('Trailer line too long', 'HEADERS_TOO_LARGE', 431, 'RFC 9112 7.1.2', pos);
    return null;
  }
  if (line.end === line.start) return { field: undefined, next: line.next };
  return { field: parseFieldLine(latin1(bytes, line.start, line.end), line.start), next: line.next };
}

/**
 * A whole chunked body at `start` (section 7.1): chunks, the last chunk, trailers, recording each
 * part's span. Fills the message's body, chunks and trailers; returns the end, or -1 for "need more".
 */
export function parseChunked(
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
    const line = readChunkSize(bytes, pos, maxLine);
    if (!line) return -1;
    const { size, extensions } = line;
    spans?.push({
      id: size === 0 ? 'last-chunk' : `chunk-size:${index}`,
      label: size === 0 ? 'Last chunk (size 0)' : `Chunk ${index} size`,
      start: pos,
      end: line.next,
      value: size,
      note: extensions === '' ? undefined : `extensions: ${extensions.trim()}`,
    });
    const sizeAt = pos;
    pos = line.next;
    if (size === 0) {
      chunks.push({ size, extensions, data: new Uint8Array(0) });
      break;
    }
    total += size;
    if (total > maxBody) throw bodyTooLarge(maxBody, sizeAt);
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
    const crlf = readChunkEnd(bytes, pos);
    if (crlf === 0) return -1;
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
    const line = readTrailer(bytes, pos, maxLine);
    if (!line) return -1;
    spans?.push(trailerSpan(line, pos));
    if (!line.field) {
      pos = line.next;
      break;
    }
    trailers.push(line.field);
    pos = line.next;
  }
  message.body = concatBytes(parts, total);
  message.chunks = chunks;
  message.trailers = trailers;
  return pos;
}
