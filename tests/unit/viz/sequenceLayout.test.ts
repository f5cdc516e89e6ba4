import { describe, expect, it } from 'vitest';
import { HEADER, ROW, latestUnit, layoutSequence } from '../../../src/lib/viz/sequenceLayout';
import type { TraceEvent } from '../../../src/lib/trace/types';

const b = (s: string) => new TextEncoder().encode(s);
const events: TraceEvent[] = [
  { type: 'state', t: 0, peer: 'client', conn: 'c', tcp: 'SYN-SENT' },
  { type: 'conn.open', t: 60, conn: 'c' },
  { type: 'state', t: 60, peer: 'client', conn: 'c', tcp: 'ESTABLISHED' },
  { type: 'state', t: 60, peer: 'server', conn: 'c', tcp: 'ESTABLISHED' },
  {
    type: 'unit',
    t: 60,
    conn: 'c',
    dir: 'c2s',
    kind: 'http-request',
    summary: 'GET / HTTP/1.1',
    bytes: b('GET / HTTP/1.1\r\n\r\n'),
  },
  { type: 'note', t: 80, peer: 'server', text: 'checks' },
  {
    type: 'unit',
    t: 82,
    conn: 'c',
    dir: 's2c',
    kind: 'http-response',
    summary: '204',
    bytes: b('HTTP/1.1 204 No Content\r\n\r\n'),
  },
];

describe('layoutSequence', () => {
  it('draws only the events before the cursor', () => {
    expect(layoutSequence(events, 0, 600).rows).toEqual([]);
    expect(layoutSequence(events, 2, 600).rows.map((r) => r.kind)).toEqual(['state', 'conn']);
    expect(layoutSequence(events, 99, 600).rows.map((r) => r.kind)).toEqual([
      'state',
      'conn',
      'state',
      'message',
      'note',
      'message',
    ]);
  });

  it('puts the client on the left, the server on the right, arrows by direction', () => {
    const layout = layoutSequence(events, events.length, 600);
    const [client, server] = layout.lanes;
    expect(client!.x).toBeLessThan(server!.x);
    const [req, res] = layout.rows.filter((r) => r.kind === 'message');
    expect(req).toMatchObject({
      x1: client!.x,
      x2: server!.x,
      dir: 'c2s',
      label: 'GET / HTTP/1.1',
      time: '60 ms',
    });
    expect(res).toMatchObject({ x1: server!.x, x2: client!.x });
  });

  it('merges a burst of state changes into one row and shows each lane state at the cursor', () => {
    const layout = layoutSequence(events, 4, 600);
    const stateRows = layout.rows.filter((r) => r.kind === 'state');
    expect(stateRows).toHaveLength(2);
    expect(stateRows[1]!.kind === 'state' && stateRows[1]!.badges.map((x) => x.lane)).toEqual([
      'client',
      'server',
    ]);
    expect(layout.lanes.map((l) => l.tcp)).toEqual(['ESTABLISHED', 'ESTABLISHED']);
    expect(layoutSequence(events, 1, 600).lanes[0]!.tcp).toBe('SYN-SENT');
  });

  it('stacks rows top to bottom without overlap and marks the current step', () => {
    const layout = layoutSequence(events, events.length, 600, { currentFrom: 5 });
    let y = HEADER;
    for (const row of layout.rows) {
      expect(row.y).toBe(y);
      y += row.height;
    }
    expect(layout.height).toBeGreaterThan(y);
    expect(layout.rows.filter((r) => r.current).map((r) => r.index)).toEqual([5, 6]);
    expect(layout.rows.find((r) => r.kind === 'message')!.height).toBe(ROW.message);
  });

  it('places client lanes by connection for side-by-side flows', () => {
    const lanes = [
      { id: 'http', label: 'HTTP client', peer: 'client' as const },
      { id: 'server', label: 'Server', peer: 'server' as const },
      { id: 'ws', label: 'WebSocket client', peer: 'client' as const },
    ];
    const two: TraceEvent[] = [
      { type: 'unit', t: 0, conn: 'http-1', dir: 'c2s', kind: 'raw', summary: 'a', bytes: b('a') },
      { type: 'unit', t: 1, conn: 'ws', dir: 'c2s', kind: 'raw', summary: 'b', bytes: b('b') },
    ];
    const layout = layoutSequence(two, 2, 900, {
      lanes,
      laneOf: (c) => (c?.startsWith('http') ? 'http' : 'ws'),
    });
    const [http, server, ws] = layout.lanes;
    const [a, c] = layout.rows;
    expect(a).toMatchObject({ x1: http!.x, x2: server!.x });
    expect(c).toMatchObject({ x1: ws!.x, x2: server!.x });
  });

  it('wraps long notes into taller rows within the width', () => {
    const long: TraceEvent[] = [{ type: 'note', t: 0, text: 'x'.repeat(300) }];
    const row = layoutSequence(long, 1, 400).rows[0]!;
    expect(row.kind).toBe('note');
    expect(row.height).toBeGreaterThan(ROW.notePad + ROW.noteLine);
    if (row.kind === 'note') expect(row.x + row.width).toBeLessThanOrEqual(400);
  });

  it('latestUnit prefers the current step, else the last unit before it', () => {
    expect(latestUnit(events, 7, 5)).toBe(6);
    expect(latestUnit(events, 6, 5)).toBe(4);
    expect(latestUnit(events, 2)).toBeUndefined();
  });
});
