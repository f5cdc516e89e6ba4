import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  LinkType,
  PacketError,
  TcpFlag,
  decodeIpv4,
  decodeLink,
  decodePacket,
  decodeTcp,
  encodeIpv4,
  encodeIpv6,
  encodeLink,
  encodeTcp,
  formatIpv6,
  parseIpv6,
} from '../../../src/lib/protocol/packet.ts';
import { hex, thrown } from './helpers.ts';

/**
 * A real packet, recorded with `tcpdump -i lo` on Linux (link type Ethernet with zero addresses): the
 * request segment "GET / HTTP/1.1" from 127.0.0.1:43446 to 127.0.0.1:48123, with TCP timestamps.
 */
const REQUEST = hex(`
  0000 0000 0000 0000 0000 0000 0800 4500
  004f e596 4000 4006 5710 7f00 0001 7f00
  0001 a9b6 bbfb 9bca c038 a9ea d866 8018
  0040 fe43 0000 0101 080a 91ad 1307 b6a1
  76c6 4745 5420 2f20 4854 5450 2f31 2e31
  0d0a 486f 7374 3a20 610d 0a0d 0a`);

/** RFC 1071 sum over the bytes: 0 when a header carries its correct checksum. */
function onesComplementSum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i]! << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

describe('packet headers: a recorded loopback packet', () => {
  it('decodes Ethernet, IPv4 (RFC 791) and TCP (RFC 9293) fields', () => {
    const packet = decodePacket(LinkType.Ethernet, REQUEST)!;
    expect(packet.ip).toMatchObject({
      version: 4,
      source: '127.0.0.1',
      destination: '127.0.0.1',
      protocol: 6,
      fragment: false,
      payloadLength: 0x4f - 20,
    });
    expect(packet.tcp).toMatchObject({
      sourcePort: 43446,
      destinationPort: 48123,
      seq: 0x9bcac038,
      ack: 0xa9ead866,
      flags: TcpFlag.ACK | TcpFlag.PSH,
      window: 64,
      headerLength: 32,
      payloadLength: 27,
    });
    expect(packet.tcp.options).toEqual(hex('0101 080a 91ad 1307 b6a1 76c6')); // NOP NOP timestamps
    expect(new TextDecoder().decode(packet.tcp.payload)).toBe('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    // The kernel filled in the IPv4 header checksum (the TCP one is left to offload on loopback).
    expect(onesComplementSum(REQUEST.subarray(14, 34))).toBe(0);
  });

  it('ignores Ethernet padding past the IP total length, and reports what a snapshot cut off', () => {
    const padded = new Uint8Array([...REQUEST, 0, 0, 0, 0]);
    expect(decodePacket(LinkType.Ethernet, padded)!.tcp.payload.length).toBe(27);
    const cut = decodePacket(LinkType.Ethernet, REQUEST.subarray(0, REQUEST.length - 7))!;
    expect(cut.tcp.payload.length).toBe(20);
    expect(cut.tcp.payloadLength).toBe(27);
  });
});

describe('packet headers: link layers', () => {
  const ip = REQUEST.subarray(14);
  const cases: Array<[string, number, Uint8Array]> = [
    ['DLT_NULL little-endian AF_INET', LinkType.Null, hex('02 00 00 00')],
    ['DLT_NULL big-endian AF_INET', LinkType.Null, hex('00 00 00 02')],
    ['DLT_LOOP AF_INET', LinkType.Loop, hex('00 00 00 02')],
    [
      'Ethernet with an 802.1Q tag',
      LinkType.Ethernet,
      hex('00 00 00 00 00 00 00 00 00 00 00 00 81 00 00 05 08 00'),
    ],
    ['Linux SLL', LinkType.LinuxSll, hex('00 00 03 04 00 06 00 00 00 00 00 00 00 00 08 00')],
    ['Linux SLL2', LinkType.LinuxSll2, hex('08 00 00 00 00 00 00 01 03 04 00 06 00 00 00 00 00 00 00 00')],
    ['raw IP', LinkType.Raw, new Uint8Array(0)],
    ['LINKTYPE_IPV4', LinkType.Ipv4, new Uint8Array(0)],
  ];
  for (const [name, linkType, header] of cases) {
    it(`finds the IPv4 packet behind ${name}`, () => {
      const packet = decodePacket(linkType, new Uint8Array([...header, ...ip]))!;
      expect(packet.tcp.destinationPort).toBe(48123);
    });
  }

  it('skips what is not IP, and names a link header cut short', () => {
    expect(decodeLink(LinkType.Ethernet, hex('00 00 00 00 00 00 00 00 00 00 00 00 08 06 00 01'))).toBeNull(); // ARP
    expect(decodeLink(LinkType.Null, hex('07 00 00 00'))).toBeNull();
    expect(decodeLink(147, ip)).toBeNull(); // a user link type
    const error = thrown(() => decodeLink(LinkType.LinuxSll, hex('00 00 03 04'))) as PacketError;
    expect(error).toBeInstanceOf(PacketError);
    expect(error.code).toBe('LINK_TRUNCATED');
  });
});

describe('packet headers: rules the decoders hold', () => {
  const ip = REQUEST.subarray(14);
  it('rejects an IPv4 header length under five words (RFC 791 3.1)', () => {
    const bad = ip.slice();
    bad[0] = 0x44;
    const error = thrown(() => decodeIpv4(bad)) as PacketError;
    expect([error.code, error.section, error.offset]).toEqual(['IP_BAD_HEADER_LENGTH', 'RFC 791 3.1', 0]);
  });

  it('rejects a total length shorter than the header', () => {
    const bad = ip.slice();
    bad[2] = 0;
    bad[3] = 19;
    expect((thrown(() => decodeIpv4(bad)) as PacketError).code).toBe('IP_BAD_TOTAL_LENGTH');
  });

  it('rejects a TCP data offset under five words or past the segment (RFC 9293 3.1)', () => {
    const tcp = ip.slice(20);
    tcp[12] = 0x40;
    expect((thrown(() => decodeTcp(tcp)) as PacketError).code).toBe('TCP_BAD_DATA_OFFSET');
    tcp[12] = 0xf0;
    expect((thrown(() => decodeTcp(tcp.subarray(0, 40), 40)) as PacketError).code).toBe(
      'TCP_BAD_DATA_OFFSET',
    );
  });

  it('leaves out IPv4 fragments and other protocols', () => {
    const fragment = ip.slice();
    fragment[6] = 0x20; // More Fragments
    expect(decodePacket(LinkType.Raw, fragment)).toBeNull();
    const udp = ip.slice();
    udp[9] = 17;
    expect(decodePacket(LinkType.Raw, udp)).toBeNull();
  });

  it('walks IPv6 extension headers to the TCP header (RFC 8200 section 4)', () => {
    const tcp = encodeTcp({
      source: '::1',
      destination: '::1',
      sourcePort: 1,
      destinationPort: 2,
      seq: 9,
      flags: 0,
    });
    // Hop-by-Hop (next: Destination Options), Destination Options (next: TCP), 8 bytes each.
    const ext = hex('3c 00 01 04 00 00 00 00  06 00 01 04 00 00 00 00');
    const packet = encodeIpv6('::1', '::1', 0, new Uint8Array([...ext, ...tcp]));
    const decoded = decodePacket(LinkType.Ipv6, packet)!;
    expect(decoded.ip.protocol).toBe(6);
    expect(decoded.tcp.seq).toBe(9);
  });
});

describe('packet headers: encoders and decoders agree', () => {
  const address = fc.oneof(
    fc.ipV4(),
    fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => formatIpv6(b)),
  );
  it('round-trips any segment through every link type, with valid checksums', () => {
    fc.assert(
      fc.property(
        fc.tuple(address, address).filter(([a, b]) => a.includes(':') === b.includes(':')),
        fc.integer({ min: 0, max: 65535 }),
        fc.integer({ min: 0, max: 65535 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 255 }),
        fc.uint8Array({ maxLength: 3000 }),
        fc.constantFrom(
          LinkType.Null,
          LinkType.Loop,
          LinkType.Ethernet,
          LinkType.LinuxSll,
          LinkType.LinuxSll2,
          LinkType.Raw,
        ),
        ([source, destination], sourcePort, destinationPort, seq, flags, payload, linkType) => {
          const tcp = encodeTcp({ source, destination, sourcePort, destinationPort, seq, flags, payload });
          const v6 = source.includes(':');
          const ip = (v6 ? encodeIpv6 : encodeIpv4)(source, destination, 6, tcp);
          const decoded = decodePacket(linkType, encodeLink(linkType, v6 ? 'ipv6' : 'ipv4', ip))!;
          expect(decoded.ip).toMatchObject({ source, destination, protocol: 6, payloadLength: tcp.length });
          expect(decoded.tcp).toMatchObject({
            sourcePort,
            destinationPort,
            seq,
            flags,
            payloadLength: payload.length,
          });
          expect(decoded.tcp.payload).toEqual(payload);
          if (!v6) expect(onesComplementSum(ip.subarray(0, 20))).toBe(0);
          // The TCP checksum covers the pseudo-header (RFC 9293 section 3.1).
          const pseudo = v6
            ? new Uint8Array([
                ...parseIpv6(source),
                ...parseIpv6(destination),
                0,
                (tcp.length >> 16) & 0xff,
                (tcp.length >> 8) & 0xff,
                tcp.length & 0xff,
                0,
                0,
                0,
                6,
              ])
            : new Uint8Array([
                ...source.split('.').map(Number),
                ...destination.split('.').map(Number),
                0,
                6,
                tcp.length >> 8,
                tcp.length & 0xff,
              ]);
          const odd = tcp.length % 2 === 1 ? new Uint8Array([...tcp, 0]) : tcp;
          expect(onesComplementSum(new Uint8Array([...pseudo, ...odd]))).toBe(0);
        },
      ),
      { numRuns: 150, seed: 791 },
    );
  });

  it('decodes any bytes to a packet, null, or a PacketError', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 120 }),
        fc.constantFrom(
          LinkType.Null,
          LinkType.Ethernet,
          LinkType.LinuxSll,
          LinkType.LinuxSll2,
          LinkType.Raw,
        ),
        (bytes, linkType) => {
          try {
            decodePacket(linkType, bytes);
          } catch (error) {
            expect(error).toBeInstanceOf(PacketError);
          }
        },
      ),
      { numRuns: 500, seed: 8200 },
    );
  });

  it('writes IPv6 addresses as RFC 5952 says', () => {
    expect(formatIpv6(parseIpv6('2001:db8:0:0:1:0:0:1'))).toBe('2001:db8::1:0:0:1');
    expect(formatIpv6(parseIpv6('::1'))).toBe('::1');
    expect(formatIpv6(parseIpv6('2001:db8:0:1:1:1:1:1'))).toBe('2001:db8:0:1:1:1:1:1');
    expect(formatIpv6(new Uint8Array(16))).toBe('::');
  });
});
