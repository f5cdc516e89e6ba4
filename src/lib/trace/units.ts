/**
 * Builders from parsed bytes: one connection's two byte streams in, trace 'unit' events out (HTTP
 * requests and responses, WebSocket frames), each carrying exactly its bytes on the wire. The parsing is
 * the protocol module's (parseHttpMessage, decodeFrame); this file only follows the conversation:
 *
 * - both directions start as HTTP/1.1 (RFC 9112);
 * - a request asking to upgrade stops the client side until the server answers: 101 switches both
 *   directions to WebSocket frames (RFC 6455 section 4.2.2), anything else resumes HTTP;
 * - a streaming response (text/event-stream) yields its head as a unit at once; when its body is chunked
 *   (RFC 9112 section 7.1), each event becomes an 'sse-event' unit whose bytes are exactly the chunk(s)
 *   that carried it (size line, event text, CRLF), and the last chunk a 'raw' unit; an unchunked stream
 *   stays in the raw byte events;
 * - a protocol violation yields one unit with the error (stable code, close code or status, RFC
 *   section) covering the bytes left, and parsing of that direction stops: so does a conforming peer.
 */
import {
  HttpError,
  ProtocolError,
  concatBytes,
  headerTokens,
  decodeFrame,
  getHeader,
  opcodeName,
  parseCloseBody,
  parseHttpMessage,
  type Frame,
  type HttpMessage,
  type HttpParseOptions,
  type HttpParseResult,
} from '../protocol/index.ts';
import type { Direction, UnitEvent } from './types';

export interface UnitParser {
  push(dir: Direction, bytes: Uint8Array, t: number): UnitEvent[];
}

export interface UnitParserOptions {
  /** Largest client frame payload (a bigger one is reported as 1009, RFC 6455 section 10.4). */
  maxPayload?: number;
  maxHeaderBytes?: number;
  maxBodyBytes?: number;
}

type StreamingResult = HttpParseResult & { streaming?: boolean };

type Mode = 'http' | 'await-upgrade' | 'ws' | 'sse' | 'raw';

/** Largest frame payload decoded when no limit is given (bounds what one connection can make us hold). */
const MAX_DECODED_PAYLOAD = 16 * 1024 * 1024;

/** Longest text preview in a frame summary. */
const PREVIEW_CHARS = 32;

/** Longest chunk-size line (with extensions) we wait for in an event stream. */
const MAX_CHUNK_LINE = 1024;

/** Event-stream bytes held while waiting for the blank line that ends an event (bounds one connection). */
const MAX_PENDING_EVENT_BYTES = 1024 * 1024;

const textDecoder = new TextDecoder('utf-8', { fatal: false });

function capitalised(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function preview(payload: Uint8Array): string {
  const text = textDecoder.decode(payload.subarray(0, PREVIEW_CHARS * 4));
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}…` : text;
}

/** One line for an arrow label, e.g. "Text 'Hello' (masked)" or "Close 1000 'bye'". */
export function summariseFrame(frame: Frame): string {
  const name = capitalised(opcodeName(frame.opcode));
  const flags = `${frame.fin ? '' : ', FIN=0'}${frame.masked ? ', masked' : ''}`;
  const tail = flags ? ` (${flags.slice(2)})` : '';
  if (frame.opcode === 0x8) {
    const body = parseCloseBody(frame.payload);
    if (body.ok && body.code !== undefined)
      return `Close ${body.code}${body.reason ? ` '${body.reason}'` : ''}${tail}`;
    return `Close (no status)${tail}`;
  }
  if (frame.opcode === 0x2) return `Binary ${frame.payloadLength} bytes${tail}`;
  if (frame.payloadLength === 0) return `${name}${tail}`;
  return `${name} '${preview(frame.payload)}'${tail}`;
}

export function summariseHttp(message: HttpMessage): string {
  return message.kind === 'request'
    ? `${message.method} ${message.target} ${message.version}`
    : `${message.version} ${message.status} ${message.reason}`;
}

class Direction1 {
  mode: Mode = 'http';
  buffer: Uint8Array = new Uint8Array(0);
  /** In an event stream: bytes of `buffer` already read as whole chunks, and their data, not yet a unit. */
  sseScanned = 0;
  sseData: Uint8Array[] = [];

  append(chunk: Uint8Array): void {
    if (this.buffer.length === 0) {
      this.buffer = chunk;
      return;
    }
    const next = new Uint8Array(this.buffer.length + chunk.length);
    next.set(this.buffer);
    next.set(chunk, this.buffer.length);
    this.buffer = next;
  }

  take(n: number): Uint8Array {
    const bytes = this.buffer.subarray(0, n);
    this.buffer = this.buffer.subarray(n);
    return bytes;
  }
}

/** Follows one TCP connection in both directions. */
export function createUnitParser(conn: string, options: UnitParserOptions = {}): UnitParser {
  const sides: Record<Direction, Direction1> = { c2s: new Direction1(), s2c: new Direction1() };
  /** Methods of requests not yet answered, oldest first (a response to HEAD has no body). */
  const requestMethods: string[] = [];

  function unit(
    dir: Direction,
    t: number,
    kind: UnitEvent['kind'],
    summary: string,
    bytes: Uint8Array,
  ): UnitEvent {
    return { type: 'unit', t, conn, dir, kind, summary, bytes: bytes.slice() };
  }

  function fail(dir: Direction, t: number, error: unknown, kind: UnitEvent['kind']): UnitEvent[] {
    const side = sides[dir];
    side.mode = 'raw';
    const bytes = side.take(side.buffer.length);
    if (error instanceof ProtocolError) {
      const event = unit(dir, t, kind, `Protocol error: ${error.code}`, bytes);
      event.error = {
        code: error.code,
        message: error.message,
        closeCode: error.closeCode,
        section: error.section,
      };
      return [event];
    }
    if (error instanceof HttpError) {
      const event = unit(dir, t, kind, `HTTP error: ${error.code}`, bytes);
      event.error = {
        code: error.code,
        message: error.message,
        status: error.status,
        section: error.section,
      };
      return [event];
    }
    throw error;
  }

  function drainHttp(dir: Direction, t: number, out: UnitEvent[]): void {
    const side = sides[dir];
    while (side.mode === 'http' && side.buffer.length > 0) {
      const parseOptions = {
        kind: dir === 'c2s' ? ('request' as const) : ('response' as const),
        ...(options.maxHeaderBytes === undefined ? {} : { maxHeaderBytes: options.maxHeaderBytes }),
        ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
        ...(dir === 's2c' && requestMethods[0] !== undefined ? { requestMethod: requestMethods[0] } : {}),
      };
      let result: StreamingResult | null;
      try {
        // An event stream's head is a unit of its own even when its whole body is already here, so the
        // units do not depend on how the bytes were split into reads.
        result =
          (dir === 's2c' ? streamingHead(side.buffer, parseOptions) : null) ??
          parseHttpMessage(side.buffer, 0, parseOptions);
      } catch (error) {
        out.push(...fail(dir, t, error, 'raw'));
        return;
      }
      if (!result) return;
      const { message, bytesUsed, upgrade } = result;
      const kind = message.kind === 'request' ? 'http-request' : 'http-response';
      out.push(unit(dir, t, kind, summariseHttp(message), side.take(bytesUsed)));
      if (message.kind === 'request') {
        requestMethods.push(message.method);
        if (upgrade) side.mode = 'await-upgrade';
      } else if (message.status >= 200 || upgrade) {
        requestMethods.shift();
        if (upgrade) switchToFrames(t, out);
        else if (result.streaming) {
          const chunked = headerTokens(message.headers, 'transfer-encoding').some(
            (token) => token.toLowerCase() === 'chunked',
          );
          side.mode = chunked ? 'sse' : 'raw';
          side.sseScanned = 0;
          side.sseData = [];
          if (chunked) drainEvents(dir, t, out);
        } else if (sides.c2s.mode === 'await-upgrade') {
          // The server declined the upgrade: the client's next bytes are HTTP again.
          sides.c2s.mode = 'http';
          drainHttp('c2s', t, out);
        }
      }
    }
  }

  function switchToFrames(t: number, out: UnitEvent[]): void {
    sides.s2c.mode = 'ws';
    sides.c2s.mode = 'ws';
    drainFrames('c2s', t, out);
  }

  function drainFrames(dir: Direction, t: number, out: UnitEvent[]): void {
    const side = sides[dir];
    // Section 5.1: client frames are masked, server frames are not; the decoder checks the role.
    // The size limit is the server's, on what it receives; what it sends is bounded by the server itself.
    const maxPayload = dir === 'c2s' ? (options.maxPayload ?? MAX_DECODED_PAYLOAD) : MAX_DECODED_PAYLOAD;
    const decodeOptions = { requireMask: dir === 'c2s', maxPayload };
    while (side.mode === 'ws' && side.buffer.length > 0) {
      let result;
      try {
        result = decodeFrame(side.buffer, 0, decodeOptions);
      } catch (error) {
        out.push(...fail(dir, t, error, 'ws-frame'));
        return;
      }
      if (!result) return;
      out.push(unit(dir, t, 'ws-frame', summariseFrame(result.frame), side.take(result.bytesUsed)));
    }
  }

  /**
   * A chunked event stream (RFC 9112 section 7.1 framing around the HTML Living Standard's event stream
   * format): read whole chunks, and once the data read so far ends with a blank line (the end of an
   * event), the chunks that carried it become one 'sse-event' unit. The last chunk and its trailer
   * section end the response; the connection then carries HTTP again.
   */
  function drainEvents(dir: Direction, t: number, out: UnitEvent[]): void {
    const side = sides[dir];
    while (side.mode === 'sse') {
      let chunk: { end: number; data: Uint8Array } | null;
      try {
        chunk = readChunk(side.buffer, side.sseScanned);
      } catch (error) {
        out.push(...fail(dir, t, error, 'raw'));
        return;
      }
      if (!chunk) return;
      if (chunk.data.length === 0) {
        // The last chunk: whatever was pending goes out as it is, then the end of the body.
        if (side.sseScanned > 0) emitEvents(dir, t, out);
        out.push(unit(dir, t, 'raw', 'Last chunk (end of the event stream)', side.take(chunk.end)));
        side.mode = 'http';
        drainHttp(dir, t, out);
        return;
      }
      side.sseScanned = chunk.end;
      side.sseData.push(chunk.data);
      if (endsEvent(side.sseData) || side.sseScanned > MAX_PENDING_EVENT_BYTES) emitEvents(dir, t, out);
    }
  }

  function emitEvents(dir: Direction, t: number, out: UnitEvent[]): void {
    const side = sides[dir];
    const text = textDecoder.decode(concatBytes(side.sseData));
    out.push(unit(dir, t, 'sse-event', summariseEvents(text), side.take(side.sseScanned)));
    side.sseScanned = 0;
    side.sseData = [];
  }

  return {
    push(dir, bytes, t) {
      const side = sides[dir];
      if (side.mode === 'raw') return [];
      side.append(bytes);
      const out: UnitEvent[] = [];
      if (side.mode === 'http') drainHttp(dir, t, out);
      else if (side.mode === 'ws') drainFrames(dir, t, out);
      else if (side.mode === 'sse') drainEvents(dir, t, out);
      return out;
    },
  };
}

const CR = 0x0d;
const LF = 0x0a;

/** Index just past the line starting at `from` (LF, or CRLF per RFC 9112 section 2.2); -1 if not there. */
function lineEnd(bytes: Uint8Array, from: number, limit: number): number {
  const end = Math.min(bytes.length, from + limit);
  for (let i = from; i < end; i++) if (bytes[i] === LF) return i + 1;
  if (bytes.length - from >= limit) {
    throw new HttpError('Chunk size line too long', {
      code: 'BAD_CHUNK',
      status: 400,
      section: 'RFC 9112 7.1',
      offset: from,
    });
  }
  return -1;
}

/**
 * One chunk at `from` (RFC 9112 section 7.1): `chunk-size [ext] CRLF data CRLF`, or for the last chunk
 * `0 CRLF` and the trailer section up to its empty line. null: more bytes are needed.
 */
function readChunk(bytes: Uint8Array, from: number): { end: number; data: Uint8Array } | null {
  const sizeEnd = lineEnd(bytes, from, MAX_CHUNK_LINE);
  if (sizeEnd < 0) return null;
  const line = textDecoder.decode(bytes.subarray(from, sizeEnd)).replace(/\r?\n$/, '');
  const match = /^([0-9a-fA-F]{1,15})([ \t]*;.*)?$/.exec(line);
  const bad = (message: string, offset: number) =>
    new HttpError(message, { code: 'BAD_CHUNK', status: 400, section: 'RFC 9112 7.1', offset });
  if (!match) throw bad(`"${line}" is not a chunk size`, from);
  const size = parseInt(match[1]!, 16);
  if (size === 0) {
    // The trailer section: field lines, then an empty line (RFC 9112 section 7.1.2).
    let at = sizeEnd;
    for (;;) {
      const end = lineEnd(bytes, at, MAX_CHUNK_LINE);
      if (end < 0) return null;
      const empty = end - at === 1 || (end - at === 2 && bytes[at] === CR);
      at = end;
      if (empty) return { end: at, data: new Uint8Array(0) };
    }
  }
  const dataEnd = sizeEnd + size;
  if (bytes.length < dataEnd + 1 || (bytes[dataEnd] === CR && bytes.length < dataEnd + 2)) return null;
  const crlf = bytes[dataEnd] === CR && bytes[dataEnd + 1] === LF ? 2 : bytes[dataEnd] === LF ? 1 : 0;
  if (crlf === 0) throw bad('Chunk data must be followed by CRLF', dataEnd);
  return { end: dataEnd + crlf, data: bytes.subarray(sizeEnd, dataEnd) };
}

/** The event-stream text so far ends with a blank line: the end of an event (or of several). */
function endsEvent(parts: readonly Uint8Array[]): boolean {
  const tail: number[] = [];
  for (let p = parts.length - 1; p >= 0 && tail.length < 4; p--) {
    const part = parts[p]!;
    for (let i = part.length - 1; i >= 0 && tail.length < 4; i--) tail.unshift(part[i]!);
  }
  const text = String.fromCharCode(...tail);
  return /(\r\n|\n|\r)(\r\n|\n|\r)$/.test(text) && !/[^\r\n]\r\n$/.test(text);
}

/**
 * One line for the events in `text` (HTML Living Standard, 9.2.6 Interpreting an event stream):
 * "Event id 3 '{\"id\":3…'", "Retry 1000 ms", "Comment ': keep-alive'", with "(+N more)" when one unit
 * carries several.
 */
export function summariseEvents(text: string): string {
  const blocks = text.split(/\r\n\r\n|\n\n|\r\r|\r\n\n|\n\r\n/).filter((block) => block !== '');
  const summaries = blocks.map((block) => {
    const fields = new Map<string, string[]>();
    let comment: string | undefined;
    for (const line of block.split(/\r\n|\n|\r/)) {
      if (line.startsWith(':')) {
        comment ??= line;
        continue;
      }
      const colon = line.indexOf(':');
      const name = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      fields.set(name, [...(fields.get(name) ?? []), value]);
    }
    const id = fields.get('id')?.at(-1);
    const type = fields.get('event')?.at(-1);
    const data = fields.get('data');
    if (data) {
      const joined = data.join('\n');
      const shown = joined.length > PREVIEW_CHARS ? `${joined.slice(0, PREVIEW_CHARS)}…` : joined;
      return `${type ? capitalised(type) : 'Event'}${id === undefined ? '' : ` id ${id}`} '${shown}'`;
    }
    const retry = fields.get('retry')?.at(-1);
    if (retry !== undefined) return `Retry ${retry} ms`;
    if (comment !== undefined) return `Comment '${comment}'`;
    return 'Event (empty)';
  });
  if (summaries.length === 0) return 'Event (empty)';
  return summaries.length === 1 ? summaries[0]! : `${summaries[0]} (+${summaries.length - 1} more)`;
}

/**
 * A response whose body streams until the connection closes or a last chunk that may never come
 * (server-sent events): once its head is complete, parse the head alone, the way a response to HEAD
 * is parsed (RFC 9110 section 9.3.2), so the head becomes a unit now rather than never.
 */
function streamingHead(buffer: Uint8Array, options: HttpParseOptions): StreamingResult | null {
  const head = parseHttpMessage(buffer, 0, { ...options, requestMethod: 'HEAD' });
  if (!head || head.message.kind !== 'response') return null;
  const type = getHeader(head.message.headers, 'content-type') ?? '';
  if (!type.toLowerCase().startsWith('text/event-stream')) return null;
  return { ...head, streaming: true };
}
