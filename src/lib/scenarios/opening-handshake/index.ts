/**
 * The opening handshake (RFC 6455 section 4): TCP connect, the upgrade request, the server's checks
 * (section 4.2.1), the Accept worked out (4.2.2), 101, the client's checks (4.1) and both sides OPEN.
 * At the upgrade request the learner can break one thing and see which rule answers: a wrong version
 * (426, section 4.4), a malformed key (400), a foreign Origin (403, section 10.2), or a server that
 * answers the wrong Accept (the client fails the connection, section 4.1).
 */
import { PLAYER } from '../../i18n';
import type { BaseContext, BaseInput, StepBuild, StepBuilder } from '../../machines/kit';
import { scenarioMachine } from '../../machines/machine';
import { clientServerLanes, type ScenarioModule } from '../../machines/scenario';
import {
  checkUpgradeResponse,
  upgradeRequest,
  upgradeResponse,
  validateUpgradeRequest,
  type UpgradeRequestCheck,
} from '../../protocol/handshake';
import { serializeRequest, serializeResponse } from '../../protocol/http';
import { closeAndWait, openSocket, withTap } from '../../live/client';
import { FIXED, handshakeContext, handshakeInput, type HandshakeInput } from '../wire';
import spec from './spec';

export type HandshakeChoice = 'valid' | 'wrong-version' | 'bad-key' | 'foreign-origin' | 'wrong-accept';

export interface OpeningHandshakeContext extends BaseContext, HandshakeInput {
  /** The request bytes the server received. */
  request?: Uint8Array;
  /** The server's verdict, from the protocol's own validator. */
  check?: UpgradeRequestCheck;
  /** The Accept value the server actually answers, and its 101 bytes. */
  answered?: string;
  response?: Uint8Array;
  /** The client's verdict on the 101. */
  verdict?: { ok: boolean };
}

const CONN = 'ws';
/** The server's policy: only its own host and origin (RFC 6455 section 10.2). */
export const POLICY = { allowedHosts: [FIXED.host], allowedOrigins: [FIXED.origin] };
export const MALFORMED_KEY = 'not-a-16-byte-nonce';

function choiceOf(c: BaseContext): HandshakeChoice {
  return (c.choice as HandshakeChoice | undefined) ?? 'valid';
}

export function requestBytes(choice: HandshakeChoice): Uint8Array {
  const message = upgradeRequest({
    path: '/chat',
    host: FIXED.host,
    key: choice === 'bad-key' ? MALFORMED_KEY : FIXED.key,
    origin: choice === 'foreign-origin' ? FIXED.foreignOrigin : FIXED.origin,
  });
  if (choice === 'wrong-version') {
    message.headers = message.headers.map((h) =>
      h.name === 'Sec-WebSocket-Version' ? { name: h.name, value: '8' } : h,
    );
  }
  return serializeRequest(message);
}

function reject(b: StepBuilder, c: OpeningHandshakeContext): void {
  const check = c.check;
  if (!check || check.ok) return;
  b.wait(1);
  b.unit(CONN, 's2c', 'http-response', serializeResponse(check.response));
  b.peer('server', { readyState: 'CLOSED' }, CONN);
  b.peer('client', { readyState: 'CLOSED' }, CONN);
}

export const STEPS: Record<string, StepBuild<OpeningHandshakeContext>> = {
  'tcp-connect': (b) => {
    b.peer('client', { readyState: 'CONNECTING' }, CONN);
    b.connect(CONN);
  },
  'upgrade-request': (b, c) => {
    const choice = choiceOf(c);
    const request = requestBytes(choice);
    b.unit(CONN, 'c2s', 'http-request', request);
    return { request };
  },
  'server-checks': (b, c) => {
    const check = validateUpgradeRequest(c.request!, POLICY);
    const where = { peer: 'server', conn: CONN } as const;
    if (check.ok) b.note('serverChecksPass', undefined, where);
    else
      b.note(
        'serverCheckFails',
        { code: check.code, reason: check.reason, section: check.section, status: check.status },
        where,
      );
    return { check };
  },
  'accept-compute': (b, c) => {
    const answered = choiceOf(c) === 'wrong-accept' ? c.wrongAccept : c.accept.accept;
    b.note('accept', { accept: c.accept.accept }, { peer: 'server', conn: CONN });
    if (answered !== c.accept.accept) b.note('brokenAccept', { answered }, { peer: 'server', conn: CONN });
    return { answered };
  },
  'switching-protocols': (b, c) => {
    b.wait(1);
    const bytes = serializeResponse(upgradeResponse({ accept: c.answered! }));
    b.unit(CONN, 's2c', 'http-response', bytes);
    b.peer('server', { readyState: 'OPEN' }, CONN);
    return { response: bytes };
  },
  'client-verifies': (b, c) => {
    const result = checkUpgradeResponse(c.response!, { accept: c.accept.accept });
    const where = { peer: 'client', conn: CONN } as const;
    if (result.ok) b.note('clientChecksPass', { accept: c.accept.accept }, where);
    else
      b.note(
        'clientCheckFails',
        { code: result.code, reason: result.reason, section: result.section },
        where,
      );
    return { verdict: { ok: result.ok } };
  },
  open: (b) => {
    b.peer('client', { readyState: 'OPEN' }, CONN);
    b.note('bothOpen', undefined, { conn: CONN });
  },
  'reject-426': (b, c) => reject(b, c),
  'reject-400': (b, c) => reject(b, c),
  'reject-403': (b, c) => reject(b, c),
  'client-fails': (b) => {
    b.peer('client', { readyState: 'CLOSED' }, CONN);
    b.note('clientFails', undefined, { peer: 'client', conn: CONN });
  },
  'tcp-close': (b, c) => {
    const byClient = choiceOf(c) === 'wrong-accept';
    b.peer(byClient ? 'client' : 'server', { tcp: 'FIN-WAIT' }, CONN);
    b.close(CONN, byClient ? 'client' : 'server');
    b.wait(2 * 20);
    b.peer('client', { tcp: byClient ? 'TIME-WAIT' : 'CLOSED', readyState: 'CLOSED' }, CONN);
    b.peer('server', { tcp: byClient ? 'CLOSED' : 'TIME-WAIT', readyState: 'CLOSED' }, CONN);
  },
};

const rejectedWith =
  (status: number) =>
  ({ context }: { context: OpeningHandshakeContext }) =>
    context.check !== undefined && !context.check.ok && context.check.status === status;

const scenario: ScenarioModule<OpeningHandshakeContext> = {
  spec,
  machine: scenarioMachine<OpeningHandshakeContext, BaseInput & HandshakeInput>({
    spec,
    context: handshakeContext,
    steps: STEPS,
    guards: {
      accepted: ({ context }) => context.check?.ok === true,
      rejectedWith426: rejectedWith(426),
      rejectedWith403: rejectedWith(403),
      clientAccepts: ({ context }) => context.verdict?.ok === true,
    },
  }),
  prepare: () => handshakeInput(),
  lanes: (lang) => clientServerLanes(PLAYER[lang].lanes),
  panels: (c, lang) => {
    if (!c.path.includes('accept-compute')) return [];
    const t = PLAYER[lang].panels;
    const items: { text: string; code: string; bad?: boolean }[] = [
      { text: t.keyPlusGuid, code: c.accept.concatenated },
      { text: 'SHA-1', code: c.accept.sha1Hex },
      { text: 'base64', code: c.accept.accept },
    ];
    if (c.answered && c.answered !== c.accept.accept)
      items.push({ text: t.serverAnswered, code: c.answered, bad: true });
    return [{ kind: 'steps', id: 'accept', title: t.accept, items }];
  },
  // A browser always sends a valid request: the what-ifs run in the simulation only.
  runLive: () =>
    withTap(async (tap, observe) => {
      const socket = await openSocket(tap, '/ws/echo');
      observe('observedOpen', { protocol: socket.ws.protocol, extensions: socket.ws.extensions });
      const close = await closeAndWait(socket, 1000, 'done');
      observe('observedClose', { code: close.code, reason: close.reason, wasClean: close.wasClean });
    }),
};

export default scenario;
