/**
 * Presentation mode as a teacher drives it: the keyboard alone enters it (P), steps (→ ←), plays
 * (space) and leaves it (Escape); the address keeps it, so a bookmark opens the projector's view; axe
 * finds nothing serious in it, in either language.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';

const view = (page: Page) => page.locator('.present[data-step-id]');

async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('P enters presentation mode, the arrows and space drive it, Escape leaves it at the same step', async ({
  page,
}) => {
  await page.goto('/#/en/02-long-polling');
  await expect(page.locator('section[data-scenario]')).toHaveAttribute('data-step', '0');
  await page.keyboard.press('p');
  await expect(view(page)).toBeVisible();
  await expect(page).toHaveURL(/present=1/);
  await expect(page.getByRole('navigation')).toHaveCount(0);
  await expect(page.getByText(/^Works offline/)).toHaveCount(0);

  const first = await view(page).getAttribute('data-step-id');
  await page.keyboard.press('ArrowRight');
  await expect(view(page)).not.toHaveAttribute('data-step-id', first ?? '');
  await expect(page).toHaveURL(/\/2\?present=1/);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowLeft');
  await expect(page).toHaveURL(/\/2\?present=1/);
  // The narration of that step is in large type in a live region.
  await expect(view(page).locator('[aria-live="polite"]')).not.toBeEmpty();

  await page.keyboard.press(' ');
  await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
  await page.keyboard.press(' ');
  await expect(page.getByRole('button', { name: 'Play' })).toBeVisible();

  expect(await seriousViolations(page)).toEqual([]);

  const step = new URL(page.url()).hash.split('?')[0];
  await page.keyboard.press('Escape');
  await expect(view(page)).toHaveCount(0);
  await expect(page.locator('section[data-scenario]')).toBeVisible();
  expect(new URL(page.url()).hash).toBe(step);
  await expect(page.getByRole('navigation').first()).toBeVisible();
});

test('a bookmarked presentation opens as one, in Korean, and its leave button works by keyboard', async ({
  page,
}) => {
  await page.goto('/#/ko/03-opening-handshake/3?present=1');
  await expect(view(page)).toBeVisible();
  await expect(page.getByText('3단계', { exact: false }).first()).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  const leave = page.getByRole('button', { name: '발표 모드 나가기' });
  await leave.focus();
  await page.keyboard.press('Enter');
  await expect(view(page)).toHaveCount(0);
  await expect(page).toHaveURL(/#\/ko\/03-opening-handshake\/3$/);
  await page.getByRole('button', { name: '발표 모드' }).focus();
  await page.keyboard.press('Enter');
  await expect(view(page)).toBeVisible();
});
