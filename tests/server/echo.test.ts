import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { RunningServer } from '../../server/app.ts';
import { encodeFrame } from '../../src/lib/protocol/frame.ts';
import { headEnd, RawClient, start, statusOf, upgradeRequest, wsUrl } from './helpers.ts';

let server: RunningServer;
beforeAll(async () => {
  server = await start({ maxMessageBytes: 1024, maxFragments: 4 });
});
afterAll(() => server.close());

const MASK = new Uint8Array([0x37, 0xfa, 0x21, 0x3d]);

async function openEcho(query = ''): Promise<WebSocket> {
  const ws = new WebSocket(wsUrl(server.url, `/ws/echo${query}`));
  await once(ws, 'open');
  return ws;
}

function nextMessage(ws: WebSocket): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve) =>
    ws.once('message', (data, isBinary) => resolve({ data: data as Buffer, isBinary })),
  );
}

/** Sends raw bytes after a valid handshake and returns the close code of the server's close frame. */
async function closeCodeAfter(...frames: Uint8Array[]): Promise<number> {
  const client = await RawClient.open(server.port);
  client.send(upgradeRequest('/ws/echo', server.port));
  const head = await client.until((b) => headEnd(b) >= 0);
  expect(statusOf(head)).toBe(101);
  const start = headEnd(head) + 4;
  for (const frame of frames) client.send(frame);
  const bytes = await client.until((b) => b.length >= start + 4);
  await client.closed();
  expect(bytes[start]).toBe(0x88); // FIN + close, unmasked (section 5.1: servers never mask)
  return bytes.readUInt16BE(start + 2);
}

describe('/ws/echo happy paths', () => {
  it('echoes text as text and binary as binary', async () => {
    const ws = await openEcho();
    ws.send('héllo');
    expect(await nextMessage(ws)).toEqual({ data: Buffer.from('héllo'), isBinary: false });
    ws.send(Buffer.from([0, 1, 2, 255]));
    expect(await nextMessage(ws)).toEqual({ data: Buffer.from([0, 1, 2, 255]), isBinary: true });
    ws.close();
  });

  it('reassembles a fragmented message and returns it as one', async () => {
    const ws = await openEcho();
    ws.send('frag', { fin: false });
    ws.send('men', { fin: false });
    ws.send('ted', { fin: true });
    expect(await nextMessage(ws)).toEqual({ data: Buffer.from('fragmented'), isBinary: false });
    ws.close();
  });

  it('answers a ping with a pong carrying its payload', async () => {
    const ws = await openEcho();
    ws.ping('are you there');
    const [payload] = (await once(ws, 'pong')) as [Buffer];
    expect(payload.toString()).toBe('are you there');
    ws.close();
  });

  it('echoes the close code and reason', async () => {
    const ws = await openEcho();
    ws.close(4321, 'bye now');
    const [code, reason] = (await once(ws, 'close')) as [number, Buffer];
    expect(code).toBe(4321);
    expect(reason.toString()).toBe('bye now');
  });

  it('sends a greeting of its own when asked', async () => {
    const ws = new WebSocket(wsUrl(server.url, '/ws/echo?greet=welcome'));
    const message = nextMessage(ws);
    expect((await message).data.toString()).toBe('welcome');
    ws.close();
  });
});

describe('/ws/echo failures carry the RFC 6455 close code', () => {
  it('unmasked client frame -> 1002 (section 5.1)', async () => {
    expect(await closeCodeAfter(encodeFrame({ opcode: 1, payload: 'hi' }))).toBe(1002);
  });
  it('reserved opcode -> 1002 (section 5.2)', async () => {
    expect(await closeCodeAfter(encodeFrame({ opcode: 3, payload: 'x', mask: MASK }))).toBe(1002);
  });
  it('RSV bit without an extension -> 1002 (section 5.2)', async () => {
    expect(await closeCodeAfter(encodeFrame({ opcode: 1, rsv: 4, payload: 'x', mask: MASK }))).toBe(1002);
  });
  it('invalid UTF-8 in a text message -> 1007 (section 8.1)', async () => {
    const bad = new Uint8Array([0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xed, 0xa0, 0x80]);
    expect(await closeCodeAfter(encodeFrame({ opcode: 1, payload: bad, mask: MASK }))).toBe(1007);
  });
  it('message over the size limit -> 1009 (section 10.4)', async () => {
    expect(await closeCodeAfter(encodeFrame({ opcode: 2, payload: new Uint8Array(1025), mask: MASK }))).toBe(
      1009,
    );
  });
  it('fragments past the limit -> 1008', async () => {
    const part = (opcode: number, fin: boolean) => encodeFrame({ opcode, fin, payload: 'a', mask: MASK });
    expect(
      await closeCodeAfter(part(1, false), part(0, false), part(0, false), part(0, false), part(0, true)),
    ).toBe(1008);
  });
  it('a continuation with nothing to continue -> 1002 (section 5.4)', async () => {
    expect(await closeCodeAfter(encodeFrame({ opcode: 0, payload: 'x', mask: MASK }))).toBe(1002);
  });
});

describe('control API: the server acts on a named socket', () => {
  const post = (path: string, body: unknown = {}) =>
    fetch(`${server.url}${path}`, { method: 'POST', body: JSON.stringify(body) });

  it('pushes a message, pings, and closes with a chosen code and reason', async () => {
    const ws = await openEcho('?name=lesson');
    const message = nextMessage(ws);
    expect((await post('/api/ws/push?name=lesson', { text: 'unprompted' })).status).toBe(200);
    expect((await message).data.toString()).toBe('unprompted');
    const ping = once(ws, 'ping');
    await post('/api/ws/ping?name=lesson', { payload: 'p' });
    expect(String((await ping)[0])).toBe('p');
    expect((await post('/api/ws/close?name=lesson', { code: 1005 })).status).toBe(400);
    const closed = once(ws, 'close');
    await post('/api/ws/close?name=lesson&code=4000&reason=done');
    const [code, reason] = (await closed) as [number, Buffer];
    expect([code, reason.toString()]).toEqual([4000, 'done']);
  });

  it('cuts TCP without a closing handshake (the client sees 1006)', async () => {
    const ws = await openEcho('?name=cut');
    const closed = once(ws, 'close');
    await post('/api/ws/cut?name=cut');
    expect((await closed)[0]).toBe(1006);
  });

  it('answers 404 for a name that is not open', async () => {
    expect((await post('/api/ws/push?name=nobody')).status).toBe(404);
  });
});
