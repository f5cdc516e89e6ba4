import { describe, expect, it } from 'vitest';
import { attribute, partyOfRequest, splitFields } from '../../../src/lib/lab/attribute';
import { computeFigures, heldOpen, latencies, latencyFigures } from '../../../src/lib/lab/metrics';
import { CONTENDERS, type Receipt } from '../../../src/lib/lab/types';
import type { UnitEvent } from '../../../src/lib/trace/types';
import {
  annotateFrame,
  annotateHttp,
  encodeFrame,
  headLength,
  latin1Bytes,
} from '../../../src/lib/protocol/index.ts';
import { loadRun } from './fixtures';

const clean = loadRun('lab-run.json');
const cut = loadRun('lab-run-cut.json');

describe('a run still in progress', () => {
  it('holds open streams and waiting requests up to the last event, not up to their answer head', () => {
    const whole = attribute(clean.trace);
    const wsConn = whole.exchanges.find((x) => x.party === 'ws')!.conn;
    const firstClose = clean.trace.events.findIndex((e) => e.type === 'conn.close' && e.conn === wsConn);
    const midway = { ...clean.trace, events: clean.trace.events.slice(0, firstClose) };
    const partial = attribute(midway);
    for (const party of ['ws', 'sse'] as const) {
      const stream = partial.exchanges.find((x) => x.party === party && x.kind === 'stream')!;
      expect(stream.end, party).toBe(partial.end);
      expect(stream.end - stream.start, party).toBeGreaterThan(clean.settings.durationMs / 2);
    }
  });
});

describe('figures of a recorded clean run', () => {
  const figures = computeFigures(clean);
  const byId = Object.fromEntries(figures.contenders.map((c) => [c.contender, c]));

  it('counts every expected event delivered once by every contender', () => {
    expect(figures.expected).toBe(clean.expected.to - clean.expected.from + 1);
    expect(figures.expected).toBeGreaterThan(10);
    for (const c of figures.contenders) {
      expect([c.contender, c.delivered, c.missed, c.duplicates]).toEqual([
        c.contender,
        figures.expected,
        0,
        0,
      ]);
    }
  });

  it('attributes to each contender exactly the payload bytes the page read', () => {
    const bytes = attribute(clean.trace).bytes;
    for (const contender of CONTENDERS)
      expect(bytes[contender].s2c.payload, contender).toBe(clean.pageBytes[contender]);
  });

  it('counts WebSocket overhead as the handshake, 2 bytes per server frame and the close frames', () => {
    const ws = byId.ws!;
    const conn = attribute(clean.trace).exchanges.find((x) => x.party === 'ws')!.conn;
    const units = clean.trace.events.filter((e): e is UnitEvent => e.type === 'unit' && e.conn === conn);
    const response = units.find((e) => e.kind === 'http-response')!;
    const serverFrames = units.filter((e) => e.kind === 'ws-frame' && e.dir === 's2c');
    const dataFrames = serverFrames.filter((e) => (e.bytes[0]! & 0x0f) === 1);
    const control = serverFrames.filter((e) => (e.bytes[0]! & 0x0f) >= 8);
    expect(dataFrames).toHaveLength(figures.expected);
    expect(ws.down.headers).toBe(
      response.bytes.length + 2 * dataFrames.length + control.reduce((s, e) => s + e.bytes.length, 0),
    );
    expect(ws.requests).toBe(1);
    expect(ws.connections).toBe(1);
  });

  it('shows what each way costs: polling pays a request head per answer, pushes do not', () => {
    const short = byId.short!;
    const long = byId.long!;
    // At 200 ms the short poller asks about five times a second, news or not.
    expect(short.requests).toBeGreaterThanOrEqual(
      Math.floor(clean.settings.durationMs / clean.settings.pollIntervalMs),
    );
    expect(long.requests).toBeGreaterThanOrEqual(figures.expected);
    expect(byId.sse!.requests).toBe(1);
    expect(long.upPerEvent!.headers).toBeGreaterThan(10 * byId.ws!.upPerEvent!.headers);
    expect(short.latency!.p50).toBeGreaterThan(byId.ws!.latency!.p50);
    // Long polling keeps one request held almost all the time; short polling almost never.
    expect(long.maxHeld).toBe(1);
    expect(long.meanHeld).toBeGreaterThan(0.5);
    expect(short.meanHeld).toBeLessThan(0.2);
  });
});

describe('figures of a recorded run with every connection cut', () => {
  const figures = computeFigures(cut);
  const byId = Object.fromEntries(figures.contenders.map((c) => [c.contender, c]));

  it('shows SSE and WebSocket reconnecting on a second connection without losing events', () => {
    for (const id of ['sse', 'ws'] as const) {
      expect(byId[id]!.reconnects, id).toBe(1);
      expect(byId[id]!.connections, id).toBe(2);
      expect(byId[id]!.missed, id).toBe(0);
    }
    expect(cut.log.some((l) => l.contender === 'ws' && l.kind === 'close' && l.detail === '1006')).toBe(true);
    expect(
      cut.log.some(
        (l) => l.contender === 'sse' && l.kind === 'reconnect' && l.detail?.startsWith('Last-Event-ID'),
      ),
    ).toBe(true);
  });

  it('still gives every contender exactly the payload bytes its page read', () => {
    const bytes = attribute(cut.trace).bytes;
    for (const contender of CONTENDERS)
      expect(bytes[contender].s2c.payload, contender).toBe(cut.pageBytes[contender]);
  });

  it('marks the cut connections closed abnormally in the trace', () => {
    expect(cut.trace.events.some((e) => e.type === 'conn.close' && e.abnormal)).toBe(true);
  });
});

describe('pieces', () => {
  it('finds an HTTP head, a frame header and a request target', () => {
    const message = latin1Bytes('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi');
    expect(headLength(message)).toBe(message.length - 2);
    expect(splitFields(annotateHttp(message))).toEqual({ headers: message.length - 2, payload: 2 });
    const frame = (payload: Uint8Array | string, mask?: Uint8Array) =>
      splitFields(annotateFrame(encodeFrame({ opcode: 1, payload, mask })));
    expect(frame('x'.repeat(200))).toEqual({ headers: 4, payload: 200 });
    expect(frame('x', new Uint8Array(4))).toEqual({ headers: 6, payload: 1 });
    expect(frame(new Uint8Array(70000))).toEqual({ headers: 10, payload: 70000 });
    expect(partyOfRequest(latin1Bytes('GET /api/poll?since=3 HTTP/1.1\r\n\r\n'))).toBe('long');
    expect(partyOfRequest(latin1Bytes('POST /api/faults HTTP/1.1\r\n\r\n'))).toBe('control');
    // In front of an app (--target) the demo's paths carry the reserved prefix.
    expect(partyOfRequest(latin1Bytes('GET /__wirescope/ws/stream?since=0 HTTP/1.1\r\n\r\n'))).toBe('ws');
    expect(partyOfRequest(latin1Bytes('GET /elsewhere/api/poll HTTP/1.1\r\n\r\n'))).toBe('control');
  });

  it('splits a chunked body into framing and data, partial chunks included', () => {
    const head = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';
    const body = (chunks: string) => {
      const response = latin1Bytes(head + chunks);
      return splitFields(annotateHttp(response, { kind: 'response' }), head.length);
    };
    expect(body('5\r\nhello\r\n0\r\n\r\n')).toEqual({ headers: 3 + 2 + 5, payload: 5 });
    expect(body('a\r\n01234')).toEqual({ headers: 3, payload: 5 });
    expect(body('5\r\nhello\r')).toEqual({ headers: 4, payload: 5 });
    expect(body('5\r\nhello\r\n1')).toEqual({ headers: 6, payload: 5 });
  });

  it('computes percentiles of first deliveries only', () => {
    const r = (id: number, latency: number): Receipt => ({
      contender: 'ws',
      id,
      sentAt: 1000,
      receivedAt: 1000 + latency,
    });
    const sorted = latencies([r(1, 10), r(2, 30), r(1, 500), r(3, 20)], 'ws');
    expect(sorted).toEqual([10, 20, 30]);
    expect(latencyFigures(sorted)).toEqual({ p50: 20, p95: 29, max: 30 });
    expect(latencyFigures([])).toBeUndefined();
  });

  it('counts requests held at once, closing before opening at the same instant', () => {
    const e = (start: number, end: number) => ({
      party: 'long' as const,
      conn: 'c',
      start,
      end,
      kind: 'answered' as const,
    });
    expect(heldOpen([e(0, 10), e(10, 20)], 20)).toEqual({ max: 1, mean: 1 });
    expect(heldOpen([e(0, 10), e(5, 20)], 20)).toEqual({ max: 2, mean: 1.25 });
  });
});
