import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app.ts';
import { RawClient, start, statusOf, upgradeRequest } from './helpers.ts';

let server: RunningServer;
beforeAll(async () => {
  server = await start();
});
afterAll(() => server.close());

async function answer(request: string): Promise<{ status: number; text: string }> {
  const client = await RawClient.open(server.port);
  client.send(request);
  const bytes = await client.until((b) => b.includes('\r\n\r\n'));
  await client.closed();
  return { status: statusOf(bytes), text: bytes.toString('latin1') };
}

describe('opening handshake refusals (RFC 6455 section 4.2.1)', () => {
  const cases: Array<[string, () => string, number, RegExp?]> = [
    [
      'version 8 -> 426 naming version 13',
      () => upgradeRequest('/ws/echo', server.port, { 'Sec-WebSocket-Version': '8' }),
      426,
      /\r\nSec-WebSocket-Version: 13\r\n/,
    ],
    [
      'missing version -> 426',
      () => upgradeRequest('/ws/echo', server.port, { 'Sec-WebSocket-Version': undefined }),
      426,
      /Sec-WebSocket-Version: 13/,
    ],
    [
      'short key -> 400',
      () => upgradeRequest('/ws/echo', server.port, { 'Sec-WebSocket-Key': 'c2hvcnQ=' }),
      400,
    ],
    [
      'missing key -> 400',
      () => upgradeRequest('/ws/echo', server.port, { 'Sec-WebSocket-Key': undefined }),
      400,
    ],
    [
      'POST upgrade -> 405 with Allow: GET',
      () => upgradeRequest('/ws/echo', server.port, {}, 'POST'),
      405,
      /\r\nAllow: GET\r\n/,
    ],
    ['unknown path -> 404', () => upgradeRequest('/ws/nope', server.port), 404],
    [
      'ws:// URI as the request target -> 400 (RFC 6455 4.1)',
      () => upgradeRequest(`ws://127.0.0.1:${server.port}/ws/echo`, server.port),
      400,
    ],
    [
      'foreign Origin -> 403',
      () => upgradeRequest('/ws/echo', server.port, { Origin: 'http://evil.example' }),
      403,
    ],
    [
      'Host of another site -> 421',
      () => upgradeRequest('/ws/echo', server.port, { Host: 'evil.example' }),
      421,
    ],
    ['no Host -> 400', () => upgradeRequest('/ws/echo', server.port, { Host: undefined }), 400],
    [
      'Upgrade token not websocket -> 400',
      () => upgradeRequest('/ws/echo', server.port, { Upgrade: 'h2c' }),
      400,
    ],
    ['unknown session -> 404', () => upgradeRequest('/ws/echo?session=nope', server.port), 404],
  ];
  for (const [name, request, status, header] of cases) {
    it(name, async () => {
      const { status: got, text } = await answer(request());
      expect(got).toBe(status);
      if (header) expect(text).toMatch(header);
    });
  }

  it('accepts an absolute http URI as the request target (RFC 6455 4.1)', async () => {
    const client = await RawClient.open(server.port);
    client.send(upgradeRequest(`http://127.0.0.1:${server.port}/ws/echo`, server.port));
    const bytes = await client.until((b) => b.includes('\r\n\r\n'));
    expect(statusOf(bytes)).toBe(101);
    client.socket.destroy();
  });

  it('accepts its own origin and answers 101 without a subprotocol or extension', async () => {
    const client = await RawClient.open(server.port);
    client.send(
      upgradeRequest('/ws/echo', server.port, {
        Origin: `http://localhost:${server.port}`,
        'Sec-WebSocket-Protocol': 'chat',
        'Sec-WebSocket-Extensions': 'permessage-deflate',
      }),
    );
    const head = (await client.until((b) => b.includes('\r\n\r\n'))).toString('latin1');
    expect(statusOf(Buffer.from(head))).toBe(101);
    expect(head).not.toMatch(/Sec-WebSocket-Protocol/i);
    expect(head).not.toMatch(/Sec-WebSocket-Extensions/i);
    client.socket.destroy();
  });
});

describe('HTTP guards', () => {
  const get = (path: string, headers: Record<string, string>) =>
    answer(
      `GET ${path} HTTP/1.1\r\n${Object.entries({
        Host: `127.0.0.1:${server.port}`,
        Connection: 'close',
        ...headers,
      })
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('')}\r\n`,
    );

  it('refuses an API request from a foreign Origin with 403 and sends no CORS headers', async () => {
    const { status, text } = await get('/api/time', { Origin: 'http://evil.example' });
    expect(status).toBe(403);
    expect(text).not.toMatch(/access-control/i);
  });
  it('lets a command-line tool (no Origin) through', async () => {
    expect((await get('/api/time', {})).status).toBe(200);
  });
  it('answers 421 for a request naming another host (DNS rebinding)', async () => {
    expect((await get('/healthz', { Host: 'rebind.example:80' })).status).toBe(421);
  });
  it('answers 400 to a malformed request line and keeps serving', async () => {
    expect((await answer('BLAH\r\n\r\n')).status).toBe(400);
    expect((await get('/healthz', {})).status).toBe(200);
  });
  it('answers 431 to a head past the size limit', async () => {
    expect((await get('/healthz', { 'X-Big': 'a'.repeat(20_000) })).status).toBe(431);
  });
});
