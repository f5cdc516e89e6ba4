/**
 * Browser benchmark of the step player, against a built dist/ served by the real server, in headless
 * Chromium: the time from navigation to the first usable step of each lesson (median of 3 loads), and
 * the longest main-thread task (PerformanceObserver 'longtask') while each lesson autoplays at 16x from
 * its first step until the player stops; the goal is no task over 50 ms, as the median of three
 * autoplays. Every lesson folder in lessons/ is measured. The named peer in the same run is the home
 * page's time to its heading.
 *
 *   npx tsx tests/bench/browser.ts [slug ...]   (builds dist/ first if it is missing)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from '@playwright/test';
import { chromiumLaunchOptions } from '../e2e/browser.ts';
import { startWirescope, type WirescopeProcess } from '../helpers/wirescopeProcess.ts';
import { loadText } from './server.ts';

const LOADS = 3;
const AUTOPLAYS = 3;
/** Longest an autoplay at 16x may take before the bench gives up on that lesson. */
const AUTOPLAY_LIMIT_MS = 60_000;
const root = fileURLToPath(new URL('../..', import.meta.url));

/** Every lesson the app serves: the folders of lessons/ that hold an en.md, in course order. */
export function lessonSlugs(): string[] {
  return readdirSync(`${root}lessons`, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(`${root}lessons/${entry.name}/en.md`))
    .map((entry) => entry.name)
    .sort();
}

declare global {
  interface Window {
    __longtasks: number[];
    __played: boolean;
  }
}

async function startServer(): Promise<WirescopeProcess> {
  if (!existsSync(`${root}dist/index.html`))
    spawnSync('npx', ['vite', 'build'], { cwd: root, stdio: 'inherit' });
  return startWirescope(['--host', '127.0.0.1']);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** ms from navigation start until `ready` holds in the page. */
async function timeTo(page: Page, url: string, ready: string): Promise<number> {
  // A hash change alone is no navigation: leave the app first so every load starts from scratch.
  await page.goto('about:blank');
  await page.goto(url);
  await page.waitForFunction(ready, undefined, { polling: 'raf', timeout: 15_000 });
  return page.evaluate(() => performance.now());
}

const LESSON_READY = `(() => {
  const s = document.querySelector('section[data-scenario][data-step-id]');
  const next = [...document.querySelectorAll('button')].find((b) => b.textContent?.includes('Next step'));
  return !!s && !!next && !next.disabled;
})()`;

export async function benchBrowser(only: readonly string[] = []): Promise<void> {
  const slugs = lessonSlugs().filter((slug) => only.length === 0 || only.includes(slug));
  const server = await startServer();
  const browser = await chromium.launch(chromiumLaunchOptions());
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript(() => {
      window.__longtasks = [];
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) window.__longtasks.push(entry.duration);
      }).observe({ type: 'longtask', buffered: true });
    });
    const page = await context.newPage();
    const home: number[] = [];
    for (let i = 0; i < LOADS; i++)
      home.push(await timeTo(page, `${server.url}/#/en/`, "!!document.querySelector('h1')"));
    const baseline = median(home);
    const rows: string[][] = [['home page (peer)', baseline.toFixed(0), '1.00', '', '', '']];
    let worst = 0;
    const missed: string[] = [];
    for (const slug of slugs) {
      const loads: number[] = [];
      for (let i = 0; i < LOADS; i++)
        loads.push(await timeTo(page, `${server.url}/#/en/${slug}`, LESSON_READY));
      const first = median(loads);
      // The longest task of each of AUTOPLAYS autoplays from a fresh load; the figure is their median.
      const longestOfRuns: number[] = [];
      let over50 = 0;
      let stoppedAt = '';
      for (let i = 0; i < AUTOPLAYS; i++) {
        if (i > 0) await timeTo(page, `${server.url}/#/en/${slug}`, LESSON_READY);
        await page.getByRole('combobox', { name: 'Speed' }).selectOption('16');
        await page.evaluate(() => {
          window.__longtasks = [];
          // The player plays until the lesson's path ends (or a choice waits for the learner), then
          // stops: note that it started, so its stop can be told from the moment before the click.
          window.__played = false;
          const controls = document.querySelector('[role="toolbar"][data-playing]')!;
          new MutationObserver(() => {
            if (controls.getAttribute('data-playing') === 'true') window.__played = true;
          }).observe(controls, { attributes: true, attributeFilter: ['data-playing'] });
        });
        await page.getByRole('button', { name: 'Play', exact: true }).click();
        await page.waitForFunction(
          () =>
            window.__played &&
            document.querySelector('[role="toolbar"][data-playing]')?.getAttribute('data-playing') ===
              'false',
          undefined,
          { timeout: AUTOPLAY_LIMIT_MS },
        );
        await page.waitForTimeout(300);
        stoppedAt =
          (await page.locator('section[data-scenario][data-step-id]').getAttribute('data-step-id')) ?? '?';
        const tasks = await page.evaluate(() => window.__longtasks);
        longestOfRuns.push(tasks.length ? Math.max(...tasks) : 0);
        over50 += tasks.filter((d) => d > 50).length;
      }
      const longest = median(longestOfRuns);
      worst = Math.max(worst, longest);
      if (longest > 50) missed.push(slug);
      rows.push([
        slug,
        first.toFixed(0),
        (first / baseline).toFixed(2),
        stoppedAt,
        `${longest ? longest.toFixed(0) : '<50'} (${longestOfRuns.map((d) => (d ? d.toFixed(0) : '<50')).join(', ')})`,
        String(over50),
      ]);
    }
    const header = [
      'page',
      'first usable (ms)',
      'vs home',
      'autoplay stopped at',
      `longest task at 16×, median (${AUTOPLAYS} runs)`,
      'tasks > 50 ms',
    ];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
    console.log(
      `Chromium headless, ${slugs.length} lessons from lessons/, median of ${LOADS} loads; longest task while autoplaying at 16x, median of ${AUTOPLAYS} autoplays (${loadText()})`,
    );
    console.log(line(header));
    for (const row of rows) console.log(line(row));
    console.log(
      worst > 50
        ? `goal missed: median longest task over 50 ms in ${missed.join(', ')} (worst ${worst.toFixed(0)} ms)`
        : "goal met: every lesson's median longest task is under 50 ms",
    );
  } finally {
    await browser.close();
    await server.stop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await benchBrowser(process.argv.slice(2));
}
