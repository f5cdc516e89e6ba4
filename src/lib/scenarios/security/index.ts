/**
 * Security. The page signs in (a session cookie, HttpOnly, SameSite=Lax) and opens its own WebSocket:
 * the browser adds Origin and the cookie to the handshake, and the server checks both. Then a page of
 * another origin opens a WebSocket to the same server (cross-site WebSocket hijacking): the browser adds
 * the learner's cookie when that page is of the same site (another port of the same host) and not when
 * it is of another site (SameSite=Lax), and only the Origin check (RFC 6455 section 10.2) refuses it;
 * an endpoint without that check hands the secret over. Then the other ways to authenticate (a ticket
 * in the URL, a token in the first message, section 10.5), ws:// against wss:// (10.6), and a message
 * over the size limit (1009, section 10.4).
 */
import { PLAYER } from '../../i18n';
import {
  httpDate,
  type BaseContext,
  type BaseInput,
  type StepBuild,
  type StepBuilder,
} from '../../machines/kit';
import { scenarioMachine } from '../../machines/machine';
import type { Lanes, ScenarioModule } from '../../machines/scenario';
import { Opcode } from '../../protocol/constants';
import { formatSetCookie } from '../../protocol/cookie';
import {
  computeAccept,
  upgradeRequest,
  upgradeResponse,
  validateUpgradeRequest,
} from '../../protocol/handshake';
import {
  errorResponse,
  getHeader,
  parseHttpMessage,
  serializeRequest,
  serializeResponse,
} from '../../protocol/http';
import type { TraceEvent } from '../../trace/types';
import { closeAndWait, openSocket, withTap, type Observe } from '../../live/client';
import { TAPPED_REQUEST, type TapSession } from '../../live/tap';
import { FIXED, OTHER_KEY, closeFrame, frame, httpRequest, httpResponse } from '../wire';
import spec from './spec';

export type Where = 'same-site' | 'cross-site';

export interface SecurityContext extends BaseContext {
  /** Sec-WebSocket-Accept for the page's key and for the attacker page's key (worked out in prepare). */
  ownAccept: string;
  otherAccept: string;
}

/** The lesson's fixed values: the same bytes every time. */
export const SECURITY = {
  cookie: 'wirescope_lesson',
  token: '3f9c2a7e5b1d4c60a8e2f7b19d3c5e41',
  code: '482913',
  /** The attacker's page: another port of the same host (same site), or another host (another site). */
  attacker: { 'same-site': 'http://127.0.0.1:8081', 'cross-site': 'http://localhost:8081' },
  ticket: '7Hq2vX9mP4sLw3Ze',
  bearer: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJsZWFybmVyIn0.Hk4tQ2',
  /** The demo server's message limit (--max-message-bytes) and the message that exceeds it. */
  limit: 65_536,
  tooBig: 70_000,
} as const;

/** The session cookie's Set-Cookie value, as the demo server writes it (server/security/accounts.ts). */
export const SET_COOKIE = formatSetCookie({
  name: SECURITY.cookie,
  value: SECURITY.token,
  path: '/',
  maxAge: 600,
  httpOnly: true,
  sameSite: 'Lax',
});
const COOKIE: readonly [string, string] = ['Cookie', `${SECURITY.cookie}=${SECURITY.token}`];
/** The account's secret, as both of the demo server's account endpoints send it. */
export const SECRET = JSON.stringify({ to: 'learner', text: `Your code is ${SECURITY.code}` });
/** The server's refusal of a handshake that carries no session cookie (as server/security/sockets.ts). */
export const NO_COOKIE_REFUSAL = errorResponse(403, 'sign in first: no lesson session cookie');
/** The server answers for its own host and origin only (RFC 6455 section 10.2). */
export const POLICY = { allowedHosts: [FIXED.host], allowedOrigins: [FIXED.origin] };

const CONN = {
  signIn: 'page-http',
  own: 'page-ws',
  evilPrivate: 'evil-1',
  evilOpen: 'evil-2',
  ticketHttp: 'page-ticket',
  ticketWs: 'page-ticket-ws',
  token: 'page-token-ws',
} as const;
/** Mask keys (index into FIXED.masks) of the page's client frames. */
const MASK = { token: 0, tooBig: 1 } as const;

const where = (c: BaseContext): Where => (c.choice === 'cross-site' ? 'cross-site' : 'same-site');

/** The attacker page's upgrade to `path`: its own Origin; the learner's cookie only if same-site. */
export function attackerRequest(path: string, at: Where): Uint8Array {
  return serializeRequest(
    upgradeRequest({
      path,
      host: FIXED.host,
      key: OTHER_KEY,
      origin: SECURITY.attacker[at],
      headers: at === 'same-site' ? [{ name: COOKIE[0], value: COOKIE[1] }] : [],
    }),
  );
}

/** The page's own upgrade to `path`, with its Origin and (the browser adds it) the session cookie. */
export function pageRequest(path: string): Uint8Array {
  return serializeRequest(
    upgradeRequest({
      path,
      host: FIXED.host,
      key: FIXED.key,
      origin: FIXED.origin,
      headers: [{ name: COOKIE[0], value: COOKIE[1] }],
    }),
  );
}

function switching(b: StepBuilder, conn: string, accept: string): void {
  b.wait(1);
  b.unit(conn, 's2c', 'http-response', serializeResponse(upgradeResponse({ accept })));
}

/** The page's POST to the API: its Origin and (the browser adds it) the cookie, if it has one yet. */
function apiPost(path: string, withCookie: boolean): Uint8Array {
  return httpRequest('POST', path, [
    ['Host', FIXED.host],
    ['Origin', FIXED.origin],
    ...(withCookie ? [COOKIE] : []),
    ['Content-Length', '0'],
  ]);
}

/** The API's JSON answer at time t. */
function jsonAnswer(t: number, body: string, ...extra: (readonly [string, string])[]): Uint8Array {
  return httpResponse(
    200,
    [
      ['Date', httpDate(t)],
      ['Content-Type', 'application/json; charset=utf-8'],
      ['Content-Length', String(new TextEncoder().encode(body).length)],
      ['Cache-Control', 'no-store'],
      ...extra,
    ],
    body,
  );
}

export const STEPS: Record<string, StepBuild<SecurityContext>> = {
  'sign-in': (b) => {
    b.connect(CONN.signIn);
    const request = apiPost('/api/security/sign-in', false);
    b.unit(CONN.signIn, 'c2s', 'http-request', request);
    b.wait(2);
    const response = jsonAnswer(b.t, '{"user":"learner"}', ['Set-Cookie', SET_COOKIE]);
    b.unit(CONN.signIn, 's2c', 'http-response', response);
    b.note('signedIn', undefined, { peer: 'client', conn: CONN.signIn });
  },
  'own-socket': (b, c) => {
    b.peer('client', { readyState: 'CONNECTING' }, CONN.own);
    b.connect(CONN.own);
    b.unit(CONN.own, 'c2s', 'http-request', pageRequest('/ws/private'));
    b.note('ownChecks', undefined, { peer: 'server', conn: CONN.own });
    switching(b, CONN.own, c.ownAccept);
    b.peer('client', { readyState: 'OPEN' }, CONN.own);
    b.peer('server', { readyState: 'OPEN' }, CONN.own);
    b.unit(CONN.own, 's2c', 'ws-frame', frame({ opcode: Opcode.Text, payload: SECRET }));
  },
  'attacker-page': (b, c) => {
    const at = where(c);
    b.wait(3000);
    b.note(
      at === 'same-site' ? 'sameSiteAttacker' : 'crossSiteAttacker',
      { origin: SECURITY.attacker[at] },
      { peer: 'client', conn: CONN.evilPrivate },
    );
  },
  'attacker-handshake': (b, c) => {
    const at = where(c);
    b.peer('client', { readyState: 'CONNECTING' }, CONN.evilPrivate);
    b.connect(CONN.evilPrivate);
    b.unit(CONN.evilPrivate, 'c2s', 'http-request', attackerRequest('/ws/private', at));
    b.note('cookieRides', { rides: at === 'same-site' }, { peer: 'client', conn: CONN.evilPrivate });
  },
  'origin-refused': (b, c) => {
    const check = validateUpgradeRequest(attackerRequest('/ws/private', where(c)), POLICY);
    if (check.ok) throw new Error('the attacker page passed the Origin check');
    b.note(
      'serverCheckFails',
      { code: check.code, reason: check.reason, section: check.section, status: check.status },
      { peer: 'server', conn: CONN.evilPrivate },
    );
    b.wait(1);
    b.unit(CONN.evilPrivate, 's2c', 'http-response', serializeResponse(check.response));
    b.close(CONN.evilPrivate, 'server');
    b.peer('client', { readyState: 'CLOSED', tcp: 'CLOSED' }, CONN.evilPrivate);
    b.note('attackerSeesOnly', undefined, { peer: 'client', conn: CONN.evilPrivate });
  },
  unprotected: (b, c) => {
    const at = where(c);
    b.peer('client', { readyState: 'CONNECTING' }, CONN.evilOpen);
    b.connect(CONN.evilOpen);
    b.unit(CONN.evilOpen, 'c2s', 'http-request', attackerRequest('/ws/unprotected', at));
    if (at === 'cross-site') {
      b.wait(1);
      b.unit(CONN.evilOpen, 's2c', 'http-response', serializeResponse(NO_COOKIE_REFUSAL));
      b.close(CONN.evilOpen, 'server');
      b.peer('client', { readyState: 'CLOSED', tcp: 'CLOSED' }, CONN.evilOpen);
      b.note('noCookieRefused', undefined, { peer: 'server', conn: CONN.evilOpen });
      return;
    }
    switching(b, CONN.evilOpen, c.otherAccept);
    b.peer('client', { readyState: 'OPEN' }, CONN.evilOpen);
    b.unit(CONN.evilOpen, 's2c', 'ws-frame', frame({ opcode: Opcode.Text, payload: SECRET }));
    b.note('hijacked', undefined, { peer: 'client', conn: CONN.evilOpen });
  },
  ticket: (b, c) => {
    b.wait(2000);
    b.connect(CONN.ticketHttp);
    const body = `{"ticket":"${SECURITY.ticket}","expiresIn":30}`;
    b.unit(CONN.ticketHttp, 'c2s', 'http-request', apiPost('/api/security/ticket', true));
    b.wait(2);
    b.unit(CONN.ticketHttp, 's2c', 'http-response', jsonAnswer(b.t, body));
    b.connect(CONN.ticketWs);
    const path = `/ws/private?ticket=${SECURITY.ticket}`;
    b.unit(CONN.ticketWs, 'c2s', 'http-request', pageRequest(path));
    b.note('ticketUsed', undefined, { peer: 'server', conn: CONN.ticketWs });
    switching(b, CONN.ticketWs, c.ownAccept);
  },
  'first-message': (b, c) => {
    b.wait(1000);
    b.connect(CONN.token);
    b.unit(CONN.token, 'c2s', 'http-request', pageRequest('/ws/feed'));
    switching(b, CONN.token, c.ownAccept);
    const auth = {
      opcode: Opcode.Text,
      payload: `{"type":"auth","token":"${SECURITY.bearer}"}`,
      mask: MASK.token,
    };
    b.unit(CONN.token, 'c2s', 'ws-frame', frame(auth));
    b.note('tokenFirst', undefined, { peer: 'server', conn: CONN.token });
    const ready = { opcode: Opcode.Text, payload: '{"type":"ready","user":"learner"}' };
    b.unit(CONN.token, 's2c', 'ws-frame', frame(ready));
  },
  'mixed-content': (b) => {
    b.wait(1000);
    b.note('mixedContent', undefined, { peer: 'client' });
    b.note('wss', undefined);
  },
  'too-big': (b) => {
    b.wait(1000);
    const big = { opcode: Opcode.Binary, payload: new Uint8Array(SECURITY.tooBig), mask: MASK.tooBig };
    b.unit(CONN.own, 'c2s', 'ws-frame', frame(big));
    b.note('tooBig', { size: SECURITY.tooBig, limit: SECURITY.limit }, { peer: 'server', conn: CONN.own });
    // As the demo server (ws) fails it: code 1009, no reason.
    b.unit(CONN.own, 's2c', 'ws-frame', closeFrame(1009, ''));
    b.peer('server', { readyState: 'CLOSING' }, CONN.own);
    b.close(CONN.own, 'server');
    b.peer('client', { readyState: 'CLOSED', tcp: 'CLOSED' }, CONN.own);
    b.peer('server', { readyState: 'CLOSED', tcp: 'TIME-WAIT' }, CONN.own);
  },
  summary: (b) => {
    b.note('securitySummary', undefined);
  },
};

/** The Origin of the first request on `conn`, read with the protocol's HTTP parser. */
function originOf(conn: string, events: readonly TraceEvent[]): string | undefined {
  for (const e of events) {
    if (e.type !== 'unit' || e.conn !== conn || e.kind !== 'http-request') continue;
    try {
      const parsed = parseHttpMessage(e.bytes, 0, { kind: 'request', eof: true });
      return parsed ? getHeader(parsed.message.headers, 'origin') : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function serverPort(conn: string, events: readonly TraceEvent[]): string | undefined {
  const open = events.find((e) => e.type === 'conn.open' && e.conn === conn);
  return open?.type === 'conn.open' ? open.server?.split(':').pop() : undefined;
}

/**
 * A connection is the attacker page's when its request names an Origin on another port than the one
 * the connection reached: the same rule for the simulation and for a live run's tap.
 */
export function isAttackerConnection(conn: string, events: readonly TraceEvent[]): boolean {
  const origin = originOf(conn, events);
  if (origin === undefined) return conn.startsWith('evil');
  try {
    const url = new URL(origin);
    return (url.port || (url.protocol === 'https:' ? '443' : '80')) !== serverPort(conn, events);
  } catch {
    return true;
  }
}

function lanes(lang: 'en' | 'ko'): Lanes {
  const t = PLAYER[lang].lanes;
  return {
    lanes: [
      { id: 'page', label: t.yourPage, peer: 'client' },
      { id: 'server', label: t.server, peer: 'server' },
      { id: 'attacker', label: t.attackerPage, peer: 'client' },
    ],
    laneOf: (conn, events) =>
      conn !== undefined && isAttackerConnection(conn, events) ? 'attacker' : 'page',
  };
}

interface AttackReport {
  type: 'wirescope-attack';
  origin: string;
  results: { path: string; opened: boolean; read: string; code: number }[];
}

/** The attacker page, framed at `host` (same site or not), and what its script could read. */
async function attackFrom(tap: TapSession, host: string, port: number, observe: Observe): Promise<void> {
  const origin = `http://${host}:${port}`;
  const { runInFrame } = await import('../../live/frame');
  const query = new URLSearchParams({
    session: tap.id,
    target: location.host,
    lang: document.documentElement.lang || 'en',
  });
  const report = await runInFrame<AttackReport>(`${origin}/?${query}`, origin, 'wirescope-attack');
  for (const result of report.results) {
    observe('observedAttack', { origin, path: result.path, read: result.read, code: result.code });
  }
}

const scenario: ScenarioModule<SecurityContext> = {
  spec,
  machine: scenarioMachine<SecurityContext, BaseInput & { ownAccept?: string; otherAccept?: string }>({
    spec,
    context: (input) => ({ ownAccept: input.ownAccept ?? '', otherAccept: input.otherAccept ?? '' }),
    steps: STEPS,
  }),
  prepare: async () => ({
    ownAccept: await computeAccept(FIXED.key),
    otherAccept: await computeAccept(OTHER_KEY),
  }),
  lanes,
  panels: (c, lang) => {
    const t = PLAYER[lang].security;
    const shown = new Set(c.path);
    const panels = [];
    if (shown.has('first-message')) {
      panels.push({
        kind: 'table' as const,
        id: 'auth',
        caption: t.authCaption,
        columns: t.authColumns,
        rows: t.authRows,
      });
    }
    if (shown.has('summary')) {
      panels.push({
        kind: 'table' as const,
        id: 'defences',
        caption: t.defencesCaption,
        columns: t.defencesColumns,
        rows: t.defencesRows,
      });
    }
    return panels;
  },
  runLive: () =>
    withTap(async (tap, observe) => {
      // Signing in needs the browser's cookie jar, so this request is credentialed (the tap may not see
      // it: it can ride a connection the page opened for its own files).
      await fetch(tap.withSession('/api/security/sign-in'), {
        method: 'POST',
        credentials: 'same-origin',
        cache: 'no-store',
      });
      try {
        const own = await openSocket(tap, '/ws/private');
        observe('observedOwnRead', { text: String(await own.next()) });
        await closeAndWait(own, 1000, 'done');
        const info = await fetch(tap.withSession('/api/security/attacker'), TAPPED_REQUEST);
        const body = (await info.json()) as { port?: number; error?: string };
        if (!info.ok || body.port === undefined) {
          observe('observedNoAttacker', { reason: body.error ?? String(info.status) });
          return;
        }
        // The same host on another port is the same site; the other loopback name is another site.
        const same = location.hostname;
        const other = same === 'localhost' ? '127.0.0.1' : 'localhost';
        for (const host of [same, other]) await attackFrom(tap, host, body.port, observe);
      } finally {
        await fetch('/api/security/sign-out', {
          method: 'POST',
          credentials: 'same-origin',
          cache: 'no-store',
        });
      }
    }),
};

export default scenario;
