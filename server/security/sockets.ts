/**
 * The security lesson's two WebSocket endpoints. Both send the signed-in account's secret to whoever
 * presents its session cookie:
 *
 * - `/ws/private` is protected the way every endpoint of this server is: the upgrade's Origin must be
 *   this server's own (RFC 6455 section 10.2), so another origin's page gets 403 even with the cookie.
 * - `/ws/unprotected` is a teaching aid that deliberately skips the Origin check, to show what a
 *   cross-site WebSocket hijacking page reads. It answers loopback clients only (403 for any other
 *   address), so it never serves anyone but the machine the server runs on.
 *
 * Without a valid session cookie both answer 403 before upgrading.
 */
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { errorResponse, type HttpResponse } from '../../src/lib/protocol/index.ts';
import type { ServerContext } from '../context.ts';
import { isLoopbackAddress } from '../guard.ts';

export const PRIVATE_PATH = '/ws/private';
export const UNPROTECTED_PATH = '/ws/unprotected';
export const SECURITY_PATHS: readonly string[] = [PRIVATE_PATH, UNPROTECTED_PATH];

/** Whether an endpoint skips the Origin check (only the unprotected teaching aid). */
export function skipsOriginCheck(pathname: string): boolean {
  return pathname === UNPROTECTED_PATH;
}

/** The refusal for an upgrade to one of these endpoints, after the common checks; undefined to go on. */
export function securityRefusal(
  ctx: ServerContext,
  req: IncomingMessage,
  pathname: string,
): HttpResponse | undefined {
  if (!SECURITY_PATHS.includes(pathname)) return undefined;
  if (pathname === UNPROTECTED_PATH && !isLoopbackAddress(req.socket.remoteAddress)) {
    return errorResponse(403, 'the unprotected demo endpoint answers loopback clients only');
  }
  if (!ctx.accounts.fromRequest(req)) return errorResponse(403, 'sign in first: no lesson session cookie');
  return undefined;
}

/** An accepted connection: the account's secret, once, as a text message; then the socket stays open. */
export function onAccountConnection(
  ctx: ServerContext,
  ws: WebSocket,
  req: IncomingMessage,
  url: URL,
  session: string,
): void {
  ctx.sockets.add(ws, session, url.searchParams.get('name'));
  const account = ctx.accounts.fromRequest(req);
  if (!account) return void ws.close(1008, 'signed out');
  ws.send(JSON.stringify({ to: 'learner', text: `Your code is ${account.code}` }));
}
