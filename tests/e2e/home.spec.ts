import { readdirSync } from 'node:fs';
import { expect, test } from '@playwright/test';

/** One card per lesson folder (lessons/NN-slug). */
const LESSONS = readdirSync('lessons').filter((name) => /^\d\d-/.test(name)).length;

test('the home page names the product and lists the lessons', async ({ page }) => {
  const errors: string[] = [];
  page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'wirescope' })).toBeVisible();
  await expect(page.getByRole('region', { name: /^(Lessons|레슨)$/ }).getByRole('listitem')).toHaveCount(
    LESSONS,
  );
  expect(errors).toEqual([]);
});

test('the server answers its health check', async ({ request }) => {
  const response = await request.get('/healthz');
  expect(response.status()).toBe(200);
});
