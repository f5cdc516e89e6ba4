/**
 * The opening handshake (RFC 6455 section 4): TCP connect, the upgrade request, the server's checks
 * (section 4.2.1), the Accept worked out (4.2.2), 101, the client's checks (4.1) and both sides OPEN.
 * At the upgrade request the learner can break one thing and see which rule answers: a wrong version
 * (426, section 4.4), a malformed key (400), a foreign Origin (403, section 10.2), or a server that
 * answers the wrong Accept (the client fails the connection, section 4.1).
 */
import { assign, setup } from 'xstate';
import {
  checkUpgradeResponse,
  upgradeRequest,
  upgradeResponse,
  validateUpgradeRequest,
  type UpgradeRequestCheck,
} from '../protocol/handshake';
import { serializeRequest, serializeResponse } from '../protocol/http';
import type { ScenarioEvent } from './events';
import {
  baseContext,
  enterStepOf,
  rewindStep,
  type BaseContext,
  type BaseInput,
  type StepBuild,
  type StepBuilder,
} from './kit';
import { NOTES } from './notes';
import { FIXED, type HandshakeInput } from './wire';

export type HandshakeChoice = 'valid' | 'wrong-version' | 'bad-key' | 'foreign-origin' | 'wrong-accept';

export interface OpeningHandshakeContext extends BaseContext, HandshakeInput {
  choice: HandshakeChoice;
  /** The request bytes the server received. */
  request?: Uint8Array;
  /** The server's verdict, from the protocol's own validator. */
  check?: UpgradeRequestCheck;
  /** The Accept value the server actually answers, and its 101 bytes. */
  answered?: string;
  response?: Uint8Array;
  /** The client's verdict on the 101. */
  verdict?: { ok: boolean; reason: string };
}

export type OpeningHandshakeInput = BaseInput & HandshakeInput;

const CONN = 'ws';
/** The server's policy: only its own host and origin (RFC 6455 section 10.2). */
export const POLICY = { allowedHosts: [FIXED.host], allowedOrigins: [FIXED.origin] };
export const MALFORMED_KEY = 'not-a-16-byte-nonce';

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

export const STEPS: Record<string, StepBuild<OpeningHandshakeContext>> = {
  'tcp-connect': (b) => {
    b.peer('client', { readyState: 'CONNECTING' }, CONN);
    b.connect(CONN);
  },
  'upgrade-request': (b, c) => {
    const request = requestBytes(c.choice);
    const variant =
      c.choice === 'wrong-version' ? ' (version 8)' : c.choice === 'bad-key' ? ' (bad key)' : '';
    const origin = c.choice === 'foreign-origin' ? ' (foreign Origin)' : '';
    b.unit(CONN, 'c2s', 'http-request', `GET /chat HTTP/1.1 Upgrade: websocket${variant}${origin}`, request);
    return { request };
  },
  'server-checks': (b, c) => {
    const check = validateUpgradeRequest(c.request!, POLICY);
    b.note(check.ok ? NOTES.serverChecksPass : NOTES.serverCheckFails(check), 'server', CONN);
    return { check };
  },
  'accept-compute': (b, c) => {
    const answered = c.choice === 'wrong-accept' ? c.wrongAccept : c.accept.accept;
    b.note(NOTES.accept(c.accept.accept), 'server', CONN);
    if (c.choice === 'wrong-accept') b.note(NOTES.brokenAccept(answered), 'server', CONN);
    return { answered };
  },
  'switching-protocols': (b, c) => {
    b.wait(1);
    const bytes = serializeResponse(upgradeResponse({ accept: c.answered! }));
    b.unit(CONN, 's2c', 'http-response', 'HTTP/1.1 101 Switching Protocols', bytes);
    b.peer('server', { readyState: 'OPEN' }, CONN);
    return { response: bytes };
  },
  'client-verifies': (b, c) => {
    const result = checkUpgradeResponse(c.response!, { accept: c.accept.accept });
    const verdict = result.ok
      ? { ok: true, reason: `101, Upgrade, Connection and Sec-WebSocket-Accept ${c.accept.accept} all match` }
      : { ok: false, reason: `${result.reason} (RFC 6455 ${result.section})` };
    b.note(
      result.ok ? NOTES.clientChecksPass(c.accept.accept) : NOTES.clientCheckFails(result),
      'client',
      CONN,
    );
    return { verdict };
  },
  open: (b) => {
    b.peer('client', { readyState: 'OPEN' }, CONN);
    b.note(NOTES.bothOpen, undefined, CONN);
  },
  'reject-426': (b, c) => reject(b, c),
  'reject-400': (b, c) => reject(b, c),
  'reject-403': (b, c) => reject(b, c),
  'client-fails': (b) => {
    b.peer('client', { readyState: 'CLOSED' }, CONN);
    b.note(NOTES.clientFails, 'client', CONN);
  },
  'tcp-close': (b, c) => {
    const byClient = c.choice === 'wrong-accept';
    b.peer(byClient ? 'client' : 'server', { tcp: 'FIN-WAIT' }, CONN);
    b.close(CONN, byClient ? 'client' : 'server');
    b.wait(2 * 20);
    b.peer('client', { tcp: byClient ? 'TIME-WAIT' : 'CLOSED', readyState: 'CLOSED' }, CONN);
    b.peer('server', { tcp: byClient ? 'CLOSED' : 'TIME-WAIT', readyState: 'CLOSED' }, CONN);
  },
};

function reject(b: StepBuilder, c: OpeningHandshakeContext): void {
  const check = c.check;
  if (!check || check.ok) return;
  b.wait(1);
  b.unit(
    CONN,
    's2c',
    'http-response',
    `HTTP/1.1 ${check.status} ${check.response.reason}`,
    serializeResponse(check.response),
  );
  b.peer('server', { readyState: 'CLOSED' }, CONN);
  b.peer('client', { readyState: 'CLOSED' }, CONN);
}

export const openingHandshakeMachine = setup({
  types: {
    context: {} as OpeningHandshakeContext,
    events: {} as ScenarioEvent,
    input: {} as OpeningHandshakeInput,
  },
  actions: {
    enter: assign(enterStepOf(STEPS)),
    rewind: assign(({ context }) => rewindStep(context)),
    choose: assign(({ context, event }) =>
      event.type === 'learner.choose'
        ? { choice: event.choice as HandshakeChoice, choices: [...context.choices, event.choice] }
        : {},
    ),
  },
  guards: {
    isChoice: ({ event }) =>
      event.type === 'learner.choose' &&
      ['valid', 'wrong-version', 'bad-key', 'foreign-origin', 'wrong-accept'].includes(event.choice),
    accepted: ({ context }) => context.check?.ok === true,
    rejectedWith: ({ context }, params: { status: number }) =>
      context.check !== undefined && !context.check.ok && context.check.status === params.status,
    clientAccepts: ({ context }) => context.verdict?.ok === true,
  },
}).createMachine({
  id: 'opening-handshake',
  context: ({ input }) => ({
    ...baseContext(),
    accept: input.accept,
    wrongAccept: input.wrongAccept,
    choice: 'valid',
  }),
  initial: 'tcp-connect',
  states: {
    'tcp-connect': {
      entry: { type: 'enter', params: { step: 'tcp-connect' } },
      on: { 'step.next': 'upgrade-request' },
    },
    'upgrade-request': {
      entry: { type: 'enter', params: { step: 'upgrade-request' } },
      on: {
        'step.next': 'server-checks',
        // A what-if on the request being shown: rewind this step and send the request again, changed.
        'learner.choose': {
          guard: 'isChoice',
          target: 'upgrade-request',
          reenter: true,
          actions: ['rewind', 'choose'],
        },
      },
    },
    'server-checks': {
      entry: { type: 'enter', params: { step: 'server-checks' } },
      on: {
        'step.next': [
          { guard: 'accepted', target: 'accept-compute' },
          { guard: { type: 'rejectedWith', params: { status: 426 } }, target: 'reject-426' },
          { guard: { type: 'rejectedWith', params: { status: 403 } }, target: 'reject-403' },
          { target: 'reject-400' },
        ],
      },
    },
    'accept-compute': {
      entry: { type: 'enter', params: { step: 'accept-compute' } },
      on: { 'step.next': 'switching-protocols' },
    },
    'switching-protocols': {
      entry: { type: 'enter', params: { step: 'switching-protocols' } },
      on: { 'step.next': 'client-verifies' },
    },
    'client-verifies': {
      entry: { type: 'enter', params: { step: 'client-verifies' } },
      on: { 'step.next': [{ guard: 'clientAccepts', target: 'open' }, { target: 'client-fails' }] },
    },
    open: { entry: { type: 'enter', params: { step: 'open' } } },
    'reject-426': {
      entry: { type: 'enter', params: { step: 'reject-426' } },
      on: { 'step.next': 'tcp-close' },
    },
    'reject-400': {
      entry: { type: 'enter', params: { step: 'reject-400' } },
      on: { 'step.next': 'tcp-close' },
    },
    'reject-403': {
      entry: { type: 'enter', params: { step: 'reject-403' } },
      on: { 'step.next': 'tcp-close' },
    },
    'client-fails': {
      entry: { type: 'enter', params: { step: 'client-fails' } },
      on: { 'step.next': 'tcp-close' },
    },
    'tcp-close': { entry: { type: 'enter', params: { step: 'tcp-close' } } },
  },
});
