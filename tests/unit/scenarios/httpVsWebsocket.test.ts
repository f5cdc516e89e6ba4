import { describe, expect, it } from 'vitest';
import spec from '../../../src/lib/scenarios/http-vs-websocket/spec';
import scenario, {
  EVENT_AFTER_MS,
  POLL_INTERVAL_MS,
  type HttpVsWebsocketContext,
} from '../../../src/lib/scenarios/http-vs-websocket/index';
import { handshakeInput } from '../../../src/lib/scenarios/wire';
import { ctx as c0, nextUntilEnd, start, unitsOf } from './helpers';

describe('http-vs-websocket machine', () => {
  it('runs both clients on one clock and tallies connections and bytes', async () => {
    const { actor } = start(scenario.machine, { ...(await handshakeInput()) });
    expect(nextUntilEnd(actor)).toEqual([...spec.steps]);
    const c = actor.getSnapshot().context as HttpVsWebsocketContext;
    // A page cannot send Connection: close, and HTTP/1.1 keeps the connection: both polls share one.
    expect(c.http.connections).toBe(1);
    expect(c.http.requests).toBe(2);
    expect(c.ws.connections).toBe(1);
    const http = unitsOf(actor).filter((u) => u.conn === 'http');
    expect(http).toHaveLength(4);
    for (const u of http) expect(new TextDecoder().decode(u.bytes)).not.toMatch(/^Connection:/im);
    expect(c.events.filter((e) => e.type === 'conn.open' && e.conn === 'http')).toHaveLength(1);
    expect(c.http.bytes).toBe(
      unitsOf(actor)
        .filter((u) => u.conn === 'http')
        .reduce((n, u) => n + u.bytes.length, 0),
    );
    expect(c.ws.bytes).toBe(
      unitsOf(actor)
        .filter((u) => u.conn === 'ws')
        .reduce((n, u) => n + u.bytes.length, 0),
    );
    const times = c.events.map((e) => e.t);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('delivers event 2 over the WebSocket before the HTTP client polls for it', async () => {
    const { actor } = start(scenario.machine, { ...(await handshakeInput()) });
    nextUntilEnd(actor);
    const text = new TextDecoder();
    const carrying = (u: { bytes: Uint8Array }) => text.decode(u.bytes).includes('{"id":2}');
    const units = unitsOf(actor);
    const pushed = units.find((u) => u.conn === 'ws' && u.dir === 's2c' && carrying(u))!;
    const polled = units.find((u) => u.conn === 'http' && u.dir === 's2c' && carrying(u))!;
    expect(pushed.t).toBeLessThan(polled.t);
    // The narration's figures are this clock's: polls a second apart, the next 800 ms after event 2.
    const polls = units.filter((u) => u.conn === 'http' && u.dir === 'c2s');
    expect(polls.map((u) => u.t)).toEqual([60, 60 + POLL_INTERVAL_MS]);
    expect(text.decode(polls[1]!.bytes)).toMatch(/^GET \/api\/events\?since=1 HTTP\/1\.1\r\n/);
    expect(pushed.t).toBe(polls[0]!.t + EVENT_AFTER_MS);
    expect(polls[1]!.t - pushed.t).toBe(800);
    const note = c0(actor).events.find((e) => e.type === 'note' && e.key === 'nextPoll');
    expect(note).toMatchObject({ params: { ms: 800 }, t: polls[1]!.t });
    const c = actor.getSnapshot().context as HttpVsWebsocketContext;
    const server = c.events.filter((e) => e.type === 'state' && e.peer === 'server' && e.conn === 'ws');
    expect(server.map((e) => e.type === 'state' && e.readyState)).toContain('OPEN');
  });
});
