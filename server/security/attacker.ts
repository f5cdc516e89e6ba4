/**
 * The security lesson's attacker page: a second, tiny HTTP server on another port of this machine (so
 * another origin, RFC 6454 section 4, but the same site) that serves one page. Its script opens
 * WebSockets to the wirescope server, to `/ws/private` and to `/ws/unprotected`, the way a cross-site
 * WebSocket hijacking page would, and reports what it could read (to the lesson's page when framed by
 * it). It listens on 127.0.0.1 only and answers only Host names of this machine: it is a teaching aid,
 * never reachable from elsewhere.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ATTACKER } from '../../src/lib/i18n/attacker.ts';
import { isLang, type Lang } from '../../src/lib/i18n/lang.ts';
import { isLoopback } from '../guard.ts';
import { PRIVATE_PATH, UNPROTECTED_PATH } from './sockets.ts';

export const ATTACKER_HOST = '127.0.0.1';
/** The message the page posts to a lesson page that frames it. */
export const ATTACK_MESSAGE = 'wirescope-attack';

export interface AttackerPage {
  port: number;
  close(): Promise<void>;
}

export interface AttackerOptions {
  /** The port asked for; undefined for "next to the main port, or any free one if that is taken". */
  port: number | undefined;
  mainPort: number;
  /** The main server's host:port names: the only targets the page may be pointed at. */
  targets: () => Set<string>;
}

/** JSON inside a <script>: `<` escaped so no value can close the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The page: its words in `lang`, its script aimed at `target` (host:port of the wirescope server). */
export function attackerPageHtml(target: string, lang: Lang): string {
  const t = ATTACKER[lang];
  return `<!doctype html>
<html lang="${lang}">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(t.title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#222;background:#fff4e5}h1{color:#8a2a00}</style>
<h1>${escapeHtml(t.heading)}</h1>
<p id="intro"></p>
<ol id="log"></ol>
<script>
const words = ${scriptJson(t)};
const target = ${scriptJson(target)};
const paths = ${scriptJson([PRIVATE_PATH, UNPROTECTED_PATH])};
const fill = (text, slots) => text.replace(/\\{(\\w+)\\}/g, (_, k) => String(slots[k]));
document.getElementById('intro').textContent = fill(words.intro, { origin: location.origin, target });
const session = new URLSearchParams(location.search).get('session');
function attempt(path) {
  return new Promise((resolve) => {
    const query = session ? '?session=' + encodeURIComponent(session) : '';
    const result = { path, opened: false, read: '', code: 0 };
    const ws = new WebSocket('ws://' + target + path + query);
    const timer = setTimeout(() => ws.close(), 5000);
    ws.onopen = () => { result.opened = true; };
    ws.onmessage = (event) => { result.read = String(event.data); ws.close(1000); };
    ws.onclose = (event) => { clearTimeout(timer); result.code = event.code; resolve(result); };
  });
}
(async () => {
  const results = [];
  for (const path of paths) {
    const result = await attempt(path);
    results.push(result);
    const item = document.createElement('li');
    item.textContent = result.read
      ? fill(words.read, { path, text: result.read })
      : fill(words.refused, { path, code: result.code });
    document.getElementById('log').append(item);
  }
  if (parent !== window) {
    parent.postMessage({ type: ${scriptJson(ATTACK_MESSAGE)}, origin: location.origin, results }, 'http://' + target);
  }
})();
</script>
</html>
`;
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    'content-type': `${type}; charset=utf-8`,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
}

function handle(
  options: AttackerOptions,
  port: () => number,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  // Only this machine's names (no DNS rebinding onto the teaching aid), with this server's port.
  const host = (req.headers.host ?? '').toLowerCase();
  const [, name, hostPort] = /^(.*):(\d+)$/.exec(host) ?? [];
  if (!name || !isLoopback(name) || Number(hostPort) !== port()) {
    return send(res, 421, 'text/plain', 'this page answers only for this machine\n');
  }
  const url = new URL(req.url ?? '/', 'http://attacker.invalid');
  if (url.pathname !== '/') return send(res, 404, 'text/plain', 'not found\n');
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'use GET\n');
  const asked = (url.searchParams.get('target') ?? '').toLowerCase();
  const target =
    options.targets().has(asked) && isLoopback(asked.replace(/:\d+$/, ''))
      ? asked
      : `${ATTACKER_HOST}:${options.mainPort}`;
  const lang = url.searchParams.get('lang');
  send(res, 200, 'text/html', attackerPageHtml(target, isLang(lang) ? lang : 'en'));
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => reject(error);
    server.once('error', fail);
    server.listen(port, ATTACKER_HOST, () => {
      server.off('error', fail);
      resolve();
    });
  });
}

/** Starts the attacker page next to the main server (its port + 1, else any free one) or where asked. */
export async function startAttackerPage(options: AttackerOptions): Promise<AttackerPage> {
  let actual = 0;
  const server = createServer((req, res) => handle(options, () => actual, req, res));
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  const preferred = options.port ?? options.mainPort + 1;
  try {
    await listen(server, preferred <= 65_535 ? preferred : 0);
  } catch (error) {
    if (options.port !== undefined || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    await listen(server, 0);
  }
  const address = server.address();
  actual = typeof address === 'object' && address ? address.port : preferred;
  return {
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
