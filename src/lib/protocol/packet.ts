/**
 * The headers below HTTP and WebSocket, as a capture file holds them: a link-layer header (loopback,
 * Linux cooked or Ethernet), an IPv4 (RFC 791) or IPv6 (RFC 8200) header, a TCP header (RFC 9293), then
 * the segment's payload. Each decoder is paired with its encoder (the tests write captures with them).
 *
 * Checksums are written but never checked on reading: on loopback and with checksum offload the
 * captured checksum is often not filled in, and Wireshark does not check them by default either.
 */

/** Link types (the tcpdump.org LINKTYPE_ registry) that carry IP over the links a learner captures on. */
export const LinkType = {
  /** BSD loopback: a 4-byte address family in the capturing host's byte order. */
  Null: 0,
  Ethernet: 1,
  /** Raw IP: the packet starts with the IP header. */
  Raw: 101,
  /** OpenBSD loopback: the address family in network byte order. */
  Loop: 108,
  /** Linux cooked capture v1 ("any" device, and loopback on some systems): a 16-byte header. */
  LinuxSll: 113,
  Ipv4: 228,
  Ipv6: 229,
  /** Linux cooked capture v2: a 20-byte header. */
  LinuxSll2: 276,
} as const;

/** EtherType values (IEEE 802.3) that matter here. */
export const EtherType = { Ipv4: 0x0800, Ipv6: 0x86dd, Vlan: 0x8100, QinQ: 0x88a8 } as const;

/** RFC 791 section 3.1 / RFC 8200 section 3: "Protocol" / "Next Header" 6 is TCP (IANA). */
export const IP_PROTOCOL_TCP = 6;

/** RFC 9293 section 3.1: the control bits of the TCP header, in byte 13. */
export const TcpFlag = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
};

/** Address families that BSD-style loopback headers use for IPv4 and IPv6 (Linux, BSDs, macOS). */
const AF_INET = 2;
const AF_INET6 = new Set([10, 24, 28, 30]);

export type PacketErrorCode =
  | 'LINK_TRUNCATED'
  | 'IP_TRUNCATED'
  | 'IP_BAD_VERSION'
  | 'IP_BAD_HEADER_LENGTH'
  | 'IP_BAD_TOTAL_LENGTH'
  | 'TCP_TRUNCATED'
  | 'TCP_BAD_DATA_OFFSET';

/** A packet whose headers contradict themselves or their own length. */
export class PacketError extends Error {
  override readonly name = 'PacketError';
  constructor(
    message: string,
    readonly code: PacketErrorCode,
    /** Where the rule comes from, e.g. 'RFC 791 3.1'. */
    readonly section: string,
    /** Byte offset of the fault in the packet. */
    readonly offset: number,
  ) {
    super(message);
  }
}

export type Network = 'ipv4' | 'ipv6';

/** Where the network-layer packet starts, or null when the link carries something other than IP. */
export function decodeLink(linkType: number, data: Uint8Array): { network: Network; offset: number } | null {
  const view = viewOf(data);
  const need = (n: number) => {
    if (data.length < n)
      throw new PacketError(
        `link-layer header needs ${n} bytes, the packet has ${data.length}`,
        'LINK_TRUNCATED',
        `LINKTYPE ${linkType}`,
        data.length,
      );
  };
  switch (linkType) {
    case LinkType.Null:
    case LinkType.Loop: {
      need(4);
      // DLT_NULL is in the capturing host's order: a family is small, so the order is the one that
      // gives a small number. DLT_LOOP is always big-endian.
      const big = view.getUint32(0, false);
      const family = linkType === LinkType.Loop || big <= 0xffff ? big : view.getUint32(0, true);
      if (family === AF_INET) return { network: 'ipv4', offset: 4 };
      if (AF_INET6.has(family)) return { network: 'ipv6', offset: 4 };
      return null;
    }
    case LinkType.Ethernet: {
      need(14);
      let at = 12;
      let type = view.getUint16(at);
      // IEEE 802.1Q (and 802.1ad): a 4-byte tag before the real EtherType.
      while (type === EtherType.Vlan || type === EtherType.QinQ) {
        at += 4;
        need(at + 2);
        type = view.getUint16(at);
      }
      return networkOf(type, at + 2);
    }
    case LinkType.LinuxSll:
      need(16);
      return networkOf(view.getUint16(14), 16);
    case LinkType.LinuxSll2:
      need(20);
      return networkOf(view.getUint16(0), 20);
    case LinkType.Raw:
      need(1);
      return data[0]! >> 4 === 4
        ? { network: 'ipv4', offset: 0 }
        : data[0]! >> 4 === 6
          ? { network: 'ipv6', offset: 0 }
          : null;
    case LinkType.Ipv4:
      return { network: 'ipv4', offset: 0 };
    case LinkType.Ipv6:
      return { network: 'ipv6', offset: 0 };
    default:
      return null;
  }
}

function networkOf(etherType: number, offset: number): { network: Network; offset: number } | null {
  if (etherType === EtherType.Ipv4) return { network: 'ipv4', offset };
  if (etherType === EtherType.Ipv6) return { network: 'ipv6', offset };
  return null;
}

export function isSupportedLinkType(linkType: number): boolean {
  return (Object.values(LinkType) as number[]).includes(linkType);
}

export interface IpPacket {
  version: 4 | 6;
  source: string;
  destination: string;
  /** The upper-layer protocol (after any IPv6 extension headers). */
  protocol: number;
  /** True for a fragment (RFC 791 MF or offset; RFC 8200 Fragment header): not reassembled here. */
  fragment: boolean;
  /** The upper-layer bytes present in the capture (without any link-layer padding). */
  payload: Uint8Array;
  /** How long the upper-layer bytes are according to the header (more than captured when cut short). */
  payloadLength: number;
}

/** RFC 791 section 3.1: the Internet header. */
export function decodeIpv4(data: Uint8Array, at = 0): IpPacket {
  const view = viewOf(data);
  if (data.length < at + 20)
    throw new PacketError('IPv4 header needs 20 bytes', 'IP_TRUNCATED', 'RFC 791 3.1', data.length);
  const version = data[at]! >> 4;
  if (version !== 4)
    throw new PacketError(`IP version ${version} where 4 is expected`, 'IP_BAD_VERSION', 'RFC 791 3.1', at);
  const ihl = data[at]! & 0x0f;
  // "The minimum value for a correct header is 5" (IHL counts 32-bit words).
  if (ihl < 5)
    throw new PacketError(
      `IPv4 header length ${ihl} words is below the minimum of 5`,
      'IP_BAD_HEADER_LENGTH',
      'RFC 791 3.1',
      at,
    );
  const headerLength = ihl * 4;
  if (data.length < at + headerLength)
    throw new PacketError(
      `IPv4 header of ${headerLength} bytes is cut short`,
      'IP_TRUNCATED',
      'RFC 791 3.1',
      data.length,
    );
  let totalLength = view.getUint16(at + 2);
  // A capture of a TCP segmentation offload packet may carry 0 here: take what was captured.
  if (totalLength === 0) totalLength = data.length - at;
  if (totalLength < headerLength)
    throw new PacketError(
      `IPv4 total length ${totalLength} is shorter than its header (${headerLength})`,
      'IP_BAD_TOTAL_LENGTH',
      'RFC 791 3.1',
      at + 2,
    );
  const flagsOffset = view.getUint16(at + 6);
  const moreFragments = (flagsOffset & 0x2000) !== 0;
  const fragmentOffset = flagsOffset & 0x1fff;
  const end = Math.min(data.length, at + totalLength);
  return {
    version: 4,
    source: formatIpv4(data.subarray(at + 12, at + 16)),
    destination: formatIpv4(data.subarray(at + 16, at + 20)),
    protocol: data[at + 9]!,
    fragment: moreFragments || fragmentOffset !== 0,
    payload: data.subarray(at + headerLength, end),
    payloadLength: totalLength - headerLength,
  };
}

/** RFC 8200 section 4: extension headers a TCP segment may sit behind. */
const HOP_BY_HOP = 0;
const ROUTING = 43;
const FRAGMENT = 44;
const AUTH = 51;
const DEST_OPTS = 60;

/** RFC 8200 section 3: the IPv6 header, then any extension headers (section 4) up to the upper layer. */
export function decodeIpv6(data: Uint8Array, at = 0): IpPacket {
  const view = viewOf(data);
  if (data.length < at + 40)
    throw new PacketError('IPv6 header needs 40 bytes', 'IP_TRUNCATED', 'RFC 8200 3', data.length);
  const version = data[at]! >> 4;
  if (version !== 6)
    throw new PacketError(`IP version ${version} where 6 is expected`, 'IP_BAD_VERSION', 'RFC 8200 3', at);
  let payloadLength = view.getUint16(at + 4);
  if (payloadLength === 0) payloadLength = data.length - at - 40; // offload or a jumbogram: what is there
  let next = data[at + 6]!;
  let p = at + 40;
  let fragment = false;
  const end = at + 40 + payloadLength;
  while (
    next === HOP_BY_HOP ||
    next === ROUTING ||
    next === FRAGMENT ||
    next === DEST_OPTS ||
    next === AUTH
  ) {
    if (data.length < p + 8 || end < p + 8)
      throw new PacketError('IPv6 extension header cut short', 'IP_TRUNCATED', 'RFC 8200 4', p);
    const length = next === FRAGMENT ? 8 : next === AUTH ? (data[p + 1]! + 2) * 4 : (data[p + 1]! + 1) * 8;
    if (next === FRAGMENT) fragment = true;
    next = data[p]!;
    p += length;
    if (p > end)
      throw new PacketError(
        'IPv6 extension headers run past the payload length',
        'IP_BAD_TOTAL_LENGTH',
        'RFC 8200 4',
        at + 4,
      );
  }
  return {
    version: 6,
    source: formatIpv6(data.subarray(at + 8, at + 24)),
    destination: formatIpv6(data.subarray(at + 24, at + 40)),
    protocol: next,
    fragment,
    payload: data.subarray(p, Math.min(data.length, end)),
    payloadLength: end - p,
  };
}

export interface TcpSegment {
  sourcePort: number;
  destinationPort: number;
  /** Sequence number of the first data octet (or of the SYN), RFC 9293 section 3.1. */
  seq: number;
  ack: number;
  /** The control bits (TcpFlag). */
  flags: number;
  window: number;
  /** Header length in bytes (Data Offset x 4). */
  headerLength: number;
  options: Uint8Array;
  /** The data present in the capture. */
  payload: Uint8Array;
  /** The data length according to the IP header (more than `payload` when the capture cut it short). */
  payloadLength: number;
}

/**
 * RFC 9293 section 3.1: the TCP header. `segmentLength` is the TCP length the IP header states, which
 * may exceed what the capture kept.
 */
export function decodeTcp(data: Uint8Array, segmentLength = data.length): TcpSegment {
  if (data.length < 20)
    throw new PacketError(
      `TCP header needs 20 bytes, ${data.length} captured`,
      'TCP_TRUNCATED',
      'RFC 9293 3.1',
      data.length,
    );
  const view = viewOf(data);
  const dataOffset = data[12]! >> 4;
  // "The TCP header ... is an integer multiple of 32 bits": at least 5 words (20 bytes).
  if (dataOffset < 5)
    throw new PacketError(
      `TCP data offset ${dataOffset} words is below the minimum of 5`,
      'TCP_BAD_DATA_OFFSET',
      'RFC 9293 3.1',
      12,
    );
  const headerLength = dataOffset * 4;
  if (headerLength > segmentLength)
    throw new PacketError(
      `TCP data offset ${headerLength} bytes runs past the segment (${segmentLength} bytes)`,
      'TCP_BAD_DATA_OFFSET',
      'RFC 9293 3.1',
      12,
    );
  if (data.length < headerLength)
    throw new PacketError(
      `TCP header of ${headerLength} bytes cut short at ${data.length}`,
      'TCP_TRUNCATED',
      'RFC 9293 3.1',
      data.length,
    );
  return {
    sourcePort: view.getUint16(0),
    destinationPort: view.getUint16(2),
    seq: view.getUint32(4),
    ack: view.getUint32(8),
    flags: data[13]!,
    window: view.getUint16(14),
    headerLength,
    options: data.subarray(20, headerLength),
    payload: data.subarray(headerLength, Math.min(data.length, segmentLength)),
    payloadLength: segmentLength - headerLength,
  };
}

export interface DecodedPacket {
  ip: IpPacket;
  tcp: TcpSegment;
}

/**
 * One captured packet down to its TCP segment. null: not TCP over IP (ARP, UDP, another link type),
 * or an IP fragment, which is left out. Throws PacketError for headers that contradict themselves.
 */
export function decodePacket(linkType: number, data: Uint8Array): DecodedPacket | null {
  const link = decodeLink(linkType, data);
  if (!link) return null;
  const ip = link.network === 'ipv4' ? decodeIpv4(data, link.offset) : decodeIpv6(data, link.offset);
  if (ip.protocol !== IP_PROTOCOL_TCP || ip.fragment) return null;
  return { ip, tcp: decodeTcp(ip.payload, ip.payloadLength) };
}

// ---- encoders (the pairs of the decoders above) ----

export interface TcpSegmentInit {
  source: string;
  destination: string;
  sourcePort: number;
  destinationPort: number;
  seq: number;
  ack?: number;
  flags: number;
  window?: number;
  payload?: Uint8Array;
}

/** A TCP header and payload with its checksum over the pseudo-header (RFC 9293 section 3.1). */
export function encodeTcp(init: TcpSegmentInit): Uint8Array {
  const payload = init.payload ?? new Uint8Array(0);
  const out = new Uint8Array(20 + payload.length);
  const view = viewOf(out);
  view.setUint16(0, init.sourcePort);
  view.setUint16(2, init.destinationPort);
  view.setUint32(4, init.seq >>> 0);
  view.setUint32(8, (init.ack ?? 0) >>> 0);
  out[12] = 5 << 4;
  out[13] = init.flags;
  view.setUint16(14, init.window ?? 65535);
  out.set(payload, 20);
  const v6 = init.source.includes(':');
  const pseudo = v6 ? new Uint8Array(40) : new Uint8Array(12);
  if (v6) {
    pseudo.set(parseIpv6(init.source), 0);
    pseudo.set(parseIpv6(init.destination), 16);
    viewOf(pseudo).setUint32(32, out.length);
    pseudo[39] = IP_PROTOCOL_TCP;
  } else {
    pseudo.set(parseIpv4(init.source), 0);
    pseudo.set(parseIpv4(init.destination), 4);
    pseudo[9] = IP_PROTOCOL_TCP;
    viewOf(pseudo).setUint16(10, out.length);
  }
  view.setUint16(16, internetChecksum([pseudo, out]));
  return out;
}

/** An IPv4 header (RFC 791 section 3.1, no options, Don't Fragment set) in front of `payload`. */
export function encodeIpv4(
  source: string,
  destination: string,
  protocol: number,
  payload: Uint8Array,
): Uint8Array {
  const out = new Uint8Array(20 + payload.length);
  const view = viewOf(out);
  out[0] = 0x45;
  view.setUint16(2, out.length);
  view.setUint16(6, 0x4000);
  out[8] = 64;
  out[9] = protocol;
  out.set(parseIpv4(source), 12);
  out.set(parseIpv4(destination), 16);
  view.setUint16(10, internetChecksum([out.subarray(0, 20)]));
  out.set(payload, 20);
  return out;
}

/** An IPv6 header (RFC 8200 section 3, no extension headers) in front of `payload`. */
export function encodeIpv6(
  source: string,
  destination: string,
  protocol: number,
  payload: Uint8Array,
): Uint8Array {
  const out = new Uint8Array(40 + payload.length);
  const view = viewOf(out);
  out[0] = 0x60;
  view.setUint16(4, payload.length);
  out[6] = protocol;
  out[7] = 64;
  out.set(parseIpv6(source), 8);
  out.set(parseIpv6(destination), 24);
  out.set(payload, 40);
  return out;
}

/** The link-layer header for `linkType` in front of an IP packet (addresses zero, as on loopback). */
export function encodeLink(linkType: number, network: Network, packet: Uint8Array): Uint8Array {
  const etherType = network === 'ipv4' ? EtherType.Ipv4 : EtherType.Ipv6;
  let header: Uint8Array;
  switch (linkType) {
    case LinkType.Null:
      header = new Uint8Array(4);
      viewOf(header).setUint32(0, network === 'ipv4' ? AF_INET : 30, true);
      break;
    case LinkType.Loop:
      header = new Uint8Array(4);
      viewOf(header).setUint32(0, network === 'ipv4' ? AF_INET : 30, false);
      break;
    case LinkType.Ethernet:
      header = new Uint8Array(14);
      viewOf(header).setUint16(12, etherType);
      break;
    case LinkType.LinuxSll:
      header = new Uint8Array(16);
      viewOf(header).setUint16(2, 772); // ARPHRD_LOOPBACK
      viewOf(header).setUint16(4, 6);
      viewOf(header).setUint16(14, etherType);
      break;
    case LinkType.LinuxSll2:
      header = new Uint8Array(20);
      viewOf(header).setUint16(0, etherType);
      viewOf(header).setUint32(4, 1); // interface index
      viewOf(header).setUint16(8, 772);
      header[11] = 6;
      break;
    case LinkType.Raw:
    case LinkType.Ipv4:
    case LinkType.Ipv6:
      return packet;
    default:
      throw new RangeError(`no encoder for link type ${linkType}`);
  }
  const out = new Uint8Array(header.length + packet.length);
  out.set(header);
  out.set(packet, header.length);
  return out;
}

/** RFC 1071: the ones' complement of the ones' complement sum of 16-bit words. */
function internetChecksum(parts: readonly Uint8Array[]): number {
  let sum = 0;
  for (const part of parts) {
    for (let i = 0; i + 1 < part.length; i += 2) sum += (part[i]! << 8) | part[i + 1]!;
    if (part.length % 2 === 1) sum += part[part.length - 1]! << 8;
    sum = (sum & 0xffff) + (sum >>> 16);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

// ---- addresses ----

export function formatIpv4(bytes: Uint8Array): string {
  return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
}

/** RFC 5952 section 4: lower case, no leading zeros, the longest run of two or more zero groups as "::". */
export function formatIpv6(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = (g: number[]) => g.map((n) => n.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}

export function parseIpv4(text: string): Uint8Array {
  const parts = text.split('.').map(Number);
  if (parts.length !== 4 || parts.some((n) => !Number.isInteger(n) || n < 0 || n > 255))
    throw new RangeError(`not an IPv4 address: ${text}`);
  return new Uint8Array(parts);
}

export function parseIpv6(text: string): Uint8Array {
  const [head, tail, ...rest] = text.split('::');
  if (rest.length > 0) throw new RangeError(`not an IPv6 address: ${text}`);
  const words = (s: string | undefined) => (s ? s.split(':').map((w) => parseInt(w, 16)) : []);
  const front = words(head);
  const back = words(tail);
  const fill = tail === undefined ? 0 : 8 - front.length - back.length;
  const all = [...front, ...new Array<number>(fill).fill(0), ...back];
  if (all.length !== 8 || all.some((n) => !Number.isInteger(n) || n < 0 || n > 0xffff))
    throw new RangeError(`not an IPv6 address: ${text}`);
  const out = new Uint8Array(16);
  all.forEach((w, i) => viewOf(out).setUint16(i * 2, w));
  return out;
}

/** "127.0.0.1:8080", or "[::1]:8080" for IPv6 (RFC 3986 section 3.2.2). */
export function formatEndpoint(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
