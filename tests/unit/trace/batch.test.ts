/**
 * The tap's binary event batch (src/lib/trace/batch.ts) as the page reads it: a fixture pins the layout,
 * and a batch that is cut short, lies about its lengths or points outside its data is refused or loses
 * only the events it spoils.
 */
import { describe, expect, it } from 'vitest';
import { decodeEventBatch, readTapMessage, TraceFormatError } from '../../../src/lib/trace';

const utf8 = (text: string) => new TextEncoder().encode(text);
const hex = (text: string) => Uint8Array.from(text.match(/../g)!, (pair) => parseInt(pair, 16));

function batch(index: string, data: Uint8Array, declared?: number): Uint8Array {
  const head = new Uint8Array(4);
  new DataView(head.buffer).setUint32(0, declared ?? utf8(index).length);
  return Uint8Array.from([...head, ...utf8(index), ...data]);
}

describe('decodeEventBatch', () => {
  it('reads the fixture: a big-endian index length, the JSON index, then the bytes once for both events', () => {
    const index =
      '[{"type":"bytes","t":1.5,"conn":"c1","dir":"s2c","bytes":[0,2]},' +
      '{"type":"unit","t":1.5,"conn":"c1","dir":"s2c","kind":"ws-frame","summary":"Text \'\'","bytes":[0,2]}]';
    const message = Uint8Array.from([...hex('000000a4'), ...utf8(index), ...hex('8100')]);
    const { events, skipped } = decodeEventBatch(message);
    expect(skipped).toBe(0);
    expect(events).toEqual([
      { type: 'bytes', t: 1.5, conn: 'c1', dir: 's2c', bytes: hex('8100') },
      {
        type: 'unit',
        t: 1.5,
        conn: 'c1',
        dir: 's2c',
        kind: 'ws-frame',
        summary: "Text ''",
        bytes: hex('8100'),
      },
    ]);
  });

  it('gives plain Uint8Array views even when handed a Node Buffer', () => {
    const message = Buffer.from(
      batch('[{"type":"bytes","t":0,"conn":"c1","dir":"c2s","bytes":[1,2]}]', hex('aabbcc')),
    );
    const [event] = decodeEventBatch(message).events;
    expect(event?.type === 'bytes' && event.bytes.constructor).toBe(Uint8Array);
    expect(event?.type === 'bytes' && [...event.bytes]).toEqual([0xbb, 0xcc]);
  });

  it.each([
    ['fewer than 4 bytes', hex('000000'), /at least 4 bytes/],
    [
      'an index longer than the message',
      batch('[]', new Uint8Array(), 100),
      /says 100 bytes, but only 2 follow/,
    ],
    ['an index that is not UTF-8', Uint8Array.from([...hex('00000002'), 0xff, 0xfe]), /not UTF-8 JSON/],
    ['an index that is not JSON', batch('[{', new Uint8Array()), /not UTF-8 JSON/],
    ['an index that is not an array', batch('{"events":[]}', new Uint8Array()), /not an array/],
  ])('refuses %s with a TraceFormatError', (_name, message, why) => {
    expect(() => decodeEventBatch(message)).toThrow(TraceFormatError);
    expect(() => decodeEventBatch(message)).toThrow(why);
  });

  it('skips and counts only the events whose bytes cannot be read', () => {
    const good = '{"type":"bytes","t":0,"conn":"c1","dir":"c2s","bytes":[0,3]}';
    const bad = [
      '{"type":"bytes","t":0,"conn":"c1","dir":"c2s","bytes":[2,2]}', // past the data
      '{"type":"bytes","t":0,"conn":"c1","dir":"c2s","bytes":"AAEC"}', // base64 is not a range
      '{"type":"bytes","t":0,"conn":"c1","dir":"c2s","bytes":[-1,1]}',
      '{"type":"bytes","t":0,"conn":"c1","dir":"c2s","bytes":[0.5,1]}',
      '{"type":"bytes","t":0,"conn":"c1","dir":"c2s","bytes":[0]}',
      '{"type":"unit","t":0,"conn":"c1","dir":"c2s","kind":"raw","summary":"x","bytes":[0,1],"inflated":[0,9]}',
      '{"type":"nonsense","t":0}',
    ];
    const { events, skipped } = decodeEventBatch(batch(`[${[good, ...bad, good].join(',')}]`, hex('010203')));
    expect(skipped).toBe(bad.length);
    expect(events).toHaveLength(2);
    for (const event of events) expect(event.type === 'bytes' && [...event.bytes]).toEqual([1, 2, 3]);
  });
});

describe('readTapMessage', () => {
  it('reads text as JSON and binary as a batch', () => {
    expect(readTapMessage('{"type":"dropped","count":3}')).toEqual({ type: 'dropped', count: 3 });
    expect(readTapMessage(batch('[]', new Uint8Array()))).toEqual({ type: 'events', events: [], skipped: 0 });
    expect(() => readTapMessage('not json')).toThrow(SyntaxError);
  });
});
