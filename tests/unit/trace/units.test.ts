/**
 * The unit parser on a chunked event stream (RFC 9112 section 7.1 around the HTML Living Standard's
 * event stream format): one 'sse-event' unit per event, whose bytes are exactly the chunk(s) that
 * carried it, however the bytes arrive; and on a WebSocket that agreed permessage-deflate, whose frames
 * carry what the tap inflated.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createUnitParser } from '../../../src/lib/trace/units.ts';
import type { UnitEvent } from '../../../src/lib/trace/index.ts';

const enc = new TextEncoder();
const chunk = (text: string) => `${enc.encode(text).length.toString(16)}\r\n${text}\r\n`;

const REQUEST = 'GET /api/stream/sse HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n';
const HEAD =
  'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\ncache-control: no-store\r\n' +
  'Transfer-Encoding: chunked\r\n\r\n';
const EVENT_1 = 'id: 1\ndata: {"id":1,"payload":"héllo"}\n\n';
const EVENT_2 = 'id: 2\ndata: {"id":2}\n\n';
/** The wire pieces in order, with the unit each becomes ([] for pieces merged into the next unit). */
const PIECES: Array<[string, string | null]> = [
  [HEAD, 'http-response'],
  [chunk('retry: 1000\n\n'), 'sse-event Retry 1000 ms'],
  [chunk(EVENT_1), `sse-event Event id 1 '{"id":1,"payload":"héllo"}'`],
  // An event split across two chunks is one unit carrying both.
  [chunk('id: 2\n'), null],
  [chunk('data: {"id":2}\n\n'), `sse-event Event id 2 '{"id":2}'`],
  [chunk(': keep-alive\n\n'), "sse-event Comment ': keep-alive'"],
  // Two events in one chunk: one unit.
  [chunk(`${EVENT_2}event: tick\r\ndata: a\r\ndata: b\r\n\r\n`), `sse-event Event id 2 '{"id":2}' (+1 more)`],
  ['0\r\n\r\n', 'raw Last chunk (end of the event stream)'],
  // The connection carries HTTP again.
  ['HTTP/1.1 204 No Content\r\n\r\n', 'http-response'],
];

function run(splits: number[]): UnitEvent[] {
  const parser = createUnitParser('c1');
  const out = parser.push('c2s', enc.encode(REQUEST + REQUEST), 0);
  const wire = enc.encode(PIECES.map(([text]) => text).join(''));
  let from = 0;
  for (const cut of [...splits.map((n) => n % wire.length).sort((a, b) => a - b), wire.length]) {
    if (cut > from) out.push(...parser.push('s2c', wire.subarray(from, cut), 1));
    from = Math.max(from, cut);
  }
  return out.filter((u) => u.dir === 's2c');
}

describe('server-sent events in a chunked response', () => {
  it('yield one sse-event unit per event, covering exactly its chunks', () => {
    const units = run([]);
    const expected = PIECES.flatMap(([, unit]) => (unit === null ? [] : [unit]));
    expect(units.map((u) => (u.kind.startsWith('http') ? u.kind : `${u.kind} ${u.summary}`))).toEqual(
      expected,
    );
    // Each unit's bytes are the wire bytes of its pieces (the split event's two chunks together).
    const grouped: string[] = [];
    let carry = '';
    for (const [text, unit] of PIECES) {
      carry += text;
      if (unit !== null) {
        grouped.push(carry);
        carry = '';
      }
    }
    expect(units.map((u) => new TextDecoder().decode(u.bytes))).toEqual(grouped);
    expect(units.every((u) => u.error === undefined)).toBe(true);
  });

  it('give the same units however the bytes are split', () => {
    const whole = run([]).map((u) => [u.kind, u.summary, [...u.bytes]]);
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 12 }), (splits) => {
        expect(run(splits).map((u) => [u.kind, u.summary, [...u.bytes]])).toEqual(whole);
      }),
      { numRuns: 200, seed: 9112 },
    );
  });

  it('report bad chunk framing once, with the bytes left', () => {
    const parser = createUnitParser('c1');
    parser.push('c2s', enc.encode(REQUEST), 0);
    const units = parser.push('s2c', enc.encode(`${HEAD}${chunk('retry: 1\n\n')}zz\r\nnope\r\n`), 1);
    expect(units.map((u) => u.kind)).toEqual(['http-response', 'sse-event', 'raw']);
    expect(units[2]!.error).toMatchObject({ code: 'BAD_CHUNK', status: 400 });
    expect(parser.push('s2c', enc.encode('more'), 2)).toEqual([]);
  });

  it('leave an unchunked event stream in the raw bytes', () => {
    const parser = createUnitParser('c1');
    parser.push('c2s', enc.encode(REQUEST), 0);
    const head = 'HTTP/1.0 200 OK\r\ncontent-type: text/event-stream\r\n\r\n';
    const units = parser.push('s2c', enc.encode(`${head}${EVENT_1}`), 1);
    expect(units.map((u) => u.kind)).toEqual(['http-response']);
  });
});

describe('a WebSocket that agreed permessage-deflate (RFC 7692)', () => {
  const hex = (text: string) => Uint8Array.from(text.split(' ').map((h) => parseInt(h, 16)));
  const UPGRADE =
    'GET /chat HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n' +
    'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n';
  const answer = (extensions: string) =>
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
    `Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n${extensions}\r\n`;
  // Section 7.2.3.2: 'Hello' twice with context takeover, the second a back-reference into the first;
  // then a ping, which is never compressed.
  const FRAMES = 'c1 07 f2 48 cd c9 c9 07 00 c1 05 f2 00 11 00 00 89 00';

  it('marks its frames and carries what each compressed message inflated to', () => {
    const parser = createUnitParser('c1');
    parser.push('c2s', enc.encode(UPGRADE), 0);
    const units = [
      ...parser.push('s2c', enc.encode(answer('Sec-WebSocket-Extensions: permessage-deflate\r\n')), 1),
      ...parser.push('s2c', hex(FRAMES), 2),
    ].filter((u) => u.kind === 'ws-frame');
    expect(units.map((u) => [u.deflate, u.inflated && new TextDecoder().decode(u.inflated)])).toEqual([
      [true, 'Hello'],
      [true, 'Hello'],
      [true, undefined],
    ]);
    expect(units.some((u) => u.error)).toBe(false);
  });

  it('leaves a connection that did not agree it unmarked, where RSV1 is a violation', () => {
    const parser = createUnitParser('c1');
    parser.push('c2s', enc.encode(UPGRADE), 0);
    parser.push('s2c', enc.encode(answer('')), 1);
    const [unit] = parser.push('s2c', hex(FRAMES), 2);
    expect(unit).toMatchObject({ kind: 'ws-frame', error: { code: 'RSV_SET', closeCode: 1002 } });
    expect(unit!.deflate).toBeUndefined();
    expect(unit!.inflated).toBeUndefined();
  });
});
