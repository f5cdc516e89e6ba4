/**
 * The page in a cluster: two nodes on a real redis-server of their own (free ports). When the node that
 * served the page loses Redis, every page says so, and stops saying so once the node reconnects.
 * Skipped, with a message, where redis-server is not installed (.ci/run installs it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { expect, test } from '@playwright/test';
import { findRedisServer, RedisProcess } from '../server/redis.ts';

const REDIS_SERVER = findRedisServer();

interface Node {
  child: ChildProcess;
  url: string;
}

async function startNode(backplane: string, name: string): Promise<Node> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'server/main.ts', '--port', '0', '--backplane', backplane, '--node', name],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`node ${name} exited with ${code}: ${out}`)));
  });
  return { child, url };
}

async function stopNode(node: Node | undefined): Promise<void> {
  if (!node || node.child.exitCode !== null) return;
  const exited = once(node.child, 'exit');
  node.child.kill('SIGTERM');
  await exited;
}

test.describe('a cluster of two nodes', () => {
  test.skip(!REDIS_SERVER, 'redis-server is not installed (Debian: apt-get install redis-server)');
  test.describe.configure({ mode: 'serial' });

  let redis: RedisProcess;
  let a: Node;
  let b: Node;

  test.beforeAll(async () => {
    redis = await RedisProcess.start(REDIS_SERVER!);
    a = await startNode(redis.url, 'a');
    b = await startNode(redis.url, 'b');
  });

  test.afterAll(async () => {
    await stopNode(a);
    await stopNode(b);
    await redis?.stop();
  });

  test('every page says when its node has lost the backplane, and stops once it is back', async ({
    page,
  }) => {
    test.setTimeout(90_000);
    await page.goto(`${a.url}/#/en/lab`);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    const banner = page.locator('[data-backplane="lost"]');
    await expect(banner).toHaveCount(0);

    await redis.stop();
    await expect(banner).toHaveText(
      /Server node a has lost its backplane \(Redis\): it serves this page alone/,
      {
        timeout: 20_000,
      },
    );
    await page.goto(`${a.url}/#/ko/`);
    await expect(banner).toContainText('서버 노드 a이(가) 백플레인(Redis)과 끊겼어요', { timeout: 10_000 });

    await redis.run();
    await expect(banner).toHaveCount(0, { timeout: 30_000 });
  });
});
