/**
 * Writes capture files for the tests and the benchmark: TCP conversations built with the protocol's
 * packet encoders, in pcap (draft-ietf-opsawg-pcap) or pcapng (draft-ietf-opsawg-pcapng) containers.
 */
import {
  LinkType,
  TcpFlag,
  encodeIpv4,
  encodeIpv6,
  encodeLink,
  encodeTcp,
  IP_PROTOCOL_TCP,
} from '../../src/lib/protocol/packet.ts';

export { LinkType, TcpFlag };

export interface Packet {
  /** Epoch milliseconds. */
  time: number;
  data: Uint8Array;
  /** Set to keep fewer bytes than `data` has (the snapshot length cut it). */
  captured?: number;
}

export interface Endpoint {
  address: string;
  port: number;
}

/** One TCP connection's packets, with the sequence numbers kept right (RFC 9293 section 3.4). */
export class Conversation {
  readonly packets: Packet[] = [];
  private seq = { c2s: 0, s2c: 0 };
  time: number;

  constructor(
    readonly client: Endpoint,
    readonly server: Endpoint,
    readonly linkType: number = LinkType.Null,
    options: { isnClient?: number; isnServer?: number; time?: number } = {},
  ) {
    this.seq.c2s = options.isnClient ?? 1000;
    this.seq.s2c = options.isnServer ?? 5000;
    this.time = options.time ?? 1_700_000_000_000;
  }

  /** The bytes of one segment in `dir` at sequence number `seq` (not added to the conversation). */
  segment(
    dir: 'c2s' | 's2c',
    seq: number,
    flags: number,
    payload: Uint8Array = new Uint8Array(0),
  ): Uint8Array {
    const [from, to] = dir === 'c2s' ? [this.client, this.server] : [this.server, this.client];
    const tcp = encodeTcp({
      source: from.address,
      destination: to.address,
      sourcePort: from.port,
      destinationPort: to.port,
      seq,
      ack: this.seq[dir === 'c2s' ? 's2c' : 'c2s'],
      flags,
      payload,
    });
    const v6 = from.address.includes(':');
    const ip = (v6 ? encodeIpv6 : encodeIpv4)(from.address, to.address, IP_PROTOCOL_TCP, tcp);
    return encodeLink(this.linkType, v6 ? 'ipv6' : 'ipv4', ip);
  }

  add(data: Uint8Array, captured?: number): void {
    this.time += 0.25;
    this.packets.push({ time: this.time, data, ...(captured === undefined ? {} : { captured }) });
  }

  open(): this {
    this.add(this.segment('c2s', this.seq.c2s, TcpFlag.SYN));
    this.seq.c2s = (this.seq.c2s + 1) >>> 0;
    this.add(this.segment('s2c', this.seq.s2c, TcpFlag.SYN | TcpFlag.ACK));
    this.seq.s2c = (this.seq.s2c + 1) >>> 0;
    this.add(this.segment('c2s', this.seq.c2s, TcpFlag.ACK));
    return this;
  }

  /** The next sequence number in `dir`. */
  next(dir: 'c2s' | 's2c'): number {
    return this.seq[dir];
  }

  /** `bytes` sent in `dir`, cut into segments of at most `mss` bytes, in order. */
  send(dir: 'c2s' | 's2c', bytes: Uint8Array, mss = 65_483): this {
    for (const seg of this.cut(dir, bytes, mss)) this.add(seg.data);
    return this;
  }

  /** Segments for `bytes` in `dir` (advancing the sequence number) without adding them. */
  cut(dir: 'c2s' | 's2c', bytes: Uint8Array, mss: number): Array<{ seq: number; data: Uint8Array }> {
    const out: Array<{ seq: number; data: Uint8Array }> = [];
    for (let at = 0; at < bytes.length; at += mss) {
      const piece = bytes.subarray(at, at + mss);
      out.push({
        seq: this.seq[dir],
        data: this.segment(dir, this.seq[dir], TcpFlag.ACK | TcpFlag.PSH, piece),
      });
      this.seq[dir] = (this.seq[dir] + piece.length) >>> 0;
    }
    return out;
  }

  /**
   * A WebSocket opening handshake for `path`: RFC 6455 section 1.3's sample key, and the 101 with the
   * Accept computed from it.
   */
  upgrade(path: string): this {
    this.send(
      'c2s',
      text(
        `GET ${path} HTTP/1.1\r\nHost: localhost:8080\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      ),
    );
    return this.send(
      's2c',
      text(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n',
      ),
    );
  }

  /** FIN from `first`, then from the other side (RFC 9293 section 3.6). */
  close(first: 'c2s' | 's2c' = 'c2s'): this {
    const second = first === 'c2s' ? 's2c' : 'c2s';
    for (const dir of [first, second] as const) {
      this.add(this.segment(dir, this.seq[dir], TcpFlag.FIN | TcpFlag.ACK));
      this.seq[dir] = (this.seq[dir] + 1) >>> 0;
    }
    this.add(this.segment(first, this.seq[first], TcpFlag.ACK));
    return this;
  }

  reset(dir: 'c2s' | 's2c'): this {
    this.add(this.segment(dir, this.seq[dir], TcpFlag.RST));
    return this;
  }
}

const u32 = (view: DataView, at: number, v: number, little: boolean) => view.setUint32(at, v >>> 0, little);

export interface PcapOptions {
  linkType: number;
  nanoseconds?: boolean;
  bigEndian?: boolean;
  snapLength?: number;
}

export function pcapHeader(options: PcapOptions): Uint8Array {
  const little = !options.bigEndian;
  const out = new Uint8Array(24);
  const view = new DataView(out.buffer);
  u32(view, 0, options.nanoseconds ? 0xa1b23c4d : 0xa1b2c3d4, little);
  view.setUint16(4, 2, little);
  view.setUint16(6, 4, little);
  u32(view, 16, options.snapLength ?? 262_144, little);
  u32(view, 20, options.linkType, little);
  return out;
}

export function pcapRecord(packet: Packet, options: PcapOptions): Uint8Array {
  const little = !options.bigEndian;
  const captured = packet.captured ?? packet.data.length;
  const out = new Uint8Array(16 + captured);
  const view = new DataView(out.buffer);
  const seconds = Math.floor(packet.time / 1000);
  const fraction = Math.round((packet.time - seconds * 1000) * (options.nanoseconds ? 1e6 : 1e3));
  u32(view, 0, seconds, little);
  u32(view, 4, fraction, little);
  u32(view, 8, captured, little);
  u32(view, 12, packet.data.length, little);
  out.set(packet.data.subarray(0, captured), 16);
  return out;
}

export function pcapFile(packets: readonly Packet[], options: PcapOptions): Uint8Array {
  return join([pcapHeader(options), ...packets.map((p) => pcapRecord(p, options))]);
}

function block(type: number, body: Uint8Array, little: boolean): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const out = new Uint8Array(12 + padded);
  const view = new DataView(out.buffer);
  u32(view, 0, type, little);
  u32(view, 4, out.length, little);
  out.set(body, 8);
  u32(view, out.length - 4, out.length, little);
  return out;
}

export interface PcapngOptions {
  linkType: number;
  bigEndian?: boolean;
  /** if_tsresol: 9 for nanoseconds (default 6, microseconds). */
  resolution?: number;
  snapLength?: number;
}

export function pcapngHeader(options: PcapngOptions): Uint8Array {
  const little = !options.bigEndian;
  const shb = new Uint8Array(16);
  const sv = new DataView(shb.buffer);
  u32(sv, 0, 0x1a2b3c4d, little);
  sv.setUint16(4, 1, little);
  sv.setInt32(8, -1, little);
  sv.setInt32(12, -1, little);
  const opts = options.resolution === undefined ? 0 : 8;
  const idb = new Uint8Array(8 + opts + (opts ? 4 : 0));
  const iv = new DataView(idb.buffer);
  iv.setUint16(0, options.linkType, little);
  u32(iv, 4, options.snapLength ?? 262_144, little);
  if (opts) {
    iv.setUint16(8, 9, little); // if_tsresol
    iv.setUint16(10, 1, little);
    idb[12] = options.resolution!;
    // then opt_endofopt (zeros)
  }
  return join([block(0x0a0d0d0a, shb, little), block(1, idb, little)]);
}

export function pcapngRecord(packet: Packet, options: PcapngOptions): Uint8Array {
  const little = !options.bigEndian;
  const captured = packet.captured ?? packet.data.length;
  const body = new Uint8Array(20 + captured);
  const view = new DataView(body.buffer);
  const units = BigInt(Math.round(packet.time * 10 ** ((options.resolution ?? 6) - 3)));
  u32(view, 4, Number(units >> 32n), little);
  u32(view, 8, Number(units & 0xffffffffn), little);
  u32(view, 12, captured, little);
  u32(view, 16, packet.data.length, little);
  body.set(packet.data.subarray(0, captured), 20);
  return block(6, body, little);
}

export function pcapngFile(packets: readonly Packet[], options: PcapngOptions): Uint8Array {
  return join([pcapngHeader(options), ...packets.map((p) => pcapngRecord(p, options))]);
}

export function join(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);
