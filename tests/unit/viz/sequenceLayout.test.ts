import { createActor } from 'xstate';
import { describe, expect, it } from 'vitest';
import { TEXT, latestUnit, layoutSequence, noteText, type Row } from '../../../src/lib/viz/sequenceLayout';
import { loadAll } from '../scenarios/helpers';
import { textWidth } from '../../../src/lib/viz/textFit';
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
  { type: 'note', t: 80, peer: 'server', key: 'said', params: { en: 'checks' } },
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
    let y = layout.top;
    expect(layout.top).toBeGreaterThan(layout.header);
    for (const row of layout.rows) {
      expect(row.y).toBe(y);
      y += row.height;
    }
    expect(layout.height).toBeGreaterThan(y);
    expect(layout.rows.filter((r) => r.current).map((r) => r.index)).toEqual([5, 6]);
    expect(layout.rows.find((r) => r.kind === 'message')!.height).toBe(28 + TEXT.summary.line);
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
    const long: TraceEvent[] = [
      { type: 'note', t: 0, key: 'said', params: { en: 'word '.repeat(60).trim() } },
    ];
    const row = layoutSequence(long, 1, 400).rows[0]!;
    expect(row.kind).toBe('note');
    expect(row.height).toBeGreaterThan(12 + TEXT.note.line);
    if (row.kind === 'note') {
      expect(row.x + row.width).toBeLessThanOrEqual(400);
      expect(row.lines.join('')).toBe(row.text);
      expect(row.height).toBe(12 + row.lines.length * TEXT.note.line);
    }
  });

  const unmask = 'The server unmasks: payload[i] XOR key[i mod 4], and checks the UTF-8 of the text';
  const checks = 'Server checks pass: method GET, HTTP/1.1, Upgrade, key, version 13, Origin allowed';
  const wide: TraceEvent[] = [
    { type: 'state', t: 0, peer: 'client', conn: 'c', readyState: 'OPEN', tcp: 'ESTABLISHED' },
    { type: 'state', t: 0, peer: 'server', conn: 'c', readyState: 'OPEN', tcp: 'ESTABLISHED' },
    { type: 'note', t: 1, peer: 'server', key: 'said', params: { en: checks } },
    { type: 'note', t: 1, peer: 'client', key: 'said', params: { en: unmask } },
    {
      type: 'note',
      t: 1,
      key: 'said',
      params: { en: '클라이언트가 마스킹한 페이로드를 서버가 키로 되돌립니다' },
    },
    {
      type: 'unit',
      t: 1262,
      conn: 'c',
      dir: 'c2s',
      kind: 'http-request',
      summary: '(labelled from its bytes)',
      bytes: b(
        'GET /chat/rooms/lobby?since=dGhlIHNhbXBsZSBub25jZQ HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n',
      ),
    },
    { type: 'conn.close', t: 2, conn: 'c', by: 'server' },
  ];
  const boxes = (row: Row): { left: number; right: number; lines: string[]; size: number }[] => {
    if (row.kind === 'note')
      return [{ left: row.x + 16, right: row.x + row.width, lines: row.lines, size: TEXT.note.size }];
    if (row.kind === 'conn') return [{ left: row.x1, right: row.x2, lines: row.lines, size: TEXT.conn.size }];
    if (row.kind === 'state')
      return row.badges.map((b) => ({
        left: b.left,
        right: b.left + b.width,
        lines: b.lines,
        size: TEXT.badge.size,
      }));
    return [];
  };

  for (const width of [644, 356, 300]) {
    it(`keeps every note, label and badge inside the diagram at ${width} px`, () => {
      const layout = layoutSequence(wide, wide.length, width);
      const [client, server] = layout.lanes;
      for (const row of layout.rows) {
        for (const box of boxes(row)) {
          expect(box.left).toBeGreaterThanOrEqual(0);
          expect(box.right).toBeLessThanOrEqual(width);
          for (const line of box.lines)
            expect(textWidth(line.trimEnd(), box.size)).toBeLessThanOrEqual(box.right - box.left);
        }
        if (row.kind === 'note' && width >= 600) {
          // Between the lifelines, never past the server's.
          expect(row.x).toBeGreaterThan(client!.x);
          expect(row.x + row.width).toBeLessThan(server!.x);
        }
        if (row.kind === 'message') {
          const span = Math.abs(row.x2 - row.x1) - 20 - 10;
          expect(row.lines.length).toBeGreaterThan(1);
          row.lines.forEach((line) =>
            expect(textWidth(line.trimEnd(), TEXT.summary.size, 'mono')).toBeLessThanOrEqual(span),
          );
          expect(row.arrowY).toBeGreaterThanOrEqual(row.y + row.lines.length * TEXT.summary.line);
          expect(row.arrowY + 10).toBeLessThanOrEqual(row.y + row.height);
        }
      }
      const notes = layout.rows.filter((r) => r.kind === 'note');
      expect(notes.map((n) => n.kind === 'note' && n.side)).toEqual(['right', 'left', 'left']);
    });
  }

  it('keeps a whole label on one line when the arrow is long enough', () => {
    const layout = layoutSequence(events, events.length, 644);
    const req = layout.rows.find((r) => r.kind === 'message');
    expect(req?.kind === 'message' && req.lines).toEqual(['GET / HTTP/1.1']);
  });

  it('wraps lane names into headers that do not overlap, at a stable height', () => {
    const lanes = [
      { id: 'http', label: 'HTTP client', peer: 'client' as const },
      { id: 'server', label: 'Server', peer: 'server' as const },
      { id: 'ws', label: 'WebSocket client', peer: 'client' as const },
    ];
    const narrow = layoutSequence([], 0, 356, { lanes });
    const views = narrow.lanes;
    for (let i = 1; i < views.length; i++) {
      const a = views[i - 1]!;
      const c = views[i]!;
      expect(a.x + a.headerWidth / 2).toBeLessThanOrEqual(c.x - c.headerWidth / 2);
    }
    expect(views[0]!.x - views[0]!.headerWidth / 2).toBeGreaterThanOrEqual(0);
    expect(views[2]!.labelLines).toEqual(['WebSocket ', 'client']);
    const later = layoutSequence(wide, wide.length, 356, { lanes });
    expect(later.header).toBe(narrow.header);
  });

  it('lets two badges facing into one gap share it, and a middle lane face the free side', () => {
    const lanes = [
      { id: 'http', label: 'HTTP client', peer: 'client' as const },
      { id: 'server', label: 'Server', peer: 'server' as const },
      { id: 'ws', label: 'WebSocket client', peer: 'client' as const },
    ];
    const laneOf = (c: string | undefined) => (c === 'h' ? 'http' : 'ws');
    const est = (conn: string, peer: 'client' | 'server'): TraceEvent => ({
      type: 'state',
      t: 0,
      peer,
      conn,
      readyState: 'OPEN',
      tcp: 'ESTABLISHED',
    });
    const stateRow = (events: TraceEvent[]) => {
      const [row] = layoutSequence(events, events.length, 356, { lanes, laneOf }).rows as Row[];
      if (row?.kind !== 'state') throw new Error('expected a state row');
      return row;
    };
    // Server and WebSocket client: the server faces the free gap on its left.
    const [server, ws] = stateRow([est('w', 'server'), est('w', 'client')]).badges;
    expect(server!.align).toBe('end');
    expect(ws!.align).toBe('end');
    expect(server!.left + server!.width).toBeLessThanOrEqual(server!.x);
    expect(ws!.left).toBeGreaterThanOrEqual(server!.x);
    // All three: the server and the WebSocket client share the right-hand gap.
    const all = stateRow([est('h', 'client'), est('w', 'server'), est('w', 'client')]);
    const [, shared, wsShared] = all.badges;
    expect(shared!.align).toBe('start');
    expect(shared!.left + shared!.width).toBeLessThanOrEqual(wsShared!.left);
    expect(shared!.width).toBeLessThan(server!.width);
    expect(all.height).toBeGreaterThan(10 + TEXT.badge.line);
  });

  it('latestUnit prefers the current step, else the last unit before it', () => {
    expect(latestUnit(events, 7, 5)).toBe(6);
    expect(latestUnit(events, 6, 5)).toBe(4);
    expect(latestUnit(events, 2)).toBeUndefined();
  });
});

describe('layoutSequence in Korean', () => {
  const HANGUL = /[\uAC00-\uD7A3]/;
  const closing: TraceEvent[] = [
    { type: 'conn.open', t: 0, conn: 'c' },
    { type: 'note', t: 1, peer: 'server', key: 'serverChecksPass' },
    { type: 'note', t: 2, key: 'someNewerKey', text: 'From the tap' },
    { type: 'conn.close', t: 3, conn: 'c', by: 'client' },
    { type: 'conn.close', t: 4, conn: 'd', by: 'unknown', abnormal: true },
  ];
  const texts = (lang: 'en' | 'ko') =>
    layoutSequence(closing, closing.length, 600, { lang }).rows.map((r) =>
      r.kind === 'note' ? r.text : r.kind === 'conn' ? r.label : '',
    );

  it('uses the Korean of notes and of the diagram’s own labels, and names the lanes in Korean', () => {
    expect(texts('ko')).toEqual([
      'TCP 연결됨 (SYN, SYN-ACK, ACK)',
      '서버 검사 통과: GET 메서드, Host, Upgrade: websocket, Connection: Upgrade, 키, 버전 13, Origin',
      'From the tap',
      'TCP 닫힘 (클라이언트의 FIN)',
      '연결 끊김: FIN도 Close도 없음',
    ]);
    expect(layoutSequence([], 0, 600, { lang: 'ko' }).lanes.map((l) => l.label)).toEqual([
      '클라이언트',
      '서버',
    ]);
  });

  it('keeps English by default, and a note with a key it does not know in its English text either way', () => {
    expect(texts('en')).toEqual([
      'TCP connected (SYN, SYN-ACK, ACK)',
      'Server checks pass: method GET, Host, Upgrade: websocket, Connection: Upgrade, key, version 13, Origin',
      'From the tap',
      'TCP closed (FIN from client)',
      'Connection cut: no FIN, no Close',
    ]);
    expect(
      layoutSequence(closing, closing.length, 600).rows.map((r) => r.kind === 'note' && r.text),
    ).toContain('From the tap');
    expect(noteText({ type: 'note', t: 0, key: 'said', params: { en: 'x' } }, 'ko')).toBe('x');
  });

  it('wraps the Korean it shows, not the English', () => {
    const long: TraceEvent[] = [
      {
        type: 'note',
        t: 0,
        key: 'said',
        params: { en: 'short', ko: '아주 긴 한국어 문장이 '.repeat(8).trim() },
      },
    ];
    const [row] = layoutSequence(long, 1, 400, { lang: 'ko' }).rows;
    expect(row?.kind === 'note' && row.lines.join('')).toBe('아주 긴 한국어 문장이 '.repeat(8).trim());
    expect(row!.height).toBeGreaterThan(12 + TEXT.note.line);
  });

  it('shows every note and connection row of every scenario in Korean', async () => {
    for (const [id, { module, input }] of Object.entries(await loadAll())) {
      const actor = createActor(module.machine, { input });
      actor.start();
      while (actor.getSnapshot().can({ type: 'step.next' })) actor.send({ type: 'step.next' });
      const events = (actor.getSnapshot().context as { events: TraceEvent[] }).events;
      const rows = layoutSequence(events, events.length, 640, { lang: 'ko' }).rows;
      const words = rows.flatMap((r) => (r.kind === 'note' ? [r.text] : r.kind === 'conn' ? [r.label] : []));
      expect(words.length, id).toBeGreaterThan(0);
      for (const text of words) expect(text, id).toMatch(HANGUL);
    }
  });
});
