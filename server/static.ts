/**
 * Serves the built app (dist/) with an index.html fallback for client-side routes. Paths are resolved
 * inside the root and never outside it.
 *
 * Every file is answered with `Connection: close` (RFC 9112 section 9.6). The tap gives a connection to
 * the session named by its first request, and a file's connection belongs to no session; a browser
 * sends same-origin requests that carry credentials (an EventSource's, lesson 7) on an idle kept-alive
 * connection from this pool if it holds one, where the tap would never see them. Closing after each
 * file leaves the pool empty, so such a request opens a connection of its own. On loopback the extra
 * TCP handshakes cost next to nothing.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { sendText } from './http-util.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.md': 'text/markdown; charset=utf-8',
};

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

export function createStaticHandler(rootDir: string) {
  const root = resolve(rootDir);
  return async function serveStatic(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    res.setHeader('connection', 'close'); // every answer, file or error (see above)
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendText(res, 405, 'method not allowed\n', { allow: 'GET, HEAD' });
      return;
    }
    let rel: string;
    try {
      rel = decodeURIComponent(url.pathname);
    } catch {
      sendText(res, 400, 'bad path\n');
      return;
    }
    let file = resolve(join(root, rel));
    if (file !== root && !file.startsWith(root + sep)) {
      sendText(res, 404, 'not found\n');
      return;
    }
    if (!(await isFile(file))) {
      const index = join(file, 'index.html');
      // Unknown paths without an extension are app routes: the SPA handles them.
      file = (await isFile(index)) ? index : extname(rel) === '' ? join(root, 'index.html') : '';
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'content-length': body.length,
        'x-content-type-options': 'nosniff',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      sendText(res, 404, 'not found\n');
    }
  };
}
