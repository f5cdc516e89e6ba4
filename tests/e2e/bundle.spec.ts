import { gzipSync } from 'node:zlib';
import { expect, test } from '@playwright/test';

/**
 * The course promises a light home page and lessons on demand: a class of 60 loads it at once over one
 * Wi-Fi. 50 KB of gzipped JavaScript (32 KB now); the tap, the trace reader and the protocol load with
 * the first page that needs them (73 KB when the home page's health check pulled them in).
 */
const HOME_JS_BUDGET = 50_000;

test('the home page loads at most 50 KB of gzipped JavaScript, and no lesson until one is opened', async ({
  page,
}) => {
  const scripts: string[] = [];
  page.on('response', (response) => {
    if (response.request().resourceType() === 'script') scripts.push(response.url());
  });
  await page.goto('/#/en/');
  await expect(page.getByRole('link', { name: 'Frames' })).toBeVisible();
  await page.waitForLoadState('networkidle');

  let gzipped = 0;
  for (const url of scripts) {
    const body = await (await page.request.get(url)).body();
    gzipped += gzipSync(body).length;
  }
  console.log(`home page JavaScript: ${scripts.length} files, ${(gzipped / 1000).toFixed(1)} KB gzip`);
  expect(gzipped).toBeGreaterThan(0);
  expect(gzipped).toBeLessThanOrEqual(HOME_JS_BUDGET);
  expect(scripts.filter((url) => /\/\d\d-[a-z-]+-[\w-]+\.js$/.test(url))).toEqual([]);

  await page.getByRole('link', { name: 'Frames' }).click();
  await expect(page.getByRole('button', { name: 'Next step' })).toBeVisible();
  expect(scripts.some((url) => /\/04-frames-[\w-]+\.js$/.test(url))).toBe(true);
  expect(scripts.some((url) => /\/03-opening-handshake-[\w-]+\.js$/.test(url))).toBe(false);
});
