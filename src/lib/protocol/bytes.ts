/** Byte-array helpers shared by the encoders, the reassembler and the trace consumers. */

/** The parts one after another in a new array; `size` may be passed when the caller already knows it. */
export function concatBytes(
  parts: readonly Uint8Array[],
  size = parts.reduce((n, p) => n + p.length, 0),
): Uint8Array {
  const out = new Uint8Array(size);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Past this capacity an emptied queue lets its buffer go rather than hold it for the connection's life. */
const KEEP_CAPACITY = 64 * 1024;

/**
 * A FIFO of bytes for the incremental readers: append at the tail, consume from the head. Appending
 * copies the chunk once; the buffer doubles when full and is compacted only when the consumed space at
 * its front is at least as large as what it still holds, so n bytes cost O(n) copying however finely
 * they are cut (a body that trickles in byte by byte included).
 */
export class ByteQueue {
  private buf = new Uint8Array(0);
  private head = 0;
  private tail = 0;
  /** Bytes copied so far (appends, compaction, growth): the queue's share of a reader's work. */
  copied = 0;

  get length(): number {
    return this.tail - this.head;
  }

  /** The bytes held, as a view that stays valid until the next append. */
  view(): Uint8Array {
    return this.buf.subarray(this.head, this.tail);
  }

  append(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const live = this.tail - this.head;
    if (this.tail + chunk.length > this.buf.length) {
      if (this.head >= live && live + chunk.length <= this.buf.length) {
        this.buf.copyWithin(0, this.head, this.tail);
      } else {
        const bigger = new Uint8Array(Math.max(this.buf.length * 2, live + chunk.length, 1024));
        bigger.set(this.buf.subarray(this.head, this.tail));
        this.buf = bigger;
      }
      this.copied += live;
      this.head = 0;
      this.tail = live;
    }
    this.buf.set(chunk, this.tail);
    this.tail += chunk.length;
    this.copied += chunk.length;
  }

  /** Drops the first `n` bytes held. */
  consume(n: number): void {
    this.head += n;
    if (this.head < this.tail) return;
    this.head = 0;
    this.tail = 0;
    if (this.buf.length > KEEP_CAPACITY) this.buf = new Uint8Array(0);
  }
}
