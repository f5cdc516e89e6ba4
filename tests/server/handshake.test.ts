import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app.ts';
import { upgradePolicy } from '../../server/ws/upgrade.ts';
import {
  getHeader,
  latin1Bytes,
  parseHttpMessage,
  serializeResponse,
  validateUpgradeRequest,
} from '../../src/lib/protocol/index.ts';
import { BAD_HANDSHAKES } from '../fixtures/handshakes.ts';
import { RawClient, start, statusOf, upgradeRequest } from './helpers.ts';

let server: RunningServer;
beforeAll(async () => {
  server = await start();
});
afterAll(() => server.close());

/** Sends a request and waits for the server to close: every refusal ends the connection. */
async function answer(request: string): Promise<{ status: number; text: string; bytes: Buffer }> {
  const client = await RawClient.open(server.port);
  client.send(request);
  await client.until((b) => b.includes('\r\n\r\n'));
  await client.closed();
  const bytes = client.receivedBytes;
  return { status: statusOf(bytes), text: bytes.toString('latin1'), bytes };
}

describe('opening handshake refusals (RFC 6455 section 4.2.1): the table the validator answers', () => {
  for (const row of BAD_HANDSHAKES) {
    it(row.name, async () => {
      const request = row.request(server.port);
      const { bytes } = await answer(request);
      const parsed = parseHttpMessage(bytes, 0, { kind: 'response', eof: true });
      expect(parsed?.message.kind).toBe('response');
      if (parsed?.message.kind !== 'response') return;
      expect(parsed.message.status).toBe(row.status);
      for (const [name, value] of Object.entries(row.headers)) {
        expect(getHeader(parsed.message.headers, name), name).toBe(value);
      }
      for (const name of row.absent ?? [])
        expect(getHeader(parsed.message.headers, name), name).toBeUndefined();
      // Past node:http's own parser, the bytes on the wire are exactly the validator's response.
      if (!row.malformed) {
        const check = validateUpgradeRequest(latin1Bytes(request), upgradePolicy(server.ctx));
        expect(!check.ok && Buffer.from(serializeResponse(check.response)).toString('latin1')).toBe(
          bytes.toString('latin1'),
        );
      }
    });
  }

  const serverOnly: Array<[string, () => string, number]> = [
    ['unknown path -> 404', () => upgradeRequest('/ws/nope', server.port), 404],
    ['unknown session -> 404', () => upgradeRequest('/ws/echo?session=nope', server.port), 404],
  ];
  for (const [name, request, status] of serverOnly) {
    it(name, async () => {
      expect((await answer(request())).status).toBe(status);
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
