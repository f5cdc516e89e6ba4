import { describe, expect, it } from 'vitest';
import spec from '../../../src/lib/scenarios/http-vs-websocket/spec';
import scenario, { type HttpVsWebsocketContext } from '../../../src/lib/scenarios/http-vs-websocket/index';
import { handshakeInput } from '../../../src/lib/scenarios/wire';
import { nextUntilEnd, start, unitsOf } from './helpers';

describe('http-vs-websocket machine', () => {
  it('runs both clients on one clock and tallies connections and bytes', async () => {
    const { actor } = start(scenario.machine, { ...(await handshakeInput()) });
    expect(nextUntilEnd(actor)).toEqual([...spec.steps]);
    const c = actor.getSnapshot().context as HttpVsWebsocketContext;
    expect(c.http.connections).toBe(2);
    expect(c.ws.connections).toBe(1);
    expect(c.http.bytes).toBe(
      unitsOf(actor)
        .filter((u) => u.conn.startsWith('http'))
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
    const polled = units.find((u) => u.conn.startsWith('http') && u.dir === 's2c' && carrying(u))!;
    expect(pushed.t).toBeLessThan(polled.t);
    expect(polled.t - pushed.t).toBeGreaterThanOrEqual(800);
    const c = actor.getSnapshot().context as HttpVsWebsocketContext;
    const server = c.events.filter((e) => e.type === 'state' && e.peer === 'server' && e.conn === 'ws');
    expect(server.map((e) => e.type === 'state' && e.readyState)).toContain('OPEN');
  });
});
