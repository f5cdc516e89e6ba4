import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeFrame } from '../../../src/lib/protocol/index.ts';
import { CaptureReader } from '../../../src/lib/trace/capture/container.ts';
import { importCapture } from '../../../src/lib/trace/capture/import.ts';
import { createUnitParser } from '../../../src/lib/trace/units.ts';
import type { Direction, Trace, TraceEvent, UnitEvent } from '../../../src/lib/trace/types.ts';
import {
  Conversation,
  LinkType,
  TcpFlag,
  join,
  pcapFile,
  pcapngFile,
  text,
  type Packet,
} from '../../helpers/captureWriter.ts';

const client = { address: '127.0.0.1', port: 53412 };
const server = { address: '127.0.0.1', port: 8080 };
const MASK = new Uint8Array([0x37, 0xfa, 0x21, 0x3d]);

const request = text('GET /api/time HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n');
const response = text(
  'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"now":123}',
);
const upgrade = text(
  'GET /ws/echo HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
);
const switching = text(
  'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
    'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n',
);
/** Client frames (masked, section 5.3) and server frames: a message in two fragments with a ping between. */
const c2sFrames = join([
  encodeFrame({ opcode: 1, payload: 'Hello', mask: MASK }),
  encodeFrame({ opcode: 2, payload: new Uint8Array(3000).fill(7), mask: MASK }),
  encodeFrame({ opcode: 8, payload: new Uint8Array([0x03, 0xe8]), mask: MASK }),
]);
const s2cFrames = join([
  encodeFrame({ opcode: 1, payload: 'Hel', fin: false }),
  encodeFrame({ opcode: 9, payload: 'ping' }),
  encodeFrame({ opcode: 0, payload: 'lo' }),
  encodeFrame({ opcode: 2, payload: new Uint8Array(3000).fill(7) }),
  encodeFrame({ opcode: 8, payload: new Uint8Array([0x03, 0xe8]) }),
]);
const streams: Record<Direction, Uint8Array> = {
  c2s: join([upgrade, c2sFrames]),
  s2c: join([switching, s2cFrames]),
};

/** What the tap's parser makes of the two whole streams: the reference for every capture of them. */
function expectedUnits(): Array<Pick<UnitEvent, 'dir' | 'kind' | 'summary' | 'bytes'>> {
  const parser = createUnitParser('c1');
  return [
    ...parser.push('c2s', upgrade, 0),
    ...parser.push('s2c', switching, 0),
    ...parser.push('c2s', c2sFrames, 0),
    ...parser.push('s2c', s2cFrames, 0),
  ].map(({ dir, kind, summary, bytes }) => ({ dir, kind, summary, bytes }));
}

const unitsOf = (trace: Trace) =>
  trace.events
    .filter((e): e is UnitEvent => e.type === 'unit')
    .map(({ dir, kind, summary, bytes }) => ({ dir, kind, summary, bytes }));

function streamOf(trace: Trace, conn: string, dir: Direction): Uint8Array {
  return join(
    trace.events.flatMap((e) => (e.type === 'bytes' && e.conn === conn && e.dir === dir ? [e.bytes] : [])),
  );
}

function websocketConversation(linkType: number = LinkType.Null, c = client, s = server): Conversation {
  const conv = new Conversation(c, s, linkType).open();
  conv.send('c2s', upgrade).send('s2c', switching);
  conv.send('c2s', c2sFrames, 1448).send('s2c', s2cFrames, 1448);
  return conv.close('c2s');
}

describe('capture import: a clean capture', () => {
  it('turns an HTTP exchange into the units, bytes and connection events the tap reports', async () => {
    const conv = new Conversation(client, server)
      .open()
      .send('c2s', request)
      .send('s2c', response)
      .close('s2c');
    const { trace, stats, error } = await importCapture(
      pcapFile(conv.packets, { linkType: LinkType.Null }),
      'x',
    );
    expect(error).toBeUndefined();
    expect(trace.source).toBe('capture');
    expect(trace.startedAt).toBe(Math.floor(conv.packets[0]!.time));
    expect(trace.events.map((e) => e.type)).toEqual([
      'conn.open',
      'bytes',
      'unit',
      'bytes',
      'unit',
      'conn.close',
    ]);
    expect(trace.events[0]).toMatchObject({
      conn: 'c1',
      client: '127.0.0.1:53412',
      server: '127.0.0.1:8080',
    });
    expect(trace.events[2]).toMatchObject({ kind: 'http-request', summary: 'GET /api/time HTTP/1.1' });
    expect(trace.events[4]).toMatchObject({
      kind: 'http-response',
      summary: `HTTP/1.1 200 OK '{"now":123}'`,
    });
    const secondFin = conv.packets[6]!.time - trace.startedAt;
    expect(trace.events[5]).toEqual({ type: 'conn.close', t: secondFin, conn: 'c1', by: 'server' });
    expect(stats).toMatchObject({ records: 8, tcpSegments: 8, connections: 1, skipped: 0, missingBytes: 0 });
  });

  it('parses a WebSocket conversation cut into segments into the same units as the whole streams', async () => {
    const { trace } = await importCapture(
      pcapFile(websocketConversation().packets, { linkType: LinkType.Null }),
    );
    expect(unitsOf(trace)).toEqual(expectedUnits());
    expect(streamOf(trace, 'c1', 'c2s')).toEqual(streams.c2s);
    expect(streamOf(trace, 'c1', 's2c')).toEqual(streams.s2c);
    // One bytes event per segment that carried data: 1 + 3 c2s frames' segments, 1 + 3 s2c.
    const bytesEvents = trace.events.filter((e) => e.type === 'bytes');
    expect(bytesEvents.map((e) => (e as { bytes: Uint8Array }).bytes.length)).toEqual([
      upgrade.length,
      switching.length,
      1448,
      1448,
      c2sFrames.length - 2896,
      1448,
      1448,
      s2cFrames.length - 2896,
    ]);
  });

  const links: Array<[string, number, typeof client, typeof server]> = [
    ['DLT_NULL loopback, IPv4', LinkType.Null, client, server],
    ['DLT_LOOP, IPv6', LinkType.Loop, { address: '::1', port: 53412 }, { address: '::1', port: 8080 }],
    [
      'Ethernet, IPv4',
      LinkType.Ethernet,
      { address: '192.0.2.1', port: 40000 },
      { address: '192.0.2.2', port: 80 },
    ],
    [
      'Ethernet, IPv6',
      LinkType.Ethernet,
      { address: '2001:db8::1', port: 40000 },
      { address: '2001:db8::2', port: 80 },
    ],
    ['Linux cooked (SLL), IPv4', LinkType.LinuxSll, client, server],
    [
      'Linux cooked (SLL), IPv6',
      LinkType.LinuxSll,
      { address: '::1', port: 1 + 50000 },
      { address: '::1', port: 8080 },
    ],
    ['Linux cooked v2 (SLL2), IPv4', LinkType.LinuxSll2, client, server],
    ['raw IP', LinkType.Raw, client, server],
  ];
  for (const [name, linkType, c, s] of links) {
    it(`reads ${name} in pcap and pcapng`, async () => {
      const packets = websocketConversation(linkType, c, s).packets;
      for (const file of [
        pcapFile(packets, { linkType }),
        pcapFile(packets, { linkType, bigEndian: true, nanoseconds: true }),
        pcapngFile(packets, { linkType }),
        pcapngFile(packets, { linkType, bigEndian: true, resolution: 9 }),
      ]) {
        const { trace, error } = await importCapture(file);
        expect(error).toBeUndefined();
        expect(unitsOf(trace)).toEqual(expectedUnits());
        const open = trace.events[0]!;
        const fmt = (e: typeof c) =>
          e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
        expect(open).toMatchObject({ type: 'conn.open', client: fmt(c), server: fmt(s) });
        expect(trace.startedAt).toBe(Math.floor(packets[0]!.time));
        expect(trace.events.at(-1)).toMatchObject({ type: 'conn.close', by: 'client' });
      }
    });
  }

  it('reads timestamps at microsecond and nanosecond resolution', async () => {
    const conv = new Conversation(client, server, LinkType.Null, { time: 1_700_000_000_123.456 }).open();
    for (const file of [
      pcapFile(conv.packets, { linkType: LinkType.Null }),
      pcapngFile(conv.packets, { linkType: LinkType.Null, resolution: 9 }),
    ]) {
      const { trace } = await importCapture(file);
      expect(trace.startedAt).toBe(1_700_000_000_123);
      expect(trace.events[0]!.t).toBeCloseTo(0.706, 3);
    }
  });
});

describe('capture import: reassembly', () => {
  it('puts out-of-order segments back in order, dropping retransmissions and trimming overlaps', async () => {
    const conv = new Conversation(client, server).open();
    const base = conv.next('c2s');
    const segs = conv.cut('c2s', streams.c2s, 500);
    const overlap = conv.segment('c2s', base + 250, TcpFlag.ACK, streams.c2s.subarray(250, 900));
    // Third first, then an overlapping copy, then the rest, the first twice.
    for (const data of [
      segs[2]!.data,
      overlap,
      segs[0]!.data,
      segs[0]!.data,
      ...segs.slice(1).map((s) => s.data),
    ])
      conv.add(data);
    conv.send('s2c', streams.s2c, 700).close();
    const { trace, stats } = await importCapture(pcapFile(conv.packets, { linkType: LinkType.Null }));
    expect(streamOf(trace, 'c1', 'c2s')).toEqual(streams.c2s);
    expect(unitsOf(trace)).toEqual(expectedUnits());
    expect(stats.retransmitted).toBeGreaterThanOrEqual(2);
    expect(stats.outOfOrder).toBeGreaterThanOrEqual(2);
    expect(stats.overlapping).toBeGreaterThanOrEqual(1);
    expect(stats.missingBytes).toBe(0);
  });

  it('keeps the first copy of bytes sent twice with different contents', async () => {
    const conv = new Conversation(client, server).open();
    const base = conv.next('c2s');
    conv.add(conv.segment('c2s', base, TcpFlag.ACK, text('GET / HTTP/1.1\r\n')));
    conv.add(conv.segment('c2s', base + 4, TcpFlag.ACK, text('XXXXXXXXXXXXHost: a\r\n\r\n')));
    const { trace } = await importCapture(pcapFile(conv.packets, { linkType: LinkType.Null }));
    expect(new TextDecoder().decode(streamOf(trace, 'c1', 'c2s'))).toBe('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
  });

  it('yields the same bytes and units however the streams are cut, reordered and repeated', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 40, max: 1600 }), { minLength: 1, maxLength: 40 }),
        fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 40, maxLength: 40 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        async (sizes, keys, isn) => {
          // Sequence numbers start near the top of the 32-bit space in some runs: they wrap (RFC 9293 3.4).
          const conv = new Conversation(client, server, LinkType.Null, {
            isnClient: isn,
            isnServer: isn ^ 0x5a5a5a5a,
          });
          conv.open();
          for (const dir of ['c2s', 's2c'] as const) {
            const base = conv.next(dir);
            const bytes = streams[dir];
            const segs: Uint8Array[] = [];
            let at = 0;
            for (let i = 0; at < bytes.length; i++) {
              const size = sizes[i % sizes.length]!;
              // Every third segment reaches back over the previous one's end: an overlap.
              const from = i % 3 === 2 ? Math.max(0, at - 100) : at;
              segs.push(conv.segment(dir, (base + from) >>> 0, TcpFlag.ACK, bytes.subarray(from, at + size)));
              at += size;
            }
            const order = segs.map((s, i) => ({ s, k: keys[i % keys.length]! + (i % 7) * 13 }));
            order.sort((a, b) => a.k - b.k);
            for (const [i, { s }] of order.entries()) {
              conv.add(s);
              if (keys[i % keys.length]! % 5 === 0) conv.add(s); // a retransmission
            }
            (conv as unknown as { seq: Record<Direction, number> }).seq[dir] = (base + bytes.length) >>> 0;
          }
          conv.close();
          const { trace } = await importCapture(pcapFile(conv.packets, { linkType: LinkType.Null }));
          expect(streamOf(trace, 'c1', 'c2s')).toEqual(streams.c2s);
          expect(streamOf(trace, 'c1', 's2c')).toEqual(streams.s2c);
          // Which units complete first depends on arrival order; per direction they are the same.
          for (const dir of ['c2s', 's2c'] as const)
            expect(unitsOf(trace).filter((u) => u.dir === dir)).toEqual(
              expectedUnits().filter((u) => u.dir === dir),
            );
          expect(trace.events.at(-1)).toMatchObject({ type: 'conn.close', by: 'client' });
        },
      ),
      { numRuns: 25, seed: 9293 },
    );
  });

  it('reports an RST as an abnormal close by its sender', async () => {
    const conv = new Conversation(client, server).open().send('c2s', request).reset('s2c');
    const { trace } = await importCapture(pcapFile(conv.packets, { linkType: LinkType.Null }));
    expect(trace.events.at(-1)).toMatchObject({ type: 'conn.close', by: 'server', abnormal: true });
  });

  it('tells connections apart, and a new SYN on the same ports is a new connection', async () => {
    const a = new Conversation(client, server).open().send('c2s', request).send('s2c', response).close();
    const b = new Conversation(client, server, LinkType.Null, { isnClient: 777, time: a.time + 1 });
    b.open().send('c2s', request).close();
    const { trace } = await importCapture(
      pcapFile([...a.packets, ...b.packets], { linkType: LinkType.Null }),
    );
    const opens = trace.events.filter((e) => e.type === 'conn.open').map((e) => (e as { conn: string }).conn);
    expect(opens).toEqual(['c1', 'c2']);
    expect(streamOf(trace, 'c2', 'c2s')).toEqual(request);
  });

  it('reports bytes the capture cut short, keeps the bytes and stops that direction’s units', async () => {
    const conv = new Conversation(client, server).open().send('c2s', request);
    const cut = conv.cut('s2c', response, 4000)[0]!.data;
    conv.add(cut, cut.length - 20); // the snapshot length kept all but the last 20 bytes
    conv.send('s2c', text('HTTP/1.1 204 No Content\r\n\r\n'));
    const { trace, stats } = await importCapture(pcapFile(conv.packets, { linkType: LinkType.Null }));
    expect(stats.missingBytes).toBe(20);
    const note = trace.events.find((e) => e.type === 'note');
    expect(note).toMatchObject({
      conn: 'c1',
      text: expect.stringContaining('20 bytes s2c at stream offset'),
    });
    expect(unitsOf(trace).map((u) => u.kind)).toEqual(['http-request']);
    expect(streamOf(trace, 'c1', 's2c').length).toBe(response.length - 20 + 27);
  });

  it('picks up a connection whose SYN is not in the capture, taking the lower port as the server', async () => {
    const conv = new Conversation(client, server).open().send('c2s', request).send('s2c', response);
    const { trace } = await importCapture(pcapFile(conv.packets.slice(3), { linkType: LinkType.Null }));
    expect(trace.events[0]).toMatchObject({
      type: 'conn.open',
      client: '127.0.0.1:53412',
      server: '127.0.0.1:8080',
    });
    expect(unitsOf(trace).map((u) => u.kind)).toEqual(['http-request', 'http-response']);
  });

  it('leaves out packets that are not TCP, and notes damaged ones without losing the rest', async () => {
    const conv = new Conversation(client, server).open().send('c2s', request).send('s2c', response);
    const udp = conv.segment('c2s', 0, 0);
    udp[4 + 9] = 17; // IPv4 protocol: UDP
    const bad = conv.segment('c2s', 0, 0);
    bad[4] = 0x43; // IHL 3
    const packets: Packet[] = [
      ...conv.packets,
      { time: conv.time + 1, data: udp },
      { time: conv.time + 2, data: bad },
    ];
    const { trace, stats } = await importCapture(pcapFile(packets, { linkType: LinkType.Null }));
    expect(stats).toMatchObject({ skipped: 1, damaged: 1 });
    expect(unitsOf(trace).map((u) => u.kind)).toEqual(['http-request', 'http-response']);
    const notes = trace.events.filter((e) => e.type === 'note').map((e) => (e as { text: string }).text);
    expect(trace.events.find((e) => e.type === 'note')).toMatchObject({
      key: 'captureLeftOut',
      params: { record: 7 },
    });
    const offset = 24 + packets.slice(0, 6).reduce((n, p) => n + 16 + p.data.length, 0);
    expect(notes[0]).toBe(
      `Record 7 at byte ${offset} was left out: IPv4 header length 3 words is below the minimum of 5 (RFC 791 3.1)`,
    );
  });
});

describe('capture import: damaged, truncated and foreign files', () => {
  const conv = new Conversation(client, server).open().send('c2s', request).send('s2c', response).close();
  const good = pcapFile(conv.packets, { linkType: LinkType.Null });

  it('names a foreign file by what it starts with', async () => {
    const { error, trace } = await importCapture(text('{"format":"wirescope-trace"}'));
    expect(error?.message).toMatch(/^not a pcap or pcapng file: it starts with 7b 22 66 6f/);
    expect(trace.events).toEqual([]);
  });

  it('names an empty file and one cut inside its header', async () => {
    expect((await importCapture(new Uint8Array(0))).error?.message).toBe('the file is empty');
    expect((await importCapture(good.subarray(0, 10))).error?.message).toBe(
      'the file ends after 10 bytes, inside the file header',
    );
  });

  it('names the record a truncated file ends in, and keeps everything before it', async () => {
    const recordStarts: number[] = [];
    for (let at = 24, i = 0; i < conv.packets.length; i++) {
      recordStarts.push(at);
      at += 16 + conv.packets[i]!.data.length;
    }
    const cutAt = recordStarts[4]! + 30; // inside record 5, the response's segment
    const { trace, error } = await importCapture(good.subarray(0, cutAt));
    expect(error?.message).toBe(
      `record 5 at byte ${recordStarts[4]}: the file ends inside the record (30 bytes of it present)`,
    );
    expect(error?.record).toBe(5);
    expect(unitsOf(trace).map((u) => u.kind)).toEqual(['http-request']);
  });

  it('names a record whose captured length is larger than the snapshot length', async () => {
    const file = pcapFile(conv.packets, { linkType: LinkType.Null, snapLength: 100 });
    const { error, trace } = await importCapture(file);
    // Record 5 is the response (SYN, SYN-ACK and ACK are 44 bytes each on DLT_NULL, the request 92).
    expect(44 + request.length).toBeLessThan(100);
    expect(error?.message).toBe(
      `record 5 at byte ${24 + 3 * 60 + 16 + 44 + request.length}: captured length ${44 + response.length} larger than snapshot length 100`,
    );
    expect(unitsOf(trace).map((u) => u.kind)).toEqual(['http-request']);
  });

  it('names a pcapng block whose lengths disagree, and an undescribed interface', async () => {
    const ng = pcapngFile(conv.packets, { linkType: LinkType.Null });
    const firstPacket = 28 + 20; // SHB (28 bytes) + IDB (20 bytes)
    const bent = ng.slice();
    // The first EPB: 12 bytes of framing, 20 of packet header, the 44-byte SYN: 76 bytes.
    bent[firstPacket + 76 - 4 + 1] = 0x01; // its trailing length becomes 76 + 256
    expect((await importCapture(bent)).error?.message).toBe(
      `record 1 at byte ${firstPacket}: the trailing block length 332 differs from the leading 76`,
    );
    const noIface = ng.slice();
    noIface[firstPacket + 8] = 3; // interface id 3
    expect((await importCapture(noIface)).error?.message).toBe(
      `record 1 at byte ${firstPacket}: interface 3 was not described in this section`,
    );
  });
});

describe('capture container reader', () => {
  const conv = websocketConversation();
  const files = [
    pcapFile(conv.packets, { linkType: LinkType.Null }),
    pcapngFile(conv.packets, { linkType: LinkType.Ethernet, resolution: 9, bigEndian: true }),
  ];

  it('returns the same records however the file is cut into chunks', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 30 }), (cuts) => {
        for (const file of files) {
          const whole = new CaptureReader().push(file);
          const reader = new CaptureReader();
          const pieces: ReturnType<CaptureReader['push']> = [];
          for (let at = 0, i = 0; at < file.length; i++) {
            const n = cuts[i % cuts.length]!;
            pieces.push(...reader.push(file.slice(at, at + n)));
            at += n;
          }
          reader.finish();
          expect(pieces.length).toBe(conv.packets.length);
          expect(pieces.map((r) => [r.index, r.offset, r.time, [...r.data]])).toEqual(
            whole.map((r) => [r.index, r.offset, r.time, [...r.data]]),
          );
        }
      }),
      { numRuns: 40, seed: 791 },
    );
  });

  it('never throws anything but a CaptureFormatError on damaged bytes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: files[0]!.length - 1 }),
        fc.integer({ min: 0, max: 255 }),
        async (at, value) => {
          for (const file of files) {
            const bent = file.slice();
            bent[at % bent.length] = value;
            const result = await importCapture(bent);
            const events: TraceEvent[] = result.trace.events;
            expect(Array.isArray(events)).toBe(true);
          }
        },
      ),
      { numRuns: 200, seed: 8200 },
    );
  });
});
