/**
 * A student turned away by a full class server: against a server of its own started with
 * --max-sessions 1, whose one session another student holds, the lab and a lesson's live run say the
 * server is full, how full, and what the teacher can do, instead of failing silently.
 */
import { once } from 'node:events';
import { expect, test } from '@playwright/test';
import { WebSocket } from 'ws';
import { startWirescope, type WirescopeProcess } from '../helpers/wirescopeProcess.ts';

let server: WirescopeProcess;
let base: string;
let holder: WebSocket;

test.beforeAll(async () => {
  server = await startWirescope(['--host', '127.0.0.1', '--max-sessions', '1']);
  base = server.url;
  // Another student's page holds the only session.
  holder = new WebSocket(`${base.replace('http', 'ws')}/ws/tap`);
  await once(holder, 'message');
});

test.afterAll(async () => {
  holder.close();
  await server.stop();
});

const FULL =
  'The class server is full: 1 of 1 sessions in use. Ask your teacher to start it with --max-sessions 2';

test('the lab says the class server is full and what to ask the teacher', async ({ page }) => {
  await page.goto(`${base}/#/en/lab`);
  await page.getByRole('button', { name: 'Start run' }).click();
  const status = page.getByTestId('lab-status');
  await expect(status).toContainText(FULL, { timeout: 5_000 });
  await expect(status).toHaveAttribute('data-refused', 'sessions-full');
  await expect(page.getByRole('button', { name: 'Start run' })).toBeEnabled();
  await page.locator('.lab section').first().screenshot({ path: 'test-results/classroom-lab-full.png' });

  await page.goto(`${base}/#/ko/lab`);
  await page.getByRole('button', { name: '실행 시작' }).click();
  await expect(page.getByTestId('lab-status')).toContainText('수업 서버가 가득 찼어요: 세션 1개 중 1개를');
});

test("a lesson's live run says the class server is full", async ({ page }) => {
  await page.goto(`${base}/#/en/04-frames`);
  await page.getByRole('button', { name: 'Run it for real' }).click();
  const live = page.locator('[data-live-status]');
  await expect(live).toHaveAttribute('data-live-status', 'failed', { timeout: 5_000 });
  await expect(live.getByRole('status')).toContainText(
    'the class server is full: 1 of 1 sessions in use. Ask your teacher to start it with --max-sessions 2',
  );
});

test('once a session is free, the next student gets in', async ({ page }) => {
  const other = new WebSocket(`${base.replace('http', 'ws')}/ws/tap`);
  const [first] = (await once(other, 'message')) as [Buffer];
  expect(JSON.parse(String(first))).toMatchObject({ type: 'refused', inUse: 1, max: 1 });
  holder.close();
  await once(holder, 'close');
  await page.goto(`${base}/#/en/01-request-response`);
  await page.getByRole('button', { name: 'Run it for real' }).click();
  await expect(page.locator('[data-live-status]')).toHaveAttribute('data-live-status', 'done', {
    timeout: 20_000,
  });
  holder = new WebSocket(`${base.replace('http', 'ws')}/ws/tap`);
  await once(holder, 'message');
});
