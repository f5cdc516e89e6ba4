/**
 * One direction of a TCP connection put back in order (RFC 9293 section 3.4, sequence numbers, and
 * section 3.10.7.4, "segment text"): segments may come out of order, twice, or overlapping; what comes
 * out is each byte of the stream once, in order, as soon as everything before it is here.
 *
 * Overlaps keep the first copy of a byte that arrived (what a receiver that queued it already did).
 * A hole that is never filled (the capture missed a packet, or cut one short) is given up on when the
 * direction holds too much behind it, or when the capture ends: the stream continues after the hole
 * and the hole is reported, since the byte stream can no longer be parsed across it.
 */

/** Bytes held behind a hole, per direction, before the hole is given up on. */
export const MAX_HELD_BYTES = 8 * 1024 * 1024;

export interface Delivery {
  /** Stream offset of the first byte (0 = the first byte after the SYN). */
  offset: number;
  bytes: Uint8Array;
}

export interface Hole {
  offset: number;
  length: number;
}

interface Held {
  start: number;
  end: number;
  /** The captured bytes; shorter than end - start when the capture cut the segment short. */
  data: Uint8Array;
  order: number;
}

export class StreamHalf {
  /** Sequence number of stream offset 0 (the initial sequence number + 1, RFC 9293 section 3.4.1). */
  base: number | undefined;
  /** Bytes delivered in order so far. */
  delivered = 0;
  /** Stream offset of the FIN, once seen. */
  finAt: number | undefined;
  retransmitted = 0;
  outOfOrder = 0;
  overlapping = 0;
  private held: Held[] = [];
  private heldBytes = 0;
  private arrivals = 0;

  /** True once the FIN has been reached in order: no more data follows. */
  get finished(): boolean {
    return this.finAt !== undefined && this.delivered >= this.finAt;
  }

  get holding(): boolean {
    return this.held.length > 0;
  }

  /** Stream offset of a sequence number (signed distance from what comes next, so wrap-around works). */
  offsetOf(seq: number): number {
    const next = (this.base! + this.delivered) >>> 0;
    return this.delivered + ((seq - next) | 0);
  }

  /**
   * A segment's data at sequence number `seq` (after any SYN), `length` bytes long on the wire of
   * which `data` were captured. Returns what is now in order, and the holes given up on.
   */
  accept(seq: number, length: number, data: Uint8Array, out: Delivery[], holes: Hole[]): void {
    const start = this.offsetOf(seq);
    const end = start + length;
    if (length === 0) return;
    if (end <= this.delivered) {
      this.retransmitted++;
      return;
    }
    if (start < this.delivered) this.overlapping++;
    else if (start > this.delivered) this.outOfOrder++;
    if (this.held.some((h) => h.start < end && start < h.end)) this.overlapping++;
    // Copy: the record's bytes belong to a chunk of the file that should not stay alive behind a hole.
    const held: Held = {
      start,
      end,
      data: start > this.delivered ? data.slice() : data,
      order: this.arrivals++,
    };
    this.insert(held);
    this.drain(out, holes);
    while (this.heldBytes > MAX_HELD_BYTES && this.held.length > 0) this.skipHole(out, holes);
  }

  /** The capture ended: whatever is held is delivered across its holes. */
  flush(out: Delivery[], holes: Hole[]): void {
    while (this.held.length > 0) this.skipHole(out, holes);
  }

  private insert(held: Held): void {
    // Sorted by start; among equal starts the earlier arrival first (it wins the overlap).
    let i = this.held.length;
    while (i > 0 && this.held[i - 1]!.start > held.start) i--;
    this.held.splice(i, 0, held);
    this.heldBytes += held.data.length;
  }

  private drain(out: Delivery[], holes: Hole[]): void {
    while (this.held.length > 0 && this.held[0]!.start <= this.delivered) {
      const h = this.held.shift()!;
      this.heldBytes -= h.data.length;
      if (h.end <= this.delivered) continue;
      const from = this.delivered - h.start;
      const captured = h.start + h.data.length;
      if (captured > this.delivered) {
        out.push({ offset: this.delivered, bytes: h.data.subarray(from) });
        this.delivered = captured;
      }
      if (this.delivered < h.end) {
        // The capture kept only part of this segment (snapshot length): the rest is a hole, unless a
        // later copy of the same bytes (a retransmission) is already held.
        const later = this.held.find(
          (o) => o.start <= this.delivered && o.start + o.data.length > this.delivered,
        );
        if (!later) {
          holes.push({ offset: this.delivered, length: h.end - this.delivered });
          this.delivered = h.end;
        }
      }
    }
  }

  private skipHole(out: Delivery[], holes: Hole[]): void {
    const first = this.held[0]!;
    if (first.start > this.delivered) {
      holes.push({ offset: this.delivered, length: first.start - this.delivered });
      this.delivered = first.start;
    }
    this.drain(out, holes);
  }
}
