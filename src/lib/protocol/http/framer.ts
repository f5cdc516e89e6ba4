/**
 * Where HTTP/1.1 messages begin and end in a byte stream, without keeping their bodies (RFC 9112
 * section 6): what an intermediary needs in order to forward bytes the moment they arrive and still
 * know which request it is looking at. HttpParser (parser.ts) yields every part's bytes and holds each
 * chunk whole; a proxy must not, so the framer keeps only a head in progress (bounded by
 * maxHeaderBytes) and the current chunk-size or trailer line, counts a Content-Length body, steps over
 * chunk data, and lets a body delimited by the close run to the end of the stream (section 6.3 item 8).
 * Every rule is the one the parser uses: the head (head.ts), the framing and the chunked coding's size
 * line, data CRLF and trailer lines (framing.ts).
 *
 * Events carry offsets into the chunk just pushed. After a message that switches protocols (a 101, a
 * 2xx to CONNECT, or a request asking to upgrade, whose answer decides what follows) or after bytes
 * that are not HTTP, the framer stops: what follows is for the caller to treat as opaque.
 */
import { DEFAULT_MAX_HEADER_BYTES } from '../constants.ts';
import { HttpError } from '../errors.ts';
import { bodyFraming, isUpgrade, readChunkEnd, readChunkSize, readTrailer, type Framing } from './framing.ts';
import { findHeadEnd, parseHead } from './head.ts';
import { LF } from './syntax.ts';
import type { HttpMessage } from './types.ts';

export type FramerEvent =
  /** A head is complete; `end` is the offset just past its empty line. */
  | { type: 'head'; end: number; message: HttpMessage; framing: Framing }
  /** A message is complete at `end`; `upgrade`: the bytes after it may belong to another protocol. */
  | { type: 'message'; end: number; upgrade: boolean }
  /** The bytes from `at` on are not HTTP/1.1 (the error names the rule); the framer stops. */
  | { type: 'error'; at: number; error: HttpError };

export interface FramerOptions {
  maxHeaderBytes?: number;
  maxHeaders?: number;
}

/** Longest chunk-size line (with extensions) or trailer line kept (RFC 9112 section 7.1). */
const MAX_CHUNK_LINE = 4096;

/** Appends `more` to `bytes` (small buffers only: a head or one line). */
function append(bytes: Uint8Array, more: Uint8Array): Uint8Array {
  const next = new Uint8Array(bytes.length + more.length);
  next.set(bytes);
  next.set(more, bytes.length);
  return next;
}

/**
 * Steps over a chunked body (RFC 9112 section 7.1) with framing.ts's steps, keeping only the line being
 * read: a size line, the CRLF after chunk data, a trailer line.
 */
class ChunkedSkipper {
  private state: 'size' | 'data' | 'data-end' | 'trailer' = 'size';
  private line: Uint8Array = new Uint8Array(0);
  private remaining = 0;

  /** Reads from `bytes[from]`; returns the offset just past the body's end, or -1 if it goes on. Throws HttpError. */
  scan(bytes: Uint8Array, from: number): number {
    let i = from;
    while (i < bytes.length) {
      if (this.state === 'data') {
        const take = Math.min(this.remaining, bytes.length - i);
        this.remaining -= take;
        i += take;
        if (this.remaining === 0) this.state = 'data-end';
        continue;
      }
      if (this.state === 'data-end') {
        // chunk-data CRLF (a bare LF is accepted, section 2.2): at most two bytes decide it.
        const before = this.line.length;
        this.line = append(this.line, bytes.subarray(i, i + 2 - before));
        const used = readChunkEnd(this.line, 0);
        if (used === 0) return -1; // a CR at the end of the chunk: the LF comes next
        i += used - before;
        this.line = new Uint8Array(0);
        this.state = 'size';
        continue;
      }
      // A size or trailer line: take bytes up to its LF.
      const lf = bytes.indexOf(LF, i);
      const stop = lf < 0 ? bytes.length : lf + 1;
      const before = this.line.length;
      this.line = append(this.line, bytes.subarray(i, Math.min(stop, i + MAX_CHUNK_LINE + 1 - before)));
      if (this.state === 'size') {
        const size = readChunkSize(this.line, 0, MAX_CHUNK_LINE);
        if (!size) return -1;
        i += size.next - before;
        this.line = new Uint8Array(0);
        this.remaining = size.size;
        this.state = size.size === 0 ? 'trailer' : 'data';
      } else {
        const trailer = readTrailer(this.line, 0, MAX_CHUNK_LINE);
        if (!trailer) return -1;
        i += trailer.next - before;
        this.line = new Uint8Array(0);
        if (!trailer.field) return i; // the empty line after the trailer section ends the body (7.1.2)
      }
    }
    return -1;
  }
}

export class HttpFramer {
  private state: 'head' | 'body' | 'stopped' = 'head';
  private head: Uint8Array = new Uint8Array(0);
  /** Bytes of `head` already searched for the empty line. */
  private scanned = 0;
  private framing: Framing = { kind: 'none', length: 0 };
  private remaining = 0;
  private chunked: ChunkedSkipper | undefined;
  private upgrade = false;
  /** Responses: methods of the requests still to be answered, oldest first (HEAD and CONNECT matter). */
  private readonly methods: string[] = [];

  constructor(
    readonly role: 'request' | 'response',
    private readonly options: FramerOptions = {},
  ) {}

  get stopped(): boolean {
    return this.state === 'stopped';
  }

  /** Inside a message's head or body, rather than between messages. */
  get inMessage(): boolean {
    return this.state === 'body' || (this.state === 'head' && this.head.length > 0);
  }

  /** Responses: the next request on this stream used `method`. */
  expect(method: string): void {
    this.methods.push(method.toUpperCase());
  }

  /** Requests: the server declined an upgrade (any answer but 101), so HTTP goes on (RFC 9110 7.8). */
  resume(): void {
    if (this.state === 'stopped' && this.upgrade) {
      this.state = 'head';
      this.upgrade = false;
    }
  }

  push(chunk: Uint8Array): FramerEvent[] {
    const out: FramerEvent[] = [];
    let i = 0;
    while (i < chunk.length && this.state !== 'stopped') {
      i = this.state === 'head' ? this.readHead(chunk, i, out) : this.readBody(chunk, i, out);
    }
    return out;
  }

  /** The stream ended: a body delimited by the end of the connection is complete. */
  finish(): FramerEvent[] {
    if (this.state === 'body' && this.framing.kind === 'close') {
      this.state = 'head';
      return [{ type: 'message', end: 0, upgrade: false }];
    }
    return [];
  }

  private readHead(chunk: Uint8Array, from: number, out: FramerEvent[]): number {
    const max = this.options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
    const before = this.head.length;
    // Copy no more than the head can still use; the rest of the chunk is looked at once the head ends.
    this.head = append(
      this.head,
      chunk.subarray(from, from + Math.min(chunk.length - from, max + 1 - before)),
    );
    const taken = from + this.head.length - before;
    const ended = findHeadEnd(this.head, 0, this.scanned) >= 0;
    this.scanned = Math.max(0, this.head.length - 1);
    if (!ended && this.head.length <= max) return taken;
    let result;
    try {
      result = parseHead(this.head, 0, { kind: this.role, ...this.options });
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      return this.fail(error, from, out);
    }
    if (!result) return taken; // cannot happen once the empty line is in
    const end = from + result.end - before;
    this.head = new Uint8Array(0);
    this.scanned = 0;
    const message = result.message;
    const requestMethod = message.kind === 'response' ? this.methods[0] : undefined;
    const options = requestMethod ? { requestMethod } : {};
    let framing: Framing;
    try {
      framing = bodyFraming(message, options, end);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      out.push({ type: 'head', end, message, framing: { kind: 'none', length: 0 } });
      return this.fail(error, end, out);
    }
    out.push({ type: 'head', end, message, framing });
    if (message.kind === 'response') {
      // An interim response (1xx other than 101) is followed by the final one (RFC 9110 section 15.2).
      if (message.status < 200 && message.status !== 101) return end;
      this.methods.shift();
    }
    this.upgrade =
      isUpgrade(message, options) || (message.kind === 'request' && message.method === 'CONNECT');
    this.framing = framing;
    this.remaining = framing.length;
    this.chunked = framing.kind === 'chunked' ? new ChunkedSkipper() : undefined;
    if (framing.kind === 'none' || (framing.kind === 'length' && framing.length === 0)) {
      this.complete(end, out);
    } else {
      this.state = 'body';
    }
    return end;
  }

  private readBody(chunk: Uint8Array, from: number, out: FramerEvent[]): number {
    if (this.framing.kind === 'close') return chunk.length;
    if (this.framing.kind === 'length') {
      const take = Math.min(this.remaining, chunk.length - from);
      this.remaining -= take;
      if (this.remaining > 0) return chunk.length;
      this.complete(from + take, out);
      return from + take;
    }
    let end;
    try {
      end = this.chunked!.scan(chunk, from);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      return this.fail(error, from, out);
    }
    if (end < 0) return chunk.length;
    this.complete(end, out);
    return end;
  }

  private complete(end: number, out: FramerEvent[]): void {
    out.push({ type: 'message', end, upgrade: this.upgrade });
    this.state = this.upgrade ? 'stopped' : 'head';
  }

  private fail(error: HttpError, at: number, out: FramerEvent[]): number {
    out.push({ type: 'error', at, error });
    this.state = 'stopped';
    this.upgrade = false;
    this.head = new Uint8Array(0);
    return at;
  }
}
