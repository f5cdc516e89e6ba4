/**
 * The step-through visualiser as a learner uses it, through the real lesson routes: every flow stepped
 * from start to end with the keyboard and with the buttons, the choices, a deep link restoring a place,
 * the live run against the demo server, and axe-core on the player in both themes.
 */
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { traceFromJson } from '../../src/lib/trace/json.ts';
import { LANGS } from '../../src/lib/i18n/lang.ts';
import { PLAYER } from '../../src/lib/i18n/player.ts';

/** Every lesson folder (lessons/NN-slug), so a lesson added later is stepped and run without a line here. */
const SLUGS = readdirSync(new URL('../../lessons/', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && /^\d\d-/.test(entry.name))
  .map((entry) => entry.name)
  .sort();

const player = (page: Page) => page.locator('section[data-scenario]');

const stepOf = async (page: Page) => Number(await player(page).getAttribute('data-step'));

/**
 * Moves forward with `press` until the player offers no next step, and returns how many steps the
 * lesson has. A timed step (a long poll's wait, a backoff) may also move on by itself between two
 * presses, so each press must only leave the player further on than it was just before.
 */
async function forwardToEnd(page: Page, next: Locator, press: () => Promise<void>): Promise<number> {
  for (let guard = 0; guard < 40 && (await next.isEnabled()); guard++) {
    const before = await stepOf(page);
    await press();
    await expect.poll(() => stepOf(page)).toBeGreaterThan(before);
  }
  await expect(next).toBeDisabled();
  return (await stepOf(page)) + 1;
}

async function open(page: Page, hash: string): Promise<void> {
  await page.goto(`/#/${hash}`);
  await expect(player(page)).toHaveAttribute('data-step-id', /.+/);
}

test('every lesson folder is stepped and run below', () => {
  expect(SLUGS.length).toBeGreaterThanOrEqual(7);
  expect(SLUGS).toContain('07-server-sent-events');
});

for (const slug of SLUGS) {
  for (const lang of LANGS) {
    const t = PLAYER[lang];
    test(`${slug} (${lang}): steps to the end with the keyboard, back, and Home`, async ({ page }) => {
      await open(page, `${lang}/${slug}`);
      await expect(player(page)).toHaveAttribute('data-step', '0');
      const next = page.getByRole('button', { name: t.next, exact: true });
      // The default path, one key press a step, until the player offers no next step.
      const steps = await forwardToEnd(page, next, () => page.keyboard.press('ArrowRight'));
      expect(steps).toBeGreaterThan(2);
      await expect(page).toHaveURL(new RegExp(`#/${lang}/${slug}/${steps}(\\?|$)`));
      await page.keyboard.press('ArrowLeft');
      await expect(player(page)).toHaveAttribute('data-step', String(steps - 2));
      await page.keyboard.press('Home');
      await expect(player(page)).toHaveAttribute('data-step', '0');
    });

    test(`${slug} (${lang}): steps to the end with the buttons and inspects a message`, async ({ page }) => {
      await open(page, `${lang}/${slug}`);
      const next = page.getByRole('button', { name: t.next, exact: true });
      const steps = await forwardToEnd(page, next, () => next.click());
      expect(steps).toBeGreaterThan(2);
      const messages = page.getByRole('listbox', { name: t.messages, exact: true }).getByRole('option');
      expect(await messages.count()).toBeGreaterThan(0);
      await messages.first().click();
      await expect(messages.first()).toHaveAttribute('aria-selected', 'true');
      const inspector = page.getByRole('region', { name: t.inspector, exact: true });
      await expect(
        inspector.getByRole('list', { name: t.fields }).getByRole('listitem').first(),
      ).toBeVisible();
      await page.getByRole('button', { name: t.previous, exact: true }).click();
      await expect(player(page)).toHaveAttribute('data-step', String(steps - 2));
      await page.getByRole('button', { name: t.restart, exact: true }).click();
      await expect(player(page)).toHaveAttribute('data-step', '0');
    });
  }

  test(`${slug}: runs for real against the demo server`, async ({ page }) => {
    // A live run waits on real sockets (the security lesson's on two origins), then axe reads the panel.
    test.setTimeout(180_000);
    await open(page, `en/${slug}`);
    const live = page.locator('[data-live-status]');
    // A lesson whose live run needs a cluster says so on this single server; cluster.spec.ts runs it.
    await expect(live).toHaveAttribute('data-live-status', /^(?!checking$)/);
    test.skip(
      (await live.getAttribute('data-live-status')) === 'needs-cluster',
      'this live run needs npm run cluster (see cluster.spec.ts)',
    );
    await page.getByRole('button', { name: 'Run it for real' }).click();
    await expect(live).toHaveAttribute('data-live-status', 'done', { timeout: 20_000 });
    const options = page.getByRole('listbox', { name: /Live .*: Messages/ }).getByRole('option');
    expect(await options.count()).toBeGreaterThan(0);
    await expect(page.getByRole('table', { name: 'What differs' })).toBeVisible();
    // The finished live panel (its diagram, message list and comparison) as axe sees it.
    const results = await new AxeBuilder({ page }).include('section.live').analyze();
    const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  });
}

test('a live trace exports as a wirescope trace that the lab opens again, bytes and all', async ({
  page,
}) => {
  await open(page, 'en/04-frames');
  await page.getByRole('button', { name: 'Run it for real' }).click();
  await expect(page.locator('[data-live-status]')).toHaveAttribute('data-live-status', 'done', {
    timeout: 20_000,
  });
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export the live trace (JSON)' }).click(),
  ]);
  const text = await readFile((await download.path())!, 'utf8');
  const trace = traceFromJson(JSON.parse(text));
  const frames = trace.events.filter((e) => e.type === 'unit' && e.kind === 'ws-frame');
  expect(frames.length).toBeGreaterThan(2);

  await page.goto('/#/en/lab');
  await page.getByLabel('Import a saved run, trace, HAR or capture file').setInputFiles({
    name: download.suggestedFilename(),
    mimeType: 'application/json',
    buffer: Buffer.from(text),
  });
  const imported = page.locator('section[data-source="trace"]');
  await expect(imported.getByRole('listbox').getByRole('option')).toHaveCount(
    trace.events.filter((e) => e.type === 'unit').length,
  );
});

test('security, live: the attacker page of the same site reads the unprotected endpoint, never the protected one', async ({
  page,
}) => {
  await open(page, 'en/10-security/6');
  await expect(player(page)).toHaveAttribute('data-step-id', 'unprotected');
  await page.getByRole('button', { name: 'Run it for real' }).click();
  await expect(page.locator('[data-live-status]')).toHaveAttribute('data-live-status', 'done', {
    timeout: 45_000,
  });
  const observed = page.locator('.live .observed');
  const text = (await observed.textContent()) ?? '';
  const code = /your page read \{"to":"learner","text":"Your code is (\d{6})"\}/.exec(text)?.[1];
  expect(code, text).toBeDefined();
  const port = /http:\/\/127\.0\.0\.1:(\d+) opened/.exec(text)?.[1];
  expect(port, text).toBeDefined();
  const same = `http://127.0.0.1:${port}`;
  const other = `http://localhost:${port}`;
  // Same site, another port: the cookie rides along; the Origin check refuses, the unprotected endpoint reads.
  await expect(observed).toContainText(`the page at ${same} was refused /ws/private (close 1006)`);
  await expect(observed).toContainText(
    `the page at ${same} opened /ws/unprotected and read {"to":"learner","text":"Your code is ${code}"}`,
  );
  // Another site: SameSite=Lax keeps the cookie off, so neither endpoint gives it anything.
  await expect(observed).toContainText(`the page at ${other} was refused /ws/private (close 1006)`);
  await expect(observed).toContainText(`the page at ${other} was refused /ws/unprotected (close 1006)`);
  // The tap: the attacker page's handshakes on its own lifeline, with their Origin, answered 403.
  const options = page.getByRole('listbox', { name: /Live .*: Messages/ }).getByRole('option');
  await expect(options.filter({ hasText: /GET \/ws\/private\?/ })).toHaveCount(3);
  await expect(options.filter({ hasText: /403 Forbidden/ })).toHaveCount(3);
  const live = page.getByRole('figure', { name: "Live (from the server's tap)" });
  await expect(live.locator('.lane strong')).toHaveText(['Your page', 'Server', "Attacker's page"]);
});

test('opening handshake: a wrong version is answered 426, and a link restores the place', async ({
  page,
}) => {
  await open(page, 'en/03-opening-handshake');
  await page.getByRole('button', { name: 'Next step' }).click();
  await page.getByRole('button', { name: 'Wrong version', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Wrong version', exact: true })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  await page.getByRole('button', { name: 'Next step' }).click();
  await page.getByRole('button', { name: 'Next step' }).click();
  await expect(player(page)).toHaveAttribute('data-step-id', 'reject-426');
  await expect(page).toHaveURL(/#\/en\/03-opening-handshake\/4\?choice=wrong-version/);
  await page.goto('/#/en/03-opening-handshake/4?choice=foreign-origin');
  await page.reload();
  await expect(player(page)).toHaveAttribute('data-step-id', 'reject-403');
  await expect(page.getByRole('option', { name: /403 Forbidden/ })).toBeVisible();
});

test('closing handshake: cutting TCP ends in 1006 that never appears on the wire', async ({ page }) => {
  await open(page, 'en/05-closing-handshake');
  await page.getByRole('button', { name: 'Cut the connection' }).click();
  await page.getByRole('button', { name: 'Next step' }).click();
  await expect(player(page)).toHaveAttribute('data-step-id', 'abnormal');
  await expect(page.getByText(/1006 never appears on the wire/)).toBeVisible();
  await expect(page.getByRole('option', { name: /Close/ })).toHaveCount(0);
});

test('server-sent events: the inspector names every field of an event chunk', async ({ page }) => {
  await open(page, 'en/07-server-sent-events/5');
  await expect(player(page)).toHaveAttribute('data-step-id', 'typed-event');
  await page.getByRole('option', { name: /Price id 2/ }).click();
  const inspector = page.getByRole('region', { name: 'Byte inspector' });
  const fields = inspector.getByRole('list', { name: 'Fields' }).getByRole('button');
  await expect(fields).toHaveText([
    /Chunk size/,
    /^\S+\s*id\s/,
    /event\s*price/,
    /data/,
    /data/,
    /Blank line/,
    /Chunk end/,
  ]);
  await fields.nth(2).focus();
  await expect(inspector.locator('.explain')).toContainText('onmessage does not see');
});

test('server-sent events: a 204 stops the EventSource, and the choice is in the address', async ({
  page,
}) => {
  await open(page, 'en/07-server-sent-events/10');
  await expect(player(page)).toHaveAttribute('data-step-id', 'reconnect');
  await page.getByRole('button', { name: 'The server says stop (204)' }).click();
  await expect(player(page)).toHaveAttribute('data-step-id', 'stopped');
  await expect(page).toHaveURL(/#\/en\/07-server-sent-events\/11\?choice=server-stops/);
  await expect(page.getByRole('option', { name: /204 No Content/ }).last()).toBeVisible();
  await expect(page.getByRole('table', { name: 'The EventSource' })).toContainText('CLOSED');
});

test('server-sent events: the live EventSource is cut, comes back with Last-Event-ID and gets event 3', async ({
  page,
}) => {
  await open(page, 'en/07-server-sent-events');
  await page.getByRole('button', { name: 'Run it for real' }).click();
  await expect(page.locator('[data-live-status]')).toHaveAttribute('data-live-status', 'done', {
    timeout: 20_000,
  });
  const live = page.getByRole('listbox', { name: /Live .*: Messages/ });
  // Both stream requests and their events reached the tap: the page's files left no connection to ride.
  await expect(live.getByRole('option', { name: /GET \/api\/stream\/sse/ })).toHaveCount(2);
  await expect(live.getByRole('option', { name: /Event id 3/ })).toHaveCount(1);
  // The page's own requests beside the stream: three events published and the cut.
  await expect(live.getByRole('option', { name: /POST \/api\/stream\/publish/ })).toHaveCount(3);
  await expect(live.getByRole('option', { name: /POST \/api\/faults/ })).toHaveCount(1);
  const saw = page.locator('p.observed');
  await expect(saw).toContainText('error event, readyState CONNECTING');
  await expect(saw).toContainText('lastEventId "3": sent while you were away');
  await expect(saw).not.toContainText('The tap did not see');
  await live
    .getByRole('option', { name: /GET \/api\/stream\/sse/ })
    .last()
    .click();
  await expect(
    page.getByRole('region', { name: "Live (from the server's tap): Byte inspector" }),
  ).toContainText('Last-Event-ID');
});

test('frames: the byte inspector and masking table are keyboard operable', async ({ page }) => {
  await open(page, 'en/04-frames/3');
  await expect(player(page)).toHaveAttribute('data-step-id', 'masking');
  const inspector = page.getByRole('region', { name: 'Byte inspector' });
  await expect(inspector.getByText('Masking: payload XOR key')).toBeVisible();
  const key = inspector.getByRole('button', { name: /Masking key/ }).first();
  await key.focus();
  await expect(inspector.locator('.explain')).toContainText('Masking key');
  await expect(inspector.locator('.explain')).toContainText('bytes 2–5');
  await page.keyboard.press('ArrowRight');
  await expect(player(page)).toHaveAttribute('data-step-id', 'server-text');
});

test('plays at top speed to the end, then Play is disabled', async ({ page }) => {
  await open(page, 'en/01-request-response');
  await page.getByRole('combobox', { name: 'Speed' }).selectOption('16');
  await page.getByRole('button', { name: 'Play' }).click();
  await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
  await expect(player(page)).toHaveAttribute('data-step-id', 'summary', { timeout: 10_000 });
  await expect(page.getByRole('button', { name: 'Play' })).toBeDisabled();
});

test('Korean controls carry Korean names', async ({ page }) => {
  await open(page, 'ko/02-long-polling');
  for (const name of ['다음 단계', '이전 단계', '재생', '처음부터', '실제로 실행']) {
    await expect(page.getByRole('button', { name, exact: true })).toBeVisible();
  }
});

test('a Korean lesson’s diagram speaks Korean, protocol text aside', async ({ page }) => {
  await open(page, 'ko/03-opening-handshake/3');
  await expect(player(page)).toHaveAttribute('data-step-id', 'server-checks');
  const diagram = page.getByRole('figure', { name: '시퀀스 다이어그램' });
  await expect(diagram.locator('p.note').last()).toContainText('서버 검사 통과');
  await expect(diagram.locator('p.conn').first()).toHaveText('TCP 연결됨 (SYN, SYN-ACK, ACK)');
  await expect(diagram.locator('.lane strong')).toHaveText(['클라이언트', '서버']);
  await expect(diagram).not.toContainText('Server checks pass');
  // The arrows keep their protocol text; their accessible names count bytes in Korean.
  await expect(diagram.getByRole('option').first()).toHaveAccessibleName(
    /GET \/chat HTTP\/1\.1.*, 188바이트, t=/,
  );
  for (let i = 4; i <= 7; i++) await page.keyboard.press('ArrowRight');
  await expect(player(page)).toHaveAttribute('data-step-id', 'open');
  const notes = await diagram.locator('p.note').allInnerTexts();
  expect(notes.length).toBe(4);
  for (const note of notes) expect(note).toMatch(/[\uAC00-\uD7A3]/);
  await expect(diagram).not.toContainText(/Server checks|Client checks|Both sides OPEN|TCP connected/);
});

for (const theme of ['light', 'dark'] as const) {
  test(`no serious axe violations in the player (${theme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: theme, reducedMotion: 'reduce' });
    await open(page, 'en/04-frames/3');
    const results = await new AxeBuilder({ page }).include('section[data-scenario]').analyze();
    const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  });
}

test('the paste inspector explains a malformed frame', async ({ page }) => {
  await page.goto('/#/en/inspector');
  const box = page.getByRole('textbox', { name: /Bytes in hex/ });
  await box.fill('c1 05 48 65 6c 6c 6f');
  await expect(page.getByRole('status')).toContainText('RSV_SET');
  await expect(page.getByRole('status')).toContainText('At byte 0');
});
