/**
 * The course as a learner uses it: home page, each lesson by its link, stepping with the buttons and the
 * keyboard, switching language mid-lesson, deep links, themes, and axe-core on every page.
 */
import { readdirSync, readFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { LANGS } from '../../src/lib/i18n/lang.ts';
import { PLAYER } from '../../src/lib/i18n/player.ts';
import { SHELL } from '../../src/lib/i18n/shell.ts';

/** Every lesson folder with its titles, read from its frontmatter: a lesson added later is covered here. */
const LESSONS = readdirSync(new URL('../../lessons/', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && /^\d\d-/.test(entry.name))
  .map((entry) => entry.name)
  .sort()
  .map((slug) => {
    const title = (lang: 'en' | 'ko') =>
      /^title: (.+)$/m.exec(
        readFileSync(new URL(`../../lessons/${slug}/${lang}.md`, import.meta.url), 'utf8'),
      )![1]!;
    return { slug, en: title('en'), ko: title('ko') };
  });

let errors: string[] = [];
test.beforeEach(({ page }) => {
  errors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
});
test.afterEach(() => {
  expect(errors, 'console errors').toEqual([]);
});

function narration(page: Page) {
  return page.getByRole('region', { name: /^(Narration|해설)/ });
}

/** The step number in the URL (1-based). */
function urlStep(page: Page): number {
  return Number(/\/(\d+)(\?|$)/.exec(new URL(page.url()).hash)?.[1]);
}

/** Presses "Next step" until the end, taking the first offered choice whenever the player waits for one. */
async function stepToEnd(page: Page, next: string): Promise<string[]> {
  const seen: string[] = [];
  const button = page.getByRole('button', { name: next });
  for (let i = 0; i < 40; i++) {
    const id = await narration(page).getAttribute('data-step-id');
    if (id && seen.at(-1) !== id) seen.push(id);
    if (await button.isEnabled()) {
      const before = urlStep(page);
      await button.click();
      await expect.poll(() => urlStep(page)).toBe(before + 1);
      continue;
    }
    const choice = page.locator('[data-choice]:enabled').first();
    if ((await choice.count()) === 0) break;
    await choice.click();
  }
  return seen;
}

test('the home page lists every lesson by title with its summary and progress', async ({ page }) => {
  await page.goto('/#/en/');
  await expect(page.getByRole('heading', { level: 1, name: 'wirescope' })).toBeVisible();
  const list = page.getByRole('region', { name: 'Lessons' }).getByRole('listitem');
  await expect(list).toHaveCount(LESSONS.length);
  for (const lesson of LESSONS) await expect(page.getByRole('link', { name: lesson.en })).toBeVisible();
  await expect(list.first()).toContainText('HTTP only ever answers');
  await expect(list.first()).toContainText('Not started');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
});

for (const [i, lesson] of LESSONS.entries()) {
  for (const lang of LANGS) {
    const ui = SHELL[lang];
    test(`lesson ${lesson.slug} (${lang}): open it from the home page and step to its end`, async ({
      page,
    }) => {
      await page.goto(`/#/${lang}/`);
      await page.locator(`li[data-slug="${lesson.slug}"]`).getByRole('link', { name: lesson[lang] }).click();
      await expect(page).toHaveURL(new RegExp(`#/${lang}/${lesson.slug}/1$`));
      await expect(page.getByRole('heading', { level: 1, name: lesson[lang] })).toBeVisible();
      await expect(narration(page).locator('[aria-live="polite"]')).not.toBeEmpty();
      await expect(page.getByRole('heading', { name: ui.tryIt })).toBeVisible();
      await expect(page.getByRole('link', { name: /^RFC / }).first()).toHaveAttribute(
        'href',
        /^https:\/\/www\.rfc-editor\.org\/rfc\/rfc\d+#section-/,
      );

      const seen = await stepToEnd(page, PLAYER[lang].next);
      expect(seen.length).toBeGreaterThan(2);
      expect(urlStep(page)).toBeGreaterThanOrEqual(seen.length);

      const previous = LESSONS[i - 1];
      const next = LESSONS[i + 1];
      const nav = page.getByRole('navigation', { name: ui.lessonNav });
      if (previous) await expect(nav.getByRole('link', { name: previous[lang] })).toBeVisible();
      if (next) {
        await nav.getByRole('link', { name: next[lang] }).click();
        await expect(page.getByRole('heading', { level: 1, name: next[lang] })).toBeVisible();
      }

      await page.goto(`/#/${lang}/`);
      const card = page.locator(`li[data-slug="${lesson.slug}"]`);
      await expect(card).not.toContainText(ui.notStarted);
      await expect(card.getByRole('link', { name: lesson[lang] })).toHaveAttribute(
        'href',
        new RegExp(`#/${lang}/${lesson.slug}/${seen.length > 0 ? '\\d+' : '1'}$`),
      );
    });
  }
}

test('the home page shows the course in two parts: lessons 1-6, then 7 onward', async ({ page }) => {
  for (const [lang, one, two] of [
    ['en', /^Part 1/, /^Part 2/],
    ['ko', /^1부/, /^2부/],
  ] as const) {
    await page.goto(`/#/${lang}/`);
    const first = page.getByRole('region', { name: one });
    const second = page.getByRole('region', { name: two });
    await expect(first.getByRole('heading', { level: 3 })).toBeVisible();
    await expect(first.getByRole('listitem')).toHaveCount(6);
    await expect(first.locator('li').last()).toHaveAttribute('data-slug', '06-http-vs-websocket');
    await expect(second.locator('li').first()).toHaveAttribute('data-slug', '07-server-sent-events');
    await expect(second.locator('ol')).toHaveAttribute('start', '7');
    await expect(
      second.getByRole('link', { name: lang === 'en' ? 'Server-sent events' : '서버 전송 이벤트' }),
    ).toBeVisible();
  }
});

test('the keyboard steps the player and the narration follows', async ({ page }) => {
  await page.goto('/#/en/02-long-polling/1');
  await expect(narration(page)).toHaveAttribute('data-step-id', 'request');
  await page.locator('h1').focus();
  await page.keyboard.press('ArrowRight');
  await expect(page).toHaveURL(/#\/en\/02-long-polling\/2$/);
  await expect(narration(page)).toHaveAttribute('data-step-id', 'held');
  await expect(narration(page)).toContainText('The server does not answer');
  await page.keyboard.press('ArrowLeft');
  await expect(page).toHaveURL(/#\/en\/02-long-polling\/1$/);
});

test('switching language mid-lesson keeps the place', async ({ page }) => {
  await page.goto('/#/en/03-opening-handshake/4');
  await expect(narration(page)).toHaveAttribute('data-step-id', 'accept-compute');
  await page.getByRole('group', { name: 'Language' }).getByRole('link', { name: '한국어' }).click();
  await expect(page).toHaveURL(/#\/ko\/03-opening-handshake\/4$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'ko');
  await expect(page.getByRole('heading', { level: 1, name: '여는 핸드셰이크' })).toBeVisible();
  await expect(narration(page)).toHaveAttribute('data-step-id', 'accept-compute');
  await expect(narration(page)).toContainText('GUID');
  await page.getByRole('group', { name: '언어' }).getByRole('link', { name: 'English' }).click();
  await expect(page).toHaveURL(/#\/en\/03-opening-handshake\/4$/);
  await expect(page.getByRole('heading', { level: 1, name: 'The opening handshake' })).toBeVisible();
});

test('a deep link with a choice survives a reload', async ({ page }) => {
  await page.goto('/#/en/03-opening-handshake/3?choice=bad-key');
  await expect(narration(page)).toHaveAttribute('data-step-id', 'server-checks');
  await page.reload();
  await expect(page).toHaveURL(/#\/en\/03-opening-handshake\/3\?choice=bad-key$/);
  await expect(narration(page)).toHaveAttribute('data-step-id', 'server-checks');
  await page.getByRole('button', { name: 'Next step' }).click();
  await expect(page).toHaveURL(/#\/en\/03-opening-handshake\/4\?choice=bad-key$/);
  await expect(narration(page)).toHaveAttribute('data-step-id', 'reject-400');
});

test('a checkpoint hides its answer until Reveal', async ({ page }) => {
  await page.goto('/#/en/01-request-response/2');
  const checkpoint = page.getByRole('group', { name: 'Predict, then reveal' });
  await expect(checkpoint).toContainText('Can it send it now');
  await expect(page.getByRole('heading', { name: 'Answer' })).toHaveCount(0);
  await checkpoint.getByLabel(/in HTTP, a server only sends a response/).check();
  await page.getByRole('button', { name: 'Reveal' }).click();
  await expect(page.getByRole('heading', { name: 'Answer' })).toBeVisible();
  await expect(page.getByText('Your prediction was right.')).toBeVisible();
});

test('the theme follows the toggle and persists', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto('/#/en/');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  const toggle = page.getByRole('button', { name: 'Dark theme' });
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  await toggle.click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(page.getByRole('button', { name: 'Dark theme' })).toHaveAttribute('aria-pressed', 'true');
});

test('skip link, the lab route and unknown addresses', async ({ page }) => {
  await page.goto('/#/ko/lab');
  await expect(page.getByRole('heading', { level: 1, name: /^실습실/ })).toBeVisible();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: '본문으로 건너뛰기' })).toBeFocused();
  await page.goto('/#/en/99-nothing/1');
  await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
});

const PLAYER_SECTION = 'section[data-scenario]';

/** Serious and critical axe violations on the current page, inside or outside the scenario player. */
async function violations(page: Page, where: 'page' | 'player', label: string): Promise<string[]> {
  const builder = new AxeBuilder({ page });
  const results = await (
    where === 'player' ? builder.include(PLAYER_SECTION) : builder.exclude(PLAYER_SECTION)
  ).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}) on ${label}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

// The course's own pages and the visualiser's player are checked separately so a failure says whose it is.
for (const where of ['page', 'player'] as const) {
  for (const theme of ['light', 'dark'] as const) {
    for (const lang of ['en', 'ko'] as const) {
      test(`axe finds no serious or critical violations in the ${where === 'page' ? 'course pages' : 'scenario player'}: ${lang}, ${theme} theme`, async ({
        page,
      }) => {
        // Every lesson is loaded and analysed in turn: the time grows with the course.
        test.setTimeout(30_000 * (LESSONS.length + 1));
        await page.addInitScript((value) => localStorage.setItem('wirescope.theme', value), theme);
        const found: string[] = [];
        for (const path of [...(where === 'page' ? [''] : []), ...LESSONS.map((l) => `${l.slug}/1`)]) {
          await page.goto(`/#/${lang}/${path}`);
          await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
          await expect(page.locator('h1')).toBeVisible();
          if (path) await expect(narration(page).locator('[aria-live="polite"]')).not.toBeEmpty();
          found.push(...(await violations(page, where, path || 'home')));
        }
        expect(found).toEqual([]);
      });
    }
  }
}

test('the comparison lesson quotes the last lab run, or points to the lab', async ({ page }) => {
  await page.goto('/#/en/06-http-vs-websocket/1');
  const summary = page.getByRole('complementary', { name: 'Measured in the lab' });
  await expect(summary.getByRole('link', { name: /No lab run yet/ })).toHaveAttribute('href', '#/en/lab');
  const run = {
    version: 1,
    at: Date.UTC(2026, 0, 2),
    settings: { rate: 10, payloadBytes: 32, pollIntervalMs: 200, durationMs: 2000 },
    expected: 19,
    contenders: [
      {
        contender: 'ws',
        p50: 1.8,
        bytesPerEvent: 114,
        delivered: 19,
        missed: 0,
        requests: 1,
        connections: 1,
      },
      {
        contender: 'long',
        p50: 4.4,
        bytesPerEvent: 893,
        delivered: 19,
        missed: 0,
        requests: 20,
        connections: 1,
      },
    ],
  };
  await page.evaluate((value) => localStorage.setItem('wirescope.lab.lastRun', JSON.stringify(value)), run);
  await page.reload();
  await expect(summary.locator('li[data-contender="ws"]')).toContainText('WebSocket: p50');
  await expect(summary.locator('li[data-contender="long"]')).toContainText('893');
});
