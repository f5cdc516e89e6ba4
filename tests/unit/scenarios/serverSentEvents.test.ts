import { describe, expect, it } from 'vitest';
import spec from '../../../src/lib/scenarios/server-sent-events/spec';
import scenario, {
  EVENTS,
  RETRY_MS,
  type ServerSentEventsContext,
} from '../../../src/lib/scenarios/server-sent-events/index';
import {
  LAST_CHUNK,
  annotateEventStream,
  decodeEventStream,
  encodeChunk,
  encodeEvent,
  parseHttpMessage,
  readChunkEnd,
  readChunkSize,
} from '../../../src/lib/protocol/index.ts';
import { ascii, ctx, nextUntilEnd, start, unitsOf } from './helpers';

type Actor = ReturnType<typeof start>['actor'];

/** The one chunk that makes up `bytes` (RFC 9112 7.1), read with the protocol's chunk steps. */
function oneChunk(bytes: Uint8Array): { data: Uint8Array; end: number } {
  const size = readChunkSize(bytes, 0, 64)!;
  const dataEnd = size.next + size.size;
  return { data: bytes.subarray(size.next, dataEnd), end: dataEnd + readChunkEnd(bytes, dataEnd) };
}
const sse = (actor: Actor) => actor.getSnapshot().context as ServerSentEventsContext;

/** Steps to `at`, makes `choice` there, then runs to the end. */
function walk(choices: Record<string, string> = {}): Actor {
  const { actor } = start(scenario.machine);
  for (let guard = 0; guard < 40; guard++) {
    const at = ctx(actor).path.at(-1);
    if (at && choices[at]) {
      actor.send({ type: 'learner.choose', choice: choices[at] });
      delete choices[at];
      continue;
    }
    if (!actor.getSnapshot().can({ type: 'step.next' })) break;
    actor.send({ type: 'step.next' });
  }
  return actor;
}

describe('server-sent-events machine', () => {
  it('by default: the stream drops, the browser comes back with Last-Event-ID and event 3 is resent', () => {
    const { actor } = start(scenario.machine);
    expect(nextUntilEnd(actor)).toEqual([
      'connect',
      'response-head',
      'retry',
      'first-event',
      'typed-event',
      'comment',
      'client-sends',
      'stream-breaks',
      'missed',
      'reconnect',
      'resumed',
      'summary',
    ]);
    const c = sse(actor);
    expect(c.dispatched.map((d) => [d.type, d.lastEventId])).toEqual([
      ['message', '1'],
      ['price', '2'],
      ['message', '3'],
    ]);
    expect(c.dispatched[1]!.data).toBe('{"symbol":"ACME",\n"price":101.25}');
    expect(JSON.parse(c.dispatched[1]!.data)).toEqual({ symbol: 'ACME', price: 101.25 });
    expect(c.reconnectMs).toBe(RETRY_MS);
    expect(c.client.readyState).toBe('OPEN');
  });

  it('every step is reachable, and choices are offered where the spec says', () => {
    const seen = new Set<string>();
    const walks: Record<string, string>[] = [
      {},
      { 'stream-breaks': 'stream-ends' },
      { reconnect: 'server-stops' },
    ];
    for (const choices of walks) {
      for (const step of ctx(walk({ ...choices })).path) seen.add(step);
    }
    expect([...seen].sort()).toEqual([...spec.steps].sort());
    expect(spec.choices).toEqual([
      { id: 'stream-drops', at: 'stream-breaks' },
      { id: 'stream-ends', at: 'stream-breaks' },
      { id: 'server-resumes', at: 'reconnect' },
      { id: 'server-stops', at: 'reconnect' },
    ]);
    const { actor } = start(scenario.machine);
    expect(actor.getSnapshot().can({ type: 'learner.choose', choice: 'stream-ends' })).toBe(false);
  });

  it('sends the bytes the protocol encodes: the EventSource request, a head with no end, one chunk per event', () => {
    const actor = walk();
    const units = unitsOf(actor);
    const first = ascii(units[0]!.bytes);
    expect(first).toBe(
      'GET /api/stream/sse HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n',
    );
    const head = units[1]!;
    expect(ascii(head.bytes)).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*Transfer-Encoding: chunked\r\n\r\n$/);
    expect(ascii(head.bytes)).not.toMatch(/Content-Length/i);
    // Parsed as a GET's answer, the head promises a body that has not come: the stream is open.
    expect(parseHttpMessage(head.bytes, 0, { kind: 'response', requestMethod: 'GET' })).toBeNull();
    const events = units.filter((u) => u.kind === 'sse-event');
    expect(events.map((u) => ascii(u.bytes))).toEqual(
      [
        encodeEvent({ retry: RETRY_MS }),
        encodeEvent(EVENTS.first),
        encodeEvent(EVENTS.typed),
        encodeEvent({ comment: 'keep-alive' }),
        encodeEvent({ retry: RETRY_MS }),
        encodeEvent(EVENTS.missed),
      ].map((e) => ascii(encodeChunk(e))),
    );
    expect(ascii(events[1]!.bytes)).toBe('25\r\nid: 1\ndata: {"id":1,"text":"hello"}\n\n\r\n');
    for (const u of events) {
      const chunk = oneChunk(u.bytes);
      expect(chunk.end).toBe(u.bytes.length);
      expect(annotateEventStream(u.bytes, { chunked: true }).some((f) => f.id === 'fault')).toBe(false);
    }
  });

  it('the page’s message goes up in a POST on a second connection; the stream stays on the first', () => {
    const units = unitsOf(walk());
    const post = units.find((u) => u.kind === 'http-request' && ascii(u.bytes).startsWith('POST'))!;
    expect(post.conn).toBe('c2');
    expect(ascii(post.bytes)).toMatch(/^POST \/api\/chat HTTP\/1\.1\r\n[\s\S]*\r\n\r\n\{"text":"thanks"\}$/);
    expect(units.filter((u) => u.kind === 'sse-event' && u.conn === 'c1')).toHaveLength(4);
  });

  it('after a cut, the reconnect waits `retry` and carries Last-Event-ID: 2 on an idle kept-alive connection', () => {
    const actor = walk();
    const c = ctx(actor);
    const cut = c.events.find((e) => e.type === 'conn.close' && e.conn === 'c1');
    expect(cut).toMatchObject({ abnormal: true });
    const reconnect = unitsOf(actor).find((u) => ascii(u.bytes).includes('Last-Event-ID'))!;
    expect(ascii(reconnect.bytes)).toMatch(/\r\nLast-Event-ID: 2\r\n\r\n$/);
    expect(reconnect.conn).toBe('c2');
    expect(reconnect.t - cut!.t).toBe(RETRY_MS);
    const resent = unitsOf(actor).at(-1)!;
    expect(resent.conn).toBe('c2');
    expect(decodeEventStream(oneChunk(resent.bytes).data, { lastEventId: '2' }).lastEventId).toBe('3');
  });

  it('a clean end is the last chunk, and the browser still reconnects, on that same connection', () => {
    const actor = walk({ 'stream-breaks': 'stream-ends' });
    const units = unitsOf(actor);
    const last = units.find((u) => u.kind === 'raw')!;
    expect(last.bytes).toEqual(LAST_CHUNK);
    expect(ctx(actor).events.some((e) => e.type === 'conn.close')).toBe(false);
    const reconnect = units.find((u) => ascii(u.bytes).includes('Last-Event-ID: 2'))!;
    expect(reconnect.conn).toBe('c1');
    expect(sse(actor).dispatched.at(-1)!.lastEventId).toBe('3');
  });

  it('a 204 stops the EventSource for good: CLOSED, and event 3 never arrives', () => {
    const actor = walk({ reconnect: 'server-stops' });
    expect(ctx(actor).path.slice(-3)).toEqual(['reconnect', 'stopped', 'summary']);
    const c = sse(actor);
    expect(ascii(unitsOf(actor).at(-1)!.bytes)).toMatch(/^HTTP\/1\.1 204 No Content\r\n/);
    expect(c.client.readyState).toBe('CLOSED');
    expect(c.dispatched.map((d) => d.lastEventId)).toEqual(['1', '2']);
  });

  it('the panel shows what the parser made of the bytes so far', () => {
    const { actor } = start(scenario.machine);
    for (let i = 0; i < 3; i++) actor.send({ type: 'step.next' });
    expect(ctx(actor).path.at(-1)).toBe('first-event');
    const [panel] = scenario.panels!(sse(actor), 'en');
    expect(panel).toMatchObject({ kind: 'table', id: 'event-source' });
    if (panel?.kind !== 'table') throw new Error('no table');
    expect(panel.rows.map((r) => r.cells[0])).toEqual(['OPEN', '"1"', '1000 ms', "'message' 1"]);
  });
});
