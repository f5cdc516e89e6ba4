/**
 * wirescope in front of an app (`--target`): its own page under /__wirescope/ runs live exchanges and
 * the lab against its own endpoints there (the built page's URLs are relative), while every other
 * path is the app's and the app never sees wirescope's requests.
 */
import { createServer, type Server } from 'node:http';
import { startWirescope, type WirescopeProcess } from '../helpers/wirescopeProcess.ts';
import { expect, test } from '@playwright/test';

let app: Server;
const seen: string[] = [];
let proxy: WirescopeProcess;
let base = '';

test.beforeAll(async () => {
  app = createServer((req, res) => {
    seen.push(req.url ?? '');
    // The app names an icon of its own, so Chromium does not ask it for /favicon.ico at a moment of
    // its choosing, which a test counting the app's requests would take for one of wirescope's.
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end('<title>my app</title><link rel="icon" href="data:,"><h1>my app</h1>');
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  const address = app.address();
  const target = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  proxy = await startWirescope(['--target', target], { timeoutMs: 20_000, name: 'wirescope' });
  base = proxy.url;
});

test.afterAll(async () => {
  await proxy.stop();
  await new Promise<void>((resolve) => app.close(() => resolve()));
});

test('the page under /__wirescope/ runs live against its own endpoints; the app keeps its paths', async ({
  page,
}) => {
  await page.goto(`${base}/`);
  await expect(page.getByRole('heading', { name: 'my app' })).toBeVisible();

  const failed: string[] = [];
  page.on('response', (r) => r.status() >= 400 && failed.push(r.url()));
  const before = seen.length;
  for (const lesson of ['04-frames', '02-long-polling']) {
    await page.goto(`${base}/__wirescope/#/en/${lesson}`);
    await page.getByRole('button', { name: 'Run it for real' }).click();
    await expect(page.locator('[data-live-status]')).toHaveAttribute('data-live-status', 'done', {
      timeout: 20_000,
    });
    const options = page.getByRole('listbox', { name: /Live .*: Messages/ }).getByRole('option');
    expect(await options.count()).toBeGreaterThan(0);
  }
  expect(failed).toEqual([]);
  expect(seen.slice(before)).toEqual([]);
});

// A page of its own: the tap gives a pooled connection to the session of its first request, so the
// live runs above would keep theirs.
test('the lab runs under /__wirescope/ and attributes its bytes', async ({ page }) => {
  const before = seen.length;
  await page.goto(`${base}/__wirescope/#/en/lab`);
  await page.getByLabel('Events per second').fill('5');
  await page.getByLabel('Run length (seconds)').fill('1');
  await page.getByRole('button', { name: 'Start run' }).click();
  await expect(page.getByTestId('lab-status')).toHaveText(/Finished/, { timeout: 20_000 });
  const table = page.getByRole('table', { name: /What each contender cost/ });
  for (const contender of ['short', 'long', 'sse', 'ws']) {
    const row = table.locator(`tr[data-contender="${contender}"]`);
    await expect(row.locator('[data-col="missed"]')).toHaveText('0');
    // The bytes come from the tap's attribution, which knows the demo's paths under the prefix.
    await expect(row.locator('[data-col="requests"]')).not.toHaveText('0');
  }
  expect(seen.slice(before)).toEqual([]);
});
