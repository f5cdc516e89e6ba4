/**
 * `npm run dev`: Vite's dev server with server/vite-plugin.ts serves the demo endpoints on its own
 * origin, refuses foreign upgrades on /ws/* the same way, and leaves Vite's own HMR socket working.
 */
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { RawClient, headEnd, statusOf, upgradeRequest, wsUrl } from './helpers.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

let vite: ViteDevServer;
let url: string;
let port: number;

beforeAll(async () => {
  vite = await createServer({
    configFile: fileURLToPath(new URL('../../vite.config.ts', import.meta.url)),
    root,
    logLevel: 'silent',
    clearScreen: false,
    server: { port: 0, host: '127.0.0.1', strictPort: true, hmr: true, watch: null },
    optimizeDeps: { noDiscovery: true, include: [] },
  });
  await vite.listen();
  const address = vite.httpServer?.address();
  if (!address || typeof address !== 'object') throw new Error('Vite is not listening');
  port = address.port;
  url = `http://127.0.0.1:${port}`;
  // Vite first bundles its config and the server modules it imports: on a busy machine that alone can
  // take longer than the default 10 s of a hook.
}, 60_000);
afterAll(async () => {
  await vite?.close();
});

/** The status of the answer to a raw upgrade request, and the connection's bytes. */
async function upgradeStatus(request: string): Promise<{ status: number; bytes: Buffer; client: RawClient }> {
  const client = await RawClient.open(port);
  client.send(request);
  const bytes = await client.until((b) => headEnd(b) >= 0);
  return { status: statusOf(bytes), bytes, client };
}

describe('the demo endpoints inside Vite (npm run dev)', () => {
  it('GET /healthz answers 200 ok', async () => {
    const response = await fetch(`${url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('ok\n');
  });

  it('GET /api/time answers JSON', async () => {
    const response = await fetch(`${url}/api/time`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as { now: number; iso: string };
    expect(new Date(body.iso).getTime()).toBe(body.now);
  });

  it('echoes on /ws/echo', async () => {
    const ws = new WebSocket(wsUrl(url, '/ws/echo'));
    await once(ws, 'open');
    ws.send('through vite');
    const [data] = (await once(ws, 'message')) as [Buffer];
    expect(String(data)).toBe('through vite');
    ws.close(1000);
    const [code] = (await once(ws, 'close')) as [number];
    expect(code).toBe(1000);
  });

  it('refuses an upgrade from a foreign Origin with 403 (RFC 6455 section 10.2)', async () => {
    const { status, client } = await upgradeStatus(
      upgradeRequest('/ws/echo', port, { Origin: 'http://evil.example' }),
    );
    expect(status).toBe(403);
    // The refusal is the demo's own (the protocol's validator, server/ws/upgrade.ts), with its reason.
    await client.until((b) => b.includes('Origin http://evil.example is not allowed'));
    await client.closed();
  });

  it("leaves Vite's own HMR WebSocket working (101 with the vite-hmr subprotocol)", async () => {
    const token = vite.config.webSocketToken;
    const { status, bytes, client } = await upgradeStatus(
      upgradeRequest(`/?token=${encodeURIComponent(token)}`, port, {
        'Sec-WebSocket-Protocol': 'vite-hmr',
        Origin: url,
      }),
    );
    expect(status).toBe(101);
    expect(bytes.toString('latin1')).toMatch(/\r\nSec-WebSocket-Protocol: vite-hmr\r\n/i);
    client.socket.destroy();
  });
});
