/**
 * Browser benchmark of the step player, against a built dist/ served by the real server, in headless
 * Chromium: the time from navigation to the first usable step of each lesson (median of 3 loads), and
 * the longest main-thread task (PerformanceObserver 'longtask') while each flow autoplays at top speed;
 * the goal is no task over 50 ms. The named peer in the same run is the home page's time to its heading.
 *
 *   npx tsx tests/bench/browser.ts        (builds dist/ first if it is missing)
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from '@playwright/test';
import { chromiumLaunchOptions } from '../e2e/browser.ts';
import { startWirescope, type WirescopeProcess } from '../helpers/wirescopeProcess.ts';

const FLOWS = [
  { slug: '01-request-response', last: 'summary' },
  { slug: '02-long-polling', last: 'summary' },
  { slug: '03-opening-handshake', last: 'open' },
  { slug: '04-frames', last: 'your-message' },
  { slug: '05-closing-handshake', last: 'closed' },
  { slug: '06-http-vs-websocket', last: 'tally' },
] as const;
const LOADS = 3;
const AUTOPLAYS = 3;
const root = fileURLToPath(new URL('../..', import.meta.url));

declare global {
  interface Window {
    __longtasks: number[];
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

export async function benchBrowser(): Promise<void> {
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
    const rows: string[][] = [['home page (peer)', baseline.toFixed(0), '1.00', '', '']];
    let worst = 0;
    for (const flow of FLOWS) {
      const loads: number[] = [];
      for (let i = 0; i < LOADS; i++)
        loads.push(await timeTo(page, `${server.url}/#/en/${flow.slug}`, LESSON_READY));
      const first = median(loads);
      // The longest task of each of AUTOPLAYS autoplays from a fresh load; the figure is their median.
      const longestOfRuns: number[] = [];
      let over50 = 0;
      for (let i = 0; i < AUTOPLAYS; i++) {
        if (i > 0) await timeTo(page, `${server.url}/#/en/${flow.slug}`, LESSON_READY);
        await page.evaluate(() => (window.__longtasks = []));
        await page.getByRole('combobox', { name: 'Speed' }).selectOption('16');
        await page.getByRole('button', { name: 'Play', exact: true }).click();
        await page
          .locator(`section[data-scenario][data-step-id="${flow.last}"]`)
          .waitFor({ timeout: 30_000 });
        await page.waitForTimeout(300);
        const tasks = await page.evaluate(() => window.__longtasks);
        longestOfRuns.push(tasks.length ? Math.max(...tasks) : 0);
        over50 += tasks.filter((d) => d > 50).length;
      }
      const longest = median(longestOfRuns);
      worst = Math.max(worst, longest);
      rows.push([
        flow.slug,
        first.toFixed(0),
        (first / baseline).toFixed(2),
        `${longest ? longest.toFixed(0) : '<50'} (${longestOfRuns.map((d) => (d ? d.toFixed(0) : '<50')).join(', ')})`,
        String(over50),
      ]);
    }
    const header = [
      'page',
      'first usable (ms)',
      'vs home',
      `longest task at 16×, median (${AUTOPLAYS} runs)`,
      'tasks > 50 ms',
    ];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
    console.log(
      `Chromium headless, median of ${LOADS} loads; longest task while autoplaying at 16x, median of ${AUTOPLAYS} autoplays`,
    );
    console.log(line(header));
    for (const row of rows) console.log(line(row));
    console.log(
      worst > 50
        ? `goal missed: a lesson's median longest task is ${worst.toFixed(0)} ms (> 50 ms)`
        : "goal met: every lesson's median longest task is under 50 ms",
    );
  } finally {
    await browser.close();
    await server.stop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await benchBrowser();
}
