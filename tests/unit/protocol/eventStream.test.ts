/**
 * The text/event-stream format (HTML Living Standard 9.2.5, 9.2.6): the encoder's bytes as fixtures,
 * the decoder on the standard's own examples, chunk framing (RFC 9112 section 7.1), and seeded
 * properties: any split of the bytes decodes the same, and annotation covers every byte once.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EventStreamDecoder,
  HttpError,
  LAST_CHUNK,
  annotateEventStream,
  decodeEventStream,
  encodeChunk,
  encodeEvent,
  endsEvent,
  parseStreamEvents,
  readChunkEnd,
  readChunkSize,
  serializeResponseHead,
  splitLines,
  type EventInit,
  type EventStreamItem,
  type Field,
} from '../../../src/lib/protocol/index.ts';

const SEED = 0x55e;
const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const messages = (items: EventStreamItem[]) => items.filter((i) => i.kind === 'message');

function expectCover(fields: Field[], length: number): void {
  let at = 0;
  for (const f of fields) {
    expect(f.start, f.id).toBe(at);
    expect(f.end, f.id).toBeGreaterThan(f.start);
    at = f.end;
  }
  expect(at).toBe(length);
  expect(new Set(fields.map((f) => f.id)).size).toBe(fields.length);
}

describe('encodeEvent', () => {
  it('writes comment, retry, id, event and one data line per line, then the blank line', () => {
    expect(text(encodeEvent({ id: '1', data: '{"id":1}' }))).toBe('id: 1\ndata: {"id":1}\n\n');
    expect(text(encodeEvent({ retry: 1000 }))).toBe('retry: 1000\n\n');
    expect(text(encodeEvent({ comment: 'keep-alive' }))).toBe(': keep-alive\n\n');
    expect(text(encodeEvent({ event: 'price', data: 'a\r\nb\rc\n', id: '' }))).toBe(
      'id\nevent: price\ndata: a\ndata: b\ndata: c\ndata\n\n',
    );
  });

  it('refuses what would not survive the trip', () => {
    expect(() => encodeEvent({ id: 'a\nb' })).toThrow(RangeError);
    expect(() => encodeEvent({ event: 'x\r' })).toThrow(RangeError);
    expect(() => encodeEvent({ id: 'a\0b' })).toThrow(/NULL/);
    expect(() => encodeEvent({ retry: -1 })).toThrow(RangeError);
    expect(() => encodeEvent({ retry: 1.5 })).toThrow(RangeError);
    expect(() => encodeEvent({})).toThrow(/at least one field/);
  });
});

describe('EventStreamDecoder (HTML 9.2.6)', () => {
  it('joins data lines with LF (the standard’s YHOO example)', () => {
    const { items } = decodeEventStream(bytes('data: YHOO\ndata: +2\ndata: 10\n\n'));
    expect(items).toEqual([{ kind: 'message', type: 'message', data: 'YHOO\n+2\n10', lastEventId: '' }]);
  });

  it('keeps the last event ID across events until an id field changes it, even to empty', () => {
    const stream =
      ': test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n';
    const { items, lastEventId } = decodeEventStream(bytes(stream));
    expect(items).toEqual([
      { kind: 'comment', text: 'test stream' },
      { kind: 'message', type: 'message', data: 'first event', lastEventId: '1' },
      { kind: 'message', type: 'message', data: 'second event', lastEventId: '' },
      { kind: 'message', type: 'message', data: ' third event', lastEventId: '' },
    ]);
    expect(lastEventId).toBe('');
    const kept = decodeEventStream(bytes('id: 7\ndata: a\n\ndata: b\n\n'));
    expect(messages(kept.items).map((m) => m.lastEventId)).toEqual(['7', '7']);
  });

  it('dispatches empty data, a lone newline, and discards an event the stream cuts short', () => {
    const { items } = decodeEventStream(bytes('data\n\ndata\ndata\n\ndata:'));
    expect(messages(items).map((m) => m.data)).toEqual(['', '\n']);
    expect(
      messages(decodeEventStream(bytes('data:test\n\ndata: test\n\n')).items).map((m) => m.data),
    ).toEqual(['test', 'test']);
  });

  it('names the event type, then goes back to message; sets the id without data; ignores the rest', () => {
    const decoder = new EventStreamDecoder();
    const items = decoder.push(
      bytes('event: price\ndata: 1\n\ndata: 2\n\nid: 5\n\nid: a\0b\nretry: soon\nretry: 250\nfoo: bar\n\n'),
    );
    expect(items).toEqual([
      { kind: 'message', type: 'price', data: '1', lastEventId: '' },
      { kind: 'message', type: 'message', data: '2', lastEventId: '' },
      { kind: 'retry', ms: 250 },
    ]);
    expect(decoder.lastEventId).toBe('5');
    expect(decoder.reconnectionTime).toBe(250);
  });

  it('ends lines at CRLF, LF or CR, even when a CRLF is split between reads; drops one leading BOM', () => {
    const decoder = new EventStreamDecoder({ lastEventId: '2' });
    expect(decoder.push(bytes('\uFEFFdata: a\r'))).toEqual([]);
    expect(decoder.push(bytes('\ndata: b\r\r'))).toEqual([
      { kind: 'message', type: 'message', data: 'a\nb', lastEventId: '2' },
    ]);
    expect(decoder.push(bytes('data: c\n'))).toEqual([]);
    expect(decoder.end()).toEqual([]);
    // A UTF-8 sequence split between reads is decoded whole.
    const d2 = new EventStreamDecoder();
    const all = bytes('data: 한\n\n');
    expect(d2.push(all.subarray(0, 7))).toEqual([]);
    expect(d2.push(all.subarray(7))).toEqual([
      { kind: 'message', type: 'message', data: '한', lastEventId: '' },
    ]);
  });

  const eventInit: fc.Arbitrary<EventInit> = fc.record(
    {
      comment: fc.string().filter((s) => !/[\r\n]/.test(s)),
      retry: fc.nat(100_000),
      id: fc.string().filter((s) => !/[\r\n\0]/.test(s)),
      event: fc.string({ minLength: 1 }).filter((s) => !/[\r\n]/.test(s)),
      data: fc.string({ unit: 'binary' }),
    },
    { requiredKeys: ['data'] },
  );

  it('decodes what encodeEvent wrote, however the bytes are split (property)', () => {
    fc.assert(
      fc.property(
        fc.array(eventInit, { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (inits, cuts) => {
          const stream = inits.map(encodeEvent);
          const all = new Uint8Array(stream.reduce((n, b) => n + b.length, 0));
          stream.reduce((at, b) => (all.set(b, at), at + b.length), 0);
          const whole = decodeEventStream(all).items;
          const expected = inits.map((init, i) => ({
            kind: 'message',
            type: init.event ?? 'message',
            data: init.data!.replace(/\r\n|\r/g, '\n'),
            lastEventId:
              inits
                .slice(0, i + 1)
                .reverse()
                .find((e) => e.id !== undefined)?.id ?? '',
          }));
          expect(messages(whole)).toEqual(expected);
          const points = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((a, b) => a - b);
          const decoder = new EventStreamDecoder();
          const pieces: EventStreamItem[] = [];
          let from = 0;
          for (const p of [...points, all.length]) {
            pieces.push(...decoder.push(all.subarray(from, p)));
            from = p;
          }
          pieces.push(...decoder.end());
          expect(pieces).toEqual(whole);
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe('chunks of a streamed body (RFC 9112 7.1)', () => {
  it('writes and reads a chunk, the last chunk, and a head with no body', () => {
    const chunk = encodeChunk(bytes('retry: 1000\n\n'));
    expect(text(chunk)).toBe('d\r\nretry: 1000\n\n\r\n');
    // Read back with the protocol's chunk steps (size line, data, CRLF), as the tap reads them.
    expect(readChunkSize(chunk, 0, 64)).toMatchObject({ size: 13, next: 3 });
    expect(readChunkEnd(chunk, 16)).toBe(2);
    expect(readChunkEnd(chunk.subarray(0, chunk.length - 1), 16)).toBe(0);
    expect(readChunkSize(LAST_CHUNK, 0, 64)).toMatchObject({ size: 0, next: 3 });
    expect(() => readChunkSize(bytes('zz\r\n'), 0, 64)).toThrow(HttpError);
    expect(() => encodeChunk(new Uint8Array(0))).toThrow(RangeError);
    const head = serializeResponseHead({
      status: 200,
      headers: [
        { name: 'Content-Type', value: 'text/event-stream' },
        { name: 'Transfer-Encoding', value: 'chunked' },
      ],
    });
    expect(text(head)).toBe(
      'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n',
    );
  });
});

describe('annotateEventStream', () => {
  it('labels the chunk framing, each field line and the blank line of one event', () => {
    const unit = encodeChunk(encodeEvent({ id: '2', event: 'price', data: 'a\nb' }));
    const fields = annotateEventStream(unit, { chunked: true });
    expectCover(fields, unit.length);
    expect(fields.map((f) => f.id)).toEqual([
      'chunk-size:0',
      'sse-id:0',
      'sse-event:1',
      'sse-data:2',
      'sse-data:3',
      'sse-dispatch:4',
      'chunk-end:0',
    ]);
    expect(fields[0]).toMatchObject({ value: 36, start: 0, end: 4 });
    expect(fields[1]!.note).toMatch(/Last-Event-ID: 2/);
    expect(fields[2]!.note).toMatch(/'price'.*onmessage does not see/);
    expect(fields[4]!.note).toMatch(/2 lines/);
    expect(fields[5]!.note).toMatch(/dispatch the event as 'price'/);
  });

  it('splits a line that chunk framing cuts in two, and marks retry, comments and unknown fields', () => {
    const stream = bytes(': hi\nretry: 5x\nfoo\ndata: abcdef\n\n');
    const cut = 22; // inside "data: abcdef"
    const unit = new Uint8Array([
      ...encodeChunk(stream.subarray(0, cut)),
      ...encodeChunk(stream.subarray(cut)),
    ]);
    const fields = annotateEventStream(unit, { chunked: true });
    expectCover(fields, unit.length);
    expect(fields.map((f) => f.id)).toEqual([
      'chunk-size:0',
      'sse-comment:0',
      'sse-retry:1',
      'sse-field:2',
      'sse-data:3',
      'chunk-end:0',
      'chunk-size:1',
      'sse-data:3.1',
      'sse-dispatch:4',
      'chunk-end:1',
    ]);
    expect(fields.find((f) => f.id === 'sse-retry:1')!.label).toBe('retry (ignored)');
    expect(fields.find((f) => f.id === 'sse-data:3.1')!.label).toBe('data (continued)');
  });

  it('ends in a fault at bad framing, and covers a last chunk', () => {
    const bad = bytes('5\r\ndata:xx\r\n');
    const fields = annotateEventStream(bad, { chunked: true });
    expectCover(fields, bad.length);
    // The size line and the five bytes of data stand; the fault starts where the CRLF should be.
    expect(fields.map((f) => f.id)).toEqual(['chunk-size:0', 'sse-partial:0', 'fault']);
    expect(fields.at(-1)).toMatchObject({ id: 'fault', value: 'BAD_CHUNK', start: 8 });
    const end = annotateEventStream(LAST_CHUNK, { chunked: true });
    expect(end).toEqual([
      expect.objectContaining({ id: 'last-chunk', start: 0, end: 3 }),
      expect.objectContaining({ id: 'trailers-end', start: 3, end: 5 }),
    ]);
  });

  it('covers any bytes exactly once, chunked or not (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (raw, chunked) => {
        expectCover(annotateEventStream(raw, { chunked }), raw.length);
      }),
      { seed: SEED, numRuns: 400 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), fc.array(fc.nat(), { maxLength: 5 }), (s, cuts) => {
        const stream = bytes(s);
        const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
        const parts: number[] = [];
        let from = 0;
        for (const p of [...points, stream.length]) {
          if (p > from) parts.push(...encodeChunk(stream.subarray(from, p)));
          from = p;
        }
        const unit = Uint8Array.from(parts);
        const fields = annotateEventStream(unit, { chunked: true });
        expectCover(fields, unit.length);
        expect(fields.some((f) => f.id === 'fault' || f.id === 'truncated')).toBe(false);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe('one line rule for the decoder, the tap and the summaries', () => {
  it('splits lines at CRLF, LF or CR, and carries a CR that ends one piece to the next', () => {
    expect(splitLines('a\r\nb\nc\rd')).toEqual({
      lines: [
        { start: 0, end: 1, next: 3 },
        { start: 3, end: 4, next: 5 },
        { start: 5, end: 6, next: 7 },
      ],
      rest: 7,
      endsInCR: false,
    });
    const first = splitLines(bytes('x\r'));
    expect(first).toMatchObject({ rest: 2, endsInCR: true });
    // The LF that starts the next piece is the CR's pair, not a blank line.
    expect(splitLines(bytes('\ny\n'), 0, first.endsInCR).lines).toEqual([{ start: 1, end: 2, next: 3 }]);
  });

  it('reads blocks as the parser does: ignored fields are left out, the unfinished block is kept', () => {
    expect(
      parseStreamEvents('id: 1\rdata: a\rdata: b\r\r: hi\r\nretry: x\r\nid: \0\r\n\r\nevent: e'),
    ).toEqual([{ id: '1', data: 'a\nb' }, { comment: ': hi' }, { event: 'e' }]);
    expect(parseStreamEvents('\n\nretry: 250\n\n')).toEqual([{ retry: '250' }]);
  });

  it('knows an event ended from the last line endings, however the chunks split them', () => {
    for (const [parts, ends] of [
      [['data: a\n', '\n'], true],
      [['data: a\r\n\r', '\n'], true],
      [['data: a\r\r'], true],
      [['data: a\r\n'], false],
      [['data: a\n\nda'], false],
      [['\n'], true],
      [['data: abcdef\n'], false],
    ] as const) {
      expect(endsEvent(parts.map(bytes)), JSON.stringify(parts)).toBe(ends);
    }
  });

  it('says a stream ends an event exactly when its last line is blank, at any split (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('data: x', 'id: 7', ': c', '', 'event: t', 'retry: 5'), { maxLength: 12 }),
        fc.constantFrom('\n', '\r\n', '\r'),
        fc.array(fc.nat(), { maxLength: 4 }),
        (lines, eol, cuts) => {
          const stream = bytes(lines.map((l) => l + eol).join(''));
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
          const parts: Uint8Array[] = [];
          let from = 0;
          for (const p of [...points, stream.length]) {
            parts.push(stream.subarray(from, p));
            from = p;
          }
          expect(endsEvent(parts)).toBe(lines.length > 0 && lines.at(-1) === '');
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });
});
