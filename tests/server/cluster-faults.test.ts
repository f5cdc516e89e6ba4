/**
 * Faults of a cluster on a real Redis: Redis stopped and started again (empty) while two nodes run,
 * and a node killed while a client streams from it. Nothing the contract promises may be lost.
 */
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { RunningServer } from '../../server/app.ts';
import type { TapMessage } from '../../src/lib/trace/index.ts';
import {
  publish,
  range,
  REDIS_SERVER,
  spawnNode,
  startNode,
  StreamClient,
  tapEvents,
} from './cluster-helpers.ts';
import { openTap, waitFor } from './helpers.ts';
import { RedisProcess } from './redis.ts';

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) {
    try {
      await step();
    } catch {
      // The next steps (stopping Redis above all) still run.
    }
  }
}, 60_000);

async function backplaneOf(url: string): Promise<string> {
  const res = await fetch(`${url}/healthz`, { headers: { accept: 'application/json' } });
  return ((await res.json()) as { backplane: string }).backplane;
}

async function pollIds(url: string, query: string): Promise<number[]> {
  const res = await fetch(`${url}/api/stream/poll?${query}&since=0`);
  return ((await res.json()) as { events: Array<{ id: number }> }).events.map((e) => e.id);
}

function statuses(messages: TapMessage[]): string[] {
  return messages.flatMap((m) => (m.type === 'status' ? [m.cluster.backplane] : []));
}

describe.skipIf(!REDIS_SERVER)('cluster faults', { timeout: 120_000 }, () => {
  it('Redis lost: each node serves alone and says so; back (empty): it reconnects and nothing is lost', async () => {
    const redis = await RedisProcess.start(REDIS_SERVER!);
    cleanup.push(() => redis.stop());
    const a: RunningServer = await startNode(redis.url, 'a');
    cleanup.push(() => a.close());
    const b: RunningServer = await startNode(redis.url, 'b');
    cleanup.push(() => b.close());

    const tap = await openTap(a.url);
    cleanup.push(() => tap.ws.close());
    const q = `session=${tap.session}`;
    const wsA = await StreamClient.open(a.url, `${q}&since=0`);
    const wsB = await StreamClient.open(b.url, `${q}&since=0`);
    cleanup.push(
      () => wsA.close(),
      () => wsB.close(),
    );
    // An echo socket of the session on b: its bytes reach the tap on a.
    const echo = new WebSocket(`${b.url.replace('http', 'ws')}/ws/echo?${q}`);
    const echoes: string[] = [];
    echo.on('message', (data) => echoes.push(String(data)));
    await once(echo, 'open');
    cleanup.push(() => echo.terminate());

    for (let i = 1; i <= 3; i++) await publish(a.url, q, `together ${i}`);
    await waitFor(() => wsA.ids.length === 3 && wsB.ids.length === 3, 10_000);

    await redis.stop();
    await waitFor(() => statuses(tap.messages).includes('lost'), 10_000);
    expect(await backplaneOf(a.url)).toBe('lost');
    expect(await backplaneOf(b.url)).toBe('lost');
    expect(await (await fetch(`${b.url}/healthz`)).text()).toBe('ok\nnode: b\nbackplane: lost\n');
    // a goes on serving its own subscribers alone.
    for (let i = 4; i <= 5; i++) expect((await publish(a.url, q, `alone ${i}`)).id).toBe(i);
    await waitFor(() => wsA.ids.length === 5, 10_000);
    // b cannot forward its tap events now: they are counted, and reported once it can.
    echo.send('while apart');
    await waitFor(() => echoes.includes('while apart'), 10_000);

    await redis.run();
    await waitFor(() => statuses(tap.messages).at(-1) === 'connected', 20_000);
    await waitFor(() => b.ctx.cluster!.status().backplane === 'connected', 20_000);
    expect(await backplaneOf(a.url)).toBe('connected');
    expect(await backplaneOf(b.url)).toBe('connected');

    // What a published alone reaches b once the link is back; then delivery crosses nodes again.
    await waitFor(() => wsB.ids.length === 5, 20_000);
    expect((await publish(b.url, q, 'after')).id).toBe(6);
    await waitFor(() => wsA.ids.length === 6 && wsB.ids.length === 6, 10_000);
    expect(wsA.ids).toEqual(range(1, 6));
    expect(wsB.ids).toEqual(range(1, 6));
    expect(wsB.events.map((e) => e.payload)).toEqual(wsA.events.map((e) => e.payload));

    // The tap: what b could not forward is reported as dropped, and forwarding resumes.
    echo.send('together again');
    await waitFor(() => tap.messages.some((m) => m.type === 'dropped' && m.count > 0), 10_000);
    const text = (m: string) =>
      tapEvents(tap.messages).some((e) => e.type === 'unit' && e.node === 'b' && e.summary.includes(m));
    await waitFor(() => text("'together again'"), 10_000);

    // The history Redis lost was given back: a node that joins now resends all of it.
    const c = await startNode(redis.url, 'c');
    cleanup.push(() => c.close());
    expect(await pollIds(c.url, q)).toEqual(range(1, 6));
    expect(await pollIds(b.url, q)).toEqual(range(1, 6));
  });

  it('a node killed: its WebSockets see 1006, reconnect to another node with since=, and lose nothing', async () => {
    const redis = await RedisProcess.start(REDIS_SERVER!);
    cleanup.push(() => redis.stop());
    const a = await startNode(redis.url, 'a');
    cleanup.push(() => a.close());
    const b = await spawnNode(redis.url, 'b');
    cleanup.push(() => b.child.kill('SIGKILL'));

    const tap = await openTap(a.url);
    cleanup.push(() => tap.ws.close());
    const q = `session=${tap.session}`;
    const onB = await StreamClient.open(b.url, `${q}&since=0`);
    // A named socket on b too: once b is gone, controls for it answer 404 at once.
    const named = new WebSocket(`${b.url.replace('http', 'ws')}/ws/echo?${q}&name=gone`);
    named.on('error', () => undefined);
    await once(named, 'open');

    for (let i = 1; i <= 5; i++) await publish(a.url, q, `event ${i}`);
    await waitFor(() => onB.ids.length === 5, 10_000);

    b.child.kill('SIGKILL');
    await waitFor(() => onB.closeCode !== undefined, 10_000);
    expect(onB.closeCode).toBe(1006);

    for (let i = 6; i <= 8; i++) await publish(a.url, q, `event ${i}`);
    const last = onB.ids.at(-1)!;
    const again = await StreamClient.open(a.url, `${q}&since=${last}`);
    cleanup.push(() => again.close());
    await waitFor(() => again.ids.length === 8 - last, 10_000);
    expect([...onB.ids, ...again.ids]).toEqual(range(1, 8));

    const push = await fetch(`${a.url}/api/ws/push?${q}&name=gone`, { method: 'POST', body: '{}' });
    expect(push.status).toBe(404);
  });
});
