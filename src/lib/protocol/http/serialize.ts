/**
 * HTTP/1.1 messages to bytes (RFC 9112): exactly the fields given, in order, nothing added, so the
 * lessons show what is on the wire; chunked bodies framed per section 7.1; and the one writer of
 * refusals (errorResponse) that the demo server and the scenarios share.
 */
import { HTTP_VERSION_1_1, REASON_PHRASES } from '../constants.ts';
import { concatBytes } from '../bytes.ts';
import { getHeader } from './head.ts';
import { latin1Bytes } from './syntax.ts';
import type { HttpChunk, HttpHeader, HttpMessage, HttpResponse } from './types.ts';

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
  for (const c of list) out.push(...chunkParts(c.size, c.extensions, c.data));
  let tail = '';
  for (const t of trailers ?? []) tail += `${t.name}: ${t.value}${CRLF}`;
  out.push(latin1Bytes(tail + CRLF));
  return out;
}

/** One chunk (RFC 9112 section 7.1): size in hex and extensions, CRLF, then data and CRLF unless last. */
function chunkParts(size: number, extensions: string, data: Uint8Array): Uint8Array[] {
  const line = latin1Bytes(`${size.toString(16)}${extensions}${CRLF}`);
  return size > 0 ? [line, data, latin1Bytes(CRLF)] : [line];
}

/**
 * `data` as one chunk of a body written piece by piece (a chunked event stream): its size in hex,
 * CRLF, the bytes, CRLF (RFC 9112 section 7.1).
 */
export function encodeChunk(data: Uint8Array): Uint8Array {
  if (data.length === 0) throw new RangeError('A chunk of size 0 is the last chunk: use LAST_CHUNK');
  return concatBytes(chunkParts(data.length, '', data));
}

/** The last chunk with no trailers, `0 CRLF CRLF`: the end of a chunked body (section 7.1). */
export const LAST_CHUNK: Uint8Array = latin1Bytes(`0${CRLF}${CRLF}`);

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
  return concatBytes([
    serializeResponseHead(init),
    ...serializeBody(headers, init.body, init.chunks, init.trailers),
  ]);
}

/**
 * A response's head alone, status line to the empty line, for a body written afterwards piece by piece
 * (a chunked event stream): nothing of the body, not even the last chunk, is written.
 */
export function serializeResponseHead(init: Omit<ResponseInit, 'body' | 'chunks' | 'trailers'>): Uint8Array {
  const reason = init.reason ?? REASON_PHRASES[init.status] ?? '';
  return latin1Bytes(
    serializeHead(`${init.version ?? HTTP_VERSION_1_1} ${init.status} ${reason}`, init.headers ?? []),
  );
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
