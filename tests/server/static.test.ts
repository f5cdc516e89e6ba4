/**
 * The built app's files (server/static.ts): every answer, a file or an error, ends its connection
 * (`Connection: close`), so that a later credentialed request of the page (an EventSource's) opens a
 * connection of its own that the tap sees; paths stay inside the root.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaticHandler } from '../../server/static.ts';

let root: string;
let server: Server;
let port: number;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'wirescope-static-'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(join(root, 'app.js'), 'console.log(1);');
  const serve = createStaticHandler(root);
  server = createServer((req, res) => void serve(req, res, new URL(req.url!, 'http://127.0.0.1')));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  server.close();
  rmSync(root, { recursive: true, force: true });
});

function fetchRaw(
  method: string,
  path: string,
): Promise<{ status: number; connection: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('static files', () => {
  it.each([
    ['GET', '/app.js', 200, 'console.log(1);'],
    ['GET', '/#/en/lab', 200, '<!doctype html><title>app</title>'],
    ['GET', '/en/04-frames', 200, '<!doctype html><title>app</title>'],
    ['GET', '/missing.png', 404, 'not found\n'],
    ['GET', '/%E0%A4%A', 400, 'bad path\n'],
    ['POST', '/app.js', 405, 'method not allowed\n'],
  ])('%s %s: %i, and the connection ends', async (method, path, status, body) => {
    const answer = await fetchRaw(method, path);
    expect(answer.status).toBe(status);
    expect(answer.body).toBe(body);
    expect(answer.connection).toBe('close');
  });
});
