/**
 * Follows one TCP connection in both directions and cuts its bytes into units: HTTP requests and
 * responses, WebSocket frames, server-sent events. Each direction is read by the protocol's own
 * incremental readers (HttpParser, then FrameReader); the connection holds the one piece of state
 * they share, the phase, and moves it on explicitly:
 *
 *   http ──request asks to upgrade──▶ awaiting-101 ──101──▶ websocket
 *     ▲                                     │
 *     └────────── any other final response ─┘   (the server declined, RFC 9110 section 7.8)
 *
 * In `http`, a response whose body is an event stream (text/event-stream) is streamed: with chunked
 * framing (RFC 9112 section 7.1) its chunks are grouped into one 'sse-event' unit per event (the
 * chunks that carried it, size lines and CRLFs included), and its last chunk and trailers are one
 * 'last-chunk' unit; an event stream without chunks stays in the raw bytes. A protocol violation is one
 * 'fault' unit with the error, covering the bytes left in that direction, which then stops being read
 * (so does a conforming peer); the other direction goes on.
 *
 * When a 101 switches to WebSocket, `webSocket` (if given) is asked once for this connection's frame
 * hooks per direction: the decode options a negotiated extension changes (RFC 6455 section 9: the RSV
 * bits it defines; `deflate` for permessage-deflate, RFC 7692) and a function that sees every frame in
 * order and may return the message data the extension decoded (permessageDeflateHooks builds both).
 */
import { concatBytes } from './bytes.ts';
import { decodeUtf8 } from './utf8.ts';
import { ProtocolError, type HttpError } from './errors.ts';
import type { DecodeOptions, Frame } from './frame.ts';
import { FrameReader } from './reader.ts';
import {
  HttpParser,
  hasHeaderToken,
  type HttpPart,
  type HttpRequest,
  type HttpResponse,
} from './http/index.ts';
import { endsEvent, isEventStream } from './eventStream.ts';

/** Client to server, or server to client. */
export type WireDirection = 'c2s' | 's2c';

/** One unit of the conversation, with exactly its bytes on the wire. */
export type WireUnit =
  | { dir: WireDirection; kind: 'http-request'; bytes: Uint8Array; message: HttpRequest }
  | { dir: WireDirection; kind: 'http-response'; bytes: Uint8Array; message: HttpResponse }
  | {
      dir: WireDirection;
      kind: 'ws-frame';
      bytes: Uint8Array;
      frame: Frame;
      /** The message's data as an extension decoded it, on the frame that completed it. */
      decoded?: Uint8Array;
    }
  /** One or more events of an event stream, with the text of the chunk data that carried them. */
  | { dir: WireDirection; kind: 'sse-event'; bytes: Uint8Array; text: string }
  /** The last chunk and trailer section that end a chunked event stream. */
  | { dir: WireDirection; kind: 'last-chunk'; bytes: Uint8Array }
  /** Bytes that break the protocol being spoken: this direction is read no further. */
  | {
      dir: WireDirection;
      kind: 'fault';
      bytes: Uint8Array;
      /** Where the fault was found: in HTTP (an event stream's chunks included) or in WebSocket frames. */
      during: 'http' | 'websocket';
      error: HttpError | ProtocolError;
    };

/** What an extension negotiated on this connection changes in one direction's frames. */
export interface FrameHooks {
  /** The RSV bits the extension defines (RSV1 = 4), or permessage-deflate's RSV1 rules; others stay errors. */
  decode?: Pick<DecodeOptions, 'allowRsv' | 'deflate'>;
  /**
   * Sees every frame in order; returns the data of the message it completes, once decoded. A
   * ProtocolError it throws (data that does not inflate, 1007) fails this direction from that frame on.
   */
  onFrame?: (frame: Frame) => Uint8Array | undefined;
}

export interface ConnectionReaderOptions {
  /** Largest client frame payload (a bigger one is a fault with close code 1009, RFC 6455 10.4). */
  maxPayload?: number;
  maxHeaderBytes?: number;
  maxBodyBytes?: number;
  /** Called once per connection at the 101, with the handshake, for each direction's frame hooks. */
  webSocket?: (handshake: {
    request: HttpRequest | undefined;
    response: HttpResponse;
  }) => Partial<Record<WireDirection, FrameHooks>> | undefined;
}

/** Largest frame payload decoded when no limit is given (bounds what one connection can make us hold). */
const MAX_DECODED_PAYLOAD = 16 * 1024 * 1024;

/** Event-stream bytes held while waiting for the empty line that ends an event (bounds one connection). */
const MAX_PENDING_EVENT_BYTES = 1024 * 1024;

type Phase =
  | { name: 'http' }
  | { name: 'awaiting-101'; request: HttpRequest }
  | {
      name: 'websocket';
      readers: Record<WireDirection, FrameReader>;
      hooks: Record<WireDirection, FrameHooks>;
    };

/** A chunked event stream in progress on the server's side: chunks read but not yet an event. */
interface PendingEvents {
  bytes: Uint8Array[];
  data: Uint8Array[];
  size: number;
}

export class ConnectionReader {
  private phase: Phase = { name: 'http' };
  private readonly http: Record<WireDirection, HttpParser>;
  private readonly failed: Record<WireDirection, boolean> = { c2s: false, s2c: false };
  /** The server is streaming an event stream: its chunks not yet grouped into an event. */
  private events: PendingEvents | undefined;
  private readonly options: ConnectionReaderOptions;

  constructor(options: ConnectionReaderOptions = {}) {
    this.options = options;
    const limits = {
      ...(options.maxHeaderBytes === undefined ? {} : { maxHeaderBytes: options.maxHeaderBytes }),
      ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
    };
    this.http = {
      c2s: new HttpParser({ ...limits, kind: 'request' }),
      s2c: new HttpParser({ ...limits, kind: 'response', stream: isEventStream }),
    };
  }

  /** The connection's phase: 'http', 'awaiting-101' or 'websocket'. */
  get state(): Phase['name'] {
    return this.phase.name;
  }

  /**
   * Bytes seen in one direction; returns the units they completed, in order. The bytes must not be
   * changed afterwards: a frame's unit may share them.
   */
  push(dir: WireDirection, bytes: Uint8Array): WireUnit[] {
    const out: WireUnit[] = [];
    if (this.failed[dir]) return out;
    if (this.phase.name === 'websocket') this.frames(dir, bytes, out);
    else this.httpParts(dir, this.http[dir].read(bytes), out);
    return out;
  }

  private httpParts(dir: WireDirection, parts: HttpPart[], out: WireUnit[]): void {
    for (const part of parts) {
      switch (part.type) {
        case 'message':
          if (part.message.kind === 'request') {
            out.push({ dir, kind: 'http-request', bytes: part.bytes, message: part.message });
            this.onRequest(part.message, part.upgrade);
          } else {
            out.push({ dir, kind: 'http-response', bytes: part.bytes, message: part.message });
            this.onResponse(part.message, part.upgrade, out);
          }
          break;
        case 'head':
          // The head of an event stream is a unit at once: its body may never end.
          out.push({ dir, kind: 'http-response', bytes: part.bytes, message: part.message as HttpResponse });
          this.onResponse(part.message as HttpResponse, false, out);
          if (hasHeaderToken(part.message.headers, 'transfer-encoding', 'chunked')) {
            this.events = { bytes: [], data: [], size: 0 };
          }
          break;
        case 'chunk':
          this.onEventChunk(dir, part.bytes, part.chunk.data, out);
          break;
        case 'end':
          if (this.events) {
            this.flushEvents(dir, out);
            this.events = undefined;
            out.push({ dir, kind: 'last-chunk', bytes: part.bytes });
          }
          break;
        case 'data':
          // An event stream without chunks: its bytes stay in the raw byte events.
          break;
      }
    }
    const error = this.http[dir].error;
    if (error && !this.failed[dir]) {
      const held = dir === 's2c' && this.events ? this.events.bytes : [];
      this.fail(dir, 'http', error, concatBytes([...held, this.http[dir].remainder]), out);
    }
  }

  /** RFC 9112 section 9.3: the server answers requests in order; an upgrade waits for its answer. */
  private onRequest(request: HttpRequest, upgrade: boolean): void {
    this.http.s2c.expectResponseTo(request.method);
    if (upgrade) this.phase = { name: 'awaiting-101', request };
  }

  private onResponse(response: HttpResponse, upgrade: boolean, out: WireUnit[]): void {
    if (upgrade) {
      this.switchToWebSocket(response, out);
    } else if (response.status >= 200 && this.phase.name === 'awaiting-101') {
      // The server declined the upgrade: the client's next bytes are HTTP again.
      this.phase = { name: 'http' };
      this.httpParts('c2s', this.http.c2s.resume(), out);
    }
  }

  private switchToWebSocket(response: HttpResponse, out: WireUnit[]): void {
    const request = this.phase.name === 'awaiting-101' ? this.phase.request : undefined;
    const hooks = this.options.webSocket?.({ request, response }) ?? {};
    const reader = (dir: WireDirection) =>
      new FrameReader({
        // Section 5.1: client frames are masked, server frames are not. The size limit is the
        // server's, on what it receives; what it sends is bounded by the server itself.
        requireMask: dir === 'c2s',
        maxPayload: dir === 'c2s' ? (this.options.maxPayload ?? MAX_DECODED_PAYLOAD) : MAX_DECODED_PAYLOAD,
        ...hooks[dir]?.decode,
      });
    this.phase = {
      name: 'websocket',
      readers: { c2s: reader('c2s'), s2c: reader('s2c') },
      hooks: { c2s: hooks.c2s ?? {}, s2c: hooks.s2c ?? {} },
    };
    // Frames that came right behind the request or the 101 (the `head` of node's upgrade event).
    for (const dir of ['c2s', 's2c'] as const) {
      const rest = this.http[dir].remainder;
      if (rest.length > 0 && !this.failed[dir]) this.frames(dir, rest, out);
    }
  }

  private frames(dir: WireDirection, bytes: Uint8Array, out: WireUnit[]): void {
    if (this.phase.name !== 'websocket') return;
    const reader = this.phase.readers[dir];
    const onFrame = this.phase.hooks[dir].onFrame;
    const frames = reader.read(bytes);
    for (let i = 0; i < frames.length; i++) {
      const { frame, bytes: wire } = frames[i]!;
      let decoded: Uint8Array | undefined;
      try {
        decoded = onFrame?.(frame);
      } catch (error) {
        if (!(error instanceof ProtocolError)) throw error;
        const rest = frames.slice(i).map((f) => f.bytes);
        this.fail(dir, 'websocket', error, concatBytes([...rest, reader.remainder]), out);
        return;
      }
      out.push(
        decoded === undefined
          ? { dir, kind: 'ws-frame', bytes: wire, frame }
          : { dir, kind: 'ws-frame', bytes: wire, frame, decoded },
      );
    }
    if (reader.error) this.fail(dir, 'websocket', reader.error, reader.remainder, out);
  }

  /** A chunk of an event stream: once the data so far ends an event, its chunks become one unit. */
  private onEventChunk(dir: WireDirection, bytes: Uint8Array, data: Uint8Array, out: WireUnit[]): void {
    const events = this.events;
    if (!events) return;
    events.bytes.push(bytes);
    events.data.push(data);
    events.size += bytes.length;
    if (endsEvent(events.data) || events.size > MAX_PENDING_EVENT_BYTES) this.flushEvents(dir, out);
  }

  private flushEvents(dir: WireDirection, out: WireUnit[]): void {
    const events = this.events;
    if (!events || events.bytes.length === 0) return;
    const text = decodeUtf8(concatBytes(events.data));
    out.push({ dir, kind: 'sse-event', bytes: concatBytes(events.bytes, events.size), text });
    this.events = { bytes: [], data: [], size: 0 };
  }

  private fail(
    dir: WireDirection,
    during: 'http' | 'websocket',
    error: HttpError | ProtocolError,
    bytes: Uint8Array,
    out: WireUnit[],
  ): void {
    this.failed[dir] = true;
    if (dir === 's2c') this.events = undefined;
    out.push({ dir, kind: 'fault', bytes, during, error });
  }
}
