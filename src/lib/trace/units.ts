/**
 * Builders from parsed bytes: one connection's two byte streams in, trace 'unit' events out (HTTP
 * requests and responses, WebSocket frames), each carrying exactly its bytes on the wire. The parsing is
 * the protocol module's (parseHttpMessage, decodeFrame); this file only follows the conversation:
 *
 * - both directions start as HTTP/1.1 (RFC 9112);
 * - a request asking to upgrade stops the client side until the server answers: 101 switches both
 *   directions to WebSocket frames (RFC 6455 section 4.2.2), anything else resumes HTTP;
 * - a streaming response (text/event-stream) yields its head as a unit, and the stream itself stays in
 *   the raw byte events;
 * - a protocol violation yields one unit with the error (stable code, close code or status, RFC
 *   section) covering the bytes left, and parsing of that direction stops: so does a conforming peer.
 */
import {
  HttpError,
  ProtocolError,
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

type Mode = 'http' | 'await-upgrade' | 'ws' | 'raw';

/** Largest frame payload decoded when no limit is given (bounds what one connection can make us hold). */
const MAX_DECODED_PAYLOAD = 16 * 1024 * 1024;

/** Longest text preview in a frame summary. */
const PREVIEW_CHARS = 32;

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
        result = parseHttpMessage(side.buffer, 0, parseOptions);
        if (!result && dir === 's2c') result = streamingHead(side.buffer, parseOptions);
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
        else if (result.streaming) side.mode = 'raw';
        else if (sides.c2s.mode === 'await-upgrade') {
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

  return {
    push(dir, bytes, t) {
      const side = sides[dir];
      if (side.mode === 'raw') return [];
      side.append(bytes);
      const out: UnitEvent[] = [];
      if (side.mode === 'http') drainHttp(dir, t, out);
      else if (side.mode === 'ws') drainFrames(dir, t, out);
      return out;
    },
  };
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
