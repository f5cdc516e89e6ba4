/**
 * The HAR writer on a trace built the way the tap builds one: its entries say what the wire said, and
 * the lab's HAR importer reads them back into the same requests, statuses, bodies and messages.
 */
import { describe, expect, it } from 'vitest';
import { encodeFrame, parseHex } from '../../../src/lib/protocol/index.ts';
import { harValueToTrace } from '../../../src/lib/lab/har.ts';
import { traceToHar } from '../../../src/lib/lab/harWrite.ts';
import { createUnitParser } from '../../../src/lib/trace/units.ts';
import type { Direction, Trace, TraceEvent } from '../../../src/lib/trace/index.ts';

const text = (s: string): Uint8Array => Uint8Array.from(s.replace(/\r?\n/g, '\r\n'), (c) => c.charCodeAt(0));

function connection(conn: string, steps: Array<[Direction, Uint8Array]>, extra: object = {}): TraceEvent[] {
  const parser = createUnitParser(conn);
  const events: TraceEvent[] = [{ type: 'conn.open', t: 0, conn, ...extra }];
  steps.forEach(([dir, bytes], i) => {
    events.push({ type: 'bytes', t: 10 * (i + 1), conn, dir, bytes });
    events.push(...parser.push(dir, bytes, 10 * (i + 1)));
  });
  return events;
}

const MASK = new Uint8Array([1, 2, 3, 4]);
const STARTED = Date.UTC(2026, 0, 2, 3, 4, 5);

function sample(): Trace {
  const events = [
    ...connection('c1', [
      [
        'c2s',
        text(
          'POST /api/items?x=1&y=two HTTP/1.1\nHost: app.test:3000\nContent-Type: application/json\nContent-Length: 9\n\n{"a":"b"}',
        ),
      ],
      [
        's2c',
        text(
          'HTTP/1.1 201 Created\nContent-Type: text/plain\nTransfer-Encoding: chunked\n\n3\nabc\n2\nde\n0\n\n',
        ),
      ],
      ['c2s', text('GET /events HTTP/1.1\nHost: app.test:3000\n\n')],
      ['s2c', text('HTTP/1.1 200 OK\nContent-Type: text/event-stream\nTransfer-Encoding: chunked\n\n')],
      ['s2c', text('f\ndata: hello\n\n\n0\n\n')],
    ]),
    ...connection('c2', [
      [
        'c2s',
        text(
          'GET /chat HTTP/1.1\nHost: app.test:3000\nUpgrade: websocket\nConnection: Upgrade\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\nSec-WebSocket-Version: 13\n\n',
        ),
      ],
      [
        's2c',
        text(
          'HTTP/1.1 101 Switching Protocols\nUpgrade: websocket\nConnection: Upgrade\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\n\n',
        ),
      ],
      ['c2s', encodeFrame({ opcode: 1, payload: new TextEncoder().encode('hé'), mask: MASK, fin: false })],
      ['c2s', encodeFrame({ opcode: 0, payload: 'llo', mask: MASK })],
      ['s2c', encodeFrame({ opcode: 2, payload: new Uint8Array([0, 255, 7]) })],
      ['s2c', parseHex('88 02 03 e8')],
    ]),
  ];
  return { version: 2, source: 'live', startedAt: STARTED, events } as Trace;
}

describe('traceToHar', () => {
  it('writes one entry per exchange with the request, the response body unchunked and the frames', () => {
    const har = traceToHar(sample());
    expect(har.log.version).toBe('1.2');
    const [post, sse, ws] = har.log.entries;
    expect(har.log.entries).toHaveLength(3);
    expect(post!.request).toMatchObject({
      method: 'POST',
      url: 'http://app.test:3000/api/items?x=1&y=two',
      queryString: [
        { name: 'x', value: '1' },
        { name: 'y', value: 'two' },
      ],
      postData: { mimeType: 'application/json', text: '{"a":"b"}' },
      bodySize: 9,
    });
    expect(post!.response).toMatchObject({
      status: 201,
      statusText: 'Created',
      content: { size: 5, text: 'abcde' },
    });
    expect(post!.startedDateTime).toBe(new Date(STARTED + 10).toISOString());
    expect(post!.time).toBe(10);
    expect(sse!.response.content).toMatchObject({
      mimeType: 'text/event-stream',
      text: 'data: hello\r\n\r\n',
    });
    expect(ws!.response.status).toBe(101);
    // Two fragments make one message; the close frame is not a message.
    expect(ws!._webSocketMessages).toEqual([
      { type: 'send', time: (STARTED + 40) / 1000, opcode: 1, data: 'héllo' },
      { type: 'receive', time: (STARTED + 50) / 1000, opcode: 2, data: 'AP8H' },
    ]);
  });

  it('reads back through the lab’s HAR importer: requests, statuses and messages', () => {
    const back = harValueToTrace(JSON.parse(JSON.stringify(traceToHar(sample()))));
    const of = (conn: string) =>
      back.events.flatMap((e) => (e.type === 'unit' && e.conn === conn ? [`${e.dir} ${e.summary}`] : []));
    expect(of('har-c1')).toEqual([
      'c2s POST /api/items?x=1&y=two HTTP/1.1',
      "s2c HTTP/1.1 201 Created 'abcde'",
      'c2s GET /events HTTP/1.1',
      "s2c HTTP/1.1 200 OK 'data: hello\r\n\r\n'",
    ]);
    expect(of('har-c2')).toEqual([
      'c2s GET /chat HTTP/1.1',
      's2c HTTP/1.1 101 Switching Protocols',
      "c2s Text 'héllo' (masked)",
      's2c Binary 3 bytes',
    ]);
  });

  it('writes each proxied exchange once, from the target leg', () => {
    const one = connection(
      'c1',
      [
        ['c2s', text('GET / HTTP/1.1\nHost: a\n\n')],
        ['s2c', text('HTTP/1.1 204 No Content\n\n')],
      ],
      { leg: 'client' },
    );
    const two = connection(
      'c2',
      [
        ['c2s', text('GET / HTTP/1.1\nHost: a\n\n')],
        ['s2c', text('HTTP/1.1 204 No Content\n\n')],
      ],
      { leg: 'target', pair: 'c1' },
    );
    const har = traceToHar({ version: 2, source: 'live', startedAt: 0, events: [...one, ...two] } as Trace);
    expect(har.log.entries.map((e) => e.connection)).toEqual(['c2']);
  });
});

describe('traceToHar with permessage-deflate', () => {
  it('writes each compressed message inflated with its connection’s context (RFC 7692 7.2.3)', () => {
    const events = connection('c1', [
      [
        'c2s',
        text(
          'GET /chat HTTP/1.1\nHost: a\nUpgrade: websocket\nConnection: Upgrade\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\n' +
            'Sec-WebSocket-Version: 13\nSec-WebSocket-Extensions: permessage-deflate\n\n',
        ),
      ],
      [
        's2c',
        text(
          'HTTP/1.1 101 Switching Protocols\nUpgrade: websocket\nConnection: Upgrade\n' +
            'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\nSec-WebSocket-Extensions: permessage-deflate\n\n',
        ),
      ],
      // "Hello" compressed, then again referring back to the first through the window.
      ['s2c', parseHex('c1 07 f2 48 cd c9 c9 07 00')],
      ['s2c', parseHex('c1 05 f2 00 11 00 00')],
    ]);
    const har = traceToHar({ version: 2, source: 'live', startedAt: 0, events } as Trace);
    expect(har.log.entries[0]?._webSocketMessages?.map((m) => [m.data, m._compressed])).toEqual([
      ['Hello', undefined],
      ['Hello', undefined],
    ]);
  });
});
