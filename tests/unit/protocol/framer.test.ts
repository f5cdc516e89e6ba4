import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HttpFramer, parseHttpMessage, type FramerEvent } from '../../../src/lib/protocol/index.ts';
import { ascii } from './helpers.ts';

const crlf = (s: string): Uint8Array => ascii(s.replace(/\n/g, '\r\n'));

/** Message ends as offsets into the whole stream, however it was split into chunks. */
function ends(framer: HttpFramer, chunks: Uint8Array[]): { ends: number[]; events: FramerEvent[] } {
  const out: number[] = [];
  const all: FramerEvent[] = [];
  let base = 0;
  for (const chunk of chunks) {
    for (const event of framer.push(chunk)) {
      all.push(event);
      if (event.type === 'message') out.push(base + event.end);
    }
    base += chunk.length;
  }
  for (const event of framer.finish()) if (event.type === 'message') out.push(base);
  return { ends: out, events: all };
}

function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let at = 0;
  for (const p of [...points, bytes.length]) {
    if (p > at) out.push(bytes.subarray(at, p));
    at = Math.max(at, p);
  }
  return out;
}

const requests = crlf(
  'GET /a HTTP/1.1\nHost: x\n\n' +
    'POST /b HTTP/1.1\nHost: x\nContent-Length: 5\n\nhello' +
    'PUT /c HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n5;e=1\nHello\n0\nX-T: 1\n\n' +
    'GET /d HTTP/1.1\nHost: x\n\n',
);

describe('HttpFramer (RFC 9112 section 6)', () => {
  it('finds where each request ends, the same as the full parser', () => {
    const expected: number[] = [];
    let at = 0;
    while (at < requests.length) {
      at += parseHttpMessage(requests, at, { kind: 'request' })!.bytesUsed;
      expected.push(at);
    }
    expect(ends(new HttpFramer('request'), [requests]).ends).toEqual(expected);
  });

  it('gives the same ends for any split of the stream (seeded)', () => {
    const whole = ends(new HttpFramer('request'), [requests]).ends;
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 12 }), (cuts) => {
        expect(ends(new HttpFramer('request'), split(requests, cuts)).ends).toEqual(whole);
      }),
      { seed: 6455, numRuns: 200 },
    );
  });

  it('knows a response to HEAD has no body, skips interim responses and runs a bare body to the end', () => {
    const framer = new HttpFramer('response');
    framer.expect('HEAD');
    framer.expect('GET');
    framer.expect('GET');
    const stream = crlf(
      'HTTP/1.1 200 OK\nContent-Length: 10\n\n' +
        'HTTP/1.1 100 Continue\n\nHTTP/1.1 200 OK\nContent-Length: 2\n\nok' +
        'HTTP/1.1 200 OK\n\nuntil the end',
    );
    const heads: number[] = [];
    const result = ends(framer, [stream]);
    for (const event of result.events) {
      if (event.type === 'head' && event.message.kind === 'response') heads.push(event.message.status);
    }
    expect(heads).toEqual([200, 100, 200, 200]);
    const first = crlf('HTTP/1.1 200 OK\nContent-Length: 10\n\n').length;
    const second = first + crlf('HTTP/1.1 100 Continue\n\nHTTP/1.1 200 OK\nContent-Length: 2\n\nok').length;
    expect(result.ends).toEqual([first, second, stream.length]);
  });

  it('stops after a 101 and leaves the frames after it alone', () => {
    const framer = new HttpFramer('response');
    framer.expect('GET');
    const head = crlf('HTTP/1.1 101 Switching Protocols\nUpgrade: websocket\nConnection: Upgrade\n\n');
    const events = framer.push(new Uint8Array([...head, 0x81, 0x02, 0x68, 0x69]));
    expect(events.at(-1)).toEqual({ type: 'message', end: head.length, upgrade: true });
    expect(framer.stopped).toBe(true);
  });

  it('waits after a request that asks to upgrade, and reads HTTP again once the server declines', () => {
    const framer = new HttpFramer('request');
    const upgrade = crlf('GET /ws HTTP/1.1\nHost: x\nUpgrade: websocket\nConnection: Upgrade\n\n');
    expect(framer.push(upgrade).at(-1)).toEqual({ type: 'message', end: upgrade.length, upgrade: true });
    expect(framer.stopped).toBe(true);
    framer.resume();
    const next = crlf('GET /again HTTP/1.1\nHost: x\n\n');
    expect(framer.push(next).at(-1)).toEqual({ type: 'message', end: next.length, upgrade: false });
  });

  it('reports bytes that are not HTTP with the rule they break, and stops', () => {
    const framer = new HttpFramer('response');
    framer.expect('GET');
    const events = framer.push(crlf('HTTP/1.1 200 OK\nContent-Length: 3\nTransfer-Encoding: chunked\n\n'));
    const error = events.find((e) => e.type === 'error');
    expect(error?.type === 'error' && error.error.code).toBe('CONFLICTING_FRAMING');
    expect(framer.stopped).toBe(true);
    const garbage = new HttpFramer('request').push(new Uint8Array([0x16, 0x03, 0x01, 0x0a, 0x0a]));
    expect(garbage[0]?.type).toBe('error');
  });

  it('copies only the head: a long body is counted, never kept', () => {
    const framer = new HttpFramer('request', { maxHeaderBytes: 64 });
    const head = crlf('POST / HTTP/1.1\nContent-Length: 1000000\n\n');
    expect(framer.push(head)[0]?.type).toBe('head');
    for (let i = 0; i < 99; i++) expect(framer.push(new Uint8Array(10_000))).toEqual([]);
    expect(framer.push(new Uint8Array(10_000))).toEqual([{ type: 'message', end: 10_000, upgrade: false }]);
  });

  it('rejects a head over the limit (431)', () => {
    const framer = new HttpFramer('request', { maxHeaderBytes: 32 });
    const events = framer.push(ascii(`GET /${'a'.repeat(100)} HTTP/1.1\r\n`));
    expect(events[0]?.type === 'error' && events[0].error.status).toBe(431);
  });
});
