/**
 * The README's nginx configuration, run for real: nginx on 127.0.0.1 in front of two nodes on
 * 127.0.0.2 and 127.0.0.3 (same port), sharing one Redis. Skipped, with a message, where nginx or
 * redis-server is not installed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, chmodSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { RunningServer } from '../../server/app.ts';
import { openSse, publish, range, REDIS_SERVER, StreamClient, tapEvents } from './cluster-helpers.ts';
import { openTap, start, waitFor } from './helpers.ts';
import { findRedisServer, freePort, RedisProcess } from './redis.ts';

function findNginx(): string | undefined {
  for (const file of ['/usr/sbin/nginx', '/usr/bin/nginx', '/usr/local/sbin/nginx']) {
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

const NGINX = findNginx();
if (!NGINX && findRedisServer()) console.warn('proxy test skipped: nginx is not installed');

/** The first ```nginx block of the README's "Scaling out" section. */
function readmeConfig(): string {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Scaling out'));
  const block = /```nginx\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('no nginx block in the README');
  return block;
}

async function answers(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/healthz`);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!REDIS_SERVER || !NGINX)(
  'two nodes behind nginx (the README configuration)',
  { timeout: 120_000 },
  () => {
    let redis: RedisProcess;
    let a: RunningServer;
    let b: RunningServer;
    let nginx: ChildProcess;
    let dir: string;
    let port: number;
    let url: string;

    beforeAll(async () => {
      redis = await RedisProcess.start(REDIS_SERVER!);
      // One port free on the three loopback addresses; another try if a node finds it taken.
      for (let attempt = 0; ; attempt++) {
        port = await freePort();
        try {
          a = await start({
            host: '127.0.0.2',
            port,
            maxConnectionsPerClient: 0,
            backplane: redis.url,
            node: 'a',
          });
          b = await start({
            host: '127.0.0.3',
            port,
            maxConnectionsPerClient: 0,
            backplane: redis.url,
            node: 'b',
          });
          break;
        } catch (error) {
          await a?.close();
          if (attempt === 4) throw error;
        }
      }
      dir = mkdtempSync(join(tmpdir(), 'wirescope-nginx-'));
      chmodSync(dir, 0o777); // nginx's workers (not root) write their temporary files under the prefix
      const config = readmeConfig().replaceAll(':8080;', `:${port};`);
      writeFileSync(join(dir, 'nginx.conf'), config);
      nginx = spawn(
        NGINX!,
        [
          '-p',
          dir,
          '-c',
          join(dir, 'nginx.conf'),
          '-e',
          'stderr',
          '-g',
          `daemon off; pid ${join(dir, 'nginx.pid')};`,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let errors = '';
      nginx.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
      const deadline = Date.now() + 10_000;
      while (!(await answers(port))) {
        if (nginx.exitCode !== null || Date.now() > deadline)
          throw new Error(`nginx did not start: ${errors}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      url = `http://127.0.0.1:${port}`;
    }, 60_000);

    afterAll(async () => {
      if (nginx && nginx.exitCode === null) {
        const exited = once(nginx, 'exit');
        nginx.kill('SIGQUIT');
        await exited;
      }
      try {
        await a?.close();
        await b?.close();
      } finally {
        await redis?.stop();
        if (dir) rmSync(dir, { recursive: true, force: true });
      }
    }, 60_000);

    it('spreads requests over both nodes, with no stickiness', async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 6; i++) {
        const res = await fetch(`${url}/healthz`, { headers: { accept: 'application/json' } });
        seen.add(((await res.json()) as { node: string }).node);
      }
      expect([...seen].sort()).toEqual(['a', 'b']);
    });

    it('carries the tap, SSE, WebSocket streams and the echo through the proxy, whichever node answers', async () => {
      const origin = { origin: url };
      const tap = await openTap(url);
      const other = await openTap(url);
      const q = `session=${tap.session}`;
      const streams = [
        await StreamClient.open(url, `${q}&since=0`),
        await StreamClient.open(url, `${q}&since=0`),
      ];
      const sse = openSse(url, `/api/stream/sse?${q}&since=0`, origin);
      await sse.opened;
      const sent = [];
      for (let i = 0; i < 6; i++) {
        sent.push(await publish(url, q, `through nginx ${i}`));
        // Three requests a round over two nodes: pooled proxy connections would mix the two pages.
        await publish(url, `session=${other.session}`, `the other page ${i}`);
        await fetch(`${url}/api/time?session=${other.session}`);
      }
      const ids = sent.map((e) => e.id);
      expect(ids).toEqual(range(1, 6));
      await waitFor(() => sse.events.length === 6 && streams.every((s) => s.ids.length === 6), 10_000);
      for (const s of streams) expect(s.ids).toEqual(ids);
      expect(sse.events).toEqual(sent);

      const echo = new WebSocket(`${url.replace('http', 'ws')}/ws/echo?${q}`, { headers: origin });
      await once(echo, 'open');
      echo.send('hello through nginx');
      const [reply] = (await once(echo, 'message')) as [Buffer];
      expect(String(reply)).toBe('hello through nginx');
      echo.close();
      await waitFor(
        () =>
          tapEvents(tap.messages).some(
            (e) => e.type === 'unit' && e.summary.includes("'hello through nginx'"),
          ),
        10_000,
      );
      // Each page's tap saw its own requests and none of the other's, though both went through one proxy.
      const requests = (messages: typeof tap.messages) =>
        tapEvents(messages).flatMap((e) =>
          e.type === 'unit' && e.kind === 'http-request' ? [e.summary] : [],
        );
      await waitFor(() => requests(other.messages).length >= 6, 10_000);
      expect(requests(tap.messages).every((line) => line.includes(tap.session))).toBe(true);
      expect(requests(other.messages).every((line) => line.includes(other.session))).toBe(true);
      for (const s of streams) s.close();
      sse.close();
      tap.ws.close();
      other.ws.close();
    });
  },
);
