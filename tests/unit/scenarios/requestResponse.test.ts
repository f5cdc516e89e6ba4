import { describe, expect, it } from 'vitest';
import spec from '../../../src/lib/scenarios/request-response/spec';
import scenario, { type RequestResponseContext } from '../../../src/lib/scenarios/request-response/index';
import { parseHttpMessage } from '../../../src/lib/protocol/http';
import { ascii, ctx, nextUntilEnd, start, unitsOf } from './helpers';

describe('request-response machine', () => {
  it('walks every catalog step in order', () => {
    const { actor } = start(scenario.machine);
    expect(nextUntilEnd(actor)).toEqual([...spec.steps]);
  });

  it('connects TCP before the first request and keeps the connection alive', () => {
    const { actor } = start(scenario.machine);
    expect(ctx(actor).client.tcp).toBe('ESTABLISHED');
    expect(ctx(actor).events[0]).toMatchObject({ type: 'state', peer: 'client', tcp: 'SYN-SENT' });
    nextUntilEnd(actor);
    expect(ctx(actor).events.filter((e) => e.type === 'conn.open')).toHaveLength(1);
  });

  it('sends real HTTP/1.1 bytes that the protocol parser reads back', () => {
    const { actor } = start(scenario.machine);
    nextUntilEnd(actor);
    const units = unitsOf(actor);
    expect(units.map((u) => u.dir)).toEqual(['c2s', 's2c', 'c2s', 's2c', 'c2s', 's2c']);
    expect(ascii(units[0]!.bytes)).toBe(
      'GET /api/time HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAccept: application/json\r\n\r\n',
    );
    for (const u of units) {
      const parsed = parseHttpMessage(u.bytes, 0, {
        kind: u.dir === 'c2s' ? 'request' : 'response',
        requestMethod: 'GET',
        eof: true,
      });
      expect(parsed?.bytesUsed).toBe(u.bytes.length);
    }
    expect(ascii(units[3]!.bytes)).toContain('\r\n\r\n[]');
  });

  it('counts requests and header bytes for the summary', () => {
    const { actor } = start(scenario.machine);
    nextUntilEnd(actor);
    const c = actor.getSnapshot().context as RequestResponseContext;
    expect(c.requests).toBe(3);
    expect(c.delivered).toBe(2);
    expect(c.headerBytes).toBeGreaterThan(300);
    expect(ctx(actor).events.at(-1)).toMatchObject({
      type: 'note',
      text: expect.stringContaining('3 requests'),
    });
  });

  it('shows the same bytes every run (fixed clock and inputs)', () => {
    const a = start(scenario.machine).actor;
    const b = start(scenario.machine).actor;
    nextUntilEnd(a);
    nextUntilEnd(b);
    expect(unitsOf(a).map((u) => ascii(u.bytes))).toEqual(unitsOf(b).map((u) => ascii(u.bytes)));
    expect(ascii(unitsOf(a)[1]!.bytes)).toContain('Date: Mon, 06 Jan 2025 09:00:00 GMT');
  });
});
