/**
 * A streaming reader of the two capture file formats tcpdump and Wireshark write: pcap
 * (draft-ietf-opsawg-pcap) and pcapng (draft-ietf-opsawg-pcapng). Chunks of any size go in, records
 * come out; a record is copied only when it straddles two chunks, and at most one record (bounded by
 * MAX_RECORD_BYTES) is held, so a file of any size is read in bounded memory.
 *
 * No npm package fits: the maintained-looking ones read only one of the two formats, depend on Node
 * streams and Buffer (not the browser), or have not changed in years; see README "Captures".
 *
 * A file that breaks the format gets a CaptureFormatError naming the record and its byte offset; the
 * records before it have already been returned and stay valid.
 */

/** One captured packet. */
export interface CapturedRecord {
  /** 1-based number of the packet in the file (Wireshark's frame number). */
  index: number;
  /** Byte offset of the record (pcap) or block (pcapng) in the file. */
  offset: number;
  linkType: number;
  /** Capture time, epoch milliseconds (fractional). */
  time: number;
  /** The captured bytes (possibly fewer than the packet had: see originalLength). */
  data: Uint8Array;
  originalLength: number;
}

export type CaptureFormat = 'pcap' | 'pcapng';

export class CaptureFormatError extends Error {
  override readonly name = 'CaptureFormatError';
  constructor(
    message: string,
    /** Byte offset in the file where the offending record or block starts. */
    readonly offset: number,
    /** The packet number it would have had, where the fault is in a packet record. */
    readonly record?: number,
  ) {
    super(message);
  }
}

/** Largest record or block accepted: more than any real link's packet, and it bounds what we hold. */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BOM = 0x1a2b3c4d;
/** pcapng block types (draft-ietf-opsawg-pcapng section 11.1). */
const BLOCK_IDB = 0x00000001;
const BLOCK_PB = 0x00000002; // obsolete Packet Block, still written by old tools
const BLOCK_SPB = 0x00000003;
const BLOCK_EPB = 0x00000006;
/** IDB options (section 4.2): if_tsresol and if_tsoffset. */
const OPT_END = 0;
const OPT_TSRESOL = 9;
const OPT_TSOFFSET = 14;

/** Which format the first bytes of a file announce; undefined when neither. */
export function sniffCapture(head: Uint8Array): CaptureFormat | undefined {
  if (head.length < 4) return undefined;
  const view = new DataView(head.buffer, head.byteOffset, 4);
  const be = view.getUint32(0, false);
  const le = view.getUint32(0, true);
  if (be === PCAPNG_SHB) return 'pcapng';
  for (const magic of [be, le]) if (magic === PCAP_MAGIC_US || magic === PCAP_MAGIC_NS) return 'pcap';
  return undefined;
}

/** Chunks queued without copying; bytes are copied out only when a read straddles chunks. */
class ChunkQueue {
  private chunks: Uint8Array[] = [];
  private head = 0;
  length = 0;
  /** Bytes consumed since the start of the file. */
  position = 0;

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** The next n bytes without consuming them (a view when they lie in one chunk). */
  peek(n: number): Uint8Array {
    const first = this.chunks[0]!;
    if (first.length - this.head >= n) return first.subarray(this.head, this.head + n);
    const out = new Uint8Array(n);
    let filled = 0;
    let at = this.head;
    for (const chunk of this.chunks) {
      const take = Math.min(n - filled, chunk.length - at);
      out.set(chunk.subarray(at, at + take), filled);
      filled += take;
      at = 0;
      if (filled === n) break;
    }
    return out;
  }

  skip(n: number): void {
    this.length -= n;
    this.position += n;
    while (n > 0) {
      const first = this.chunks[0]!;
      const left = first.length - this.head;
      if (n < left) {
        this.head += n;
        return;
      }
      n -= left;
      this.chunks.shift();
      this.head = 0;
    }
  }

  take(n: number): Uint8Array {
    const bytes = this.peek(n);
    this.skip(n);
    return bytes;
  }
}

interface Interface {
  linkType: number;
  snapLength: number;
  /** Timestamp units per second, and the offset in seconds (if_tsresol, if_tsoffset). */
  unitsPerSecond: number;
  offsetSeconds: number;
}

/** Reads pcap or pcapng from chunks pushed in order. */
export class CaptureReader {
  format: CaptureFormat | undefined;
  private readonly queue = new ChunkQueue();
  private little = true;
  private packets = 0;
  // pcap
  private pcap: Interface | undefined;
  // pcapng: the interfaces of the current section
  private interfaces: Interface[] = [];
  private inSection = false;

  /** Bytes read so far. */
  get position(): number {
    return this.queue.position;
  }

  /** The fault that stopped the reading, once there is one: no record after it is returned. */
  failure: CaptureFormatError | undefined;

  /**
   * Every record complete in what has been pushed. At the first fault the records before it are still
   * returned, and `failure` is set; a later push or finish throws it.
   */
  push(chunk: Uint8Array): CapturedRecord[] {
    if (this.failure) throw this.failure;
    this.queue.push(chunk);
    const out: CapturedRecord[] = [];
    for (;;) {
      let record: CapturedRecord | undefined | null;
      try {
        record = this.next();
      } catch (error) {
        if (!(error instanceof CaptureFormatError)) throw error;
        this.failure = error;
        if (out.length === 0) throw error;
        return out;
      }
      if (record === null) return out;
      if (record !== undefined) out.push(record);
    }
  }

  /** The file ended: it must not end inside a header or a record. */
  finish(): void {
    if (this.failure) throw this.failure;
    const q = this.queue;
    if (this.format === undefined || (this.format === 'pcap' ? !this.pcap : !this.inSection)) {
      throw new CaptureFormatError(
        q.length === 0 && q.position === 0
          ? 'the file is empty'
          : `the file ends after ${q.length} bytes, inside the file header`,
        0,
      );
    }
    if (q.length > 0) {
      const what = this.format === 'pcap' ? 'record' : 'block';
      const record = this.format === 'pcap' || this.looksLikePacketBlock() ? this.packets + 1 : undefined;
      throw new CaptureFormatError(
        `${record === undefined ? '' : `record ${record} `}at byte ${q.position}: the file ends inside the ${what} (${q.length} bytes of it present)`,
        q.position,
        record,
      );
    }
  }

  private looksLikePacketBlock(): boolean {
    if (this.queue.length < 4) return false;
    const type = this.u32(this.queue.peek(4), 0);
    return type === BLOCK_EPB || type === BLOCK_SPB || type === BLOCK_PB;
  }

  // Read by hand rather than through a DataView per call: these run several times per record.
  private u32(bytes: Uint8Array, at: number): number {
    return this.little
      ? (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0
      : ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
  }
  private u16(bytes: Uint8Array, at: number): number {
    return this.little ? bytes[at]! | (bytes[at + 1]! << 8) : (bytes[at]! << 8) | bytes[at + 1]!;
  }

  /** A record; undefined for a block that is not a packet; null when more bytes are needed. */
  private next(): CapturedRecord | undefined | null {
    const q = this.queue;
    if (this.format === undefined) {
      if (q.length < 4) return null;
      const format = sniffCapture(q.peek(4));
      if (!format) {
        const shown = [...q.peek(4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
        throw new CaptureFormatError(
          `not a pcap or pcapng file: it starts with ${shown}, which is neither pcap's magic number (a1 b2 c3 d4 or a1 b2 3c 4d, either byte order) nor a pcapng section header (0a 0d 0d 0a)`,
          0,
        );
      }
      this.format = format;
    }
    return this.format === 'pcap' ? this.nextPcap() : this.nextPcapng();
  }

  // ---- pcap (draft-ietf-opsawg-pcap sections 4 and 5) ----

  private nextPcap(): CapturedRecord | null {
    const q = this.queue;
    if (!this.pcap) {
      if (q.length < 24) return null;
      const header = q.take(24);
      const view = new DataView(header.buffer, header.byteOffset, 24);
      const be = view.getUint32(0, false);
      this.little = !(be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS);
      const magic = this.u32(header, 0);
      const major = this.u16(header, 4);
      if (major !== 2) throw new CaptureFormatError(`file header: pcap version ${major} is not 2`, 0);
      // LinkType and additional information: the link type is the low 16 bits (section 5).
      this.pcap = {
        linkType: this.u32(header, 20) & 0xffff,
        snapLength: this.u32(header, 16),
        unitsPerSecond: magic === PCAP_MAGIC_NS ? 1e9 : 1e6,
        offsetSeconds: 0,
      };
    }
    if (q.length < 16) return null;
    const offset = q.position;
    const index = this.packets + 1;
    const head = q.peek(16);
    const captured = this.u32(head, 8);
    const original = this.u32(head, 12);
    const where = `record ${index} at byte ${offset}`;
    const snap = this.pcap.snapLength;
    // Section 5: "Captured Packet Length ... MUST NOT be greater than SnapLen".
    if (snap > 0 && captured > snap)
      throw new CaptureFormatError(
        `${where}: captured length ${captured} larger than snapshot length ${snap}`,
        offset,
        index,
      );
    if (captured > MAX_RECORD_BYTES)
      throw new CaptureFormatError(
        `${where}: captured length ${captured} is over the ${MAX_RECORD_BYTES / 1024 / 1024} MiB limit`,
        offset,
        index,
      );
    if (captured > original)
      throw new CaptureFormatError(
        `${where}: captured length ${captured} larger than the original length ${original}`,
        offset,
        index,
      );
    if (q.length < 16 + captured) return null;
    q.skip(16);
    const fraction = this.u32(head, 4);
    if (fraction >= this.pcap.unitsPerSecond)
      throw new CaptureFormatError(
        `${where}: timestamp fraction ${fraction} is not below ${this.pcap.unitsPerSecond}`,
        offset,
        index,
      );
    const time = this.u32(head, 0) * 1000 + (fraction * 1000) / this.pcap.unitsPerSecond;
    this.packets = index;
    return {
      index,
      offset,
      linkType: this.pcap.linkType,
      time,
      data: q.take(captured),
      originalLength: original,
    };
  }

  // ---- pcapng (draft-ietf-opsawg-pcapng sections 3 and 4) ----

  private nextPcapng(): CapturedRecord | undefined | null {
    const q = this.queue;
    if (q.length < 12) return null;
    const offset = q.position;
    const start = q.peek(12);
    const raw = new DataView(start.buffer, start.byteOffset, 12);
    const isSection = raw.getUint32(0, false) === PCAPNG_SHB;
    if (isSection) {
      // The byte-order magic sets the order of this whole section (section 4.1).
      const bom = raw.getUint32(8, false);
      if (bom === PCAPNG_BOM) this.little = false;
      else if (raw.getUint32(8, true) === PCAPNG_BOM) this.little = true;
      else
        throw new CaptureFormatError(
          `section header at byte ${offset}: byte-order magic ${bom.toString(16)} is not 1a2b3c4d`,
          offset,
        );
    } else if (!this.inSection) {
      throw new CaptureFormatError(
        `block at byte ${offset}: a pcapng file starts with a section header`,
        offset,
      );
    }
    const type = this.u32(start, 0);
    const length = this.u32(start, 4);
    const packetBlock = type === BLOCK_EPB || type === BLOCK_SPB || type === BLOCK_PB;
    const index = this.packets + 1;
    const where = packetBlock
      ? `record ${index} at byte ${offset}`
      : `block at byte ${offset} (type ${hex(type)})`;
    const fail = (why: string): never => {
      throw new CaptureFormatError(`${where}: ${why}`, offset, packetBlock ? index : undefined);
    };
    // Section 3.1: Block Total Length is a multiple of 4 and covers type, both lengths and the body.
    if (length < 12 || length % 4 !== 0)
      fail(`block total length ${length} is not a multiple of 4 of at least 12`);
    if (length > MAX_RECORD_BYTES)
      fail(`block total length ${length} is over the ${MAX_RECORD_BYTES / 1024 / 1024} MiB limit`);
    if (q.length < length) return null;
    const block = q.take(length);
    if (this.u32(block, length - 4) !== length)
      fail(`the trailing block length ${this.u32(block, length - 4)} differs from the leading ${length}`);
    const body = block.subarray(8, length - 4);
    switch (type) {
      case PCAPNG_SHB: {
        if (body.length < 16) fail('section header shorter than 28 bytes');
        const major = this.u16(body, 4);
        if (major !== 1) fail(`pcapng major version ${major} is not 1`);
        this.inSection = true;
        this.interfaces = [];
        return undefined;
      }
      case BLOCK_IDB: {
        if (body.length < 8) fail('interface description shorter than 20 bytes');
        this.interfaces.push(this.readInterface(body, fail));
        return undefined;
      }
      case BLOCK_EPB:
      case BLOCK_PB: {
        if (body.length < 20) fail('packet block shorter than 32 bytes');
        const id = type === BLOCK_EPB ? this.u32(body, 0) : this.u16(body, 0);
        const iface = this.interfaces[id];
        if (!iface) fail(`interface ${id} was not described in this section`);
        const captured = this.u32(body, 12);
        const original = this.u32(body, 16);
        if (20 + captured > body.length)
          fail(`captured length ${captured} runs past the block (${body.length - 20} bytes of data)`);
        if (iface!.snapLength > 0 && captured > iface!.snapLength)
          fail(`captured length ${captured} larger than snapshot length ${iface!.snapLength}`);
        const units = this.u32(body, 4) * 2 ** 32 + this.u32(body, 8);
        this.packets = index;
        return {
          index,
          offset,
          linkType: iface!.linkType,
          time: (units / iface!.unitsPerSecond + iface!.offsetSeconds) * 1000,
          data: body.subarray(20, 20 + captured),
          originalLength: original,
        };
      }
      case BLOCK_SPB: {
        // Section 4.4: interface 0, no timestamp; captured = min(original, snap length, what the block holds).
        if (body.length < 4) fail('simple packet block shorter than 16 bytes');
        const iface = this.interfaces[0];
        if (!iface) fail('a simple packet block needs interface 0, which was not described');
        const original = this.u32(body, 0);
        const snap = iface!.snapLength > 0 ? iface!.snapLength : Infinity;
        const captured = Math.min(original, snap, body.length - 4);
        this.packets = index;
        return {
          index,
          offset,
          linkType: iface!.linkType,
          time: Number.NaN,
          data: body.subarray(4, 4 + captured),
          originalLength: original,
        };
      }
      default:
        // Name resolution, statistics, decryption secrets, custom blocks: nothing here needs them.
        return undefined;
    }
  }

  private readInterface(body: Uint8Array, fail: (why: string) => never): Interface {
    const iface: Interface = {
      linkType: this.u16(body, 0),
      snapLength: this.u32(body, 4),
      unitsPerSecond: 1e6,
      offsetSeconds: 0,
    };
    // Options (section 3.5): code, length, value padded to 32 bits; opt_endofopt ends them.
    for (let at = 8; at + 4 <= body.length;) {
      const code = this.u16(body, at);
      const size = this.u16(body, at + 2);
      if (code === OPT_END) break;
      if (at + 4 + size > body.length) fail(`option ${code} runs past the block`);
      const value = body.subarray(at + 4, at + 4 + size);
      if (code === OPT_TSRESOL && size >= 1) {
        // Most significant bit clear: a negative power of 10; set: a negative power of 2.
        const exponent = value[0]! & 0x7f;
        iface.unitsPerSecond = value[0]! & 0x80 ? 2 ** exponent : 10 ** exponent;
      } else if (code === OPT_TSOFFSET && size >= 8) {
        const view = new DataView(value.buffer, value.byteOffset, 8);
        iface.offsetSeconds = Number(view.getBigInt64(0, this.little));
      }
      at += 4 + size + ((4 - (size % 4)) % 4);
    }
    return iface;
  }
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
