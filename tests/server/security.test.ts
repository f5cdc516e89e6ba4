/**
 * The security lesson on real sockets: the session cookie, the protected endpoint refusing the
 * attacker page's origin (403 even with the cookie), the deliberately unprotected endpoint reading the
 * secret for any origin but only for loopback clients, and the attacker page's own server.
 */
import { networkInterfaces } from 'node:os';
import { connect } from 'node:net';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app.ts';
import { LessonAccounts } from '../../server/security/accounts.ts';
import { isLoopbackAddress } from '../../server/guard.ts';
import { decodeFrame } from '../../src/lib/protocol/frame.ts';
import { validateUpgradeRequest } from '../../src/lib/protocol/handshake.ts';
import { serializeResponse } from '../../src/lib/protocol/http/index.ts';
import { RawClient, headEnd, start, statusOf, upgradeRequest } from './helpers.ts';

let server: RunningServer;
let attackerPort: number;
beforeAll(async () => {
  server = await start();
  attackerPort = server.ctx.attackerPort!;
});
afterAll(() => server.close());

const own = () => `http://127.0.0.1:${server.port}`;
const attacker = () => `http://127.0.0.1:${attackerPort}`;

async function signIn(): Promise<{ cookie: string; setCookie: string }> {
  const response = await fetch(`${own()}/api/security/sign-in`, { method: 'POST' });
  expect(response.status).toBe(200);
  const setCookie = response.headers.get('set-cookie')!;
  return { cookie: setCookie.split(';')[0]!, setCookie };
}

/** An upgrade over a raw socket: the status, the whole answer, and the first frame's text after a 101. */
async function upgrade(
  path: string,
  headers: Record<string, string | undefined>,
  via = { host: '127.0.0.1', port: 0 },
  hostPort = server.port,
): Promise<{ status: number; bytes: Buffer; text?: string }> {
  const socket = connect(via.port || server.port, via.host);
  await once(socket, 'connect');
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.on('error', () => undefined);
  socket.write(upgradeRequest(path, hostPort, headers));
  const deadline = Date.now() + 3000;
  const all = () => Buffer.concat(chunks);
  while (headEnd(all()) < 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  const status = statusOf(all());
  let text: string | undefined;
  if (status === 101) {
    const start = headEnd(all()) + 4;
    while (Date.now() < deadline) {
      const frame = decodeFrame(new Uint8Array(all().subarray(start)));
      if (frame) {
        text = new TextDecoder().decode(frame.frame.payload);
        break;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  socket.destroy();
  return { status, bytes: all(), ...(text === undefined ? {} : { text }) };
}

describe('the lesson session cookie', () => {
  it('is HttpOnly and SameSite=Lax, for the whole site, for ten minutes', async () => {
    const { setCookie } = await signIn();
    expect(setCookie).toMatch(
      /^wirescope_lesson=[0-9a-f]{32}; Path=\/; Max-Age=600; HttpOnly; SameSite=Lax$/,
    );
  });

  it('cannot be had from another origin: the API refuses a foreign Origin', async () => {
    const response = await fetch(`${own()}/api/security/sign-in`, {
      method: 'POST',
      headers: { origin: attacker() },
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('signing out forgets the account, so the old cookie opens nothing', async () => {
    const { cookie } = await signIn();
    expect((await upgrade('/ws/private', { Origin: own(), Cookie: cookie })).status).toBe(101);
    const out = await fetch(`${own()}/api/security/sign-out`, { method: 'POST', headers: { cookie } });
    expect(out.headers.get('set-cookie')).toMatch(/^wirescope_lesson=; Path=\/; Max-Age=0; HttpOnly/);
    expect((await upgrade('/ws/private', { Origin: own(), Cookie: cookie })).status).toBe(403);
  });
});

describe('/ws/private checks Origin (RFC 6455 section 10.2)', () => {
  it('reads the secret for the page of its own origin with the cookie', async () => {
    const { cookie } = await signIn();
    const answer = await upgrade('/ws/private', { Origin: own(), Cookie: cookie });
    expect(answer.status).toBe(101);
    expect(JSON.parse(answer.text!)).toEqual({
      to: 'learner',
      text: expect.stringMatching(/^Your code is \d{6}$/),
    });
  });

  it("refuses the attacker page's origin with 403 although the cookie rides along", async () => {
    const { cookie } = await signIn();
    for (const origin of [attacker(), `http://localhost:${attackerPort}`]) {
      const request = upgradeRequest('/ws/private', server.port, { Origin: origin, Cookie: cookie });
      const answer = await upgrade('/ws/private', { Origin: origin, Cookie: cookie });
      expect(answer.status).toBe(403);
      // Exactly the protocol validator's refusal, so the lesson and the server send the same bytes.
      const check = validateUpgradeRequest(new Uint8Array(Buffer.from(request, 'latin1')), {
        allowedHosts: [...server.ctx.authorities],
        allowedOrigins: [own()],
      });
      expect(check.ok).toBe(false);
      if (!check.ok) expect(answer.bytes).toEqual(Buffer.from(serializeResponse(check.response)));
    }
  });

  it('refuses a request with no session cookie with 403 before upgrading', async () => {
    const answer = await upgrade('/ws/private', { Origin: own() });
    expect(answer.status).toBe(403);
    expect(answer.bytes.toString('latin1')).toContain('sign in first');
  });
});

describe('a message over the limit', () => {
  it("is failed with exactly the simulation's Close 1009 (no reason), on the header alone", async () => {
    const { cookie } = await signIn();
    const client = await RawClient.open(server.port);
    client.send(upgradeRequest('/ws/private', server.port, { Origin: own(), Cookie: cookie }));
    const head = await client.until((b) => headEnd(b) >= 0);
    expect(statusOf(head)).toBe(101);
    const secretEnd = await client.until((b) => {
      const frame = decodeFrame(new Uint8Array(b.subarray(headEnd(b) + 4)));
      return frame !== null;
    });
    const start =
      headEnd(secretEnd) +
      4 +
      decodeFrame(new Uint8Array(secretEnd.subarray(headEnd(secretEnd) + 4)))!.bytesUsed;
    // The 14-byte header of a masked 70,000-byte binary frame, and none of its payload.
    client.send(Uint8Array.of(0x82, 0xff, 0, 0, 0, 0, 0, 0x01, 0x11, 0x70, 0x9a, 0x1c, 0x5e, 0x04));
    const bytes = await client.until((b) => b.length >= start + 4);
    expect([...bytes.subarray(start, start + 4)]).toEqual([0x88, 0x02, 0x03, 0xf1]);
    await client.closed();
  });
});

describe('/ws/unprotected, the teaching aid', () => {
  it('lets the attacker origin read the secret with the cookie (cross-site WebSocket hijacking)', async () => {
    const { cookie } = await signIn();
    const mine = await upgrade('/ws/private', { Origin: own(), Cookie: cookie });
    const stolen = await upgrade('/ws/unprotected', { Origin: attacker(), Cookie: cookie });
    expect(stolen.status).toBe(101);
    expect(stolen.text).toBe(mine.text);
  });

  it('gives nothing without the cookie: 403', async () => {
    const answer = await upgrade('/ws/unprotected', { Origin: `http://localhost:${attackerPort}` });
    expect(answer.status).toBe(403);
  });

  it('knows loopback addresses, IPv4-mapped ones included', () => {
    for (const a of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1'])
      expect(isLoopbackAddress(a)).toBe(true);
    for (const a of ['192.0.2.2', '::ffff:10.0.0.1', 'fd00::2', '', undefined])
      expect(isLoopbackAddress(a)).toBe(false);
  });

  const lan = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

  it.skipIf(!lan)(
    'answers 403 to a client that is not on loopback, where /ws/private still works',
    async () => {
      const everywhere = await start({ host: '0.0.0.0' });
      try {
        const signedIn = await fetch(`http://127.0.0.1:${everywhere.port}/api/security/sign-in`, {
          method: 'POST',
        });
        const cookie = signedIn.headers.get('set-cookie')!.split(';')[0]!;
        // From this machine's LAN address: the server sees a client that is not on loopback.
        const remote = (path: string) =>
          upgrade(
            path,
            { Origin: `http://127.0.0.1:${everywhere.port}`, Cookie: cookie },
            { host: lan!, port: everywhere.port },
            everywhere.port,
          );
        const refused = await remote('/ws/unprotected');
        expect(refused.status).toBe(403);
        expect(refused.bytes.toString('latin1')).toContain('loopback clients only');
        expect((await remote('/ws/private')).status).toBe(101);
      } finally {
        await everywhere.close();
      }
    },
  );
});

describe('the attacker page', () => {
  it('listens next to the main port (or on a free one) and is announced to pages on this machine', async () => {
    expect(attackerPort).not.toBe(server.port);
    const info = await fetch(`${own()}/api/security/attacker`);
    expect(await info.json()).toEqual({ port: attackerPort });
  });

  it('serves one page aimed at this server, in the language asked for', async () => {
    const page = await fetch(`${attacker()}/?session=abc&lang=ko`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).toContain(`const target = "127.0.0.1:${server.port}";`);
    expect(html).toContain('<html lang="ko">');
    expect(html).toContain('"/ws/private","/ws/unprotected"');
  });

  it('aims only at this server: a foreign target falls back to it', async () => {
    const html = await (await fetch(`${attacker()}/?target=evil.example:80`)).text();
    expect(html).toContain(`const target = "127.0.0.1:${server.port}";`);
    const local = await (await fetch(`${attacker()}/?target=localhost:${server.port}`)).text();
    expect(local).toContain(`const target = "localhost:${server.port}";`);
  });

  it('answers only for this machine’s names, only at /, only to GET', async () => {
    const raw = async (request: string) => {
      const client = await RawClient.open(attackerPort);
      client.send(request);
      const bytes = await client.until((b) => headEnd(b) >= 0);
      client.socket.destroy();
      return statusOf(bytes);
    };
    expect(await raw(`GET / HTTP/1.1\r\nHost: evil.example:${attackerPort}\r\n\r\n`)).toBe(421);
    expect(await raw(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${attackerPort + 1}\r\n\r\n`)).toBe(421);
    expect(await raw(`GET /other HTTP/1.1\r\nHost: 127.0.0.1:${attackerPort}\r\n\r\n`)).toBe(404);
    expect(await raw(`POST / HTTP/1.1\r\nHost: localhost:${attackerPort}\r\nContent-Length: 0\r\n\r\n`)).toBe(
      405,
    );
  });

  it('is off with attacker: false, and a taken port asked for is an error that names it', async () => {
    const off = await start({ attacker: false });
    try {
      expect(off.ctx.attackerPort).toBeUndefined();
      expect((await fetch(`${off.url}/api/security/attacker`)).status).toBe(404);
    } finally {
      await off.close();
    }
    await expect(start({ attackerPort: server.port })).rejects.toThrow(
      /attacker page could not listen.*EADDRINUSE/,
    );
  });
});

describe('lesson accounts', () => {
  it('are bounded (the oldest goes) and expire', () => {
    let now = 1_000;
    const accounts = new LessonAccounts(2, 500, () => now);
    const a = accounts.signIn();
    const b = accounts.signIn();
    const c = accounts.signIn();
    expect(accounts.size).toBe(2);
    expect(accounts.find(a.token)).toBeUndefined();
    expect(accounts.find(b.token)).toBe(b);
    expect(c.code).toMatch(/^\d{6}$/);
    now += 500;
    expect(accounts.find(c.token)).toBeUndefined();
    expect(accounts.find(undefined)).toBeUndefined();
  });
});
