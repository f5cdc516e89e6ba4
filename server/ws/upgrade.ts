/**
 * The opening handshake's server side (RFC 6455 section 4.2.1), done in the HTTP server's 'upgrade'
 * event before ws sees the request. The checks are the protocol's own `validateUpgradeRequest`, given
 * this server's policy (its Host names, its Origin), and the refusal written is the response that
 * validator returns, serialised by the protocol: the wire and the lesson agree. In order:
 *
 *   server shutting down    503 with Retry-After: 1
 *   over a connection limit 503 with Retry-After: 5 naming the limit (server/admission.ts)
 *   validateUpgradeRequest  405 (not GET, with Allow: GET), 400 (HTTP version, request target, Host,
 *                           Upgrade, Connection, key, missing version), 421 (Host not ours), 426 (version
 *                           other than 13, with Upgrade: websocket and Sec-WebSocket-Version: 13),
 *                           403 (foreign Origin; /ws/unprotected takes any), 400 (subprotocol list)
 *   unknown path or session 404
 *   /ws/private, /ws/unprotected  403 without the lesson's session cookie; /ws/unprotected 403 for a
 *                           client that is not on loopback (server/security/sockets.ts)
 *
 * A request to a WebSocket path that does not ask to upgrade at all (no Upgrade or Connection: Upgrade)
 * reaches node:http's 'request' event instead; `refuseWithoutUpgrade` answers it with the same checks.
 * ws then completes the handshake: no subprotocol (handleProtocols refuses all), and no extension
 * (permessage-deflate off) except on /ws/deflate, whose offer the protocol's negotiateDeflate answers
 * (deflate.ts; a Sec-WebSocket-Extensions that does not parse gets 400 there).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import {
  errorResponse,
  serializeResponse,
  validateUpgradeRequest,
  type HttpRequest,
  type HttpResponse,
  type UpgradeRequestPolicy,
} from '../../src/lib/protocol/index.ts';
import { ALL_PARAM, SESSION_PARAM } from '../../src/lib/trace/index.ts';
import { RETRY_AFTER_SECONDS } from '../admission.ts';
import { type ServerContext, requestUrl, sessionKey } from '../context.ts';
import { originAllowed } from '../guard.ts';
import { headerFields } from '../http-util.ts';
import { DEFLATE_PATH, deflateServer, prepareDeflate } from './deflate.ts';
import { onEchoConnection } from './echo.ts';
import { limitFragments } from './fragment-limit.ts';
import { onStreamConnection } from './stream.ts';
import {
  SECURITY_PATHS,
  onAccountConnection,
  securityRefusal,
  skipsOriginCheck,
} from '../security/sockets.ts';
import { onTapConnection } from './tap.ts';

export const WEBSOCKET_PATHS = new Set([
  '/ws/echo',
  DEFLATE_PATH,
  '/ws/stream',
  '/ws/tap',
  ...SECURITY_PATHS,
]);

/**
 * What this server accepts in an opening handshake: its own Host names and Origin, no subprotocol. The
 * security lesson's unprotected endpoint (a loopback-only teaching aid) is the one path that takes any
 * Origin (server/security/sockets.ts).
 */
export function upgradePolicy(ctx: ServerContext, pathname = ''): UpgradeRequestPolicy {
  return {
    allowedHosts: [...ctx.authorities],
    allowedOrigins: skipsOriginCheck(pathname)
      ? () => true
      : (origin) => originAllowed(origin, ctx.authorities, ctx.cluster?.peerOrigins()),
    supportedProtocols: [],
  };
}

/** The request as node:http parsed it, in the protocol's terms (header fields in their wire order). */
function asHttpRequest(req: IncomingMessage): HttpRequest {
  return {
    kind: 'request',
    method: req.method ?? '',
    target: req.url ?? '',
    version: `HTTP/${req.httpVersion}`,
    headers: headerFields(req),
    body: new Uint8Array(0),
  };
}

/** The refusal for this upgrade request, in the order of the table above; undefined to go ahead. */
export function checkUpgrade(ctx: ServerContext, req: IncomingMessage): HttpResponse | undefined {
  if (ctx.closing) return errorResponse(503, 'shutting down', [{ name: 'Retry-After', value: '1' }]);
  const refused = ctx.admission.refusal(req.socket);
  if (refused)
    return errorResponse(503, refused, [{ name: 'Retry-After', value: String(RETRY_AFTER_SECONDS) }]);
  const url = requestUrl(req, ctx.prefix);
  const check = validateUpgradeRequest(asHttpRequest(req), upgradePolicy(ctx, url?.pathname ?? ''));
  if (!check.ok) return check.response;
  if (!url || !WEBSOCKET_PATHS.has(url.pathname)) return errorResponse(404, 'no WebSocket endpoint here');
  if (url.searchParams.get(ALL_PARAM) === '1' && (url.pathname !== '/ws/tap' || !ctx.options.target)) {
    return errorResponse(400, 'all=1 is a tap of every proxied connection: only with --target');
  }
  if (url.pathname !== '/ws/tap' && sessionKey(ctx, url) === undefined) {
    return errorResponse(404, 'unknown session');
  }
  return securityRefusal(ctx, req, url.pathname);
}

/** Writes a refusal and closes the connection (the upgrade never happened). */
function refuse(socket: Duplex, response: HttpResponse): void {
  socket.end(serializeResponse(response));
}

/**
 * A plain request (no upgrade asked for) to a WebSocket endpoint: answered with the same checks, so
 * it gets the refusal validateUpgradeRequest names (400 for the missing Upgrade or Connection token).
 */
export function refuseWithoutUpgrade(ctx: ServerContext, req: IncomingMessage): void {
  const response = checkUpgrade(ctx, req) ?? errorResponse(400, 'this endpoint speaks WebSocket only');
  refuse(req.socket, response);
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
  // Not under the prefix (in front of an app): checkUpgrade answers 404.
  const url = requestUrl(req, ctx.prefix) ?? new URL('http://wirescope.invalid/');
  if (passUnknown && !WEBSOCKET_PATHS.has(url.pathname)) return false;
  socket.on('error', () => socket.destroy());
  const tcp = socket as Socket;
  if (url.pathname === '/ws/tap') ctx.tap.exclude(tcp);
  else ctx.tap.assign(tcp, url.searchParams.get(SESSION_PARAM));

  const refusal = checkUpgrade(ctx, req);
  if (refusal) {
    refuse(socket, refusal);
    return true;
  }
  const session = sessionKey(ctx, url) ?? '';
  const deflate = url.pathname === DEFLATE_PATH ? prepareDeflate(ctx, req, url) : undefined;
  if (deflate && !deflate.ok) {
    refuse(socket, errorResponse(deflate.status, deflate.reason));
    return true;
  }
  const compressed = deflate?.negotiation?.accepted !== undefined;

  ctx.tap.expectReplay(tcp, head);
  (deflate ? deflateServer(ctx) : wss).handleUpgrade(req, socket, head, (ws) => {
    ws.on('error', () => undefined); // ws closes with the right code itself; nothing to crash on
    if (url.pathname === '/ws/tap') {
      return onTapConnection(ctx, ws, socket, url.searchParams.get(ALL_PARAM) === '1');
    }
    limitFragments(
      socket,
      ctx.options.maxFragments,
      () => {
        // Fail the connection (RFC 6455 section 7.1.7): the close frame, then our FIN, without waiting.
        ws.close(1008, 'too many fragments');
        socket.end();
      },
      { deflate: compressed },
    );
    ctx.tap.keepFirst(tcp);
    if (url.pathname === '/ws/echo' || deflate) onEchoConnection(ctx, ws, url, session);
    else if (SECURITY_PATHS.includes(url.pathname)) onAccountConnection(ctx, ws, req, url, session);
    else onStreamConnection(ctx, ws, socket, url, session, ctx.streams.get(session));
  });
  return true;
}
