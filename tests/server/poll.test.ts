import { once } from 'node:events';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app.ts';
import { RawClient, start, waitFor } from './helpers.ts';

let server: RunningServer;
beforeAll(async () => {
  server = await start({ maxPendingPolls: 2 });
});
afterAll(() => server.close());

const post = (path: string, body: unknown = {}) =>
  fetch(`${server.url}${path}`, { method: 'POST', body: JSON.stringify(body) });

describe('long polling', () => {
  it('answers 204 when the wait expires with nothing new', async () => {
    const started = Date.now();
    const res = await fetch(`${server.url}/api/poll?wait=100`);
    expect(res.status).toBe(204);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
  });

  it('answers 200 with the event as soon as one is published', async () => {
    const pending = fetch(`${server.url}/api/poll?wait=5000`);
    await waitFor(() => server.ctx.polls.size === 1);
    await post('/api/stream/publish', { payload: 'news' });
    const res = await pending;
    expect(res.status).toBe(200);
    const body = (await res.json()) as { events: Array<{ id: number; payload: string; sentAt: number }> };
    expect(body.events.map((e) => e.payload)).toEqual(['news']);
  });

  it('answers at once when events after `since` are already there', async () => {
    const { id } = (await (await post('/api/stream/publish', { payload: 'a' })).json()) as { id: number };
    const res = await fetch(`${server.url}/api/poll?since=${id - 1}&wait=5000`);
    expect(((await res.json()) as { events: unknown[] }).events).toHaveLength(1);
  });

  it('refuses past the pending cap with 503 and Retry-After', async () => {
    const held = [fetch(`${server.url}/api/poll?wait=300`), fetch(`${server.url}/api/poll?wait=300`)];
    await waitFor(() => server.ctx.polls.size === 2);
    const res = await fetch(`${server.url}/api/poll?wait=300`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    await Promise.all(held);
  });

  it('drops a client that goes away from the pending set at once', async () => {
    const client = await RawClient.open(server.port);
    client.send(`GET /api/poll?wait=30000 HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`);
    await waitFor(() => server.ctx.polls.size === 1);
    client.socket.destroy();
    await waitFor(() => server.ctx.polls.size === 0, 500);
  });
});

describe('short polling and SSE', () => {
  it('returns the events after `since`', async () => {
    const first = (await (await post('/api/stream/publish', { payload: 'one' })).json()) as { id: number };
    await post('/api/stream/publish', { payload: 'two' });
    const body = (await (await fetch(`${server.url}/api/stream/poll?since=${first.id}`)).json()) as {
      events: Array<{ payload: string }>;
      next: number;
    };
    expect(body.events.map((e) => e.payload)).toEqual(['two']);
    expect(body.next).toBe(first.id + 1);
  });

  it('resends what a reconnecting EventSource missed (Last-Event-ID)', async () => {
    const first = (await (await post('/api/stream/publish', { payload: 'p1' })).json()) as { id: number };
    await post('/api/stream/publish', { payload: 'p2' });
    await post('/api/stream/publish', { payload: 'p3' });
    const req = request(`${server.url}/api/stream/sse`, { headers: { 'last-event-id': String(first.id) } });
    req.end();
    const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    let text = '';
    res.on('data', (chunk: Buffer) => (text += chunk.toString()));
    await waitFor(() => text.includes('"p3"'));
    expect(text).not.toContain('"p1"');
    expect(text).toContain(`id: ${first.id + 1}\ndata: `);
    await post('/api/stream/publish', { payload: 'live' });
    await waitFor(() => text.includes('"live"'));
    req.destroy();
  });

  it('runs a generator at the requested rate and payload size, and pauses it', async () => {
    const from = server.ctx.streams.get('').latestId;
    const started = performance.now();
    const status = (await (await post('/api/stream/start', { rate: 100, payloadBytes: 8 })).json()) as {
      state: string;
    };
    expect(status.state).toBe('running');
    await new Promise((r) => setTimeout(r, 250));
    await post('/api/stream/pause');
    const produced = server.ctx.streams.get('').latestId - from;
    // At most the rate over the time it ran (however slow the machine), plus the tick in progress.
    const ranFor = performance.now() - started;
    expect(produced).toBeGreaterThan(5);
    expect(produced).toBeLessThanOrEqual(Math.ceil((100 * ranFor) / 1000) + 2);
    const events = server.ctx.streams.get('').since(from);
    expect(events[0]!.payload).toHaveLength(8);
    await new Promise((r) => setTimeout(r, 60));
    expect(server.ctx.streams.get('').latestId - from).toBe(produced);
    await post('/api/stream/stop');
  });

  it('cuts every contender on the cutAll fault', async () => {
    const req = request(`${server.url}/api/stream/sse`);
    req.on('error', () => undefined);
    req.end();
    const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
    res.resume();
    res.on('error', () => undefined); // the cut aborts the response: that is the point
    const closed = new Promise((resolve) => res.once('close', resolve));
    await post('/api/faults', { cutAll: true });
    await closed;
    req.destroy();
  });

  it('cuts a held long poll without answering it, as a network failure would', async () => {
    const client = await RawClient.open(server.port);
    client.send(`GET /api/poll?wait=30000 HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`);
    await waitFor(() => server.ctx.polls.size === 1);
    await post('/api/faults', { cutAll: true });
    await client.closed();
    expect(client.receivedBytes).toHaveLength(0);
    expect(server.ctx.polls.size).toBe(0);
  });
});
