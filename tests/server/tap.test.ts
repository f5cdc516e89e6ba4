import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { RunningServer } from '../../server/app.ts';
import { encodeFrame } from '../../src/lib/protocol/index.ts';
import type { TapMessage, TraceEvent } from '../../src/lib/trace/index.ts';
import { headEnd, openTap, tapEvents, RawClient, start, upgradeRequest, waitFor, wsUrl } from './helpers.ts';

let server: RunningServer;
beforeAll(async () => {
  server = await start();
});
afterAll(() => server.close());

const MASK = new Uint8Array([1, 2, 3, 4]);

const events = tapEvents;

function concat(list: TraceEvent[], conn: string, dir: 'c2s' | 's2c', type: 'bytes' | 'unit'): Buffer {
  return Buffer.concat(
    list.flatMap((e) => (e.type === type && e.conn === conn && e.dir === dir ? [Buffer.from(e.bytes)] : [])),
  );
}

describe('the tap is byte-exact', () => {
  it('reports what a raw client sent and received, head buffer and frames included', async () => {
    const tap = await openTap(server.url);
    const client = await RawClient.open(server.port);
    // The handshake and the first frames in one write: node:http hands the frames to ws as `head`.
    client.send(
      Buffer.concat([
        Buffer.from(upgradeRequest(`/ws/echo?session=${tap.session}`, server.port)),
        encodeFrame({ opcode: 1, payload: 'first', mask: MASK }),
        encodeFrame({ opcode: 2, payload: new Uint8Array([9, 8, 7]), mask: MASK }),
      ]),
    );
    // 101, then the two echoes: 2 + 5 and 2 + 3 bytes.
    await client.until((b) => headEnd(b) > 0 && b.length >= headEnd(b) + 4 + 7 + 5);
    client.send(encodeFrame({ opcode: 1, payload: 'x'.repeat(300), mask: MASK, fin: false }));
    client.send(encodeFrame({ opcode: 0, payload: 'y', mask: MASK }));
    client.send(encodeFrame({ opcode: 9, payload: 'ping', mask: MASK }));
    client.send(encodeFrame({ opcode: 8, payload: new Uint8Array([0x03, 0xe8]), mask: MASK }));
    await client.closed();

    const list = () => events(tap.messages);
    await waitFor(() => list().some((e) => e.type === 'conn.close'));
    const conn = list().find((e) => e.type === 'conn.open')!.conn!;
    expect(concat(list(), conn, 'c2s', 'bytes').equals(client.sentBytes)).toBe(true);
    expect(concat(list(), conn, 's2c', 'bytes').equals(client.receivedBytes)).toBe(true);
    // The units cover the same bytes, parsed: request, frames; response, frames.
    expect(concat(list(), conn, 'c2s', 'unit').equals(client.sentBytes)).toBe(true);
    expect(concat(list(), conn, 's2c', 'unit').equals(client.receivedBytes)).toBe(true);
    const summaries = list().flatMap((e) => (e.type === 'unit' ? [`${e.dir} ${e.summary}`] : []));
    expect(summaries[0]).toMatch(/^c2s GET \/ws\/echo\?session=.* HTTP\/1\.1$/);
    expect(summaries).toContain('s2c HTTP/1.1 101 Switching Protocols');
    expect(summaries).toContain("c2s Text 'first' (masked)");
    expect(summaries).toContain("s2c Pong 'ping'");
    expect(summaries).toContain('s2c Close 1000');
    expect(list().find((e) => e.type === 'conn.close')).toMatchObject({ by: 'server' });
    tap.ws.close();
  });

  it('reports keep-alive HTTP requests and responses byte for byte', async () => {
    const tap = await openTap(server.url);
    const client = await RawClient.open(server.port);
    const host = `Host: 127.0.0.1:${server.port}\r\n`;
    client.send(`GET /api/time?session=${tap.session} HTTP/1.1\r\n${host}\r\n`);
    await client.until((b) => b.toString().includes('"iso"'));
    client.send(
      `POST /api/stream/publish?session=${tap.session} HTTP/1.1\r\n${host}Content-Length: 17\r\nConnection: close\r\n\r\n{"payload":"hey"}`,
    );
    await client.closed();
    const list = () => events(tap.messages);
    await waitFor(() => list().some((e) => e.type === 'conn.close'));
    const conn = list().find((e) => e.type === 'conn.open')!.conn!;
    expect(concat(list(), conn, 'c2s', 'bytes').equals(client.sentBytes)).toBe(true);
    expect(concat(list(), conn, 's2c', 'bytes').equals(client.receivedBytes)).toBe(true);
    const units = list().flatMap((e) => (e.type === 'unit' ? [e.summary] : []));
    expect(units).toEqual([
      `GET /api/time?session=${tap.session} HTTP/1.1`,
      // A response's label starts its JSON body, cut at the preview length.
      expect.stringMatching(/^HTTP\/1\.1 200 OK '\{"now":\d+,.*…'$/),
      `POST /api/stream/publish?session=${tap.session} HTTP/1.1`,
      expect.stringMatching(/^HTTP\/1\.1 200 OK '\{"id":1,.*…'$/),
    ]);
    // Connection: close (RFC 9112 section 9.6): the server closes after its response.
    expect(list().find((e) => e.type === 'conn.close')).toMatchObject({ by: 'server' });
    tap.ws.close();
  });

  it('reports each server-sent event as a unit carrying exactly its chunk', async () => {
    const tap = await openTap(server.url);
    const client = await RawClient.open(server.port);
    const host = `Host: 127.0.0.1:${server.port}\r\n`;
    client.send(`GET /api/stream/sse?session=${tap.session} HTTP/1.1\r\n${host}\r\n`);
    await client.until((b) => b.includes('retry: 1000'));
    for (const payload of ['one', 'two']) {
      await fetch(`${server.url}/api/stream/publish?session=${tap.session}`, {
        method: 'POST',
        body: JSON.stringify({ payload }),
      });
    }
    await client.until((b) => b.includes('"payload":"two"'));
    const list = () => events(tap.messages);
    const sse = () => list().flatMap((e) => (e.type === 'unit' && e.kind === 'sse-event' ? [e] : []));
    await waitFor(() => sse().length === 3);
    expect(sse().map((e) => e.summary)).toEqual([
      'Retry 1000 ms',
      expect.stringMatching(/^Event id 1 '\{"id":1,/),
      expect.stringMatching(/^Event id 2 '\{"id":2,/),
    ]);
    // RFC 9112 section 7.1: each unit is one chunk, size line to CRLF; with the head they cover every byte.
    for (const event of sse()) expect(Buffer.from(event.bytes).toString()).toMatch(/^[0-9a-f]+\r\n[^]*\r\n$/);
    const conn = sse()[0]!.conn;
    expect(concat(list(), conn, 's2c', 'unit').equals(client.receivedBytes)).toBe(true);
    client.socket.destroy();
    tap.ws.close();
  });

  it('reads a permessage-deflate connection: compressed frames are inflated, not violations', async () => {
    const tap = await openTap(server.url);
    const ws = new WebSocket(wsUrl(server.url, `/ws/deflate?session=${tap.session}`), {
      perMessageDeflate: { threshold: 0 },
    });
    await once(ws, 'open');
    ws.send('hello, compressed world');
    await once(ws, 'message');
    ws.close(1000);
    await once(ws, 'close');
    const units = () => events(tap.messages).flatMap((e) => (e.type === 'unit' ? [e] : []));
    await waitFor(() => units().filter((u) => u.kind === 'ws-frame').length >= 4);
    expect(units().filter((u) => u.error)).toEqual([]);
    const summaries = units().map((u) => `${u.dir} ${u.summary}`);
    expect(summaries).toContain("c2s Text 'hello, compressed world' (RSV1, masked)");
    expect(summaries).toContain("s2c Text 'hello, compressed world' (RSV1)");
    // Each frame is marked as read with permessage-deflate's rules, and each compressed message carries
    // what the tap inflated it to, so the page's byte inspector shows it without the earlier frames.
    const frames = units().filter((u) => u.kind === 'ws-frame');
    expect(frames.every((u) => u.deflate === true)).toBe(true);
    const texts = frames.filter((u) => (u.bytes[0]! & 0x0f) === 1);
    expect(texts.map((u) => [u.dir, u.bytes[0]! & 0x40, Buffer.from(u.inflated!).toString()])).toEqual([
      ['c2s', 0x40, 'hello, compressed world'],
      ['s2c', 0x40, 'hello, compressed world'],
    ]);
    expect(frames.find((u) => (u.bytes[0]! & 0x0f) === 8)?.inflated).toBeUndefined();
    tap.ws.close();
  });

  it('annotates a violation with its close code', async () => {
    const tap = await openTap(server.url);
    const ws = new WebSocket(wsUrl(server.url, `/ws/echo?session=${tap.session}`));
    await once(ws, 'open');
    ws.send(Buffer.alloc(70 * 1024));
    await once(ws, 'close');
    await waitFor(() => events(tap.messages).some((e) => e.type === 'unit' && e.error !== undefined));
    const failed = events(tap.messages).find((e) => e.type === 'unit' && e.error);
    expect(failed).toMatchObject({ dir: 'c2s', error: { code: 'MESSAGE_TOO_BIG', closeCode: 1009 } });
    tap.ws.close();
  });
});

describe('sessions are isolated', () => {
  it('a session sees its own connections and nothing else', async () => {
    const a = await openTap(server.url);
    const b = await openTap(server.url);
    const wsA = new WebSocket(wsUrl(server.url, `/ws/echo?session=${a.session}`));
    const wsB = new WebSocket(wsUrl(server.url, `/ws/echo?session=${b.session}`));
    const anonymous = new WebSocket(wsUrl(server.url, '/ws/echo'));
    await Promise.all([once(wsA, 'open'), once(wsB, 'open'), once(anonymous, 'open')]);
    wsA.send('only-for-a');
    wsB.send('only-for-b');
    anonymous.send('for-nobody');
    await Promise.all([once(wsA, 'message'), once(wsB, 'message'), once(anonymous, 'message')]);
    const text = (s: { messages: TapMessage[] }) =>
      events(s.messages)
        .flatMap((e) => (e.type === 'unit' ? [e.summary] : []))
        .join('\n');
    await waitFor(() => text(a).includes('s2c') || text(a).includes("'only-for-a'"));
    await waitFor(() => text(b).includes("Text 'only-for-b'"));
    expect(text(a)).toContain("Text 'only-for-a'");
    expect(text(a)).not.toContain('only-for-b');
    expect(text(a)).not.toContain('for-nobody');
    expect(text(b)).not.toContain('only-for-a');
    const conns = (s: { messages: TapMessage[] }) =>
      new Set(events(s.messages).map((e) => 'conn' in e && e.conn));
    expect([...conns(a)].filter((c) => conns(b).has(c))).toEqual([]);
    for (const ws of [wsA, wsB, anonymous, a.ws, b.ws]) ws.close();
  });
});
