/**
 * A class on a LAN: students reach the server by an address or name the teacher gives with
 * --public-host. The requests here still go to loopback, carrying the Host and Origin headers a
 * student's browser on another machine would send.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { RunningServer } from '../../server/app.ts';
import { parseCli } from '../../server/cli.ts';
import { classroomNotes, lanAddresses, studentUrl } from '../../server/classroom.ts';
import { normalisePublicHost, ownAuthorities } from '../../server/guard.ts';
import {
  openTap,
  RawClient,
  start,
  statusOf,
  tapEvents,
  tapMessages,
  upgradeRequest,
  waitFor,
  wsUrl,
} from './helpers.ts';

const LAN = '192.168.1.20';
const NAME = 'classroom.example';
const V6 = 'fd00::20';

let server: RunningServer;
let plain: RunningServer;
beforeAll(async () => {
  server = await start({ publicHosts: [LAN, NAME, V6] });
  plain = await start();
});
afterAll(async () => {
  await server.close();
  await plain.close();
});

async function answer(port: number, request: string): Promise<{ status: number; text: string }> {
  const client = await RawClient.open(port);
  client.send(request);
  const bytes = await client.until((b) => b.includes('\r\n\r\n'));
  client.socket.destroy();
  return { status: statusOf(bytes), text: bytes.toString('latin1') };
}

function get(port: number, path: string, headers: Record<string, string>): Promise<{ status: number }> {
  const lines = Object.entries({ Connection: 'close', ...headers }).map(([k, v]) => `${k}: ${v}\r\n`);
  return answer(port, `GET ${path} HTTP/1.1\r\n${lines.join('')}\r\n`);
}

describe('--public-host: Host (RFC 9110 section 7.2) and Origin (RFC 6455 section 10.2) checks', () => {
  it('answers a named LAN address, a named host and an IPv6 address with the port, in any case', async () => {
    const p = () => server.port;
    for (const host of [`${LAN}:${p()}`, `${NAME}:${p()}`, `ClassRoom.Example:${p()}`, `[${V6}]:${p()}`]) {
      expect((await get(p(), '/api/time', { Host: host })).status, host).toBe(200);
      const origin = `http://${host}`;
      expect((await get(p(), '/api/time', { Host: host, Origin: origin })).status, origin).toBe(200);
    }
  });

  it('still answers the loopback names', async () => {
    for (const host of ['127.0.0.1', 'localhost', '[::1]']) {
      const h = `${host}:${server.port}`;
      expect((await get(server.port, '/healthz', { Host: h, Origin: `http://${h}` })).status).toBe(200);
    }
  });

  it('answers 421 for an address or name it was not given, or another port', async () => {
    for (const host of [
      `192.168.1.21:${server.port}`,
      `${LAN}:${server.port + 1}`,
      LAN,
      `www.${NAME}:${server.port}`,
      `0.0.0.0:${server.port}`,
    ]) {
      expect((await get(server.port, '/api/time', { Host: host })).status, host).toBe(421);
    }
  });

  it('answers 403 to a named host carrying a foreign Origin', async () => {
    const host = `${LAN}:${server.port}`;
    for (const origin of [
      'http://evil.example',
      `http://192.168.1.21:${server.port}`,
      `https://${host}`,
      `http://${LAN}:${server.port + 1}`,
    ]) {
      expect((await get(server.port, '/api/time', { Host: host, Origin: origin })).status, origin).toBe(403);
    }
  });

  it('upgrades a WebSocket for a named host and refuses an unnamed one (421) or a foreign page (403)', async () => {
    const host = `${LAN}:${server.port}`;
    const ok = await answer(
      server.port,
      upgradeRequest('/ws/echo', server.port, { Host: host, Origin: `http://${host}` }),
    );
    expect(ok.status).toBe(101);
    const unnamed = await answer(
      server.port,
      upgradeRequest('/ws/echo', server.port, { Host: `10.0.0.9:${server.port}` }),
    );
    expect(unnamed.status).toBe(421);
    const foreign = await answer(
      server.port,
      upgradeRequest('/ws/echo', server.port, { Host: host, Origin: 'http://evil.example' }),
    );
    expect(foreign.status).toBe(403);
  });

  it("a student's tap sees the traffic of requests made by the public name", async () => {
    const host = `${NAME}:${server.port}`;
    const tap = new WebSocket(wsUrl(server.url, '/ws/tap'), {
      headers: { Host: host, Origin: `http://${host}` },
    });
    const messages = tapMessages(tap);
    await once(tap, 'open');
    await waitFor(() => messages.length > 0);
    const hello = messages[0]!;
    if (hello.type !== 'hello') throw new Error(`expected hello, got ${hello.type}`);
    const session = hello.session;
    const response = await get(server.port, `/api/time?session=${session}`, { Host: host });
    expect(response.status).toBe(200);
    const summaries = () => tapEvents(messages).flatMap((e) => (e.type === 'unit' ? [e.summary] : []));
    await waitFor(() => summaries().some((s) => s.startsWith('GET /api/time')));
    tap.close();
  });

  it('without --public-host, a LAN address gets 421 (what a class saw before)', async () => {
    expect((await get(plain.port, '/api/time', { Host: `${LAN}:${plain.port}` })).status).toBe(421);
    const tap = await openTap(plain.url);
    tap.ws.close();
  });
});

describe('--public-host values', () => {
  it('are normalised as a Host header carries them', () => {
    expect(normalisePublicHost('Class.Example')).toBe('class.example');
    expect(normalisePublicHost('fd00::20')).toBe('[fd00::20]');
    expect(normalisePublicHost('[FD00::20]')).toBe('[fd00::20]');
    expect(normalisePublicHost('10.1.2.3')).toBe('10.1.2.3');
  });

  it('refuse a URL, a port or something that is no name, saying why', () => {
    expect(() => parseCli(['--public-host', 'http://10.1.2.3:8080/'])).toThrow(/not a URL.*try 10\.1\.2\.3/);
    expect(() => parseCli(['--public-host', '10.1.2.3:8080'])).toThrow(/without a port/);
    expect(() => parseCli(['--public-host', 'bad_name!'])).toThrow(/not a host name or an IP address/);
    expect(() => parseCli(['--public-host'])).toThrow(/needs a value/);
  });

  it('may be given several times', () => {
    const parsed = parseCli(['--public-host', LAN, '--public-host=Class.Example']);
    expect(parsed.help ? [] : parsed.options.publicHosts).toEqual([LAN, 'class.example']);
  });

  it('on port 80 a Host or Origin without the port names the server too (RFC 9110 section 4.2.1)', () => {
    const names = ownAuthorities('0.0.0.0', 80, [LAN]);
    expect(names.has(LAN)).toBe(true);
    expect(names.has(`${LAN}:80`)).toBe(true);
    expect(names.has('0.0.0.0:80')).toBe(false);
    expect(ownAuthorities('0.0.0.0', 8080, [LAN]).has(LAN)).toBe(false);
    expect(studentUrl(LAN, 80)).toBe(`http://${LAN}/`);
  });
});

describe('what the server prints for a class', () => {
  const lan = lanAddresses({
    lo: [
      {
        address: '127.0.0.1',
        netmask: '255.0.0.0',
        family: 'IPv4',
        mac: '00:00:00:00:00:00',
        internal: true,
        cidr: '127.0.0.1/8',
      },
    ],
    wlan0: [
      {
        address: 'fe80::1',
        netmask: 'ffff:ffff:ffff:ffff::',
        family: 'IPv6',
        mac: '02:00:00:00:00:01',
        internal: false,
        cidr: 'fe80::1/64',
        scopeid: 2,
      },
      {
        address: '10.4.0.7',
        netmask: '255.255.0.0',
        family: 'IPv4',
        mac: '02:00:00:00:00:01',
        internal: false,
        cidr: '10.4.0.7/16',
      },
    ],
  });

  it("lists this machine's LAN addresses (not loopback, not link-local IPv6)", () => {
    expect(lan).toEqual([{ iface: 'wlan0', address: '10.4.0.7' }]);
  });

  it('every interface and no name: says students would get 421 and what to add', () => {
    const notes = classroomNotes('0.0.0.0', 8080, [], lan);
    expect(notes.qrUrl).toBeUndefined();
    expect(notes.lines.join('\n')).toMatch(/421/);
    expect(notes.lines.join('\n')).toContain('--public-host 10.4.0.7');
    expect(notes.lines.join('\n')).toContain('10.4.0.7 on wlan0');
  });

  it('a named host: the address students open, shown as a QR code', () => {
    const notes = classroomNotes('0.0.0.0', 8080, ['10.4.0.7'], lan);
    expect(notes.lines).toEqual(['Students open: http://10.4.0.7:8080/']);
    expect(notes.qrUrl).toBe('http://10.4.0.7:8080/');
  });

  it('a named host but a loopback bind: says other machines cannot reach it', () => {
    const notes = classroomNotes('127.0.0.1', 8080, ['10.4.0.7'], lan);
    expect(notes.lines[0]).toMatch(/cannot reach/);
    expect(notes.lines.join('\n')).toContain('--host 0.0.0.0');
  });

  it('loopback only: prints nothing more', () => {
    expect(classroomNotes('127.0.0.1', 8080, [], lan).lines).toEqual([]);
  });

  it('the CLI prints the address and a QR code of it from the library', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'server/main.ts', '--port', '0', '--public-host', NAME],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    try {
      await waitFor(
        () => /Students open: http:\/\/classroom\.example:\d+\/\n/.test(out) && /█/.test(out),
        15_000,
      );
      // A QR code for a short URL in the terminal's half-block form: at least 21 modules, so 11+ rows.
      expect(out.split('\n').filter((line) => line.includes('█')).length).toBeGreaterThanOrEqual(10);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
});
