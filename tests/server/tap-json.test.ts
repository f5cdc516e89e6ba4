/**
 * The tap writes the JSON of its most frequent events by hand (server/sessions.ts eventJsonText); it
 * must say exactly what JSON.stringify(toJson(...)) says, for the units the real parser makes. The
 * page's event batches (EventBatchWriter, src/lib/trace/batch.ts) use the same writer with the bytes
 * raw: the page must read back exactly the events that went in.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventBatchWriter, EventJsonWriter, eventJsonText, toJson } from '../../server/sessions.ts';
import { encodeFrame } from '../../src/lib/protocol/index.ts';
import { decodeEventBatch, eventFromJson, type TraceEvent } from '../../src/lib/trace/index.ts';
import { createUnitParser } from '../../src/lib/trace/units.ts';

const SEED = 20_261_129;
const MASK = Uint8Array.of(1, 2, 3, 4);

function sameJson(event: TraceEvent, t: number): void {
  const text = eventJsonText(event, t);
  expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(toJson(event, t))));
  // And the page reads it back as the event it was.
  expect(eventFromJson(JSON.parse(text))).toEqual({ ...event, t });
}

/**
 * Bytes events and units whose bytes are views of three shared buffers, overlapping or not. No byte
 * value appears twice in the three, so two different views never hold the same bytes.
 */
const eventsOnSharedMemory = fc
  .tuple(
    fc
      .array(fc.integer({ min: 1, max: 64 }), { minLength: 3, maxLength: 3 })
      .map((lengths) => lengths.map((n, k) => Uint8Array.from({ length: n }, (_, i) => k * 64 + i))),
    fc.array(
      fc.record({
        buffer: fc.nat(2),
        // Small offsets and lengths often: views of different buffers that match in both.
        start: fc.oneof(fc.nat(3), fc.nat(63)),
        length: fc.oneof(fc.nat(3), fc.nat(64)),
        conn: fc.constantFrom('c1', 'c2', 'a/c3', 'q"\\'),
        unit: fc.boolean(),
      }),
      { maxLength: 30 },
    ),
  )
  .map(([buffers, views]) =>
    views.map((v): TraceEvent => {
      const buffer = buffers[v.buffer]!;
      const start = Math.min(v.start, buffer.length);
      const bytes = buffer.subarray(start, Math.min(buffer.length, start + v.length));
      return v.unit
        ? { type: 'unit', t: 5, conn: v.conn, dir: 's2c', kind: 'raw', summary: 'x', bytes }
        : { type: 'bytes', t: 5, conn: v.conn, dir: 'c2s', bytes };
    }),
  );

describe('eventJsonText', () => {
  it('matches toJson for bytes events and the units of any text or binary frames', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.string({ unit: 'grapheme', maxLength: 80 }).map((text) => new TextEncoder().encode(text)),
            fc.uint8Array({ maxLength: 300 }),
          ),
          { minLength: 1, maxLength: 5 },
        ),
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        fc.string({ maxLength: 12 }),
        (payloads, t, conn) => {
          const parser = createUnitParser(conn);
          // A 101 switches the parser to frames; then each payload as a masked client frame.
          parser.push(
            'c2s',
            new TextEncoder().encode(
              'GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
            ),
            t,
          );
          parser.push(
            's2c',
            new TextEncoder().encode(
              'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
            ),
            t,
          );
          for (const [i, payload] of payloads.entries()) {
            const opcode = i % 2 === 0 ? 0x1 : 0x2;
            const bytes = encodeFrame({ opcode, payload, mask: Uint8Array.of(1, 2, 3, 4) });
            const events: TraceEvent[] = [{ type: 'bytes', t, conn, dir: 'c2s', bytes }];
            events.push(...parser.push('c2s', bytes, t));
            expect(events.map((e) => e.type)).toEqual(['bytes', 'unit']);
            for (const event of events) sameJson(event, t);
          }
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('matches toJson for HTTP units, units with an error and every other event', () => {
    const parser = createUnitParser('c7');
    const request = new TextEncoder().encode('GET /api/time?x="quoted"\\ HTTP/1.1\r\nHost: a\r\n\r\n');
    const units = parser.push('c2s', request, 12.5);
    const broken = createUnitParser('c8').push('c2s', new TextEncoder().encode('BLAH\r\n\r\n'), 3);
    expect(broken[0]?.error).toBeDefined();
    const others: TraceEvent[] = [
      { type: 'conn.open', t: 1, conn: 'c7', client: '127.0.0.1:5', server: '127.0.0.1:6' },
      { type: 'conn.close', t: 2, conn: 'c7', by: 'client', abnormal: true },
    ];
    for (const event of [...units, ...broken, ...others]) sameJson(event, 42.25);
  });

  it('one writer for a batch: every event still says exactly its own bytes and connection', () => {
    // A writer reuses the base64 of the bytes it wrote last when the next event has the same view of
    // the same memory: views that overlap, share a start or share a buffer must not be mistaken for it.
    fc.assert(
      fc.property(eventsOnSharedMemory, (events) => {
        const writer = new EventJsonWriter();
        for (const event of events) {
          expect(JSON.parse(writer.text(event, 5))).toEqual(JSON.parse(JSON.stringify(toJson(event, 5))));
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

/** Writes `events` (each at its own t) into one batch and reads it back as the page does. */
function throughBatch(events: readonly TraceEvent[]): {
  read: TraceEvent[];
  skipped: number;
  dataBytes: number;
} {
  const batch = new EventBatchWriter();
  for (const event of events) batch.add(event, event.t);
  const message = batch.finish();
  const { events: read, skipped } = decodeEventBatch(message);
  return { read, skipped, dataBytes: message.length - 4 - message.readUInt32BE(0) };
}

/** Frames of any text or binary payloads, as a client sends them after the handshake: each a bytes event and its unit. */
const framePayloads = fc.array(
  fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 80 }).map((text) => new TextEncoder().encode(text)),
    fc.uint8Array({ maxLength: 300 }),
  ),
  { minLength: 1, maxLength: 8 },
);

describe('EventBatchWriter', () => {
  it("gives the page back every event as it was, each frame's bytes sent once", () => {
    fc.assert(
      fc.property(framePayloads, fc.double({ min: 0, max: 1e7, noNaN: true }), (payloads, t) => {
        const parser = createUnitParser('c1');
        const events: TraceEvent[] = [];
        const push = (dir: 'c2s' | 's2c', bytes: Uint8Array) => {
          events.push({ type: 'bytes', t, conn: 'c1', dir, bytes }, ...parser.push(dir, bytes, t));
        };
        const ascii = (text: string) => new TextEncoder().encode(text);
        push('c2s', ascii('GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'));
        push(
          's2c',
          ascii('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'),
        );
        for (const [i, payload] of payloads.entries()) {
          push('c2s', encodeFrame({ opcode: i % 2 === 0 ? 0x1 : 0x2, payload, mask: MASK }));
        }
        const { read, skipped, dataBytes } = throughBatch(events);
        expect(skipped).toBe(0);
        expect(read).toEqual(events);
        // Each frame came in a chunk of its own: its unit names the chunk's bytes, so they cross once.
        // (The HTTP parser copies a head out of what it buffered: those units carry their own.)
        const size = (list: TraceEvent[]) =>
          list.reduce((n, e) => n + ('bytes' in e ? e.bytes.length : 0), 0);
        const httpUnits = events.filter((e) => e.type === 'unit' && e.kind !== 'ws-frame');
        expect(dataBytes).toBe(size(events.filter((e) => e.type === 'bytes')) + size(httpUnits));
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('keeps every field of the events the fast path leaves to JSON.stringify', () => {
    const broken = createUnitParser('c8').push('c2s', new TextEncoder().encode('BLAH\r\n\r\n'), 3);
    expect(broken[0]?.error).toBeDefined();
    const events: TraceEvent[] = [
      { type: 'conn.open', t: 1, conn: 'c7', client: '127.0.0.1:5', server: '127.0.0.1:6' },
      ...broken,
      {
        type: 'unit',
        t: 4,
        conn: 'c7',
        dir: 's2c',
        kind: 'ws-frame',
        summary: 'Text (compressed)',
        bytes: Uint8Array.of(0xc1, 0x03, 0xf2, 0x00, 0x00),
        deflate: true,
        inflated: new TextEncoder().encode('hi'),
      },
      { type: 'bytes', t: 5, conn: 'b/c2', dir: 'c2s', bytes: Uint8Array.of(1, 2, 3), node: 'b' },
      { type: 'note', t: 6, conn: 'c7', key: 'said', params: { en: 'hello "there"' }, text: 'hello "there"' },
      { type: 'conn.close', t: 7, conn: 'c7', by: 'client', abnormal: true },
    ];
    const { read, skipped } = throughBatch(events);
    expect(skipped).toBe(0);
    expect(read).toEqual(events);
  });

  it('reads back views that overlap, share a start or share a buffer as their own bytes', () => {
    fc.assert(
      fc.property(eventsOnSharedMemory, (events) => {
        expect(throughBatch(events).read).toEqual(events);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});
