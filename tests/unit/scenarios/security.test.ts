import { describe, expect, it } from 'vitest';
import spec from '../../../src/lib/scenarios/security/spec';
import scenario, {
  NO_COOKIE_REFUSAL,
  POLICY,
  SECRET,
  SECURITY,
  SET_COOKIE,
  attackerRequest,
  isAttackerConnection,
  pageRequest,
} from '../../../src/lib/scenarios/security/index';
import { FIXED, OTHER_KEY, maskKey } from '../../../src/lib/scenarios/wire';
import { decodeFrame, encodeFrame } from '../../../src/lib/protocol/frame';
import { parseCloseBody } from '../../../src/lib/protocol/close';
import { Opcode } from '../../../src/lib/protocol/constants';
import { cookieValue } from '../../../src/lib/protocol/cookie';
import { computeAccept, validateUpgradeRequest } from '../../../src/lib/protocol/handshake';
import { getHeader, parseHttpMessage, serializeResponse } from '../../../src/lib/protocol/http';
import type { NoteEvent, TraceEvent, UnitEvent } from '../../../src/lib/trace/types';
import { ascii, ctx, nextUntilEnd, start, unitsOf } from './helpers';

const input = (await scenario.prepare!()) as Record<string, unknown>;

function run(choice?: string, until?: string) {
  const { actor } = start(scenario.machine, input);
  for (let i = 0; i < 30; i++) {
    if (until && ctx(actor).path.at(-1) === until) break;
    if (choice && actor.getSnapshot().can({ type: 'learner.choose', choice }) && !ctx(actor).choices.length)
      actor.send({ type: 'learner.choose', choice });
    else if (actor.getSnapshot().can({ type: 'step.next' })) actor.send({ type: 'step.next' });
    else break;
  }
  return actor;
}

const headersOf = (unit: UnitEvent) =>
  parseHttpMessage(unit.bytes, 0, { kind: unit.kind === 'http-request' ? 'request' : 'response', eof: true })!
    .message.headers;
const onConn = (actor: ReturnType<typeof run>, conn: string) => unitsOf(actor).filter((u) => u.conn === conn);
const notes = (actor: ReturnType<typeof run>) =>
  ctx(actor).events.filter((e): e is NoteEvent => e.type === 'note');

describe('security machine', () => {
  it('walks every step by default; the choice only redraws the attacker page', () => {
    const same = run();
    expect(ctx(same).path).toEqual([...spec.steps]);
    const cross = run('cross-site');
    expect(ctx(cross).path).toEqual([...spec.steps]);
    expect(ctx(cross).choices).toEqual(['cross-site']);
    expect(spec.choices).toEqual([
      { id: 'same-site', at: 'attacker-page' },
      { id: 'cross-site', at: 'attacker-page' },
    ]);
  });

  it('signs in: an HttpOnly, SameSite=Lax session cookie in Set-Cookie', () => {
    const [request, response] = onConn(run(undefined, 'sign-in'), 'page-http');
    expect(ascii(request!.bytes)).toMatch(/^POST \/api\/security\/sign-in HTTP\/1\.1\r\n/);
    expect(getHeader(headersOf(request!), 'cookie')).toBeUndefined();
    expect(getHeader(headersOf(response!), 'set-cookie')).toBe(SET_COOKIE);
    expect(SET_COOKIE).toBe(
      `wirescope_lesson=${SECURITY.token}; Path=/; Max-Age=600; HttpOnly; SameSite=Lax`,
    );
  });

  it("the page's own handshake carries Origin and the cookie, passes the server's checks and reads the secret", async () => {
    const units = onConn(run(undefined, 'own-socket'), 'page-ws');
    const [request, switching, secret] = units;
    expect(request!.bytes).toEqual(pageRequest('/ws/private'));
    expect(validateUpgradeRequest(request!.bytes, POLICY).ok).toBe(true);
    expect(cookieValue(headersOf(request!), 'wirescope_lesson')).toBe(SECURITY.token);
    expect(getHeader(headersOf(switching!), 'sec-websocket-accept')).toBe(await computeAccept(FIXED.key));
    expect(secret!.bytes).toEqual(
      encodeFrame({ opcode: Opcode.Text, payload: new TextEncoder().encode(SECRET) }),
    );
    expect(JSON.parse(SECRET)).toEqual({ to: 'learner', text: 'Your code is 482913' });
  });

  it('same site: the attacker page’s handshake carries your cookie, and the Origin check answers 403', () => {
    const actor = run(undefined, 'origin-refused');
    const [request, refusal] = onConn(actor, 'evil-1');
    expect(getHeader(headersOf(request!), 'origin')).toBe('http://127.0.0.1:8081');
    expect(cookieValue(headersOf(request!), 'wirescope_lesson')).toBe(SECURITY.token);
    const check = validateUpgradeRequest(request!.bytes, POLICY);
    expect(check.ok).toBe(false);
    if (!check.ok) {
      expect(check.code).toBe('ORIGIN_REJECTED');
      expect(refusal!.bytes).toEqual(serializeResponse(check.response));
    }
    expect(ascii(refusal!.bytes)).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    expect(ctx(actor).events.find((e) => e.type === 'conn.close' && e.conn === 'evil-1')).toBeDefined();
  });

  it('same site, no Origin check: the unprotected endpoint hands the attacker the secret', async () => {
    const units = onConn(run(undefined, 'unprotected'), 'evil-2');
    expect(units.map((u) => u.kind)).toEqual(['http-request', 'http-response', 'ws-frame']);
    expect(units[0]!.bytes).toEqual(attackerRequest('/ws/unprotected', 'same-site'));
    expect(validateUpgradeRequest(units[0]!.bytes, { allowedHosts: [FIXED.host] }).ok).toBe(true);
    expect(getHeader(headersOf(units[1]!), 'sec-websocket-accept')).toBe(await computeAccept(OTHER_KEY));
    expect(ascii(decodeFrame(units[2]!.bytes)!.frame.payload)).toBe(SECRET);
  });

  it('another site: SameSite=Lax keeps the cookie off, Origin gets 403 and the unprotected endpoint 403 too', () => {
    const actor = run('cross-site');
    const [request] = onConn(actor, 'evil-1');
    expect(getHeader(headersOf(request!), 'origin')).toBe('http://localhost:8081');
    expect(getHeader(headersOf(request!), 'cookie')).toBeUndefined();
    const open = onConn(actor, 'evil-2');
    expect(open.map((u) => u.kind)).toEqual(['http-request', 'http-response']);
    expect(open[1]!.bytes).toEqual(serializeResponse(NO_COOKIE_REFUSAL));
    expect(ascii(open[1]!.bytes)).toContain('sign in first');
    expect(notes(actor).map((n) => n.key)).toContain('noCookieRefused');
    expect(notes(actor).map((n) => n.key)).not.toContain('hijacked');
  });

  it('a ticket: one request for it, then the upgrade carries it in the URL', () => {
    const actor = run(undefined, 'ticket');
    const [post, answer] = onConn(actor, 'page-ticket');
    expect(ascii(post!.bytes)).toMatch(/^POST \/api\/security\/ticket HTTP\/1\.1\r\n/);
    expect(JSON.parse(ascii(answer!.bytes).split('\r\n\r\n')[1]!)).toEqual({
      ticket: SECURITY.ticket,
      expiresIn: 30,
    });
    const [upgrade] = onConn(actor, 'page-ticket-ws');
    expect(ascii(upgrade!.bytes)).toMatch(
      new RegExp(`^GET /ws/private\\?ticket=${SECURITY.ticket} HTTP/1\\.1\\r\\n`),
    );
  });

  it('a token in the first message: a masked text frame right after the 101', () => {
    const units = onConn(run(undefined, 'first-message'), 'page-token-ws');
    expect(units.map((u) => [u.kind, u.dir])).toEqual([
      ['http-request', 'c2s'],
      ['http-response', 's2c'],
      ['ws-frame', 'c2s'],
      ['ws-frame', 's2c'],
    ]);
    const auth = decodeFrame(units[2]!.bytes)!.frame;
    expect(auth.masked).toBe(true);
    expect(auth.maskKey).toEqual(maskKey(0));
    expect(JSON.parse(ascii(auth.payload))).toEqual({ type: 'auth', token: SECURITY.bearer });
  });

  it('ws:// from an https:// page sends nothing at all', () => {
    const actor = run(undefined, 'first-message');
    const before = unitsOf(actor).length;
    actor.send({ type: 'step.next' });
    expect(ctx(actor).path.at(-1)).toBe('mixed-content');
    expect(unitsOf(actor)).toHaveLength(before);
    expect(
      notes(actor)
        .slice(-2)
        .map((n) => n.key),
    ).toEqual(['mixedContent', 'wss']);
  });

  it('a message over the limit: a 70,000-byte frame, then Close 1009 from the server', () => {
    const actor = run(undefined, 'too-big');
    const [big, close] = onConn(actor, 'page-ws').slice(-2);
    const frame = decodeFrame(big!.bytes, 0, { maxPayload: 1 << 20 })!.frame;
    expect([frame.opcode, frame.payloadLength, frame.masked]).toEqual([Opcode.Binary, 70_000, true]);
    expect(big!.bytes.subarray(0, 2)).toEqual(Uint8Array.of(0x82, 0xff)); // 127: the 64-bit length follows
    // The protocol's own decoder, given the server's limit, refuses on the header alone, with 1009.
    let refusal: unknown;
    try {
      decodeFrame(big!.bytes.subarray(0, 14), 0, { maxPayload: SECURITY.limit });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toMatchObject({ closeCode: 1009 });
    const body = parseCloseBody(decodeFrame(close!.bytes)!.frame.payload);
    expect(body).toEqual({ ok: true, code: 1009, reason: '' });
    expect(close!.bytes).toEqual(Uint8Array.of(0x88, 0x02, 0x03, 0xf1));
    expect(ctx(actor).client.readyState).toBe('CLOSED');
  });

  it('panels: the ways to authenticate from the first-message step, what stops what at the end', () => {
    const actor = run(undefined, 'ticket');
    expect(scenario.panels!(ctx(actor) as never, 'en')).toEqual([]);
    nextUntilEnd(actor);
    const panels = scenario.panels!(ctx(actor) as never, 'ko');
    expect(panels.map((p) => p.id)).toEqual(['auth', 'defences']);
    const auth = panels[0]!;
    expect(auth.kind === 'table' && auth.columns).toHaveLength(3);
    expect(auth.kind === 'table' && auth.rows.every((r) => r.cells.length === 3)).toBe(true);
  });
});

describe('security lanes', () => {
  const lanes = scenario.lanes('en');
  it('draws the attacker page’s connections on its own lifeline, in the simulation', () => {
    const events = ctx(run()).events;
    const laneOfUnit = (conn: string) => lanes.laneOf!(conn, events);
    expect(['page-http', 'page-ws', 'page-ticket', 'page-token-ws'].map(laneOfUnit)).toEqual([
      'page',
      'page',
      'page',
      'page',
    ]);
    expect(['evil-1', 'evil-2'].map(laneOfUnit)).toEqual(['attacker', 'attacker']);
    expect(lanes.lanes.map((l) => l.label)).toEqual(['Your page', 'Server', "Attacker's page"]);
  });

  it('and in a live trace, by the Origin its request names against the port it reached', () => {
    const request = (origin?: string) =>
      new TextEncoder().encode(
        `GET /ws/private HTTP/1.1\r\nHost: 127.0.0.1:40000\r\n${origin ? `Origin: ${origin}\r\n` : ''}\r\n`,
      );
    const live = (conn: string, origin?: string): TraceEvent[] => [
      { type: 'conn.open', t: 0, conn, client: '127.0.0.1:5000', server: '127.0.0.1:40000' },
      { type: 'unit', t: 1, conn, dir: 'c2s', kind: 'http-request', summary: 'GET', bytes: request(origin) },
    ];
    const events = [
      ...live('c1', 'http://127.0.0.1:40000'),
      ...live('c2', 'http://127.0.0.1:40001'),
      ...live('c3', 'http://localhost:40001'),
      ...live('c4'),
      ...live('c5', 'http://localhost:40000'),
    ];
    expect(['c1', 'c2', 'c3', 'c4', 'c5'].map((c) => isAttackerConnection(c, events))).toEqual([
      false,
      true,
      true,
      false,
      false,
    ]);
  });
});
