/**
 * A streaming frame reader. TCP delivers a byte stream, not frames (RFC 6455 section 5.1 and RFC 9293):
 * a chunk may hold half a header, several frames, or a frame and a half. The reader keeps the
 * unfinished tail and yields each frame once it is complete, with its bytes on the wire; how the stream
 * is cut never changes the result. Error offsets count from the first byte ever pushed.
 */
import { decodeFrame, type DecodeOptions, type Frame } from './frame.ts';
import { ProtocolError } from './errors.ts';
import { DEFAULT_MAX_PAYLOAD } from './constants.ts';

export interface PositionedFrame {
  frame: Frame;
  /** Stream offsets of the frame's first byte and one past its last. */
  start: number;
  end: number;
  /**
   * Exactly the frame's bytes on the wire: a view into the chunk that was pushed when the frame lay
   * whole in it (no copy), else a copy.
   */
  bytes: Uint8Array;
}

export class FrameReader {
  private buf = new Uint8Array(0);
  private start = 0;
  private end = 0;
  /** Stream offset of buf[start]. */
  private position = 0;
  private failure: ProtocolError | undefined;
  /** After a failure: the bytes from the faulty frame's first byte to the last byte pushed. */
  private rest: Uint8Array = new Uint8Array(0);
  private readonly options: DecodeOptions;

  constructor(options: DecodeOptions = {}) {
    // Section 10.4: bound what we are willing to buffer; the caller can raise or lower it.
    this.options = { maxPayload: DEFAULT_MAX_PAYLOAD, ...options };
  }

  /** Bytes held waiting for the rest of a frame. */
  get buffered(): number {
    return this.end - this.start;
  }

  /** Stream offset up to which complete frames have been read. */
  get consumed(): number {
    return this.position;
  }

  /** The error that stopped the reader, if any (the connection must be failed, section 7.1.7). */
  get error(): ProtocolError | undefined {
    return this.failure;
  }

  /** After an error: the bytes from the faulty frame on, as far as they were pushed. */
  get remainder(): Uint8Array {
    return this.rest;
  }

  /** Feed bytes; returns the frames completed by them. Throws ProtocolError (and stays failed). */
  push(chunk: Uint8Array): Frame[] {
    return this.pushPositioned(chunk).map((p) => p.frame);
  }

  /** Like push, with each frame's stream offsets and bytes (for traces and the byte inspector). */
  pushPositioned(chunk: Uint8Array): PositionedFrame[] {
    if (this.failure) throw this.failure;
    const out = this.read(chunk);
    if (this.failure) throw this.failure;
    return out;
  }

  /**
   * Feed bytes; returns the frames completed by them, also those before a violation in the same chunk.
   * Never throws for bad bytes: `error` and `remainder` then say what broke, and later bytes are ignored.
   */
  read(chunk: Uint8Array): PositionedFrame[] {
    const out: PositionedFrame[] = [];
    if (this.failure) return out;
    if (this.start === this.end) {
      // Nothing pending: decode straight from the caller's chunk, keep only the unfinished tail.
      const used = this.decodeFrom(chunk, 0, chunk.length, out, false);
      this.keep(chunk.subarray(used));
      return out;
    }
    this.append(chunk);
    const used = this.decodeFrom(this.buf, this.start, this.end, out, true);
    this.start = used;
    if (this.start === this.end) {
      this.start = 0;
      this.end = 0;
    }
    return out;
  }

  private decodeFrom(
    bytes: Uint8Array,
    from: number,
    to: number,
    out: PositionedFrame[],
    owned: boolean,
  ): number {
    const view = to === bytes.length ? bytes : bytes.subarray(0, to);
    let p = from;
    while (p < to) {
      let result;
      try {
        result = decodeFrame(view, p, this.options);
      } catch (e) {
        if (e instanceof ProtocolError) {
          this.failure = e.shifted(this.position - p);
          this.rest = view.slice(p, to);
          return to;
        }
        throw e;
      }
      if (!result) break;
      const frame = result.frame;
      let wire = view.subarray(p, p + result.bytesUsed);
      if (owned) {
        // Our buffer is reused: give the caller copies, not views into it.
        if (!frame.masked) frame.payload = frame.payload.slice();
        if (frame.maskKey) frame.maskKey = frame.maskKey.slice();
        wire = wire.slice();
      }
      out.push({ frame, start: this.position, end: this.position + result.bytesUsed, bytes: wire });
      this.position += result.bytesUsed;
      p += result.bytesUsed;
    }
    return p;
  }

  private keep(tail: Uint8Array): void {
    if (tail.length === 0) return;
    if (this.buf.length < tail.length) this.buf = new Uint8Array(Math.max(tail.length * 2, 1024));
    this.buf.set(tail, 0);
    this.start = 0;
    this.end = tail.length;
  }

  private append(chunk: Uint8Array): void {
    const pending = this.end - this.start;
    if (this.end + chunk.length > this.buf.length) {
      if (pending + chunk.length <= this.buf.length) {
        this.buf.copyWithin(0, this.start, this.end);
      } else {
        // Grow geometrically so a frame delivered one byte at a time costs linear time.
        const bigger = new Uint8Array(Math.max((pending + chunk.length) * 2, 1024));
        bigger.set(this.buf.subarray(this.start, this.end));
        this.buf = bigger;
      }
      this.start = 0;
      this.end = pending;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }
}
