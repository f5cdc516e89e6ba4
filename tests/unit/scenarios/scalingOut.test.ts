import { describe, expect, it } from 'vitest';
import spec from '../../../src/lib/scenarios/scaling-out/spec';
import scenario, {
  JITTER_MS,
  lanes,
  type ScalingContext,
} from '../../../src/lib/scenarios/scaling-out/index';
import { pickOrigin } from '../../../src/lib/scenarios/scaling-out/live';
import { handshakeInput } from '../../../src/lib/scenarios/wire';
import { decodeFrame, parseCloseBody } from '../../../src/lib/protocol';
import type { TraceEvent } from '../../../src/lib/trace/types';
import { ascii, nextUntilEnd, start, unitsOf } from './helpers';

async function run(choice?: 'deploy' | 'crash') {
  const { actor } = start(scenario.machine, { ...(await handshakeInput()) });
  if (choice) {
    while (actor.getSnapshot().context.path.at(-1) !== 'fan-out') actor.send({ type: 'step.next' });
    actor.send({ type: 'learner.choose', choice });
  }
  nextUntilEnd(actor);
  return { actor, c: actor.getSnapshot().context as ScalingContext };
}

const payloadOf = (bytes: Uint8Array) => ascii(decodeFrame(bytes, 0)!.frame.payload);

describe('scaling-out machine', () => {
  it('delivers event 1 across nodes through the backplane, and event 2 after a resume on node b', async () => {
    const { actor, c } = await run();
    expect(c.path).toEqual(spec.steps.filter((s) => s !== 'crash'));
    const units = unitsOf(actor);
    // The subscription goes to node a, the publish to node b: round robin.
    expect(ascii(units.find((u) => u.conn === 'a1')!.bytes)).toMatch(
      /^GET \/ws\/stream\?since=0 HTTP\/1\.1\r\n/,
    );
    expect(ascii(units.find((u) => u.conn === 'b1')!.bytes)).toMatch(
      /^POST \/api\/stream\/publish HTTP\/1\.1\r\n/,
    );
    // A proxy copies a WebSocket's bytes unchanged: every frame is the same on both legs, in order.
    const frames = (conn: string) => units.filter((u) => u.conn === conn && u.kind === 'ws-frame');
    expect(frames('c1').map((u) => u.bytes)).toEqual(frames('a1').map((u) => u.bytes));
    // Each leg in its direction's order: the node's side first on the way out, the browser's on the way in.
    frames('a1').forEach((inner, i) => {
      const outer = frames('c1')[i]!;
      expect(inner.dir === 's2c' ? inner.t < outer.t : outer.t < inner.t).toBe(true);
    });
    expect(JSON.parse(payloadOf(frames('c1')[0]!.bytes))).toMatchObject({ id: 1, payload: 'hello' });
    // node a leaves with 1001; the browser answers with its own close, masked.
    const closes = frames('c1')
      .slice(1)
      .map((u) => decodeFrame(u.bytes, 0)!.frame);
    expect(closes.map((f) => parseCloseBody(f.payload))).toMatchObject([
      { ok: true, code: 1001 },
      { ok: true, code: 1001 },
    ]);
    expect(closes.map((f) => f.masked)).toEqual([false, true]);
    // The resume asks since=1 of node b after the jitter, and gets event 2 from the history.
    const resume = units.find((u) => u.conn === 'b2')!;
    expect(ascii(resume.bytes)).toMatch(/^GET \/ws\/stream\?since=1 HTTP\/1\.1\r\n/);
    const closedAt = c.events.find((e) => e.type === 'conn.close' && e.conn === 'c1')!.t;
    const reconnectAt = c.events.find((e) => e.type === 'conn.open' && e.conn === 'c3')!.t;
    expect(reconnectAt - closedAt).toBeGreaterThanOrEqual(JITTER_MS);
    expect(JSON.parse(payloadOf(frames('c3')[0]!.bytes))).toMatchObject({ id: 2 });
    // 2 per WebSocket or request through the balancer (3 of them), and each node's link to Redis.
    expect(c.tally).toEqual({ connections: 8, relayed: 10, backplane: 6, delivered: 2 });
    const times = c.events.map((e) => e.t);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('a crash sends no close frame: both legs end abnormally and the browser reports 1006', async () => {
    const { actor, c } = await run('crash');
    expect(c.path).toContain('crash');
    expect(c.path).not.toContain('deploy');
    const c1 = unitsOf(actor).filter((u) => u.conn === 'c1' && u.kind === 'ws-frame');
    expect(c1).toHaveLength(1); // event 1 only
    const ends = c.events.filter((e) => e.type === 'conn.close' && (e.conn === 'c1' || e.conn === 'a1'));
    expect(ends.every((e) => e.type === 'conn.close' && e.abnormal)).toBe(true);
    expect(unitsOf(actor).some((u) => u.conn === 'c3')).toBe(true);
  });

  it('puts each end of a connection on its lane, simulated and live', () => {
    const { laneOf, serverOf } = lanes('en');
    const ends = (conn: string, events: TraceEvent[] = []) => [
      laneOf!(conn, events),
      serverOf!(conn, events),
    ];
    expect(ends('c1')).toEqual(['browser', 'balancer']);
    expect(ends('a1')).toEqual(['balancer', 'node-a']);
    expect(ends('b2')).toEqual(['balancer', 'node-b']);
    expect(ends('rb')).toEqual(['node-b', 'redis']);
    // A live cluster's ids name the node: the first node seen is drawn as node a, the next as node b.
    const live: TraceEvent[] = [
      { type: 'conn.open', t: 0, conn: 'web-1/c4' },
      { type: 'conn.open', t: 1, conn: 'web-2/c9' },
    ];
    expect(ends('web-1/c4', live)).toEqual(['browser', 'node-a']);
    expect(ends('web-2/c9', live)).toEqual(['browser', 'node-b']);
  });

  it('opens the other node on the host name this page was opened with', () => {
    const origins = ['http://localhost:8082', 'http://127.0.0.1:8082'];
    expect(pickOrigin(origins, '127.0.0.1')).toBe('http://127.0.0.1:8082');
    expect(pickOrigin(origins, 'localhost')).toBe('http://localhost:8082');
    expect(pickOrigin(origins, 'lab.local')).toBe('http://localhost:8082');
    expect(pickOrigin([], 'lab.local')).toBeUndefined();
  });
});
