/**
 * The page in a cluster: two nodes on a real redis-server of their own (free ports). When the node that
 * served the page loses Redis, every page says so, and stops saying so once the node reconnects.
 * Skipped, with a message, where redis-server is not installed (.ci/run installs it).
 */
import { expect, test } from '@playwright/test';
import { findRedisServer, RedisProcess } from '../server/redis.ts';
import { startWirescope, type WirescopeProcess } from '../helpers/wirescopeProcess.ts';

const REDIS_SERVER = findRedisServer();

function startNode(backplane: string, name: string): Promise<WirescopeProcess> {
  return startWirescope(['--backplane', backplane, '--node', name], { name: `node ${name}` });
}

test('without a cluster, lesson 11 says how to start one instead of running live', async ({ page }) => {
  await page.goto('/#/en/11-scaling-out/1');
  const live = page.locator('[data-live-status]');
  await expect(live).toHaveAttribute('data-live-status', 'needs-cluster');
  await expect(live.getByRole('status')).toContainText('run npm run cluster (Redis and two nodes)');
  await expect(live.getByRole('button', { name: 'Run it for real' })).toBeDisabled();
  await page.goto('/#/ko/11-scaling-out/1');
  await expect(live.getByRole('status')).toContainText('"npm run cluster"(Redis와 노드 두 대)를 실행한 뒤');
});

test.describe('a cluster of two nodes', () => {
  test.skip(!REDIS_SERVER, 'redis-server is not installed (Debian: apt-get install redis-server)');
  test.describe.configure({ mode: 'serial' });

  let redis: RedisProcess;
  let a: WirescopeProcess;
  let b: WirescopeProcess;

  test.beforeAll(async () => {
    redis = await RedisProcess.start(REDIS_SERVER!);
    a = await startNode(redis.url, 'a');
    b = await startNode(redis.url, 'b');
  });

  test.afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await redis?.stop();
  });

  test('lesson 11 publishes on the node that served the page and watches delivery on the other', async ({
    page,
  }) => {
    await page.goto(`${a.url}/#/en/11-scaling-out/1`);
    const live = page.locator('[data-live-status]');
    await live.getByRole('button', { name: 'Run it for real' }).click();
    await expect(live).toHaveAttribute('data-live-status', 'done', { timeout: 20_000 });
    const observed = live.locator('.observed');
    await expect(observed).toContainText(/published event (\d+) on node a/);
    await expect(observed).toContainText(/event \d+ arrived on the WebSocket of node b/);
    // The WebSocket was opened on node b only: its handshake in the live diagram came through the backplane.
    const diagram = page.locator('[data-source="live"]');
    await expect(diagram.getByText('GET /ws/stream', { exact: false }).first()).toBeVisible();
    await page.goto(`${a.url}/#/ko/11-scaling-out/1`);
    await live.getByRole('button', { name: '실제로 실행' }).click();
    await expect(live).toHaveAttribute('data-live-status', 'done', { timeout: 20_000 });
    await expect(live.locator('.observed')).toContainText(/노드 b의 WebSocket에 이벤트 \d+ 도착/);
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
