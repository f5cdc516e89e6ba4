/**
 * Two nodes on one real Redis (`--backplane`): any node serves any request. Skipped, with a message,
 * where redis-server is not installed.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { WebSocket } from 'ws';
import type { RunningServer } from '../../server/app.ts';
import { startServer } from '../../server/app.ts';
import { channels } from '../../server/cluster/keys.ts';
import { encodeFrame } from '../../src/lib/protocol/index.ts';
import type { TraceEvent } from '../../src/lib/trace/index.ts';
import {
  openSse,
  post,
  publish,
  range,
  REDIS_SERVER,
  startNode,
  StreamClient,
  tapEvents,
} from './cluster-helpers.ts';
import { headEnd, openTap, RawClient, statusOf, upgradeRequest, waitFor } from './helpers.ts';
import { freePort, RedisProcess } from './redis.ts';

const MASK = new Uint8Array([9, 8, 7, 6]);

function bytesOf(events: TraceEvent[], conn: string, dir: 'c2s' | 's2c'): Buffer {
  return Buffer.concat(
    events.flatMap((e) =>
      e.type === 'bytes' && e.conn === conn && e.dir === dir ? [Buffer.from(e.bytes)] : [],
    ),
  );
}

describe.skipIf(!REDIS_SERVER)('a cluster of two nodes on one Redis', { timeout: 120_000 }, () => {
  let redis: RedisProcess;
  let a: RunningServer;
  let b: RunningServer;

  beforeAll(async () => {
    redis = await RedisProcess.start(REDIS_SERVER!);
    a = await startNode(redis.url, 'a');
    b = await startNode(redis.url, 'b');
  }, 60_000);
  afterAll(async () => {
    try {
      await a?.close();
      await b?.close();
    } finally {
      await redis?.stop();
    }
  }, 60_000);

  it('refuses to start when Redis does not answer: a clear error, and the CLI exits non-zero', async () => {
    const port = await freePort();
    await expect(startServer({ port: 0, backplane: `redis://127.0.0.1:${port}` })).rejects.toThrow(
      new RegExp(`cannot reach the backplane at redis://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`),
    );
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'server/main.ts', '--port', '0', '--backplane', `redis://127.0.0.1:${port}`],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(1);
    expect(stderr).toMatch(/wirescope: cannot reach the backplane at redis:\/\/127\.0\.0\.1:\d+/);
    await expect(startServer({ port: 0, backplane: 'http://127.0.0.1:6379' })).rejects.toThrow(
      /--backplane takes a redis:\/\//,
    );
  });

  it('refuses a node name that a running node holds', async () => {
    await expect(startNode(redis.url, 'a')).rejects.toThrow(/a running node is already called a/);
  });

  it('names the node and the backplane in /healthz and in the tap hello', async () => {
    expect(await (await fetch(`${a.url}/healthz`)).text()).toBe('ok\nnode: a\nbackplane: connected\n');
    const json = await fetch(`${b.url}/healthz`, { headers: { accept: 'application/json' } });
    expect(await json.json()).toEqual({ status: 'ok', node: 'b', backplane: 'connected' });
    const tap = await openTap(a.url);
    expect(tap.messages[0]).toMatchObject({ type: 'hello', cluster: { node: 'a', backplane: 'connected' } });
    tap.ws.close();
  });

  it('streams the bytes of a session’s connections on the other node to its tap, byte-exact, naming the node', async () => {
    const tap = await openTap(a.url);
    // The session was opened on a; its connection goes to b.
    const client = await RawClient.open(b.port);
    client.send(
      Buffer.concat([
        Buffer.from(upgradeRequest(`/ws/echo?session=${tap.session}`, b.port)),
        encodeFrame({ opcode: 1, payload: 'over the backplane', mask: MASK }),
      ]),
    );
    await client.until((buf) => headEnd(buf) > 0 && buf.length >= headEnd(buf) + 4 + 2 + 18);
    for (let i = 0; i < 20; i++)
      client.send(encodeFrame({ opcode: 2, payload: new Uint8Array([i, 255 - i]), mask: MASK }));
    client.send(encodeFrame({ opcode: 8, payload: new Uint8Array([0x03, 0xe8]), mask: MASK }));
    await client.closed();
    // And one on a, to see both nodes in one trace (a connection of its own: the tap goes by the first
    // request on a connection).
    const onA = await RawClient.open(a.port);
    onA.send(
      `GET /api/time?session=${tap.session} HTTP/1.1\r\nHost: 127.0.0.1:${a.port}\r\nConnection: close\r\n\r\n`,
    );
    await onA.closed();

    const list = () => tapEvents(tap.messages);
    await waitFor(() => list().some((e) => e.type === 'conn.close' && e.node === 'b'), 10_000);
    await waitFor(() => list().some((e) => e.node === 'a' && e.type === 'unit' && e.dir === 's2c'), 10_000);
    const open = list().find((e) => e.type === 'conn.open' && e.node === 'b')!;
    const conn = (open as { conn: string }).conn;
    expect(conn).toMatch(/^b\/c\d+$/);
    expect(bytesOf(list(), conn, 'c2s').equals(client.sentBytes)).toBe(true);
    expect(bytesOf(list(), conn, 's2c').equals(client.receivedBytes)).toBe(true);
    // In order per connection, and every event of that connection names b.
    const ofConn = list().filter((e) => 'conn' in e && e.conn === conn);
    expect(ofConn.every((e) => e.node === 'b')).toBe(true);
    expect(ofConn[0]!.type).toBe('conn.open');
    expect(ofConn.at(-1)!.type).toBe('conn.close');
    const local = list().filter((e) => e.node === 'a');
    expect(local.length).toBeGreaterThan(0);
    expect(local.every((e) => 'conn' in e && /^a\/c\d+$/.test(e.conn!))).toBe(true);
    tap.ws.close();
  });

  it('delivers a session’s events to polls, SSE and WebSockets on both nodes, and resends on either', async () => {
    const tap = await openTap(a.url);
    const q = `session=${tap.session}`;
    const first = await publish(a.url, q, 'before');
    const wsB = await StreamClient.open(b.url, `${q}&since=0`);
    const wsA = await StreamClient.open(a.url, `${q}&since=0`);
    const sseB = openSse(b.url, `/api/stream/sse?${q}&since=0`);
    await sseB.opened;
    const longPoll = fetch(`${b.url}/api/poll?${q}&since=${first.id}&wait=20000`);
    await waitFor(() => b.ctx.polls.size === 1, 10_000);

    const sent = [first];
    for (let i = 0; i < 10; i++) sent.push(await publish(i % 2 ? b.url : a.url, q, `event ${i}`));
    const ids = sent.map((e) => e.id);
    expect(ids).toEqual(range(ids[0]!, ids[0]! + 10));

    await waitFor(() => wsA.ids.length === 11 && wsB.ids.length === 11 && sseB.events.length === 11, 10_000);
    expect(wsA.ids).toEqual(ids);
    expect(wsB.ids).toEqual(ids);
    expect(sseB.events).toEqual(sent);
    const poll = (await (await longPoll).json()) as { events: Array<{ id: number }> };
    expect(poll.events[0]!.id).toBe(ids[1]);

    // Resends: since= and Last-Event-ID on the node that did not publish them.
    const short = (await (await fetch(`${b.url}/api/stream/poll?${q}&since=${ids[3]}`)).json()) as {
      events: unknown[];
    };
    expect(short.events).toEqual(sent.slice(4));
    const resend = openSse(a.url, `/api/stream/sse?${q}`, { 'last-event-id': String(ids[7]) });
    await waitFor(() => resend.events.length === 3, 10_000);
    expect(resend.events).toEqual(sent.slice(8));
    for (const c of [wsA, wsB]) c.close();
    sseB.close();
    resend.close();
    tap.ws.close();
  });

  it('runs the generator once for the cluster: started on one node, paused from the other', async () => {
    const tap = await openTap(b.url);
    const q = `session=${tap.session}`;
    const onA = await StreamClient.open(a.url, q);
    expect((await post(a.url, `/api/stream/start?${q}`, { rate: 50, payloadBytes: 4 })).status).toBe(200);
    await waitFor(() => onA.events.length >= 10, 10_000);
    const paused = (await (await post(b.url, `/api/stream/pause?${q}`)).json()) as {
      state: string;
      lastId: number;
    };
    expect(paused.state).toBe('paused');
    const statusA = (await (await fetch(`${a.url}/api/stream/status?${q}`)).json()) as { state: string };
    expect(statusA.state).toBe('paused');
    await post(a.url, `/api/stream/stop?${q}`);
    // One generator: ids have no gaps and no repeats.
    const ids = onA.ids;
    expect(ids).toEqual(range(ids[0]!, ids[0]! + ids.length - 1));
    onA.close();
    tap.ws.close();
  });

  it('reaches a named socket on the other node: push, ping, close; 404 for a name no node holds', async () => {
    const tap = await openTap(a.url);
    const q = `session=${tap.session}`;
    const ws = new WebSocket(`${b.url.replace('http', 'ws')}/ws/echo?${q}&name=me`);
    const got: string[] = [];
    const pings: string[] = [];
    ws.on('message', (data) => got.push(String(data)));
    ws.on('ping', (data) => pings.push(String(data)));
    const closed = once(ws, 'close');
    await once(ws, 'open');

    expect((await post(a.url, `/api/ws/push?${q}&name=me`, { text: 'from a' })).status).toBe(200);
    await waitFor(() => got.includes('from a'), 10_000);
    expect((await post(a.url, `/api/ws/ping?${q}&name=me`, { payload: 'p' })).status).toBe(200);
    await waitFor(() => pings.includes('p'), 10_000);
    const bad = await post(a.url, `/api/ws/close?${q}&name=me`, { code: 1005 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/1005 may not be sent/);
    expect((await post(a.url, `/api/ws/push?${q}&name=nobody`, { text: 'x' })).status).toBe(404);
    expect((await post(a.url, `/api/ws/close?${q}&name=me&code=4000&reason=bye`)).status).toBe(200);
    const [code, reason] = (await closed) as [number, Buffer];
    expect(code).toBe(4000);
    expect(String(reason)).toBe('bye');
    tap.ws.close();
  });

  it('reports this node and the cluster in /api/stats', async () => {
    const tap = await openTap(b.url);
    const stats = (await (await fetch(`${a.url}/api/stats`)).json()) as {
      node: string;
      sessions: number;
      cluster: {
        backplane: string;
        nodes: Array<{ node: string; sessions: number }>;
        totals: { nodes: number };
      };
    };
    expect(stats.node).toBe('a');
    expect(stats.cluster.backplane).toBe('connected');
    expect(stats.cluster.nodes.map((n) => n.node)).toEqual(['a', 'b']);
    expect(stats.cluster.totals.nodes).toBe(2);
    tap.ws.close();
  });

  it('lets a page of one node open a WebSocket on another: the Origin of a peer passes, a stranger’s does not', async () => {
    const stats = (await (await fetch(`${a.url}/api/stats`)).json()) as {
      cluster: { nodes: Array<{ node: string; origins?: string[] }> };
    };
    const origins = (name: string) => stats.cluster.nodes.find((n) => n.node === name)?.origins ?? [];
    expect(origins('a')).toContain(a.url);
    // b learns a's origins from a's heartbeat.
    await waitFor(() => b.ctx.cluster!.peerOrigins().has(a.url), 10_000);
    const tap = await openTap(a.url);
    const q = `session=${tap.session}`;
    const fromA = await StreamClient.open(b.url, `${q}&since=0`, { origin: a.url });
    expect((await publish(a.url, q, 'to the other node')).id).toBe(1);
    await waitFor(() => fromA.ids.length === 1, 10_000);
    fromA.close();

    const raw = await RawClient.open(b.port);
    raw.send(upgradeRequest('/ws/stream', b.port, { Origin: 'http://evil.example' }));
    expect(statusOf(await raw.until((buf) => headEnd(buf) >= 0))).toBe(403);
    raw.socket.destroy();
    tap.ws.close();
  });

  it('names a new node’s origins as soon as it listens, not a heartbeat later', async () => {
    // A node joins before it listens (its port is not known yet); a page on another node asking at once
    // must find where to open its WebSocket (lesson 11's live run does exactly this).
    const c = await startNode(redis.url, 'c');
    try {
      const stats = (await (await fetch(`${a.url}/api/stats`)).json()) as {
        cluster: { nodes: Array<{ node: string; origins?: string[] }> };
      };
      expect(stats.cluster.nodes.find((n) => n.node === 'c')?.origins).toContain(c.url);
      expect(c.ctx.cluster!.peerOrigins().has(a.url)).toBe(true);
    } finally {
      await c.close();
    }
  });

  it('forwarded tap messages that cannot be read lose only themselves, and are counted', async () => {
    const tap = await openTap(a.url);
    const redisClient = createClient({ url: redis.url });
    await redisClient.connect();
    const channel = channels.tap(tap.session);
    const withDropped = (dropped: number, batch: Uint8Array) => {
      const message = Buffer.alloc(4 + batch.length);
      message.writeUInt32BE(dropped, 0);
      message.set(batch, 4);
      return message;
    };
    const batchOf = (index: string, data: Uint8Array) => {
      const head = Buffer.alloc(4);
      head.writeUInt32BE(Buffer.byteLength(index), 0);
      return Buffer.concat([head, Buffer.from(index), data]);
    };
    const good = '{"type":"bytes","t":1,"conn":"b/c99","dir":"c2s","bytes":[0,3],"node":"b"}';
    const pastData = '{"type":"bytes","t":1,"conn":"b/c99","dir":"c2s","bytes":[2,9],"node":"b"}';
    try {
      await redisClient.publish(channel, Buffer.from('xy')); // too short to say anything
      await redisClient.publish(channel, withDropped(5, Buffer.from('not a batch')));
      await redisClient.publish(
        channel,
        withDropped(0, batchOf(`[${good},${pastData}]`, Buffer.from('abc'))),
      );
    } finally {
      await redisClient.close();
    }
    const dropped = () => tap.messages.reduce((n, m) => n + (m.type === 'dropped' ? m.count : 0), 0);
    await waitFor(() => dropped() >= 6, 10_000);
    await waitFor(() => tapEvents(tap.messages).some((e) => e.conn === 'b/c99'), 10_000);
    expect(dropped()).toBe(6); // the 5 the sender reported, and the event that pointed past the data
    expect(bytesOf(tapEvents(tap.messages), 'b/c99', 'c2s').toString()).toBe('abc');
    tap.ws.close();
  });

  it('ends a closed session on every node', async () => {
    const tap = await openTap(a.url);
    const q = `session=${tap.session}`;
    expect((await fetch(`${b.url}/api/stream/status?${q}`)).status).toBe(200);
    const onB = await StreamClient.open(b.url, q);
    tap.ws.close();
    await waitFor(() => onB.closeCode !== undefined, 10_000);
    await waitFor(() => !b.ctx.cluster!.hasSession(tap.session), 10_000);
    expect((await fetch(`${b.url}/api/stream/status?${q}`)).status).toBe(404);
  });
});
