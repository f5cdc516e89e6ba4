/**
 * The inspect page's pure view of a live trace: one row per connection to the app (the client leg a
 * target leg serves is not listed twice), filters, one connection's events, and trimming a long watch.
 */
import { describe, expect, it } from 'vitest';
import { encodeFrame } from '../../../../src/lib/protocol/index.ts';
import {
  connectionView,
  filterConnections,
  listConnections,
  trimEvents,
} from '../../../../src/lib/lab/inspect/connections.ts';
import { createUnitParser } from '../../../../src/lib/trace/units.ts';
import type { Direction, TraceEvent } from '../../../../src/lib/trace/index.ts';

const text = (s: string): Uint8Array => Uint8Array.from(s.replace(/\r?\n/g, '\r\n'), (c) => c.charCodeAt(0));

function connection(
  conn: string,
  steps: Array<[Direction, Uint8Array]>,
  open: object = {},
  closed = true,
): TraceEvent[] {
  const parser = createUnitParser(conn);
  const events: TraceEvent[] = [{ type: 'conn.open', t: 0, conn, ...open }];
  steps.forEach(([dir, bytes], i) => {
    events.push({ type: 'bytes', t: i + 1, conn, dir, bytes });
    events.push(...parser.push(dir, bytes, i + 1));
  });
  if (closed) events.push({ type: 'conn.close', t: 99, conn, by: 'client' });
  return events;
}

const GET = (path: string) => text(`GET ${path} HTTP/1.1\nHost: a\n\n`);
const OK = text('HTTP/1.1 200 OK\nContent-Length: 2\n\nhi');
const UPGRADE = text(
  'GET /socket HTTP/1.1\nHost: a\nUpgrade: websocket\nConnection: Upgrade\n' +
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\nSec-WebSocket-Version: 13\n\n',
);
const SWITCH = text(
  'HTTP/1.1 101 Switching Protocols\nUpgrade: websocket\nConnection: Upgrade\n' +
    'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\n\n',
);
const MASK = new Uint8Array([1, 2, 3, 4]);

function sample(): TraceEvent[] {
  const http: Array<[Direction, Uint8Array]> = [
    ['c2s', GET('/api/a')],
    ['s2c', OK],
    ['c2s', GET('/api/b')],
    ['s2c', OK],
  ];
  const ws: Array<[Direction, Uint8Array]> = [
    ['c2s', UPGRADE],
    ['s2c', SWITCH],
    ['c2s', encodeFrame({ opcode: 1, payload: 'ping?', mask: MASK })],
    ['s2c', encodeFrame({ opcode: 1, payload: 'pong!' })],
    ['s2c', encodeFrame({ opcode: 1, payload: 'more' })],
  ];
  return [
    ...connection('c1', http, { leg: 'client' }),
    ...connection('c2', http, { leg: 'target', pair: 'c1' }),
    ...connection('c3', ws, { leg: 'client' }, false),
    ...connection('c4', ws, { leg: 'target', pair: 'c3' }, false),
    // The app was down: wirescope answered 502 itself, so this client leg has no target leg.
    ...connection(
      'c5',
      [
        ['c2s', GET('/down')],
        ['s2c', text('HTTP/1.1 502 Bad Gateway\nContent-Length: 0\n\n')],
      ],
      { leg: 'client' },
    ),
  ];
}

describe('listConnections', () => {
  it('lists each connection to the app once, with what it carried', () => {
    const rows = listConnections(sample());
    expect(rows.map((r) => [r.id, r.client, r.kind, r.status, r.requests, r.messages])).toEqual([
      ['c2', 'c1', 'http', 200, 2, 0],
      ['c4', 'c3', 'websocket', 101, 1, 3],
      ['c5', undefined, 'http', 502, 1, 0],
    ]);
    const http = rows[0]!;
    expect(http.targets).toEqual(['/api/a', '/api/b']);
    expect(http.bytes.c2s).toBe(2 * GET('/api/a').length);
    expect(http.closedAt).toBe(99);
    expect(rows[1]!.closedAt).toBeUndefined();
  });
});

describe('listConnections on an event stream', () => {
  it('reads the status from the head alone while the events stream in', () => {
    const events = connection(
      'c1',
      [
        ['c2s', GET('/events')],
        ['s2c', text('HTTP/1.1 200 OK\nContent-Type: text/event-stream\nTransfer-Encoding: chunked\n\n')],
        ['s2c', text('f\ndata: hello\n\n\n')],
        ['s2c', text('f\ndata: again\n\n\n')],
      ],
      {},
      false,
    );
    expect(listConnections(events).map((r) => [r.kind, r.status, r.messages, r.path])).toEqual([
      ['sse', 200, 2, '/events'],
    ]);
  });
});

describe('filterConnections', () => {
  it('matches any request path on a connection, and the kind', () => {
    const rows = listConnections(sample());
    expect(filterConnections(rows, { path: 'API/B', kind: 'all' }).map((r) => r.id)).toEqual(['c2']);
    expect(filterConnections(rows, { path: '', kind: 'websocket' }).map((r) => r.id)).toEqual(['c4']);
    expect(filterConnections(rows, { path: 'socket', kind: 'http' })).toEqual([]);
  });
});

describe('connectionView', () => {
  it('draws one connection in one direction, its most recent messages first kept', () => {
    const events = sample();
    const both = connectionView(events, 'c4', 'both');
    expect(both.events.filter((e) => e.type === 'unit')).toHaveLength(5);
    expect(both.indices.map((i) => events[i])).toEqual(both.events);
    const down = connectionView(events, 'c4', 's2c');
    expect(down.events.flatMap((e) => (e.type === 'unit' ? [e.dir] : []))).toEqual(['s2c', 's2c', 's2c']);
    const recent = connectionView(events, 'c4', 'both', 2);
    expect(recent.hidden).toBe(3);
    expect(recent.events.flatMap((e) => (e.type === 'unit' ? [e.summary] : []))).toEqual([
      "Text 'pong!'",
      "Text 'more'",
    ]);
    expect(recent.events[0]?.type).toBe('conn.open');
  });
});

describe('trimEvents', () => {
  it('keeps everything within the limits', () => {
    const events = sample();
    expect(trimEvents(events, { maxEvents: 1000, maxBytes: 1 << 20 })).toEqual({ events, droppedUnits: 0 });
  });

  it('lets the oldest messages go past a limit, and keeps every connection listed', () => {
    const events = sample();
    const { events: kept, droppedUnits } = trimEvents(events, { maxEvents: 20, maxBytes: 1 << 20 });
    expect(kept.length).toBeLessThanOrEqual(15);
    expect(droppedUnits).toBeGreaterThan(0);
    // The newest events are the ones kept, in order.
    expect(kept.at(-1)).toBe(events.at(-1));
    const opens = (list: TraceEvent[]) =>
      list.filter((e) => e.type === 'conn.open' || e.type === 'conn.close');
    expect(opens(kept)).toEqual(opens(events));
    expect(listConnections(kept).map((r) => r.id)).toEqual(['c2', 'c4', 'c5']);
    const bytes = trimEvents(events, { maxEvents: 1000, maxBytes: 400 }).events;
    expect(bytes.reduce((n, e) => n + ('bytes' in e ? e.bytes.length : 0), 0)).toBeLessThanOrEqual(300);
  });
});
