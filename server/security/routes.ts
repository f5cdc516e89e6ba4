/**
 * The security lesson's API. Like all of /api, these answer only this server's own origin (a foreign
 * Origin is refused with 403 before they run), so another origin's page can neither sign in nor out.
 *
 * - `POST /api/security/sign-in`: a new pretend account; its session cookie comes back in Set-Cookie.
 * - `POST /api/security/sign-out`: forgets the account and clears the cookie (Max-Age=0).
 * - `GET /api/security/attacker`: where the attacker page listens, for a page on this machine (404
 *   when the attacker page is off, or the asking browser is elsewhere and could not load it).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerContext } from '../context.ts';
import { sendJson } from '../http-util.ts';
import { sessionCookie, sessionToken } from './accounts.ts';
import { isLoopbackAddress } from '../guard.ts';

interface SecurityRoute {
  method: 'GET' | 'POST';
  handle: (ctx: ServerContext, req: IncomingMessage, res: ServerResponse) => void;
}

export const SECURITY_ROUTES: Record<string, SecurityRoute> = {
  '/api/security/sign-in': {
    method: 'POST',
    handle: (ctx, _req, res) => {
      const account = ctx.accounts.signIn();
      sendJson(res, 200, { user: 'learner' }, { 'set-cookie': sessionCookie(account, ctx.accounts.ttlMs) });
    },
  },
  '/api/security/sign-out': {
    method: 'POST',
    handle: (ctx, req, res) => {
      ctx.accounts.signOut(sessionToken(req));
      sendJson(res, 200, { user: null }, { 'set-cookie': sessionCookie(undefined, 0) });
    },
  },
  '/api/security/attacker': {
    method: 'GET',
    handle: (ctx, req, res) => {
      if (ctx.attackerPort === undefined) return sendJson(res, 404, { error: 'the attacker page is off' });
      if (!isLoopbackAddress(req.socket.remoteAddress)) {
        return sendJson(res, 404, { error: 'the attacker page serves this machine only' });
      }
      sendJson(res, 200, { port: ctx.attackerPort });
    },
  },
};
