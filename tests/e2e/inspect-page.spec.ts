/**
 * The inspect page (`#/en/inspect`) with wirescope in front of a small app whose WebSocket endpoint
 * misbehaves (it masks its frames): connections listed live, filters, pause, a connection in the
 * diagram and the byte inspector on either leg, the findings panel, exports, the keyboard alone, Korean,
 * and axe-core.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer, get, type Server } from 'node:http';
import { connect } from 'node:net';
import AxeBuilder from '@axe-core/playwright';
import { startWirescope, type WirescopeProcess } from '../helpers/wirescopeProcess.ts';
import { expect, test, type Page } from '@playwright/test';
import { WebSocket, WebSocketServer } from 'ws';
import { encodeFrame } from '../../src/lib/protocol/index.ts';
import { traceFromJson } from '../../src/lib/trace/json.ts';

let app: Server;
let proxy: WirescopeProcess;
let base = '';
let port = 0;

/**
 * The app: plain answers; at /deflate an echo with permessage-deflate (ws); any other WebSocket path
 * accepts, then sends a masked frame (RFC 6455 5.1 forbids it).
 */
function startApp(): Server {
  const server = createServer((req, res) => res.end(`app says ${req.method} ${req.url}`));
  const deflate = new WebSocketServer({ noServer: true, perMessageDeflate: { threshold: 0 } });
  deflate.on('connection', (ws) => ws.on('message', (data, binary) => ws.send(data, { binary })));
  server.on('upgrade', (req, socket, head) => {
    if (req.url === '/deflate') {
      deflate.handleUpgrade(req, socket, head, (ws) => deflate.emit('connection', ws, req));
      return;
    }
    const accept = createHash('sha1')
      .update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
      .digest('base64');
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    socket.write(encodeFrame({ opcode: 1, payload: 'hi', mask: new Uint8Array([1, 2, 3, 4]) }));
    socket.on('error', () => undefined);
    socket.on('end', () => socket.end());
  });
  return server;
}

test.beforeAll(async () => {
  app = startApp();
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  const address = app.address();
  const target = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  proxy = await startWirescope(['--target', target], { timeoutMs: 30_000, name: 'wirescope' });
  base = proxy.url;
  port = Number(new URL(base).port);
});

test.afterAll(async () => {
  await proxy.stop();
  app.closeAllConnections();
  await new Promise<void>((resolve) => app.close(() => resolve()));
});

/** A WebSocket opened through wirescope from outside the page; resolves once the app's frame came back. */
async function openWebSocket(path: string): Promise<void> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  let got = Buffer.alloc(0);
  await new Promise<void>((resolve) =>
    socket.on('data', (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      if (got.includes('hi')) resolve();
    }),
  );
  socket.end();
}

/** A GET through wirescope on a connection of its own (fetch would pool them), resolved with the body. */
function request(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(`${base}${path}`, { agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

async function openInspect(page: Page, lang = 'en'): Promise<void> {
  await page.goto(`${base}/__wirescope/#/${lang}/inspect`);
  await expect(page.getByTestId('inspect-status')).toContainText(
    lang === 'en' ? 'In front of http://127.0.0.1:' : '앞에 서 있어요',
  );
}

test('connections come live; filter, open one in the diagram and inspector, read its findings', async ({
  page,
}) => {
  await openInspect(page);
  // Nothing through wirescope yet: nothing listed, nothing found (not "checking" forever).
  await expect(page.getByText('No connections yet: use your app through wirescope.')).toBeVisible();
  await expect(page.getByText('No findings: nothing here breaks a rule wirescope checks.')).toBeVisible();
  expect(await request('/api/data')).toBe('app says GET /api/data');
  await openWebSocket('/socket');
  const table = page.getByRole('table', { name: 'Connections' });
  await expect(table.locator('tr[data-kind="websocket"]')).toHaveCount(1);
  await expect(table.locator('tr[data-kind="http"]')).not.toHaveCount(0);

  await page.getByLabel('Kind').selectOption('websocket');
  await expect(table.locator('tbody tr')).toHaveCount(1);
  await page.getByLabel('Path contains').fill('/nothing-like-it');
  await expect(page.getByText('No connection matches the filters.')).toBeVisible();
  await page.getByLabel('Path contains').fill('sock');
  await table.getByRole('button', { name: /GET \/socket/ }).click();

  const messages = page.getByRole('listbox', { name: /Connection c\d+: messages/ }).getByRole('option');
  await expect(messages).toHaveCount(3); // the upgrade request, the 101, the masked frame
  await messages.last().click();
  const inspector = page.getByRole('region', { name: 'Byte inspector' });
  await expect(inspector.getByRole('list', { name: 'Fields' }).getByRole('listitem').first()).toBeVisible();

  // The same bytes on the other leg.
  await page.getByRole('radio', { name: 'browser ⇄ wirescope' }).check();
  await expect(messages).toHaveCount(3);
  await page.getByLabel('Direction').selectOption('s2c');
  await expect(messages).toHaveCount(2);
  await page.getByLabel('Direction').selectOption('both');

  const finding = page.locator('li[data-finding="ws-masked-server-frame"]');
  await expect(finding).toContainText('The server masked a frame');
  await expect(finding).toContainText('RFC 6455 5.1');
  await finding.getByRole('button').click();
  await expect(page.locator('#inspect-detail')).toBeFocused();
  await expect(page.getByRole('radio', { name: 'wirescope ⇄ your app' })).toBeChecked();
  await expect(messages.last()).toHaveAttribute('aria-selected', 'true');
});

test('pause holds new connections back; the export is a wirescope trace and a HAR', async ({ page }) => {
  await openInspect(page);
  await request('/first');
  const rows = page.getByRole('table', { name: 'Connections' }).locator('tbody tr');
  await expect(rows.filter({ hasText: 'GET /first' })).toHaveCount(1);
  await page.getByRole('button', { name: 'Pause' }).click();
  await request('/while-paused');
  await expect(page.getByText(/Paused: \d+ new events wait/)).toBeVisible();
  await expect(rows.filter({ hasText: 'GET /while-paused' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(rows.filter({ hasText: 'GET /while-paused' })).toHaveCount(1);

  const [traceFile] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export trace (JSON)' }).click(),
  ]);
  const trace = traceFromJson(JSON.parse(await readFile((await traceFile.path())!, 'utf8')));
  const requests = trace.events.flatMap((e) =>
    e.type === 'unit' && e.kind === 'http-request' ? [e.summary] : [],
  );
  expect(requests).toContain('GET /while-paused HTTP/1.1');
  expect(trace.events.some((e) => e.type === 'conn.open' && e.leg === 'target')).toBe(true);

  const [harFile] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export HAR' }).click(),
  ]);
  const har = JSON.parse(await readFile((await harFile.path())!, 'utf8')) as {
    log: {
      entries: Array<{ request: { url: string }; response: { status: number; content: { text?: string } } }>;
    };
  };
  const entry = har.log.entries.find((e) => e.request.url.endsWith('/while-paused'));
  expect(entry?.response).toMatchObject({ status: 200, content: { text: 'app says GET /while-paused' } });
});

test('a permessage-deflate message shows compressed on the wire and inflated in the byte inspector', async ({
  page,
}) => {
  await openInspect(page);
  const ws = new WebSocket(`${base.replace('http', 'ws')}/deflate`, { perMessageDeflate: { threshold: 0 } });
  await once(ws, 'open');
  // Twice: with context takeover the second message refers back to the first (RFC 7692 7.1.1), so
  // only a reader that inflated the first can show it.
  for (let i = 0; i < 2; i++) {
    ws.send('squeeze me, squeeze me, squeeze me');
    await once(ws, 'message');
  }
  ws.close();
  await once(ws, 'close');
  await page.getByLabel('Path contains').fill('deflate');
  await page
    .getByRole('table', { name: 'Connections' })
    .getByRole('button', { name: /GET \/deflate/ })
    .click();
  const messages = page.getByRole('listbox', { name: /Connection c\d+: messages/ }).getByRole('option');
  // The app's second echo: compressed on the wire (RSV1), read with the connection's inflater.
  await messages
    .filter({ hasText: /Text .*RSV1\)$/ })
    .last()
    .click();
  const inspector = page.getByRole('region', { name: 'Byte inspector' });
  await expect(inspector.getByRole('list', { name: 'Fields' })).toContainText(
    "Payload (compressed) 'squeeze me, squeeze me, squeeze me'",
  );
  await inspector
    .getByRole('button', { name: /Payload \(compressed\)/ })
    .first()
    .focus();
  await expect(inspector.locator('.explain')).toContainText(/bytes of DEFLATE data inflate to 34 bytes/);
});

test('works from the keyboard alone: filter, pause, open a connection and walk its messages', async ({
  page,
}) => {
  await openInspect(page);
  await openWebSocket('/keys-socket');
  const table = page.getByRole('table', { name: 'Connections' });
  await page.getByLabel('Path contains').focus();
  await page.keyboard.type('keys');
  await expect(table.locator('tbody tr')).toHaveCount(1);

  // Tab past the kind and direction selects to the pause switch; Space toggles it.
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Kind')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Direction')).toBeFocused();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Space');
  await expect(page.getByRole('button', { name: 'Resume' })).toBeFocused();
  await expect(page.getByText(/Paused: \d+ new events wait/)).toBeVisible();
  await page.keyboard.press('Space');
  await expect(page.getByRole('button', { name: 'Pause' })).toHaveAttribute('aria-pressed', 'false');

  await table.getByRole('button', { name: /GET \/keys-socket/ }).focus();
  await page.keyboard.press('Enter');
  const messages = page.getByRole('listbox', { name: /Connection c\d+: messages/ }).getByRole('option');
  await expect(messages).toHaveCount(3);
  await messages.last().focus();
  await page.keyboard.press('ArrowUp');
  await expect(messages.nth(1)).toBeFocused();
  await expect(messages.nth(1)).toHaveAttribute('aria-selected', 'true');
  const inspector = page.getByRole('region', { name: 'Byte inspector' });
  await expect(inspector).toContainText('101');
  await page.keyboard.press('ArrowUp');
  await expect(messages.first()).toHaveAttribute('aria-selected', 'true');
  await expect(inspector).toContainText('GET /keys-socket');
});

test('in Korean, with no serious axe violations in either theme', async ({ page }) => {
  await openWebSocket('/ko-socket');
  for (const theme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: theme, reducedMotion: 'reduce' });
    await openInspect(page, 'ko');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('내 앱 들여다보기');
    await expect(page.locator('li[data-finding="ws-masked-server-frame"]').first()).toContainText(
      '서버가 프레임을 마스킹했어요',
    );
    await page
      .getByRole('table', { name: '연결' })
      .getByRole('button', { name: /GET \/ko-socket/ })
      .click();
    await expect(page.getByRole('listbox', { name: /연결 c\d+: 메시지/ }).getByRole('option')).toHaveCount(3);
    const results = await new AxeBuilder({ page }).include('article.inspect').analyze();
    const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  }
});

test('on a phone the page fits its width: the table and the diagram scroll inside it', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 800 });
  await openWebSocket('/phone-socket');
  await openInspect(page);
  await page
    .getByRole('table', { name: 'Connections' })
    .getByRole('button', { name: /GET \/phone-socket/ })
    .click();
  await expect(
    page.getByRole('listbox', { name: /Connection c\d+: messages/ }).getByRole('option'),
  ).toHaveCount(3);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
});

test('without --target the page says how to start wirescope in front of an app', async ({ page }) => {
  await page.goto('/#/en/inspect');
  await expect(page.getByTestId('inspect-status')).toContainText(
    'npm start -- --target http://127.0.0.1:3000',
  );
});

test('past 200 connections the table lists the most recent and the findings the first, and both say so', async ({
  page,
}) => {
  await openInspect(page);
  for (let i = 0; i < 110; i += 10) {
    await Promise.all(Array.from({ length: 10 }, (_, k) => openWebSocket(`/many-${i + k}`)));
  }
  for (let i = 0; i < 100; i += 10) {
    await Promise.all(Array.from({ length: 10 }, (_, k) => request(`/many-${i + k}`)));
  }
  const table = page.getByRole('table', { name: 'Connections' });
  await expect(page.getByText(/^The 200 most recent of \d+ connections are listed/)).toBeVisible();
  await expect(table.locator('tbody tr')).toHaveCount(200);
  await expect(table.locator('tbody tr').last()).toContainText('GET /many-99');
  await expect(page.getByText(/^The first 200 of \d+ are listed/)).toBeVisible();
  await expect(page.locator('li[data-finding]')).toHaveCount(200);
});
