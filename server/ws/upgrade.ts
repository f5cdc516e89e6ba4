/**
 * The opening handshake's server side (RFC 6455 section 4.2.1), done in the HTTP server's 'upgrade'
 * event before ws sees the request, so every refusal has the status the RFC names:
 *
 *   Host not ours           400 / 421  (RFC 9112 section 3.2, RFC 9110 section 15.5.20)
 *   unknown path            404
 *   method other than GET   405 with Allow: GET (section 4.2.1 item 1, RFC 9110 section 15.5.6)
 *   foreign Origin          403        (section 4.2.2 item 4, section 10.2)
 *   Upgrade/Connection      400        (section 4.2.1 items 3 and 4)
 *   version other than 13   426 with Sec-WebSocket-Version: 13 (section 4.4)
 *   bad Sec-WebSocket-Key   400        (section 4.2.1 item 5: base64 of 16 bytes)
 *
 * ws then completes the handshake: no subprotocol (handleProtocols refuses all) and no extension
 * (permessage-deflate off), since the echo negotiates neither (section 4.2.2 items 5.4 and 5.5).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import { SESSION_PARAM } from '../../src/lib/trace/index.ts';
import { type ServerContext, requestUrl, sessionKey } from '../context.ts';
import { checkHost, checkOrigin } from '../guard.ts';
import { onEchoConnection } from './echo.ts';
import { limitFragments } from './fragment-limit.ts';
import { onStreamConnection } from './stream.ts';
import { onTapConnection } from './tap.ts';

export const WEBSOCKET_PATHS = new Set(['/ws/echo', '/ws/stream', '/ws/tap']);

/** RFC 6455 section 4.1: the key is a base64-encoded 16-byte nonce, i.e. 22 characters and "==". */
const KEY_PATTERN = /^[A-Za-z0-9+/]{21}[AQgw]==$/;

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  421: 'Misdirected Request',
  426: 'Upgrade Required',
  503: 'Service Unavailable',
};

function hasToken(value: string | undefined, token: string): boolean {
  return (value ?? '').split(',').some((part) => part.trim().toLowerCase() === token);
}

/** Writes a complete HTTP/1.1 refusal and closes the connection (the upgrade never happened). */
function refuse(socket: Duplex, status: number, reason: string, extra: Record<string, string> = {}): void {
  const body = `${reason}\n`;
  const headers = {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    Connection: 'close',
    ...extra,
  };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? ''}\r\n${lines.join('')}\r\n${body}`);
}

export function createWebSocketServer(ctx: ServerContext): WebSocketServer {
  return new WebSocketServer({
    noServer: true,
    maxPayload: ctx.options.maxMessageBytes,
    perMessageDeflate: false,
    clientTracking: false,
    handleProtocols: () => false,
    skipUTF8Validation: false,
  });
}

interface Refusal {
  status: number;
  reason: string;
  headers?: Record<string, string>;
}

/** The checks of the table above, in that order; undefined when the handshake may proceed. */
function checkHandshake(ctx: ServerContext, req: IncomingMessage, url: URL): Refusal | undefined {
  if (ctx.closing) return { status: 503, reason: 'shutting down', headers: { 'Retry-After': '1' } };
  const host = checkHost(req, ctx.authorities);
  if (!host.ok) return host;
  // RFC 6455 section 4.1: the request target is the resource name, or an absolute http(s) URI; a ws:// or
  // wss:// URI belongs to the API and never appears in the request line.
  if (!/^(\/|https?:\/\/)/i.test(req.url ?? '')) {
    return { status: 400, reason: 'the request target must be a path (or an http URI), not a ws:// URI' };
  }
  if (!WEBSOCKET_PATHS.has(url.pathname)) return { status: 404, reason: 'no WebSocket endpoint here' };
  if (req.method !== 'GET') {
    return { status: 405, reason: 'the opening handshake is a GET', headers: { Allow: 'GET' } };
  }
  const origin = checkOrigin(req, ctx.authorities);
  if (!origin.ok) return origin;
  if (!hasToken(req.headers.upgrade, 'websocket') || !hasToken(req.headers.connection, 'upgrade')) {
    return { status: 400, reason: 'Upgrade: websocket and Connection: Upgrade are required' };
  }
  if (req.headers['sec-websocket-version'] !== '13') {
    return {
      status: 426,
      reason: 'only WebSocket version 13 is spoken here',
      headers: { 'Sec-WebSocket-Version': '13' },
    };
  }
  if (!KEY_PATTERN.test(req.headers['sec-websocket-key'] ?? '')) {
    return { status: 400, reason: 'Sec-WebSocket-Key must be base64 of 16 bytes' };
  }
  if (url.pathname !== '/ws/tap' && sessionKey(ctx, url) === undefined) {
    return { status: 404, reason: 'unknown session' };
  }
  return undefined;
}

/**
 * Handles one upgrade. Returns false, touching nothing, when the path is not ours and `passUnknown` is
 * set (inside Vite's dev server, whose own HMR socket shares the HTTP server).
 */
export function handleUpgrade(
  ctx: ServerContext,
  wss: WebSocketServer,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  passUnknown = false,
): boolean {
  const url = requestUrl(req);
  if (passUnknown && !WEBSOCKET_PATHS.has(url.pathname)) return false;
  socket.on('error', () => socket.destroy());
  const tcp = socket as Socket;
  if (url.pathname === '/ws/tap') ctx.tap.exclude(tcp);
  else ctx.tap.assign(tcp, url.searchParams.get(SESSION_PARAM));

  const refusal = checkHandshake(ctx, req, url);
  if (refusal) {
    refuse(socket, refusal.status, refusal.reason, refusal.headers);
    return true;
  }
  const session = sessionKey(ctx, url) ?? '';

  ctx.tap.expectReplay(tcp, head);
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.on('error', () => undefined); // ws closes with the right code itself; nothing to crash on
    if (url.pathname === '/ws/tap') return onTapConnection(ctx, ws, socket);
    limitFragments(socket, ctx.options.maxFragments, () => {
      // Fail the connection (RFC 6455 section 7.1.7): the close frame, then our FIN, without waiting.
      ws.close(1008, 'too many fragments');
      socket.end();
    });
    ctx.tap.keepFirst(tcp);
    if (url.pathname === '/ws/echo') onEchoConnection(ctx, ws, url, session);
    else onStreamConnection(ctx, ws, url, session, ctx.streams.get(session));
  });
  return true;
}
