/**
 * Raw DEFLATE (RFC 1951) for permessage-deflate, on pako's port of zlib's own stream API. pako runs the
 * same in the page and in Node, and at the same level and memory level its bytes are those of Node's zlib,
 * which the demo server's `ws` uses, so a lesson's simulated compressed frame is the live one byte for
 * byte. (fflate, smaller, always compresses with a 32 KiB window, so it cannot honour a negotiated
 * `*_max_window_bits` below 15, RFC 7692 section 7.1.2.)
 *
 * Two streams, each kept for a whole connection direction so that context takeover (RFC 7692 section
 * 7.1.1) is simply "do not reset between messages":
 *
 * - RawDeflater.flush(data) compresses and sync-flushes (Z_SYNC_FLUSH): the output ends on a byte
 *   boundary with an empty stored block, 00 00 ff ff (section 7.2.1).
 * - RawInflater.write(data, budget) inflates at most `budget` bytes: it hands zlib an output buffer no
 *   bigger than what is left of the budget (plus one byte to notice the overflow), so a decompression
 *   bomb is stopped at the limit with the rest of its input never inflated (RFC 6455 section 10.4).
 */
import {
  ZStream,
  Z_BUF_ERROR,
  Z_DEFAULT_STRATEGY,
  Z_HUFFMAN_ONLY,
  Z_OK,
  Z_STREAM_END,
  Z_SYNC_FLUSH,
  zlibDeflate,
  zlibDeflateEnd,
  zlibDeflateInit2,
  zlibDeflateReset,
  zlibInflate,
  zlibInflateEnd,
  zlibInflateInit2,
  zlibInflateReset,
  zlibInflateResetKeep,
} from 'pako';
import { MAX_WINDOW_BITS, MIN_WINDOW_BITS } from './constants.ts';
import { concatBytes } from './bytes.ts';

/** zlib's only compression method (RFC 1950 CM = 8, "deflate"). */
const Z_DEFLATED = 8;

/** Output is collected in pieces of at most this many bytes. */
const CHUNK = 16 * 1024;

export interface DeflaterOptions {
  /** Base-2 logarithm of the LZ77 window, 8-15 (RFC 7692 section 7.1.2). Default 15. */
  windowBits?: number;
  /** zlib compression level 0-9. Default 6 (zlib's default, as ws uses). */
  level?: number;
  /** zlib memory level 1-9: the size of the match-finding tables. Default 8 (zlib's default). */
  memLevel?: number;
}

export interface InflaterOptions {
  /** The largest window the peer may use, 8-15 (RFC 7692 section 7.1.2). Default 15. */
  windowBits?: number;
}

function checkWindowBits(bits: number): number {
  if (!Number.isInteger(bits) || bits < MIN_WINDOW_BITS || bits > MAX_WINDOW_BITS) {
    throw new RangeError(`window bits must be an integer from 8 to 15, not ${bits}`);
  }
  return bits;
}

function zlibFailure(what: string, status: number, strm: ZStream): Error {
  return new Error(`zlib ${what} failed (${status}${strm.msg ? `: ${strm.msg}` : ''})`);
}

/** A DEFLATE compressor whose window lives as long as the object (reset() forgets it). */
export class RawDeflater {
  private readonly strm = new ZStream();
  private ended = false;

  constructor(options: DeflaterOptions = {}) {
    const bits = checkWindowBits(options.windowBits ?? MAX_WINDOW_BITS);
    const level = options.level ?? 6;
    const memLevel = options.memLevel ?? 8;
    if (!Number.isInteger(level) || level < 0 || level > 9) throw new RangeError(`level ${level} is not 0-9`);
    if (!Number.isInteger(memLevel) || memLevel < 1 || memLevel > 9)
      throw new RangeError(`memLevel ${memLevel} is not 1-9`);
    // zlib cannot compress with a 256-byte window: asked for 8 bits it uses 9 (zlib manual,
    // deflateInit2), and a peer that allowed only 8 may refuse a match 300 bytes back. Huffman coding
    // alone makes no back-references at all, so its output fits any window.
    const strategy = bits === MIN_WINDOW_BITS ? Z_HUFFMAN_ONLY : Z_DEFAULT_STRATEGY;
    // Negative window bits: raw DEFLATE, without the zlib header and checksum (RFC 1950).
    const status = zlibDeflateInit2(this.strm, level, Z_DEFLATED, -Math.max(bits, 9), memLevel, strategy);
    if (status !== Z_OK) throw zlibFailure('deflateInit2', status, this.strm);
  }

  /**
   * Compress `data` and flush to a byte boundary (Z_SYNC_FLUSH). Everything pushed so far can then be
   * inflated, and the output ends with the empty stored block 00 00 ff ff, except when there was
   * nothing at all to flush (an empty input right after a flush), where it is empty.
   */
  flush(data: Uint8Array): Uint8Array {
    if (this.ended) throw new Error('this deflater was closed');
    const strm = this.strm;
    strm.input = data;
    strm.next_in = 0;
    strm.avail_in = data.length;
    const parts: Uint8Array[] = [];
    let size = 0;
    // A first guess that fits most messages in one piece: stored blocks cost 5 bytes per 64 KiB.
    let room = Math.min(CHUNK * 4, data.length + (data.length >>> 3) + 64);
    for (;;) {
      // zlib manual: with Z_SYNC_FLUSH keep avail_out above 6, or the flush marker may repeat.
      const out = new Uint8Array(room);
      strm.output = out;
      strm.next_out = 0;
      strm.avail_out = room;
      const status = zlibDeflate(strm, Z_SYNC_FLUSH);
      // Z_BUF_ERROR: nothing to do (no input and nothing pending), not an error (zlib manual).
      if (status !== Z_OK && status !== Z_BUF_ERROR) throw zlibFailure('deflate', status, strm);
      parts.push(out.subarray(0, strm.next_out));
      size += strm.next_out;
      if (strm.avail_out > 0) break;
      room = CHUNK;
    }
    strm.input = EMPTY;
    return parts.length === 1 ? parts[0]!.slice() : concatBytes(parts, size);
  }

  /** Forget the window: the next flush() starts as a fresh stream (no context takeover). */
  reset(): void {
    if (!this.ended) zlibDeflateReset(this.strm);
  }

  close(): void {
    if (this.ended) return;
    this.ended = true;
    zlibDeflateEnd(this.strm);
  }
}

const EMPTY = new Uint8Array(0);

export type InflateFailure =
  /** The input is not valid DEFLATE (zlib's message says why, e.g. "invalid block type"). */
  | { kind: 'data'; message: string; inputOffset: number }
  /** Inflating would produce more than the budget; the rest of the input was not inflated. */
  | { kind: 'limit'; inputOffset: number };

export interface InflateResult {
  /** The bytes inflated (at most the budget). */
  output: Uint8Array;
  failure?: InflateFailure;
}

/**
 * A DEFLATE decompressor whose window lives as long as the object. A final block (BFINAL = 1) does not
 * end it: the next bytes are read as a new DEFLATE stream that may still refer to the old window, which
 * is how RFC 7692 section 7.2.3.4 lets a sender that flushes with final blocks keep its context.
 */
export class RawInflater {
  private readonly strm = new ZStream();
  private broken = false;

  constructor(options: InflaterOptions = {}) {
    const bits = checkWindowBits(options.windowBits ?? MAX_WINDOW_BITS);
    const status = zlibInflateInit2(this.strm, -bits);
    if (status !== Z_OK) throw zlibFailure('inflateInit2', status, this.strm);
  }

  /**
   * Inflate `data`, the next bytes of the stream, producing at most `budget` bytes. On a failure the
   * inflater is unusable (the connection is failed anyway) and the result says why and where.
   */
  write(data: Uint8Array, budget = Number.MAX_SAFE_INTEGER): InflateResult {
    if (this.broken) throw new Error('this inflater failed earlier');
    const strm = this.strm;
    strm.input = data;
    strm.next_in = 0;
    strm.avail_in = data.length;
    const parts: Uint8Array[] = [];
    let size = 0;
    const finish = (failure?: InflateFailure): InflateResult => {
      strm.input = EMPTY;
      if (failure) this.broken = true;
      const output = parts.length === 1 ? parts[0]! : concatBytes(parts, size);
      return failure ? { output, failure } : { output };
    };
    for (;;) {
      // One byte more than the budget allows: if zlib fills it, the message is too big.
      const room = Math.min(CHUNK, budget - size + 1);
      const out = new Uint8Array(room);
      strm.output = out;
      strm.next_out = 0;
      strm.avail_out = room;
      const status = zlibInflate(strm, Z_SYNC_FLUSH);
      if (strm.next_out > 0) {
        parts.push(out.subarray(0, strm.next_out));
        size += strm.next_out;
      }
      if (size > budget) {
        size = budget;
        parts[parts.length - 1] = parts[parts.length - 1]!.subarray(0, parts.at(-1)!.length - 1);
        return finish({ kind: 'limit', inputOffset: strm.next_in });
      }
      if (status === Z_STREAM_END) {
        // A final block ended a DEFLATE stream. Keep the window and read on (see the class comment).
        zlibInflateResetKeep(strm);
        if (strm.avail_in === 0) return finish();
        continue;
      }
      if (status !== Z_OK && status !== Z_BUF_ERROR) {
        return finish({
          kind: 'data',
          message: strm.msg || `zlib status ${status}`,
          inputOffset: strm.next_in,
        });
      }
      // All input taken and the output buffer not filled: zlib has given everything it can.
      if (strm.avail_in === 0 && strm.avail_out > 0) return finish();
      if (status === Z_BUF_ERROR && strm.avail_out > 0) return finish();
    }
  }

  /** Forget the window: the next write() starts a fresh stream (no context takeover). */
  reset(): void {
    if (!this.broken) zlibInflateReset(this.strm);
  }

  close(): void {
    zlibInflateEnd(this.strm);
    this.broken = true;
  }
}

/** One-shot raw DEFLATE of `data`, sync-flushed (the output ends with 00 00 ff ff). */
export function deflateRaw(data: Uint8Array, options: DeflaterOptions = {}): Uint8Array {
  const deflater = new RawDeflater(options);
  try {
    return deflater.flush(data);
  } finally {
    deflater.close();
  }
}

/** One-shot raw inflate of `data`, bounded by `budget` bytes of output. */
export function inflateRaw(data: Uint8Array, budget?: number, options: InflaterOptions = {}): InflateResult {
  const inflater = new RawInflater(options);
  try {
    return inflater.write(data, budget);
  } finally {
    inflater.close();
  }
}
