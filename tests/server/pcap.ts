/**
 * Just enough of a pcap reader to check the tap against an independent capture: reads tcpdump's classic
 * pcap file (Ethernet or Linux cooked link types, IPv4), and reassembles each TCP connection's payload
 * in each direction by sequence number (RFC 9293 section 3.4), keyed by the client's port.
 */

export type StreamKey = `${number}:${'c2s' | 's2c'}`;

interface Stream {
  initialSeq: number | undefined;
  segments: Map<number, Buffer>;
}

/** Link-layer header length for the link types tcpdump uses on Linux loopback. */
function linkHeaderLength(linkType: number): number {
  if (linkType === 1) return 14; // DLT_EN10MB: lo shows up as Ethernet with zero addresses
  if (linkType === 113) return 16; // DLT_LINUX_SLL
  if (linkType === 276) return 20; // DLT_LINUX_SLL2
  throw new Error(`pcap: unsupported link type ${linkType}`);
}

export function tcpStreams(pcap: Buffer, serverPort: number): Map<StreamKey, Buffer> {
  if (pcap.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error('pcap: not a little-endian microsecond pcap file');
  const linkLength = linkHeaderLength(pcap.readUInt32LE(20));
  const streams = new Map<StreamKey, Stream>();
  for (let at = 24; at + 16 <= pcap.length;) {
    const captured = pcap.readUInt32LE(at + 8);
    const packet = pcap.subarray(at + 16, at + 16 + captured);
    at += 16 + captured;
    const ip = linkLength;
    if (packet[ip]! >> 4 !== 4) continue;
    const tcp = ip + (packet[ip]! & 0x0f) * 4;
    const ipEnd = ip + packet.readUInt16BE(ip + 2);
    const [sourcePort, destinationPort] = [packet.readUInt16BE(tcp), packet.readUInt16BE(tcp + 2)];
    const c2s = destinationPort === serverPort;
    const key: StreamKey = `${c2s ? sourcePort : destinationPort}:${c2s ? 'c2s' : 's2c'}`;
    let stream = streams.get(key);
    if (!stream) streams.set(key, (stream = { initialSeq: undefined, segments: new Map() }));
    const seq = packet.readUInt32BE(tcp + 4);
    const syn = (packet[tcp + 13]! & 0x02) !== 0;
    // The SYN consumes one sequence number; data starts right after it.
    if (syn) stream.initialSeq = (seq + 1) >>> 0;
    const payload = packet.subarray(tcp + (packet[tcp + 12]! >> 4) * 4, ipEnd);
    if (payload.length > 0) stream.segments.set(seq, Buffer.from(payload));
  }
  const out = new Map<StreamKey, Buffer>();
  for (const [key, stream] of streams) {
    if (stream.initialSeq === undefined) throw new Error(`pcap: no SYN seen for ${key}`);
    const start = stream.initialSeq;
    const ordered = [...stream.segments].sort(([a], [b]) => ((a - start) >>> 0) - ((b - start) >>> 0));
    const parts: Buffer[] = [];
    let next = 0;
    for (const [seq, payload] of ordered) {
      const offset = (seq - start) >>> 0;
      if (offset > next) throw new Error(`pcap: ${offset - next} bytes missing in ${key}`);
      // A retransmission repeats bytes already taken; keep only what is new.
      if (offset + payload.length > next) parts.push(payload.subarray(next - offset));
      next = Math.max(next, offset + payload.length);
    }
    out.set(key, Buffer.concat(parts));
  }
  return out;
}
