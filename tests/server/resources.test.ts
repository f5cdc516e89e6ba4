/**
 * Clients that are slow or vanish: a head trickled in a byte at a time is cut by headersTimeout (RFC 9112
 * section 9.5 lets a server close an idle or slow connection), and a client whose TCP connection is reset
 * in the middle of something leaves nothing behind: no held poll, no registered WebSocket, no tap session,
 * no stream subscriber.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app.ts';
import { decodeFrame } from '../../src/lib/protocol/index.ts';
import { headEnd, RawClient, start, statusOf, upgradeRequest, waitFor } from './helpers.ts';

const HEADERS_TIMEOUT_MS = 1000;

let server: RunningServer;
beforeAll(async () => {
  server = await start({ headersTimeoutMs: HEADERS_TIMEOUT_MS, requestTimeoutMs: 2 * HEADERS_TIMEOUT_MS });
});
afterAll(() => server.close());

async function stats(): Promise<{ websockets: number; pendingPolls: number; sessions: number }> {
  return (await (await fetch(`${server.url}/api/stats`)).json()) as {
    websockets: number;
    pendingPolls: number;
    sessions: number;
  };
}

async function subscribers(session = ''): Promise<number> {
  const query = session ? `?session=${session}` : '';
  const response = await fetch(`${server.url}/api/stream/status${query}`);
  return response.ok ? ((await response.json()) as { subscribers: number }).subscribers : -1;
}

describe('a slow client', () => {
  it('sending one byte of its head every 500 ms is answered 408 once headersTimeout runs out', async () => {
    const client = await RawClient.open(server.port);
    const head = `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`;
    const started = Date.now();
    let sent = 0;
    const trickle = setInterval(() => {
      if (sent < head.length && !client.socket.destroyed) client.send(head[sent++]!);
    }, 500);
    try {
      await client.closed(HEADERS_TIMEOUT_MS + 2000);
    } finally {
      clearInterval(trickle);
    }
    const elapsed = Date.now() - started;
    // RFC 9110 section 15.5.9: 408 Request Timeout, then the server closes the connection.
    expect(statusOf(client.receivedBytes)).toBe(408);
    expect(sent).toBeLessThan(head.length);
    expect(elapsed).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
    expect(elapsed).toBeLessThan(HEADERS_TIMEOUT_MS + 1000);
  });
});

describe('a client that vanishes (TCP reset) mid-exchange is dropped and its resources released', () => {
  it('a held long poll', async () => {
    const client = await RawClient.open(server.port);
    client.send(`GET /api/poll?wait=30000 HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`);
    await waitFor(() => server.ctx.polls.size === 1);
    expect((await stats()).pendingPolls).toBe(1);
    expect(await subscribers()).toBe(1);
    client.socket.resetAndDestroy();
    await waitFor(() => server.ctx.polls.size === 0);
    expect((await stats()).pendingPolls).toBe(0);
    expect(await subscribers()).toBe(0);
  });

  it('a WebSocket in the middle of a frame', async () => {
    const before = server.ctx.sockets.size;
    const client = await RawClient.open(server.port);
    client.send(upgradeRequest('/ws/echo?name=gone', server.port));
    await client.until((b) => headEnd(b) > 0);
    await waitFor(() => server.ctx.sockets.size === before + 1);
    // A masked text frame announcing 100 bytes (RFC 6455 section 5.2) of which 10 arrive.
    client.send(Buffer.concat([Buffer.from([0x81, 0x80 | 100, 1, 2, 3, 4]), Buffer.alloc(10, 0x61)]));
    await new Promise((r) => setTimeout(r, 20));
    client.socket.resetAndDestroy();
    await waitFor(() => server.ctx.sockets.size === before);
    expect(server.ctx.sockets.find('', 'gone')).toBeUndefined();
    expect((await stats()).websockets).toBe(before);
  });

  it('a tap session, with its event stream', async () => {
    const client = await RawClient.open(server.port);
    client.send(upgradeRequest('/ws/tap', server.port));
    // The hello is the first frame after the 101 head.
    const bytes = await client.until((b) => headEnd(b) > 0 && decodeFrame(b, headEnd(b) + 4) !== null);
    const hello = decodeFrame(bytes, headEnd(bytes) + 4)!.frame;
    const { session } = JSON.parse(new TextDecoder().decode(hello.payload)) as { session: string };
    expect((await stats()).sessions).toBe(1);
    // The session's own stream, with a subscriber that is itself vanishing below.
    const sse = await RawClient.open(server.port);
    sse.send(`GET /api/stream/sse?session=${session} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`);
    await sse.until((b) => headEnd(b) > 0);
    expect(await subscribers(session)).toBe(1);
    sse.socket.resetAndDestroy();
    await waitFor(() => server.ctx.streams.get(session).status().subscribers === 0);
    client.socket.resetAndDestroy();
    await waitFor(() => server.ctx.sessions.size === 0);
    expect((await stats()).sessions).toBe(0);
    // The session is gone, and so is its stream: a request naming it is refused.
    expect(await subscribers(session)).toBe(-1);
  });

  it('leaves no connection open on the server', async () => {
    await waitFor(
      () => server.ctx.sockets.size === 0 && server.ctx.polls.size === 0 && server.ctx.sessions.size === 0,
    );
  });
});
