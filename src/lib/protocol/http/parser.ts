/**
 * The incremental HTTP/1.1 reader: feed a connection's bytes in chunks of any size, get its messages
 * (RFC 9112) as they complete, each with its exact bytes and stream offsets. The head is parsed once,
 * when its empty line has arrived; the body is read with the same framing steps as the one-shot
 * parser (framing.ts); every byte is copied once into a ByteQueue and scanned once, so a message that
 * trickles in byte by byte costs linear time.
 *
 * A response whose body never ends (server-sent events) can be streamed: `stream(head)` says so per
 * message, and its body then comes as parts ('head', then 'chunk' or 'data', then 'end') without being
 * held. After a message that switches protocols (a 101, a 2xx to CONNECT, or a request asking to
 * upgrade, whose answer decides) the reader stops; later bytes wait in `remainder` (for a WebSocket,
 * the first frames), and `resume()` goes on with HTTP when a server declined the upgrade.
 */
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_HEADER_BYTES } from '../constants.ts';
import { ByteQueue, concatBytes } from '../bytes.ts';
import { HttpError } from '../errors.ts';
import {
  bodyFraming,
  bodyTooLarge,
  isUpgrade,
  readChunkEnd,
  readChunkSize,
  readTrailer,
  type Framing,
} from './framing.ts';
import { findHeadEnd, parseHead } from './head.ts';
import { httpError } from './syntax.ts';
import type { HttpChunk, HttpHeader, HttpMessage, HttpParseOptions } from './types.ts';

/** Where a part's bytes sit in the stream: offsets since the first byte pushed, end exclusive. */
interface Placed {
  start: number;
  end: number;
  /** Exactly the part's bytes on the wire (a copy the caller owns). */
  bytes: Uint8Array;
}

/** What the reader yields, in stream order. */
export type HttpPart =
  /** A complete message (head and body). `upgrade`: the bytes after it are another protocol's. */
  | (Placed & { type: 'message'; message: HttpMessage; upgrade: boolean })
  /** The head of a streamed message (its body is empty here and comes as the parts below). */
  | (Placed & { type: 'head'; message: HttpMessage })
  /** One chunk of a streamed chunked body: size line, data, CRLF (RFC 9112 section 7.1). */
  | (Placed & { type: 'chunk'; chunk: HttpChunk })
  /** Bytes of a streamed body framed by Content-Length or by the connection's close. */
  | (Placed & { type: 'data' })
  /** The end of a streamed body: the last chunk and trailer section (no bytes for other framings). */
  | (Placed & { type: 'end'; trailers: HttpHeader[] });

export interface HttpParserOptions extends HttpParseOptions {
  /** Deliver this message's body in parts as it arrives instead of holding it whole. */
  stream?: (head: HttpMessage) => boolean;
}

type Phase =
  'head' | 'length' | 'close' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'stopped' | 'failed';

export class HttpParser {
  private readonly queue = new ByteQueue();
  private readonly options: HttpParserOptions;
  private readonly maxHead: number;
  private readonly maxBody: number;
  private phase: Phase = 'head';
  /** Stream offset of the queue's first byte. */
  private position = 0;
  /** Parse position and line-search resume point, both relative to the queue's first byte. */
  private pos = 0;
  private scan = 0;
  private scanned = 0;
  private failure: HttpError | undefined;
  /** Methods of the requests whose responses are still to come, oldest first (RFC 9112 section 9.3). */
  private readonly methods: string[] = [];

  // The message being read.
  private message: HttpMessage | undefined;
  private upgrade = false;
  private streaming = false;
  private remaining = 0;
  private chunkSize = 0;
  private chunkExtensions = '';
  private chunkData: Uint8Array = new Uint8Array(0);
  private chunks: HttpChunk[] = [];
  private total = 0;
  private trailers: HttpHeader[] = [];

  constructor(options: HttpParserOptions = {}) {
    this.options = options;
    this.maxHead = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
    this.maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  }

  /** True once a message switched protocols; nothing after it is parsed as HTTP until resume(). */
  get upgraded(): boolean {
    return this.phase === 'stopped';
  }

  /** Total bytes consumed by complete messages and parts so far. */
  get bytesUsed(): number {
    return this.position;
  }

  /** Bytes received but not yet part of a complete message or part (after an upgrade: the new protocol's). */
  get remainder(): Uint8Array {
    return this.queue.view().slice();
  }

  /** The error that stopped the reader, if any; `remainder` then holds the bytes from its message on. */
  get error(): HttpError | undefined {
    return this.failure;
  }

  /** Bytes copied and scanned so far: linear in the bytes pushed, however they were cut. */
  get work(): number {
    return this.queue.copied + this.scanned;
  }

  /**
   * For a response reader: a request with this method was sent, so the next final response answers it
   * (a response to HEAD has no body, RFC 9110 section 9.3.2; a 2xx to CONNECT switches protocols).
   */
  expectResponseTo(method: string): void {
    this.methods.push(method);
  }

  /** Feed bytes; returns the messages and parts they completed. Never throws for bad bytes: see `error`. */
  read(chunk: Uint8Array): HttpPart[] {
    const out: HttpPart[] = [];
    if (this.phase === 'failed') return out;
    this.queue.append(chunk);
    this.run(false, out);
    return out;
  }

  /** The connection closed: a body delimited by the close ends here; a message cut short is an error. */
  finish(): HttpPart[] {
    const out: HttpPart[] = [];
    if (this.phase === 'failed' || this.phase === 'stopped') return out;
    this.run(true, out);
    // run() may have moved the phase on (TypeScript cannot see that through the call).
    const phase = this.phase as Phase;
    const between = phase === 'head' && this.queue.length === 0;
    if (!between && phase !== 'failed' && phase !== 'stopped') {
      this.fail(
        httpError(
          'The connection closed in the middle of a message',
          'BAD_REQUEST_LINE',
          400,
          'RFC 9112 8',
          0,
        ),
      );
    }
    return out;
  }

  /** The server declined an upgrade the request asked for (RFC 9110 section 7.8): read HTTP again. */
  resume(): HttpPart[] {
    const out: HttpPart[] = [];
    if (this.phase !== 'stopped') return out;
    this.phase = 'head';
    this.run(false, out);
    return out;
  }

  /** Feed bytes; returns the complete messages. Throws the HttpError of bad bytes (and stays failed). */
  push(chunk: Uint8Array): HttpMessage[] {
    if (this.failure) throw this.failure;
    return this.messagesOf(this.read(chunk));
  }

  /** The connection closed: finish a body delimited by the close, or throw if a message is cut short. */
  end(): HttpMessage[] {
    if (this.failure) throw this.failure;
    return this.messagesOf(this.finish());
  }

  private messagesOf(parts: HttpPart[]): HttpMessage[] {
    if (this.failure) throw this.failure;
    return parts.flatMap((p) => (p.type === 'message' ? [p.message] : []));
  }

  private fail(error: HttpError): void {
    this.phase = 'failed';
    this.failure = error.shifted(this.position);
  }

  private run(eof: boolean, out: HttpPart[]): void {
    try {
      while (this.step(eof, out));
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      this.fail(error);
    }
  }

  /** One step of the current phase; false when it needs more bytes (or the reader stopped). */
  private step(eof: boolean, out: HttpPart[]): boolean {
    const bytes = this.queue.view();
    switch (this.phase) {
      case 'head':
        return this.readHead(bytes, eof, out);
      case 'length':
        return this.readLength(bytes, out);
      case 'close':
        return this.readUntilClose(bytes, eof, out);
      case 'chunk-size':
        return this.readChunkSize(bytes);
      case 'chunk-data':
        if (bytes.length - this.pos < this.chunkSize) return false;
        this.chunkData = bytes.slice(this.pos, this.pos + this.chunkSize);
        this.pos += this.chunkSize;
        this.phase = 'chunk-end';
        return true;
      case 'chunk-end':
        return this.readChunkEnd(bytes, out);
      case 'trailers':
        return this.readTrailer(bytes, out);
      default:
        return false;
    }
  }

  private parseOptions(): HttpParseOptions {
    const method = this.methods[0] ?? this.options.requestMethod;
    return method === undefined ? this.options : { ...this.options, requestMethod: method };
  }

  private readHead(bytes: Uint8Array, eof: boolean, out: HttpPart[]): boolean {
    if (bytes.length === 0) return false;
    const end = findHeadEnd(bytes, 0, this.scan);
    this.scanned += (end < 0 ? bytes.length : end) - this.scan;
    if (end < 0) {
      this.scan = bytes.length;
      // Past the limit (or at the close), let the head's own parse name the fault: 431 or a bad line.
      if (bytes.length >= this.maxHead || eof) parseHead(bytes, 0, this.parseOptions());
      return false;
    }
    const options = this.parseOptions();
    const head = parseHead(bytes, 0, options);
    this.scanned += end;
    if (!head) return false;
    const message = head.message;
    const framing: Framing = bodyFraming(message, options, head.end);
    this.message = message;
    this.upgrade = isUpgrade(message, options);
    this.pos = head.end;
    this.scan = head.end;
    this.streaming = framing.kind !== 'none' && (this.options.stream?.(message) ?? false);
    if (this.streaming) {
      out.push({ type: 'head', message, ...this.take(head.end) });
    }
    switch (framing.kind) {
      case 'none':
        this.complete(out);
        break;
      case 'length':
        if (!this.streaming && framing.length > this.maxBody) {
          throw bodyTooLarge(this.maxBody, head.end, framing.length);
        }
        this.remaining = framing.length;
        this.phase = 'length';
        break;
      case 'close':
        this.phase = 'close';
        break;
      case 'chunked':
        this.chunks = [];
        this.total = 0;
        this.trailers = [];
        this.phase = 'chunk-size';
        break;
    }
    return true;
  }

  private readLength(bytes: Uint8Array, out: HttpPart[]): boolean {
    if (this.streaming) {
      const n = Math.min(bytes.length, this.remaining);
      if (n > 0) {
        out.push({ type: 'data', ...this.take(n) });
        this.remaining -= n;
      }
      if (this.remaining > 0) return false;
      this.complete(out);
      return true;
    }
    if (bytes.length - this.pos < this.remaining) return false;
    this.message!.body = bytes.slice(this.pos, this.pos + this.remaining);
    this.pos += this.remaining;
    this.complete(out);
    return true;
  }

  private readUntilClose(bytes: Uint8Array, eof: boolean, out: HttpPart[]): boolean {
    if (this.streaming) {
      if (bytes.length > 0) out.push({ type: 'data', ...this.take(bytes.length) });
      if (!eof) return false;
      this.complete(out);
      return true;
    }
    if (bytes.length - this.pos > this.maxBody) throw bodyTooLarge(this.maxBody, this.pos);
    if (!eof) return false;
    this.message!.body = bytes.slice(this.pos);
    this.pos = bytes.length;
    this.complete(out);
    return true;
  }

  private readChunkSize(bytes: Uint8Array): boolean {
    const line = readChunkSize(bytes, this.pos, this.maxHead, this.scan);
    this.scanned += (line ? line.next : bytes.length) - this.scan;
    if (!line) {
      this.scan = bytes.length;
      return false;
    }
    const at = this.pos;
    this.pos = line.next;
    this.scan = line.next;
    this.chunkSize = line.size;
    this.chunkExtensions = line.extensions;
    if (line.size === 0) {
      this.chunks.push({ size: 0, extensions: line.extensions, data: new Uint8Array(0) });
      this.phase = 'trailers';
      return true;
    }
    this.total += line.size;
    // A streamed body is not held, so only each chunk is bounded; a whole body is bounded in total.
    if ((this.streaming ? line.size : this.total) > this.maxBody) throw bodyTooLarge(this.maxBody, at);
    this.phase = 'chunk-data';
    return true;
  }

  private readChunkEnd(bytes: Uint8Array, out: HttpPart[]): boolean {
    const crlf = readChunkEnd(bytes, this.pos);
    if (crlf === 0) return false;
    this.pos += crlf;
    this.scan = this.pos;
    const chunk: HttpChunk = { size: this.chunkSize, extensions: this.chunkExtensions, data: this.chunkData };
    if (this.streaming) {
      out.push({ type: 'chunk', chunk, ...this.take(this.pos) });
    } else {
      this.chunks.push(chunk);
    }
    this.phase = 'chunk-size';
    return true;
  }

  private readTrailer(bytes: Uint8Array, out: HttpPart[]): boolean {
    const line = readTrailer(bytes, this.pos, this.maxHead, this.scan);
    this.scanned += (line ? line.next : bytes.length) - this.scan;
    if (!line) {
      this.scan = bytes.length;
      return false;
    }
    this.pos = line.next;
    this.scan = line.next;
    if (line.field) {
      this.trailers.push(line.field);
      return true;
    }
    const message = this.message!;
    if (!this.streaming) {
      const data = this.chunks.map((c) => c.data);
      message.body = concatBytes(data, this.total);
      message.chunks = this.chunks;
      message.trailers = this.trailers;
    }
    this.complete(out);
    return true;
  }

  /** The message (or the streamed body) ends at `pos`. */
  private complete(out: HttpPart[]): void {
    const message = this.message!;
    if (this.streaming) {
      out.push({ type: 'end', trailers: this.trailers, ...this.take(this.pos) });
    } else {
      out.push({ type: 'message', message, upgrade: this.upgrade, ...this.take(this.pos) });
    }
    // A final response (or the switch itself) answers the oldest request; 1xx interim ones do not.
    if (message.kind === 'response' && (message.status >= 200 || this.upgrade)) this.methods.shift();
    this.message = undefined;
    this.chunks = [];
    this.trailers = [];
    this.chunkData = new Uint8Array(0);
    this.phase = this.upgrade ? 'stopped' : 'head';
  }

  /** The first `n` bytes held, placed in the stream, then dropped from the queue. */
  private take(n: number): Placed {
    const bytes = this.queue.view().slice(0, n);
    const placed = { start: this.position, end: this.position + n, bytes };
    this.queue.consume(n);
    this.position += n;
    this.pos = Math.max(0, this.pos - n);
    this.scan = Math.max(0, this.scan - n);
    return placed;
  }
}
