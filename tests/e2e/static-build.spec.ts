/**
 * The static build on a plain static host, without the demo server: served from a sub-folder, every
 * lesson works in simulation, and live runs say plainly that they need `npm start`.
 */
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';

const DIST = fileURLToPath(new URL('../../dist', import.meta.url));
const PREFIX = '/course/wirescope/';
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
};

let server: Server;
let origin = '';

test.beforeAll(async () => {
  // A host that knows nothing of wirescope: files under PREFIX, 404 for everything else (/healthz too).
  server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (!path.startsWith(PREFIX)) return void res.writeHead(404).end();
    const file = normalize(join(DIST, path.slice(PREFIX.length) || 'index.html'));
    if (!file.startsWith(DIST)) return void res.writeHead(400).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

test.afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('the static build runs from a sub-folder, and live runs say they need npm start', async ({ page }) => {
  const failed: string[] = [];
  page.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/healthz') && failed.push(r.url()));
  await page.goto(`${origin}${PREFIX}#/en/`);
  await page.getByRole('link', { name: 'Frames' }).click();
  await expect(page.getByRole('button', { name: 'Next step' })).toBeEnabled();
  await page.getByRole('button', { name: 'Next step' }).click();
  await expect(page.getByText('Step 2: A text frame from the client')).toBeVisible();
  await expect(page.getByText(/Live runs need the demo server: start it with npm start/)).toBeVisible();
  await page.goto(`${origin}${PREFIX}#/ko/04-frames/1`);
  await expect(page.getByText(/실제 실행에는 데모 서버가 필요해요/)).toBeVisible();
  expect(failed).toEqual([]);
});
