/**
 * Lesson 8's live run on real sockets: a named /ws/stream socket that the control API pings, closes
 * with 1001 or cuts (1006 at the client), and a reconnect with `since=` that resends exactly what was
 * missed from the stream's history.
 */
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { RunningServer } from '../../server/app.ts';
import { start, waitFor, wsUrl } from './helpers.ts';

let server: RunningServer;
beforeAll(async () => {
  server = await start();
});
afterAll(() => server.close());

async function post(path: string, body: unknown = {}): Promise<Response> {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response;
}

async function openStream(query: string): Promise<{ ws: WebSocket; ids: number[] }> {
  const ws = new WebSocket(wsUrl(server.url, `/ws/stream?${query}`));
  const ids: number[] = [];
  ws.on('message', (data) => ids.push((JSON.parse(String(data)) as { id: number }).id));
  await once(ws, 'open');
  return { ws, ids };
}

describe('/ws/stream with a name', () => {
  it('is cut by the control API (1006 at the client) and resumes after `since` without a gap', async () => {
    const first = await openStream('name=resume-a&since=0');
    const base = ((await (await fetch(`${server.url}/api/stream/status`)).json()) as { lastId: number })
      .lastId;
    await post('/api/stream/publish', { payload: 'one' });
    await post('/api/stream/publish', { payload: 'two' });
    await waitFor(() => first.ids.length === 2);
    expect(first.ids).toEqual([base + 1, base + 2]);

    const closed = once(first.ws, 'close');
    expect((await post('/api/ws/cut?name=resume-a')).status).toBe(200);
    expect((await closed)[0]).toBe(1006);

    await post('/api/stream/publish', { payload: 'while away' });
    const second = await openStream(`name=resume-b&since=${base + 2}`);
    await post('/api/stream/publish', { payload: 'after' });
    await waitFor(() => second.ids.length === 2);
    expect(second.ids).toEqual([base + 3, base + 4]);
    second.ws.close(1000);
    await once(second.ws, 'close');
  });

  it('is pinged by the control API (the client pongs) and closed with 1001', async () => {
    const { ws } = await openStream('name=resume-c');
    const ping = once(ws, 'ping');
    expect((await post('/api/ws/ping?name=resume-c', { payload: 'hb' })).status).toBe(200);
    expect(String((await ping)[0])).toBe('hb');
    const closed = once(ws, 'close');
    expect((await post('/api/ws/close?name=resume-c', { code: 1001, reason: 'restarting' })).status).toBe(
      200,
    );
    const [code, reason] = await closed;
    expect([code, String(reason)]).toEqual([1001, 'restarting']);
  });

  it('a name is only reachable while its socket is open', async () => {
    const { ws } = await openStream('name=resume-d');
    ws.close(1000);
    await once(ws, 'close');
    expect((await post('/api/ws/cut?name=resume-d')).status).toBe(404);
  });
});
