/**
 * Inspect mode (`--target`) on real sockets: wirescope in front of a small app and of a raw TCP target
 * that misbehaves. What a client sends must reach the target byte for byte and back, and the tap's two
 * legs must both carry exactly those bytes.
 */
import { once } from 'node:events';
import { networkInterfaces } from 'node:os';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { RunningServer } from '../../server/app.ts';
import { encodeFrame } from '../../src/lib/protocol/index.ts';
import type { TapMessage, TraceEvent, UnitEvent } from '../../src/lib/trace/index.ts';
import { headEnd, RawClient, start, statusOf, tapMessages, upgradeRequest, waitFor } from './helpers.ts';
import {
  freePort,
  joined,
  legs,
  startApp,
  startRawTarget,
  streamOf,
  tapEvents,
  type App,
} from './proxy-helpers.ts';

const MASK = new Uint8Array([0x11, 0x22, 0x33, 0x44]);

async function openAllTap(url: string): Promise<{ ws: WebSocket; messages: TapMessage[] }> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/__wirescope/ws/tap?all=1`);
  const messages = tapMessages(ws);
  await once(ws, 'open');
  await waitFor(() => messages.length > 0);
  return { ws, messages };
}

/**
 * The client leg whose first request names `path`, and its only target leg (the tap's backlog also
 * holds the connections of earlier tests); undefined until both legs have closed.
 */
function closedPair(events: TraceEvent[], path: string): { client: string; target: string } | undefined {
  const first = (conn: string) =>
    events.find((e): e is UnitEvent => e.type === 'unit' && e.conn === conn && e.dir === 'c2s')?.summary ??
    '';
  const found = legs(events).filter((l) => first(l.client).startsWith(`GET ${path} `));
  if (found.length !== 1 || found[0]!.targets.length !== 1) return undefined;
  const pair = { client: found[0]!.client, target: found[0]!.targets[0]! };
  const closed = (conn: string) => events.some((e) => e.type === 'conn.close' && e.conn === conn);
  return closed(pair.client) && closed(pair.target) ? pair : undefined;
}

async function settled(
  messages: TapMessage[],
  path: string,
): Promise<{ events: TraceEvent[]; client: string; target: string }> {
  await waitFor(() => closedPair(tapEvents(messages), path) !== undefined, 10_000);
  const events = tapEvents(messages);
  return { events, ...closedPair(events, path)! };
}

/** The units of one conn in one direction, as `dir summary`. */
function unitsOf(events: TraceEvent[], conn: string): string[] {
  return events.flatMap((e) => (e.type === 'unit' && e.conn === conn ? [`${e.dir} ${e.summary}`] : []));
}

/** Each leg's units carry exactly the bytes of its byte events, both ways: no unit of another leg's bytes. */
function expectUnitsCoverBytes(events: TraceEvent[], conn: string): void {
  for (const dir of ['c2s', 's2c'] as const) {
    expect(streamOf(events, conn, dir, 'unit').equals(streamOf(events, conn, dir))).toBe(true);
  }
}

/** The client leg whose first request names `path` and all its target legs, once every one has closed. */
async function closedLegs(
  messages: TapMessage[],
  path: string,
  targets: number,
): Promise<{ events: TraceEvent[]; client: string; targets: string[] }> {
  let found: { events: TraceEvent[]; client: string; targets: string[] } | undefined;
  await waitFor(() => {
    const events = tapEvents(messages);
    const first = (conn: string) =>
      events.find((e): e is UnitEvent => e.type === 'unit' && e.conn === conn && e.dir === 'c2s')?.summary ??
      '';
    const pair = legs(events).find((l) => first(l.client).startsWith(`GET ${path} `));
    const closed = (conn: string) => events.some((e) => e.type === 'conn.close' && e.conn === conn);
    if (!pair || pair.targets.length !== targets || ![pair.client, ...pair.targets].every(closed))
      return false;
    found = { events, ...pair };
    return true;
  }, 10_000);
  return found!;
}

describe('in front of an app', () => {
  let app: App;
  let proxy: RunningServer;
  beforeAll(async () => {
    app = await startApp();
    proxy = await start({ target: app.url, headersTimeoutMs: 400 });
  });
  afterAll(async () => {
    await proxy.close();
    await app.close();
  });

  it('passes keep-alive requests to the app byte for byte, and both legs of the tap carry them', async () => {
    const tap = await openAllTap(proxy.url);
    const client = await RawClient.open(proxy.port);
    const host = `Host: 127.0.0.1:${proxy.port}\r\n`;
    // Hop-by-hop fields and odd spacing go through untouched (one connection maps to one upstream).
    client.send(`GET /first?x=1 HTTP/1.1\r\n${host}Connection: keep-alive, X-Hop\r\nX-Hop:   1 \r\n\r\n`);
    await client.until((b) => b.toString().includes('GET /first?x=1 '));
    client.send(
      `POST /second HTTP/1.1\r\n${host}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n2;e=1\r\nde\r\n0\r\n\r\n`,
    );
    await client.closed();
    expect(client.receivedBytes.toString()).toContain('POST /second abcde');

    const received = app.received.at(-1)!;
    expect(joined(received).equals(client.sentBytes)).toBe(true);
    const { events, client: c, target: t } = await settled(tap.messages, '/first?x=1');
    for (const leg of [c, t]) {
      expect(streamOf(events, leg, 'c2s').equals(client.sentBytes)).toBe(true);
      expect(streamOf(events, leg, 's2c').equals(client.receivedBytes)).toBe(true);
      expect(streamOf(events, leg, 'c2s', 'unit').equals(client.sentBytes)).toBe(true);
    }
    const units = events.flatMap((e) => (e.type === 'unit' && e.conn === t ? [e.summary] : []));
    expect(units).toEqual([
      'GET /first?x=1 HTTP/1.1',
      "HTTP/1.1 200 OK 'GET /first?x=1 '",
      'POST /second HTTP/1.1',
      "HTTP/1.1 200 OK 'POST /second abcde'",
    ]);
    tap.ws.close();
  });

  it('streams server-sent events as they come, and answers a long poll when the app does', async () => {
    const tap = await openAllTap(proxy.url);
    const client = await RawClient.open(proxy.port);
    client.send(`GET /sse HTTP/1.1\r\nHost: 127.0.0.1:${proxy.port}\r\n\r\n`);
    // The first event arrives while the app is still streaming (nothing waits for the end).
    await client.until((b) => b.toString().includes('data: event 0'));
    expect(client.receivedBytes.toString()).not.toContain('data: event 2');
    await client.until((b) => b.toString().endsWith('0\r\n\r\n'));
    client.send(`GET /poll HTTP/1.1\r\nHost: 127.0.0.1:${proxy.port}\r\nConnection: close\r\n\r\n`);
    await client.closed();
    expect(client.receivedBytes.toString()).toContain('{"events":[1]}');
    const { events, client: c, target: t } = await settled(tap.messages, '/sse');
    expect(streamOf(events, t, 's2c').equals(client.receivedBytes)).toBe(true);
    expect(streamOf(events, c, 's2c').equals(client.receivedBytes)).toBe(true);
    const sse = events.filter((e) => e.type === 'unit' && e.conn === t && e.kind === 'sse-event');
    expect(sse).toHaveLength(3);
    tap.ws.close();
  });

  it('pipes a WebSocket raw after the 101: permessage-deflate negotiated end to end, frames untouched', async () => {
    const tap = await openAllTap(proxy.url);
    const ws = new WebSocket(`${proxy.url.replace('http', 'ws')}/chat`, { perMessageDeflate: true });
    await once(ws, 'open');
    expect(ws.extensions).toContain('permessage-deflate');
    ws.send('hello hello hello hello');
    const [echo] = (await once(ws, 'message')) as [Buffer];
    expect(echo.toString()).toBe('hello hello hello hello');
    ws.ping('are you there');
    await once(ws, 'pong');
    ws.close(4000, 'done');
    const [code] = (await once(ws, 'close')) as [number];
    expect(code).toBe(4000);
    const { events, client: c, target: t } = await settled(tap.messages, '/chat');
    const received = app.received.at(-1)!;
    await waitFor(() => received.closed);
    expect(streamOf(events, t, 'c2s').equals(joined(received))).toBe(true);
    expect(streamOf(events, c, 'c2s').equals(joined(received))).toBe(true);
    expect(streamOf(events, c, 's2c').equals(streamOf(events, t, 's2c'))).toBe(true);
    const summaries = events.flatMap((e) =>
      e.type === 'unit' && e.conn === t ? [`${e.dir} ${e.summary}`] : [],
    );
    // RSV1 is allowed once the 101 negotiated permessage-deflate, and the tap inflates each message
    // with its sender's context: no frame is reported as an error, and both read as text.
    expect(events.some((e) => e.type === 'unit' && e.error)).toBe(false);
    expect(summaries).toContain("c2s Text 'hello hello hello hello' (RSV1, masked)");
    expect(summaries).toContain("s2c Text 'hello hello hello hello' (RSV1)");
    expect(summaries).toContain("c2s Ping 'are you there' (masked)");
    expect(summaries).toContain("s2c Close 4000 'done'");
    tap.ws.close();
  });

  it('streams a 1 MiB WebSocket message through without holding it whole', async () => {
    const client = await RawClient.open(proxy.port);
    client.send(upgradeRequest('/big', proxy.port, {}));
    await client.until((b) => headEnd(b) > 0);
    expect(statusOf(client.receivedBytes)).toBe(101);
    const received = app.received.at(-1)!;
    const before = joined(received).length;
    const payload = new Uint8Array(1 << 20).map((_, i) => i % 251);
    const frame = encodeFrame({ opcode: 2, payload, mask: MASK });
    const half = frame.length >> 1;
    client.send(frame.subarray(0, half));
    // The app has most of the first half before the second is even sent: nothing waits for the frame.
    await waitFor(() => joined(received).length - before >= half - 64 * 1024, 5000);
    client.send(frame.subarray(half));
    const head = headEnd(client.receivedBytes) + 4;
    await client.until((b) => b.length >= head + 10 + payload.length, 10_000);
    const echoed = client.receivedBytes.subarray(head + 10, head + 10 + payload.length);
    expect(Buffer.from(payload).equals(echoed)).toBe(true);
    expect(joined(received).subarray(before).equals(Buffer.from(frame))).toBe(true);
    expect(proxy.proxy!.stats.peakHeldBytes).toBeLessThan(512 * 1024);
    client.socket.destroy();
  });

  it('keeps its own page and endpoints under /__wirescope/, and every other path is the app’s', async () => {
    const client = await RawClient.open(proxy.port);
    const host = `Host: 127.0.0.1:${proxy.port}\r\n`;
    const requests = app.received.length;
    client.send(`GET /healthz HTTP/1.1\r\n${host}\r\n`);
    await client.until((b) => b.toString().includes('GET /healthz '));
    // The same connection asks for wirescope's own endpoint, then for the app again.
    client.send(`GET /__wirescope/healthz HTTP/1.1\r\n${host}\r\n`);
    await client.until((b) => b.toString().includes('ok\n\r\n0\r\n\r\n'));
    client.send(`GET /after HTTP/1.1\r\n${host}Connection: close\r\n\r\n`);
    await client.closed();
    const text = client.receivedBytes.toString();
    expect(text.indexOf('GET /healthz ')).toBeLessThan(text.indexOf('ok'));
    expect(text.indexOf('ok')).toBeLessThan(text.indexOf('GET /after '));
    const seen = app.received
      .slice(requests)
      .map((r) => joined(r).toString())
      .join('');
    expect(seen).not.toContain('__wirescope');
    const page = await fetch(`${proxy.url}/__wirescope`, { redirect: 'manual' });
    expect(page.status).toBe(301);
    expect(page.headers.get('location')).toBe('/__wirescope/');
    const tapNormal = await fetch(`${proxy.url}/__wirescope/api/time`);
    expect(tapNormal.status).toBe(200);
  });

  it('gives each leg the units of its own bytes when wirescope’s own page comes between app requests', async () => {
    const tap = await openAllTap(proxy.url);
    const client = await RawClient.open(proxy.port);
    const host = `Host: 127.0.0.1:${proxy.port}\r\n`;
    client.send(`GET /mixed-1 HTTP/1.1\r\n${host}\r\n`);
    await client.until((b) => b.toString().includes('GET /mixed-1 '));
    client.send(`GET /__wirescope/healthz HTTP/1.1\r\n${host}\r\n`);
    await client.until((b) => b.toString().includes('ok\n\r\n0\r\n\r\n'));
    client.send(`GET /mixed-2 HTTP/1.1\r\n${host}Connection: close\r\n\r\n`);
    await client.closed();
    const { events, client: c, targets } = await closedLegs(tap.messages, '/mixed-1', 2);
    // The client leg saw everything; each target leg only what went to the app on it.
    expect(streamOf(events, c, 'c2s').equals(client.sentBytes)).toBe(true);
    expect(streamOf(events, c, 's2c').equals(client.receivedBytes)).toBe(true);
    for (const conn of [c, ...targets]) expectUnitsCoverBytes(events, conn);
    const seen = unitsOf(events, c);
    expect(seen).toHaveLength(6);
    expect(seen.slice(0, 3)).toEqual([
      'c2s GET /mixed-1 HTTP/1.1',
      "s2c HTTP/1.1 200 OK 'GET /mixed-1 '",
      'c2s GET /__wirescope/healthz HTTP/1.1',
    ]);
    expect(seen[3]).toMatch(/^s2c HTTP\/1\.1 200 OK/);
    expect(seen.slice(4)).toEqual(['c2s GET /mixed-2 HTTP/1.1', "s2c HTTP/1.1 200 OK 'GET /mixed-2 '"]);
    expect(unitsOf(events, targets[0]!)).toEqual(seen.slice(0, 2));
    expect(unitsOf(events, targets[1]!)).toEqual(seen.slice(4));
    tap.ws.close();
  });

  it('hands a late tap the recent connections, and its page a 408 for a head that never ends', async () => {
    const client = await RawClient.open(proxy.port);
    client.send(`GET /early HTTP/1.1\r\nHost: 127.0.0.1:${proxy.port}\r\nConnection: close\r\n\r\n`);
    await client.closed();
    const tap = await openAllTap(proxy.url);
    // The backlog holds the 1 MiB message of the test before: it may take a while to arrive.
    await waitFor(
      () => tapEvents(tap.messages).some((e) => e.type === 'unit' && e.summary === 'GET /early HTTP/1.1'),
      10_000,
    );
    const slow = await RawClient.open(proxy.port);
    slow.send(`GET /slow HTTP/1.1\r\nHost: 127.0`);
    await slow.closed(3000);
    expect(statusOf(slow.receivedBytes)).toBe(408);
    tap.ws.close();
  });

  it('closes the other leg when either end vanishes', async () => {
    const client = await RawClient.open(proxy.port);
    client.send(upgradeRequest('/gone', proxy.port));
    await client.until((b) => headEnd(b) > 0);
    const received = app.received.at(-1)!;
    client.socket.resetAndDestroy();
    await waitFor(() => received.closed, 3000);

    const second = await RawClient.open(proxy.port);
    second.send(upgradeRequest('/gone-too', proxy.port));
    await second.until((b) => headEnd(b) > 0);
    app.received.at(-1)!.socket.destroy();
    await second.closed(3000);
  });
});

describe('when the app is down or misbehaves', () => {
  it('answers 502 (an upgrade too) while nothing listens, and proxies again once the app is back', async () => {
    const port = await freePort();
    const proxy = await start({ target: `http://127.0.0.1:${port}` });
    const down = await fetch(`${proxy.url}/anything`);
    expect(down.status).toBe(502);
    expect(await down.text()).toContain('ECONNREFUSED');
    const client = await RawClient.open(proxy.port);
    client.send(upgradeRequest('/ws', proxy.port));
    await client.closed();
    expect(statusOf(client.receivedBytes)).toBe(502);
    const app = await startApp(port);
    const up = await fetch(`${proxy.url}/anything`);
    expect(up.status).toBe(200);
    expect(await up.text()).toBe('GET /anything ');
    expect(proxy.proxy!.stats.refused).toBe(2);
    await proxy.close();
    await app.close();
  });

  it('forwards malformed bytes from the app as they are, marks them in the tap and carries on', async () => {
    const garbage = Buffer.from(
      'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n\x00\xff\x81 not http',
      'latin1',
    );
    const target = await startRawTarget((socket) => socket.end(garbage));
    const proxy = await start({ target: `http://127.0.0.1:${target.port}` });
    const tap = await openAllTap(proxy.url);
    for (let i = 0; i < 2; i++) {
      const client = await RawClient.open(proxy.port);
      client.send(`GET /${i} HTTP/1.1\r\nHost: 127.0.0.1:${proxy.port}\r\n\r\n`);
      await client.closed();
      expect(client.receivedBytes.equals(garbage)).toBe(true);
      expect(joined(target.received[i]).toString()).toBe(
        `GET /${i} HTTP/1.1\r\nHost: 127.0.0.1:${proxy.port}\r\n\r\n`,
      );
    }
    await settled(tap.messages, '/1');
    const events = tapEvents(tap.messages);
    const errors = events.flatMap((e) => (e.type === 'unit' && e.error ? [`${e.dir} ${e.error.code}`] : []));
    expect(errors).toEqual([
      's2c CONFLICTING_FRAMING',
      's2c CONFLICTING_FRAMING',
      's2c CONFLICTING_FRAMING',
      's2c CONFLICTING_FRAMING',
    ]);
    tap.ws.close();
    await proxy.close();
    await target.close();
  });

  it('records what a retired upstream still sends on its own leg, parsed there, and forwards none of it', async () => {
    const answer = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi';
    const stray = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nstray';
    const target = await startRawTarget((socket) => {
      socket.write(answer);
      // Our FIN (the next request went to wirescope's own page) is answered with one more response.
      socket.prependOnceListener('end', () => socket.write(stray));
    });
    const proxy = await start({ target: `http://127.0.0.1:${target.port}` });
    const tap = await openAllTap(proxy.url);
    const client = await RawClient.open(proxy.port);
    const host = `Host: 127.0.0.1:${proxy.port}\r\n`;
    client.send(`GET /retired HTTP/1.1\r\n${host}\r\n`);
    await client.until((b) => b.toString().endsWith('hi'));
    // HEAD: its answer has no body, so a parser that took the stray response for it would misread both.
    client.send(`HEAD /__wirescope/healthz HTTP/1.1\r\n${host}Connection: close\r\n\r\n`);
    await client.closed();
    expect(client.receivedBytes.toString()).not.toContain('stray');
    const { events, client: c, targets } = await closedLegs(tap.messages, '/retired', 1);
    const t = targets[0]!;
    expect(streamOf(events, t, 's2c').toString()).toBe(answer + stray);
    expect(streamOf(events, c, 's2c').equals(client.receivedBytes)).toBe(true);
    for (const conn of [c, t]) expectUnitsCoverBytes(events, conn);
    expect(unitsOf(events, t)).toEqual([
      'c2s GET /retired HTTP/1.1',
      "s2c HTTP/1.1 200 OK 'hi'",
      "s2c HTTP/1.1 200 OK 'stray'",
    ]);
    expect(unitsOf(events, c).slice(2)).toEqual([
      'c2s HEAD /__wirescope/healthz HTTP/1.1',
      's2c HTTP/1.1 200 OK',
    ]);
    tap.ws.close();
    await proxy.close();
    await target.close();
  });

  it('passes a masked server frame through unchanged, marked as a violation on both legs', async () => {
    const bad = Buffer.concat([
      Buffer.from('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'),
      Buffer.from(encodeFrame({ opcode: 1, payload: 'masked!', mask: MASK })),
    ]);
    const target = await startRawTarget((socket) => socket.write(bad));
    const proxy = await start({ target: `http://127.0.0.1:${target.port}` });
    const tap = await openAllTap(proxy.url);
    const client = await RawClient.open(proxy.port);
    client.send(upgradeRequest('/ws', proxy.port));
    await client.until((b) => b.length >= bad.length);
    expect(client.receivedBytes.equals(bad)).toBe(true);
    client.socket.end();
    const { events } = await settled(tap.messages, '/ws');
    const errors = events.flatMap((e) => (e.type === 'unit' && e.error ? [e.error.code] : []));
    expect(errors).toEqual(['MASKED_SERVER_FRAME', 'MASKED_SERVER_FRAME']);
    tap.ws.close();
    await proxy.close();
    await target.close();
  });
});

describe('wirescope’s own page in front of an app', () => {
  it('answers other machines 403 unless --inspect-remote is on, and the app still serves them', async () => {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((entry) => entry && entry.family === 'IPv4' && !entry.internal)?.address;
    if (!external) {
      console.warn('no non-loopback IPv4 address here: the remote check is not exercised');
      return;
    }
    const app = await startApp();
    const proxy = await start({ target: app.url, host: '0.0.0.0', publicHosts: [external] });
    const ask = async (path: string): Promise<number> => {
      const socket = connect(proxy.port, external);
      await once(socket, 'connect');
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${external}:${proxy.port}\r\nConnection: close\r\n\r\n`);
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      await once(socket, 'close');
      return statusOf(Buffer.concat(chunks));
    };
    expect(await ask('/__wirescope/healthz')).toBe(403);
    expect(await ask('/app')).toBe(200);
    await proxy.close();
    const open = await start({
      target: app.url,
      host: '0.0.0.0',
      publicHosts: [external],
      inspectRemote: true,
    });
    const socket = connect(open.port, external);
    await once(socket, 'connect');
    socket.write(
      `GET /__wirescope/healthz HTTP/1.1\r\nHost: ${external}:${open.port}\r\nConnection: close\r\n\r\n`,
    );
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    await once(socket, 'close');
    expect(statusOf(Buffer.concat(chunks))).toBe(200);
    await open.close();
    await app.close();
  });

  it('refuses a tap of every connection without --target', async () => {
    const server = await start();
    const client = await RawClient.open(server.port);
    client.send(upgradeRequest('/ws/tap?all=1', server.port));
    await client.closed();
    expect(statusOf(client.receivedBytes)).toBe(400);
    await server.close();
  });
});
