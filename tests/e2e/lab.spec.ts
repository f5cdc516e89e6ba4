/**
 * The lab, run for real against the demo server: every contender delivers the events, and the payload
 * bytes each one read in the page agree exactly with what the server's tap saw on its connections.
 */
import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { attribute } from '../../src/lib/lab/attribute';
import { runFromJson } from '../../src/lib/lab/runFile';
import { CONTENDERS } from '../../src/lib/lab/types';

test('a short run: every contender delivers every event, and its bytes agree with the tap', async ({
  page,
}) => {
  await page.goto('/#/en/lab');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Lab');
  await page.getByLabel('Events per second').fill('20');
  await page.getByLabel('Payload size (bytes)').fill('64');
  await page.getByLabel('Short polling interval (ms)').fill('200');
  await page.getByLabel('Run length (seconds)').fill('3');
  await page.getByRole('button', { name: 'Start run' }).click();
  await expect(page.getByTestId('lab-status')).toHaveText(/Finished/, { timeout: 20_000 });
  await expect(page.getByTestId('lab-announce')).toContainText('Run finished: Short polling p50');

  const table = page.getByRole('table', { name: /What each contender cost/ });
  await expect(table).toBeVisible();
  for (const contender of CONTENDERS) {
    const row = table.locator(`tr[data-contender="${contender}"]`);
    await expect(row.locator('[data-col="missed"]')).toHaveText('0');
    expect(Number(await row.locator('[data-col="delivered"]').textContent())).toBeGreaterThanOrEqual(40);
  }

  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export run (JSON)' }).click();
  const file = await (await downloading).path();
  const run = runFromJson(JSON.parse(await readFile(file, 'utf8')));
  const bytes = attribute(run.trace).bytes;
  for (const contender of CONTENDERS) {
    expect(run.pageBytes[contender], contender).toBeGreaterThan(0);
    expect(bytes[contender].s2c.payload, contender).toBe(run.pageBytes[contender]);
  }
  const ids = new Set(run.receipts.map((r) => r.id));
  expect(ids.size).toBe(run.expected.to - run.expected.from + 1);

  const csv = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export figures (CSV)' }).click();
  const text = await readFile(await (await csv).path(), 'utf8');
  expect(text.split('\r\n')[0]).toMatch(/^contender,expected,delivered/);

  const axe = await new AxeBuilder({ page }).include('.lab').analyze();
  expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
});

test('cutting every connection: SSE and WebSocket reconnect and nothing is missed', async ({ page }) => {
  await page.goto('/#/en/lab');
  await page.getByLabel('Events per second').fill('10');
  // Long enough that, on a busy machine, every contender is connected before the cut and back after it
  // (an EventSource waits its retry time before it reconnects).
  await page.getByLabel('Run length (seconds)').fill('6');
  await page.getByRole('button', { name: 'Start run' }).click();
  await expect(page.getByTestId('lab-status')).toHaveText(/Running/);
  await page.waitForTimeout(2000);
  await page.getByRole('button', { name: 'Cut every connection' }).click();
  await expect(page.getByTestId('lab-status')).toHaveText(/Finished/, { timeout: 20_000 });
  const table = page.getByRole('table');
  for (const contender of ['sse', 'ws']) {
    const row = table.locator(`tr[data-contender="${contender}"]`);
    await expect(row.locator('[data-col="reconnects"]')).toHaveText('1');
    await expect(row.locator('[data-col="missed"]')).toHaveText('0');
  }
});

test('a HAR file with WebSocket messages opens in the diagram and inspector; a bad file changes nothing', async ({
  page,
}) => {
  await page.goto('/#/ko/lab');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('실습실');
  await page.goto('/#/en/lab');
  const input = page.getByLabel('Import a saved run, trace, HAR or capture file');
  await input.setInputFiles(new URL('../fixtures/lab.har', import.meta.url).pathname);
  const har = page.locator('section[data-source="har"]');
  await expect(har.getByRole('note')).toContainText('rebuilt');
  const messages = har.getByRole('listbox');
  await messages.focus();
  await page.keyboard.press('End');
  await expect(har.getByRole('region', { name: 'Byte inspector' })).toBeVisible();
  const before = await har.innerHTML();

  await input.setInputFiles({
    name: 'broken.har',
    mimeType: 'application/json',
    buffer: Buffer.from('{"log": {}}'),
  });
  await expect(page.getByRole('alert')).toContainText('no log.entries');
  expect(await har.innerHTML()).toBe(before);

  // A demo server --record file (JSON lines): the bytes as captured, in the same diagram and inspector.
  const run = JSON.parse(await readFile(new URL('../fixtures/lab-run.json', import.meta.url), 'utf8'));
  const { events, ...header } = run.trace as { events: unknown[] };
  const jsonl = [header, ...events].map((line) => JSON.stringify(line)).join('\n');
  await input.setInputFiles({ name: 'record.jsonl', mimeType: 'text/plain', buffer: Buffer.from(jsonl) });
  const recorded = page.locator('section[data-source="trace"]');
  await expect(recorded.getByRole('note')).toContainText('exactly as they crossed the wire');
  await expect(recorded.getByRole('listbox').getByRole('option').first()).toBeVisible();

  await input.setInputFiles(new URL('../fixtures/lab-run.json', import.meta.url).pathname);
  await expect(page.getByRole('table')).toBeVisible();
  const axe = await new AxeBuilder({ page }).include('.lab').analyze();
  expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
});

test('the summary table fits a laptop screen (1280 x 800) in both languages, nothing cut off', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  for (const lang of ['en', 'ko'] as const) {
    await page.goto(`/#/${lang}/lab`);
    const input = page.locator('input[type="file"]');
    await input.setInputFiles(new URL('../fixtures/lab-run-cut.json', import.meta.url).pathname);
    const table = page.getByTestId('lab-summary');
    await expect(table).toBeVisible();
    await page
      .locator('section[aria-labelledby="lab-summary-h"]')
      .screenshot({ path: `test-results/lab-summary-1280-${lang}.png` });
    const fit = await table.evaluate((element) => {
      const wrap = element.parentElement!;
      const right = wrap.getBoundingClientRect().right;
      const cells = [...element.querySelectorAll('th, td')].map((c) => c.getBoundingClientRect().right);
      return {
        scrollWidth: wrap.scrollWidth,
        clientWidth: wrap.clientWidth,
        tableWidth: element.scrollWidth,
        overflowingCells: cells.filter((r) => r > right + 0.5).length,
      };
    });
    expect(fit.scrollWidth, `${lang}: the table scrolls sideways`).toBeLessThanOrEqual(fit.clientWidth);
    expect(fit.tableWidth).toBeLessThanOrEqual(fit.clientWidth);
    expect(fit.overflowingCells).toBe(0);
  }
});
