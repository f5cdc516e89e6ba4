/**
 * Class-sized limits, and the answer a student gets when one is reached: the tap says how many sessions
 * are in use (as data the page words, then close 1013), and a connection past a connection limit is
 * answered 503 with the limit named, not dropped.
 */
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  openTap,
  RawClient,
  start,
  statusOf,
  tapMessages,
  upgradeRequest,
  waitFor,
  wsUrl,
} from './helpers.ts';

describe('a full tap', () => {
  it('turns the next page away with the count, then closes with 1013 Try Again Later', async () => {
    const server = await start({ maxSessions: 2 });
    const first = await openTap(server.url);
    const second = await openTap(server.url);
    const third = new WebSocket(wsUrl(server.url, '/ws/tap'));
    const messages = tapMessages(third);
    const [code, reason] = (await once(third, 'close')) as [number, Buffer];
    expect(messages).toEqual([{ type: 'refused', reason: 'sessions-full', inUse: 2, max: 2 }]);
    expect(code).toBe(1013);
    expect(String(reason)).toBe('server full: 2 of 2 tap sessions in use (--max-sessions)');

    // A session that ends makes room for the next student.
    first.ws.close();
    await once(first.ws, 'close');
    await waitFor(() => server.ctx.sessions.size === 1);
    const fourth = await openTap(server.url);
    expect(fourth.session).not.toBe(second.session);
    second.ws.close();
    fourth.ws.close();
    await server.close();
  });
});

describe('connection limits answer 503 and name the limit', () => {
  async function request(port: number, path = '/api/time'): Promise<{ client: RawClient; text: string }> {
    const client = await RawClient.open(port);
    client.send(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    const bytes = await client.until((b) => {
      const end = b.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(b.toString('latin1'));
      return end > 0 && !!length && b.length >= end + 4 + Number(length[1]);
    });
    return { client, text: bytes.toString('latin1') };
  }

  it('past --max-connections-per-client from one address', async () => {
    const server = await start({ maxConnectionsPerClient: 2 });
    const held = [await request(server.port), await request(server.port)];
    for (const h of held) expect(statusOf(Buffer.from(h.text))).toBe(200);
    const third = await request(server.port);
    expect(statusOf(Buffer.from(third.text))).toBe(503);
    expect(third.text).toMatch(/\r\nRetry-After: 5\r\n/i);
    expect(third.text).toContain(
      'too many connections from 127.0.0.1: 2 at once (--max-connections-per-client)',
    );
    await third.client.closed();
    // An upgrade on such a connection is refused the same way.
    const upgrade = await RawClient.open(server.port);
    upgrade.send(upgradeRequest('/ws/echo', server.port));
    const refused = await upgrade.until((b) => b.includes('\r\n\r\n'));
    expect(statusOf(refused)).toBe(503);
    await upgrade.closed();
    // Once one closes, the address may connect again.
    held[0]!.client.socket.destroy();
    await waitFor(() => server.ctx.admission.connections === 1);
    const again = await request(server.port);
    expect(statusOf(Buffer.from(again.text))).toBe(200);
    held[1]!.client.socket.destroy();
    again.client.socket.destroy();
    await server.close();
  });

  it('past --max-connections in all', async () => {
    const server = await start({ maxConnections: 1, maxConnectionsPerClient: 0 });
    const first = await request(server.port);
    expect(statusOf(Buffer.from(first.text))).toBe(200);
    const second = await request(server.port);
    expect(statusOf(Buffer.from(second.text))).toBe(503);
    expect(second.text).toContain('the server is full: 1 connections in use (--max-connections)');
    first.client.socket.destroy();
    await server.close();
  });
});
