/**
 * Lesson 9, compression (RFC 7692), as a learner uses it: the server's answer and the attacker's guess
 * as choices, the byte inspector on a compressed frame (its DEFLATE bytes and what they inflate to),
 * Korean, and the live run against /ws/deflate: the browser's own offer, the server's answer and its
 * compressed frames, byte for byte the simulated ones.
 */
import { readFile } from 'node:fs/promises';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { traceFromJson } from '../../src/lib/trace/json.ts';
import type { UnitEvent } from '../../src/lib/trace/types.ts';

const SLUG = '09-compression';
const player = (page: Page) => page.locator('section[data-scenario]');
const inspector = (page: Page) => page.getByRole('region', { name: 'Byte inspector', exact: true });
const messages = (page: Page) =>
  page.getByRole('listbox', { name: /^(Messages|메시지)$/ }).getByRole('option');
/** A field of the inspector's field list (the hex view groups bytes under the same id). */
const field = (region: ReturnType<Page['getByRole']>, id: string) =>
  region.getByRole('list', { name: 'Fields' }).locator(`[data-field="${id}"]`);

async function open(page: Page, hash: string): Promise<void> {
  await page.goto(`/#/${hash}`);
  await expect(player(page)).toHaveAttribute('data-step-id', /.+/);
}

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');

test('compression: the third identical Hello is smaller than the first, and the inspector inflates it', async ({
  page,
}) => {
  await open(page, `en/${SLUG}/6`);
  await expect(player(page)).toHaveAttribute('data-step-id', 'third-hello');
  const copies = page.getByRole('table', { name: /'Hello' again and again/ });
  await expect(copies.getByRole('row')).toHaveText([
    /Payload on the wire/,
    /48 65 6c 6c 6f\s*7/,
    /9$/,
    /7$/,
    /6$/,
  ]);
  // The server's third echo: RSV1 set, four bytes of DEFLATE data, 'Hello' once inflated.
  await expect(messages(page).last()).toHaveAccessibleName(/^← /);
  await messages(page).last().click();
  // Bytes 2-5 on the wire (02 13 00 00), 'Hello' once inflated.
  const payload = field(inspector(page), 'payload');
  await expect(payload).toContainText('2–5');
  await expect(payload).toContainText('Hello');
  await payload.focus();
  await expect(inspector(page).locator('.explain')).toContainText('inflate to 5 bytes');
  await expect(inspector(page).locator('[data-field="fault"]')).toHaveCount(0);

  await page.getByRole('button', { name: 'Restart' }).click();
  await page.keyboard.press('ArrowRight');
  await page.getByRole('button', { name: 'No context takeover' }).click();
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
  await expect(player(page)).toHaveAttribute('data-step-id', 'third-hello');
  await expect(copies.getByRole('row')).toHaveText([/Payload on the wire/, /7$/, /9$/, /9$/, /9$/]);
  await expect(page).toHaveURL(new RegExp(`#/en/${SLUG}/6\\?choice=no-takeover`));
});

test('compression: a declined offer ends with plain frames', async ({ page }) => {
  await open(page, `en/${SLUG}/2`);
  await page.getByRole('button', { name: 'Server declines' }).click();
  await page.getByRole('button', { name: 'Next step' }).click();
  await expect(player(page)).toHaveAttribute('data-step-id', 'declined');
  await expect(page.getByRole('button', { name: 'Next step' })).toBeDisabled();
  await messages(page).last().click();
  await expect(field(inspector(page), 'payload')).toContainText('Hello');
  await expect(page.getByRole('option', { name: /RSV1/ })).toHaveCount(0);
});

test('compression: a right guess makes eve’s frame one byte smaller, in Korean', async ({ page }) => {
  await open(page, `ko/${SLUG}/10`);
  await expect(player(page)).toHaveAttribute('data-step-id', 'guess');
  await page.getByRole('button', { name: '이브의 추측 tok_k' }).click();
  await page.keyboard.press('ArrowRight');
  await expect(player(page)).toHaveAttribute('data-step-id', 'oracle');
  const table = page.getByRole('table', { name: /도청자가 보는 것/ });
  await expect(table.getByRole('row', { name: /정답/ })).toContainText('32');
  await expect(page.getByRole('region', { name: /^해설/ })).toContainText('CRIME');
  await expect(page.getByRole('button', { name: '다음 단계', exact: true })).toBeDisabled();
});

test('compression: the live run shows the browser’s offer, the server’s answer and its compressed frames', async ({
  page,
}) => {
  await open(page, `en/${SLUG}`);
  await page.getByRole('button', { name: 'Run it for real' }).click();
  await expect(page.locator('[data-live-status]')).toHaveAttribute('data-live-status', 'done', {
    timeout: 20_000,
  });
  await expect(page.locator('.observed')).toContainText('permessage-deflate');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export the live trace (JSON)' }).click(),
  ]);
  const trace = traceFromJson(JSON.parse(await readFile((await download.path())!, 'utf8')));
  const units = trace.events.filter((e): e is UnitEvent => e.type === 'unit');
  const text = (u: UnitEvent | undefined) => new TextDecoder().decode(u?.bytes);
  const request = units.find((u) => u.kind === 'http-request' && text(u).includes('/ws/deflate'));
  expect(text(request)).toMatch(/\r\nSec-WebSocket-Extensions: permessage-deflate[^\r]*\r\n/i);
  const response = units.find((u) => u.kind === 'http-response' && u.conn === request!.conn);
  expect(text(response)).toMatch(/\r\nSec-WebSocket-Extensions: permessage-deflate\r\n/i);
  const frames = units.filter((u) => u.kind === 'ws-frame' && u.conn === request!.conn);
  expect(frames.filter((u) => u.error)).toEqual([]);
  // ws compresses with Node's zlib, the simulation with the protocol code: the same bytes (RFC 7692 7.2.3).
  // Data frames only: the server's heartbeat pings every socket on one clock, so a ping (89 00) may
  // come first on a socket opened just before its tick.
  const isData = (u: UnitEvent) => (u.bytes[0]! & 0x08) === 0;
  const echoes = frames.filter((u) => u.dir === 's2c' && isData(u)).map((u) => hex(u.bytes));
  expect(echoes.slice(0, 3)).toEqual([
    'c1 07 f2 48 cd c9 c9 07 00',
    'c1 05 f2 00 11 00 00',
    'c1 04 02 13 00 00',
  ]);
  // The browser compressed its own messages too: RSV1 on each text frame, each inflated by the tap.
  const sent = frames.filter((u) => u.dir === 'c2s' && (u.bytes[0]! & 0x0f) === 1);
  expect(sent.length).toBe(5);
  for (const u of sent) expect(u.bytes[0]! & 0x40).toBe(0x40);
  expect(sent.slice(0, 3).map((u) => new TextDecoder().decode(u.inflated))).toEqual([
    'Hello',
    'Hello',
    'Hello',
  ]);

  const live = page.getByRole('listbox', { name: /Live .*: Messages/ }).getByRole('option');
  await live.filter({ hasText: /Hello/ }).last().click();
  const liveInspector = page.getByRole('region', { name: /Live .*: Byte inspector/ });
  await expect(field(liveInspector, 'payload')).toContainText('Hello');
  await expect(liveInspector.locator('[data-field="fault"]')).toHaveCount(0);
});

for (const theme of ['light', 'dark'] as const) {
  test(`compression: no serious axe violations in its panels and inspector (${theme})`, async ({ page }) => {
    test.setTimeout(180_000);
    await page.emulateMedia({ colorScheme: theme, reducedMotion: 'reduce' });
    const found: string[] = [];
    // The steps with a panel beside the diagram: parameters, the four bytes, copies, memory, the oracle.
    for (const [lang, step] of [
      ['en', 2],
      ['en', 4],
      ['ko', 6],
      ['en', 8],
      ['ko', 11],
    ] as const) {
      await open(page, `${lang}/${SLUG}/${step}`);
      await messages(page).last().click();
      const results = await new AxeBuilder({ page }).include('section[data-scenario]').analyze();
      for (const v of results.violations) {
        if (v.impact === 'serious' || v.impact === 'critical')
          found.push(`${lang}/${step} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      }
    }
    expect(found).toEqual([]);
  });
}
