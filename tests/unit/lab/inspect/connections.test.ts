/**
 * The inspect page's view of a live trace: one row per connection to the app (the client leg a target
 * leg serves is not listed twice), filters, one connection's events, trimming a long watch, and the
 * session that keeps all of it up to date one event at a time.
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { encodeFrame } from '../../../../src/lib/protocol/index.ts';
import {
  ConnectionIndex,
  connectionView,
  filterConnections,
  listConnections,
  trimEvents,
  type ConnectionRow,
} from '../../../../src/lib/lab/inspect/connections.ts';
import { InspectSession } from '../../../../src/lib/lab/inspect/inspectSession.svelte.ts';
import { findFindings } from '../../../../src/lib/trace/findings.ts';
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
    expect(trimEvents(events, { maxEvents: 1000, maxBytes: 1 << 20 })).toEqual({
      events,
      indices: events.map((_, i) => i),
      droppedUnits: 0,
    });
  });

  it('lets the oldest messages go past a limit, and keeps every connection listed', () => {
    const events = sample();
    const { events: kept, indices, droppedUnits } = trimEvents(events, { maxEvents: 20, maxBytes: 1 << 20 });
    expect(indices.map((i) => events[i])).toEqual(kept);
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

describe('ConnectionIndex', () => {
  /** What the diagram should draw, read off the events the slow way. */
  function expectedView(events: TraceEvent[], conn: string, dir: Direction | 'both', limit: number) {
    const picked = events
      .map((e, i) => [e, i] as const)
      .filter(([e]) => 'conn' in e && e.conn === conn && e.type !== 'bytes' && e.type !== 'state')
      .filter(([e]) => e.type !== 'unit' || dir === 'both' || e.dir === dir);
    const units = picked.filter(([e]) => e.type === 'unit');
    const kept = new Set(units.slice(Math.max(0, units.length - limit)).map(([, i]) => i));
    return {
      numbers: picked.filter(([e, i]) => e.type !== 'unit' || kept.has(i)).map(([, i]) => i),
      hidden: Math.max(0, units.length - limit),
    };
  }

  it('fed one event at a time in any interleaving, draws any connection as a reading of the events so far would', () => {
    // The sample split by connection, to interleave them.
    const byConn = new Map<string, TraceEvent[]>();
    for (const e of sample()) {
      if ('conn' in e && e.conn) byConn.set(e.conn, [...(byConn.get(e.conn) ?? []), e]);
    }
    const conns = [...byConn.values()];
    const byId = (rows: ConnectionRow[]) => Object.fromEntries(rows.map((r) => [r.id, r]));
    fc.assert(
      fc.property(
        fc.array(fc.nat(conns.length - 1), { minLength: 30, maxLength: 30 }),
        fc.constantFrom('c1', 'c2', 'c3', 'c4', 'c5'),
        fc.constantFrom<Direction | 'both'>('both', 'c2s', 's2c'),
        fc.integer({ min: 1, max: 4 }),
        (picks, conn, dir, limit) => {
          const next = conns.map(() => 0);
          const total = conns.reduce((n, c) => n + c.length, 0);
          const events: TraceEvent[] = [];
          for (let i = 0; events.length < total; i++) {
            let c = picks[i % picks.length]!;
            while (next[c]! >= conns[c]!.length) c = (c + 1) % conns.length;
            events.push(conns[c]![next[c]!++]!);
          }
          const index = new ConnectionIndex();
          events.forEach((e, n) => {
            index.push(e, n);
            // A paused page draws what it had: the events numbered below a point.
            const before = Math.floor(n / 2);
            expect(index.view(conn, dir, limit, before)).toEqual(
              expectedView(events.slice(0, before), conn, dir, limit),
            );
          });
          expect(index.view(conn, dir, limit)).toEqual(expectedView(events, conn, dir, limit));
          // Listed once each, whatever came first: a client leg's bytes or its target leg's opening.
          expect(byId(index.rows())).toEqual(byId(listConnections(sample())));
        },
      ),
      { seed: 6455, numRuns: 60 },
    );
  });
});

describe('ConnectionIndex.retain', () => {
  it('forgets where the events let go were; the rows keep what they counted', () => {
    const events = sample();
    const index = new ConnectionIndex();
    events.forEach((e, n) => index.push(e, n));
    const rows = index.rows();
    const keptNumbers = new Set(trimEvents(events, { maxEvents: 20, maxBytes: 1 << 20 }).indices);
    index.retain((n) => keptNumbers.has(n));
    expect(index.rows()).toEqual(rows);
    for (const conn of ['c1', 'c2', 'c3', 'c4', 'c5']) {
      const { numbers } = index.view(conn, 'both', 300);
      expect(numbers.every((n) => keptNumbers.has(n))).toBe(true);
      expect(numbers).toEqual(connectionView(events, conn, 'both').indices.filter((n) => keptNumbers.has(n)));
    }
  });
});

describe('InspectSession', () => {
  // A WebSocket with `frames` messages from the server, then one it masks (a finding).
  const socket = (conn: string, frames: number) =>
    connection(conn, [
      ['c2s', UPGRADE],
      ['s2c', SWITCH],
      ...Array.from({ length: frames }, (_, n): [Direction, Uint8Array] => [
        's2c',
        encodeFrame({ opcode: 1, payload: `message ${n}` }),
      ]),
      ['s2c', encodeFrame({ opcode: 1, payload: 'masked', mask: MASK })],
    ]);

  it('draws rows, one connection and findings that name the events drawn, across trims', async () => {
    const events = [...sample(), ...socket('c8', 2), ...socket('c9', 40)];
    const session = new InspectSession({ maxEvents: 60, maxBytes: 1 << 20 });
    for (let i = 0; i < events.length; i += 7) session.add(events.slice(i, i + 7));
    session.resume(); // draws now
    await vi.waitFor(() => expect(session.findings).toBeDefined());
    expect(session.trimmed).toBeGreaterThan(0);
    expect(session.events.length).toBeLessThanOrEqual(60);
    // The rows count everything the page received, trimmed or not.
    expect(session.rows).toEqual(listConnections(events));
    // Findings point at the drawn events the whole trace's findings point at, the let-go ones left out.
    const whole = await findFindings(events);
    const drawn = session.findings!.map((f) => ({ ...f, event: events.indexOf(session.events[f.event]!) }));
    const named = (list: typeof whole) => list.map((f) => `${f.conn} ${f.id}`);
    expect(named(whole)).toEqual([
      'c8 ws-masked-server-frame',
      'c8 ws-closed-without-close-frame',
      'c9 ws-masked-server-frame',
      'c9 ws-closed-without-close-frame',
    ]);
    // c8's frames were let go; its closing is kept, and what is said of it.
    expect(named(drawn)).toEqual(named(whole).slice(1));
    expect(drawn).toEqual(whole.filter((f) => session.events.includes(events[f.event]!)));
    // The diagram draws the most recent messages that were kept.
    const view = session.view('c9', 's2c', 5);
    expect(view.indices.map((i) => session.events[i])).toEqual(view.events);
    const kept = session.events.filter((e) => e.type === 'unit' && e.conn === 'c9' && e.dir === 's2c');
    expect(view.events.filter((e) => e.type === 'unit')).toEqual(kept.slice(-5));
    expect(view.hidden).toBe(kept.length - 5); // of those kept: the ones let go are not counted
  });

  it('while paused, draws what it had: new events wait and are counted', async () => {
    const session = new InspectSession();
    const [first, rest] = [socket('c9', 3).slice(0, 4), socket('c9', 3).slice(4)];
    session.add([...sample(), ...first]);
    session.resume();
    const before = {
      events: session.events,
      rows: session.rows,
      view: session.view('c9', 'both'),
      last: session.view('c9', 'both', 1),
    };
    session.pause();
    session.add(rest);
    expect(session.waiting).toBe(rest.length);
    expect(session.events).toBe(before.events);
    expect(session.rows).toBe(before.rows);
    expect(session.view('c9', 'both')).toEqual(before.view);
    expect(session.view('c9', 'both', 1)).toEqual(before.last);
    session.resume();
    expect(session.rows.map((r) => r.id)).toEqual(['c2', 'c4', 'c5', 'c9']);
    const units = (list: readonly TraceEvent[]) => list.filter((e) => e.type === 'unit');
    expect(units(session.view('c9', 'both').events)).toEqual(units(socket('c9', 3)));
  });
});

describe('InspectSession, a compressed WebSocket', () => {
  it('still knows what its 101 agreed once the 101 is let go: RSV1 frames after it are no finding', async () => {
    const DEFLATE_UPGRADE = text(
      'GET /socket HTTP/1.1\nHost: a\nUpgrade: websocket\nConnection: Upgrade\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\nSec-WebSocket-Version: 13\n' +
        'Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\n\n',
    );
    const DEFLATE_SWITCH = text(
      'HTTP/1.1 101 Switching Protocols\nUpgrade: websocket\nConnection: Upgrade\n' +
        'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\n' +
        'Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\n\n',
    );
    // "Hello" compressed on its own (RFC 7692 section 7.2.3.1), RSV1 set.
    const hello = Uint8Array.of(0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00);
    const events = connection(
      'c7',
      [
        ['c2s', DEFLATE_UPGRADE],
        ['s2c', DEFLATE_SWITCH],
        ...Array.from({ length: 30 }, (): [Direction, Uint8Array] => ['s2c', hello]),
      ],
      {},
      false,
    );
    expect(events.filter((e) => e.type === 'unit' && e.error)).toEqual([]);
    const session = new InspectSession({ maxEvents: 20, maxBytes: 1 << 20 });
    session.add(events);
    session.resume();
    await vi.waitFor(() => expect(session.findings).toBeDefined());
    expect(session.events.some((e) => e.type === 'unit' && e.kind === 'http-response')).toBe(false);
    expect(session.findings).toEqual([]);
    // Read again from what is kept, the 101 unknown, every frame would be a finding.
    expect((await findFindings(session.events)).length).toBeGreaterThan(5);
  });
});
