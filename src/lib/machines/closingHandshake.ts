/**
 * The closing handshake (RFC 6455 sections 5.5.1, 7.1): one side sends Close with a code and reason and
 * is CLOSING, the other echoes Close, the server closes TCP first (7.1.1) and both are CLOSED. The
 * learner picks who starts, the code and reason, an empty close body (reported as 1005, 7.1.5) or a
 * cut connection (1006, which never appears on the wire, 7.1.5 and 7.4.1).
 */
import { assign, setup } from 'xstate';
import { Opcode } from '../protocol/constants';
import type { Peer } from '../trace/types';
import type { ChoiceParams, ScenarioEvent } from './events';
import {
  baseContext,
  chose,
  enterStepOf,
  type BaseContext,
  type BaseInput,
  type StepBuild,
  type StepBuilder,
} from './kit';
import { NOTES } from './notes';
import { closeFrame, closeSummary, frame, frameSummary } from './wire';

export type ClosingChoice = 'client' | 'server' | 'no-status' | 'tcp-cut';

export interface ClosingHandshakeContext extends BaseContext {
  choice: ClosingChoice;
  code: number;
  reason: string;
  /** What each side's close event reports, once CLOSED. */
  reported: {
    client?: { code: number; reason: string; wasClean: boolean };
    server?: { code: number; reason: string };
  };
}

export const CLOSE_CODES_OFFERED = [1000, 1001, 1008, 1011, 4000] as const;
const CONN = 'ws';

function initiator(c: ClosingHandshakeContext): Peer {
  return c.choice === 'server' ? 'server' : 'client';
}
function other(peer: Peer): Peer {
  return peer === 'client' ? 'server' : 'client';
}
/** Client frames are masked (section 5.3); each side's close takes its own fixed key. */
function maskFor(peer: Peer, n: number): number | undefined {
  return peer === 'client' ? n : undefined;
}
function bodyCode(c: ClosingHandshakeContext): number | undefined {
  return c.choice === 'no-status' ? undefined : c.code;
}
function bodyReason(c: ClosingHandshakeContext): string {
  return c.choice === 'no-status' ? '' : c.reason;
}
function sendClose(b: StepBuilder, from: Peer, c: ClosingHandshakeContext, n: number) {
  const mask = maskFor(from, n);
  b.unit(
    CONN,
    from === 'client' ? 'c2s' : 's2c',
    'ws-frame',
    closeSummary(bodyCode(c), bodyReason(c), mask !== undefined),
    closeFrame(bodyCode(c), bodyReason(c), mask),
  );
}

export const STEPS: Record<string, StepBuild<ClosingHandshakeContext>> = {
  open: (b) => {
    b.openWebSocket(CONN);
  },
  'close-sent': (b, c) => {
    const from = initiator(c);
    sendClose(b, from, c, 0);
    b.peer(from, { readyState: 'CLOSING' }, CONN);
  },
  closing: (b, c) => {
    const from = initiator(c);
    b.note(NOTES.closing(from), from, CONN);
    // A data frame the other side sent before it saw the Close is still delivered (section 7.1.2).
    const late = { opcode: Opcode.Text, payload: 'late update', ...(from === 'server' ? { mask: 1 } : {}) };
    b.unit(CONN, from === 'server' ? 'c2s' : 's2c', 'ws-frame', frameSummary(late, 'in flight'), frame(late));
  },
  'no-status': (b) => {
    b.note(NOTES.noStatus, 'server', CONN);
  },
  'close-echoed': (b, c) => {
    const from = other(initiator(c));
    sendClose(b, from, c, 2);
    b.peer(from, { readyState: 'CLOSING' }, CONN);
  },
  'tcp-close': (b) => {
    b.peer('server', { tcp: 'FIN-WAIT' }, CONN);
    b.close(CONN, 'server');
    b.peer('client', { tcp: 'CLOSE-WAIT' }, CONN);
    b.note(NOTES.serverClosesTcp, 'server', CONN);
  },
  closed: (b, c) => {
    b.wait(20);
    b.peer('client', { readyState: 'CLOSED', tcp: 'CLOSED' }, CONN);
    b.peer('server', { readyState: 'CLOSED', tcp: 'TIME-WAIT' }, CONN);
    const code = bodyCode(c) ?? 1005;
    const reason = bodyReason(c);
    b.note(NOTES.closeEvent(code, reason), 'client', CONN);
    return { reported: { client: { code, reason, wasClean: true }, server: { code, reason } } };
  },
  'tcp-cut': (b) => {
    b.wait(400);
    b.close(CONN, 'unknown', true);
    b.note(NOTES.connectionDrops, undefined, CONN);
  },
  abnormal: (b) => {
    b.peer('client', { readyState: 'CLOSED', tcp: 'CLOSED' }, CONN);
    b.peer('server', { readyState: 'CLOSED', tcp: 'CLOSED' }, CONN);
    b.note(NOTES.abnormal, 'client', CONN);
    return {
      reported: { client: { code: 1006, reason: '', wasClean: false }, server: { code: 1006, reason: '' } },
    };
  },
};

export const closingHandshakeMachine = setup({
  types: {
    context: {} as ClosingHandshakeContext,
    events: {} as ScenarioEvent,
    input: {} as (BaseInput & { code?: number; reason?: string }) | undefined,
  },
  actions: {
    enter: assign(enterStepOf(STEPS)),
    record: assign(({ context }, params: ChoiceParams) => ({
      choice: params.choice as ClosingChoice,
      choices: [...context.choices, params.choice],
    })),
    configure: assign(({ event }) =>
      event.type === 'learner.configure' ? { code: event.code, reason: event.reason } : {},
    ),
  },
  guards: {
    chose,
    validConfig: ({ event }) =>
      event.type === 'learner.configure' &&
      (CLOSE_CODES_OFFERED as readonly number[]).includes(event.code) &&
      new TextEncoder().encode(event.reason).length <= 123,
    emptyBody: ({ context }) => context.choice === 'no-status',
  },
}).createMachine({
  id: 'closing-handshake',
  context: ({ input }) => ({
    ...baseContext(),
    choice: 'client',
    code: input?.code ?? 1000,
    reason: input?.reason ?? 'done',
    reported: {},
  }),
  initial: 'open',
  states: {
    open: {
      entry: { type: 'enter', params: { step: 'open' } },
      on: {
        'learner.configure': { guard: 'validConfig', actions: 'configure' },
        'learner.choose': [
          {
            guard: { type: 'chose', params: { choice: 'client' } },
            target: 'close-sent',
            actions: { type: 'record', params: { choice: 'client' } },
          },
          {
            guard: { type: 'chose', params: { choice: 'server' } },
            target: 'close-sent',
            actions: { type: 'record', params: { choice: 'server' } },
          },
          {
            guard: { type: 'chose', params: { choice: 'no-status' } },
            target: 'close-sent',
            actions: { type: 'record', params: { choice: 'no-status' } },
          },
          {
            guard: { type: 'chose', params: { choice: 'tcp-cut' } },
            target: 'tcp-cut',
            actions: { type: 'record', params: { choice: 'tcp-cut' } },
          },
        ],
        'step.next': 'close-sent',
      },
    },
    'close-sent': {
      entry: { type: 'enter', params: { step: 'close-sent' } },
      on: { 'step.next': [{ guard: 'emptyBody', target: 'no-status' }, { target: 'closing' }] },
    },
    closing: { entry: { type: 'enter', params: { step: 'closing' } }, on: { 'step.next': 'close-echoed' } },
    'no-status': {
      entry: { type: 'enter', params: { step: 'no-status' } },
      on: { 'step.next': 'close-echoed' },
    },
    'close-echoed': {
      entry: { type: 'enter', params: { step: 'close-echoed' } },
      on: { 'step.next': 'tcp-close' },
    },
    'tcp-close': { entry: { type: 'enter', params: { step: 'tcp-close' } }, on: { 'step.next': 'closed' } },
    closed: { entry: { type: 'enter', params: { step: 'closed' } } },
    'tcp-cut': { entry: { type: 'enter', params: { step: 'tcp-cut' } }, on: { 'step.next': 'abnormal' } },
    abnormal: { entry: { type: 'enter', params: { step: 'abnormal' } } },
  },
});
