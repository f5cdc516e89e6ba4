/**
 * Every Korean page of the course, the inspector and the lab, read for English UI text: each lesson at
 * every step it shows by default, with the byte inspector open on that step's message; the inspector with
 * each example; the lab, idle and with a recorded run imported. Protocol tokens and code aside, a learner
 * on a Korean page reads Korean.
 */
import { expect, test, type Page } from '@playwright/test';
import { findEnglish, type EnglishFinding } from './english';

async function lessonSlugs(page: Page): Promise<string[]> {
  await page.goto('/#/ko/');
  const links = page.locator('ol.lessons li[data-slug]');
  await expect(links.first()).toBeVisible();
  return links.evaluateAll((items) => items.map((li) => li.getAttribute('data-slug')!));
}

function report(findings: EnglishFinding[]): string {
  return findings.map((f) => `${f.where}: ${f.words.join(', ')} — "${f.text}"`).join('\n');
}

test('the Korean home page and every lesson, step by step, read in Korean', async ({ page }) => {
  test.setTimeout(240_000);
  const all: EnglishFinding[] = [];
  const slugs = await lessonSlugs(page);
  expect(slugs.length).toBeGreaterThanOrEqual(6);
  all.push(...(await findEnglish(page)).map((f) => ({ ...f, where: `home ${f.where}` })));
  for (const slug of slugs) {
    await page.goto(`/#/ko/${slug}/1`);
    const next = page.getByRole('button', { name: '다음 단계' });
    await expect(next).toBeVisible();
    for (let step = 1; step <= 30; step++) {
      await expect(page.locator('section.player')).toHaveAttribute('data-step', String(step - 1));
      all.push(
        ...(await findEnglish(page, 'main')).map((f) => ({ ...f, where: `${slug}/${step} ${f.where}` })),
      );
      if (!(await next.isEnabled())) break;
      await next.click();
    }
  }
  const unique = [...new Map(all.map((f) => [f.text, f])).values()];
  expect(unique, report(unique)).toEqual([]);
});

test('a Korean live run, its differences and what the page saw, read in Korean', async ({ page }) => {
  await page.goto('/#/ko/05-closing-handshake/1');
  const run = page.getByRole('button', { name: '실제로 실행' });
  await expect(run).toBeEnabled();
  await run.click();
  await expect(page.locator('[data-live-status="done"]')).toBeVisible({ timeout: 20_000 });
  const findings = await findEnglish(page, 'main');
  expect(findings, report(findings)).toEqual([]);
});

test('the Korean inspector explains every example in Korean', async ({ page }) => {
  await page.goto('/#/ko/inspector');
  const examples = page.getByRole('group', { name: '예시' }).getByRole('button');
  const all: EnglishFinding[] = [];
  for (let i = 0; i < (await examples.count()); i++) {
    await examples.nth(i).click();
    all.push(...(await findEnglish(page, 'main')));
  }
  await page.getByRole('textbox').fill('81 85 37 zz');
  all.push(...(await findEnglish(page, 'main')));
  await page.getByRole('textbox').fill('81 85 37 fa 21 3d 7f 9f');
  all.push(...(await findEnglish(page, 'main')));
  const unique = [...new Map(all.map((f) => [f.text, f])).values()];
  expect(unique, report(unique)).toEqual([]);
});

test('the Korean lab reads in Korean, idle and with a recorded run', async ({ page }) => {
  await page.goto('/#/ko/lab');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('실습실');
  const all = await findEnglish(page, 'main');
  await page
    .locator('input[type="file"]')
    .setInputFiles(new URL('../fixtures/lab-run.json', import.meta.url).pathname);
  await expect(page.getByRole('table').first()).toBeVisible();
  all.push(...(await findEnglish(page, 'main')));
  const unique = [...new Map(all.map((f) => [f.text, f])).values()];
  expect(unique, report(unique)).toEqual([]);
});
