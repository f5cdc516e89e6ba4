/**
 * The closing handshake (RFC 6455 sections 5.5.1, 7.1): one side sends Close with a code and reason and
 * is CLOSING, the other echoes Close, the server closes TCP first (7.1.1) and both are CLOSED. The
 * learner picks who starts, the code and reason, an empty close body (reported as 1005, 7.1.5) or a
 * cut connection (1006, which never appears on the wire, 7.1.5 and 7.4.1).
 */
import { PLAYER } from '../../i18n';
import type { BaseContext, BaseInput, StepBuild, StepBuilder } from '../../machines/kit';
import { scenarioMachine } from '../../machines/machine';
import { clientServerLanes, type ScenarioModule } from '../../machines/scenario';
import { Opcode } from '../../protocol/constants';
import type { Peer } from '../../trace/types';
import { closeAndWait, openSocket, post, withTap } from '../../live/client';
import { closeFrame, frame } from '../wire';
import spec from './spec';

export type ClosingChoice = 'client' | 'server' | 'no-status' | 'tcp-cut';

export interface ClosingHandshakeContext extends BaseContext {
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

function choiceOf(c: BaseContext): ClosingChoice {
  return (c.choice as ClosingChoice | undefined) ?? 'client';
}

function initiator(c: ClosingHandshakeContext): Peer {
  return choiceOf(c) === 'server' ? 'server' : 'client';
}
function other(peer: Peer): Peer {
  return peer === 'client' ? 'server' : 'client';
}
/** Client frames are masked (section 5.3); each side's close takes its own fixed key. */
function maskFor(peer: Peer, n: number): number | undefined {
  return peer === 'client' ? n : undefined;
}
function bodyCode(c: ClosingHandshakeContext): number | undefined {
  return choiceOf(c) === 'no-status' ? undefined : c.code;
}
function bodyReason(c: ClosingHandshakeContext): string {
  return choiceOf(c) === 'no-status' ? '' : c.reason;
}
function sendClose(b: StepBuilder, from: Peer, c: ClosingHandshakeContext, n: number) {
  const mask = maskFor(from, n);
  b.unit(CONN, from === 'client' ? 'c2s' : 's2c', 'ws-frame', closeFrame(bodyCode(c), bodyReason(c), mask));
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
    b.note('closing', { peer: from }, { peer: from, conn: CONN });
    // The closing side keeps reading until the peer's Close arrives (section 5.5.1), so a frame already in
    // flight still reaches its protocol stack; a page that called close() gets no more message events.
    const late = { opcode: Opcode.Text, payload: 'late update', ...(from === 'server' ? { mask: 1 } : {}) };
    b.unit(CONN, from === 'server' ? 'c2s' : 's2c', 'ws-frame', frame(late));
  },
  'no-status': (b) => {
    b.note('noStatus', undefined, { peer: 'server', conn: CONN });
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
    b.note('serverClosesTcp', undefined, { peer: 'server', conn: CONN });
  },
  closed: (b, c) => {
    b.wait(20);
    b.peer('client', { readyState: 'CLOSED', tcp: 'CLOSED' }, CONN);
    b.peer('server', { readyState: 'CLOSED', tcp: 'TIME-WAIT' }, CONN);
    const code = bodyCode(c) ?? 1005;
    const reason = bodyReason(c);
    b.note('closeEvent', { code, reason }, { peer: 'client', conn: CONN });
    return { reported: { client: { code, reason, wasClean: true }, server: { code, reason } } };
  },
  'tcp-cut': (b) => {
    b.wait(400);
    b.close(CONN, 'unknown', true);
    b.note('connectionDrops', undefined, { conn: CONN });
  },
  abnormal: (b) => {
    b.peer('client', { readyState: 'CLOSED', tcp: 'CLOSED' }, CONN);
    b.peer('server', { readyState: 'CLOSED', tcp: 'CLOSED' }, CONN);
    b.note('abnormal', undefined, { peer: 'client', conn: CONN });
    return {
      reported: { client: { code: 1006, reason: '', wasClean: false }, server: { code: 1006, reason: '' } },
    };
  },
};

const scenario: ScenarioModule<ClosingHandshakeContext> = {
  spec,
  machine: scenarioMachine<ClosingHandshakeContext, BaseInput & { code?: number; reason?: string }>({
    spec,
    context: (input) => ({ code: input.code ?? 1000, reason: input.reason ?? 'done', reported: {} }),
    steps: STEPS,
    guards: {
      validConfig: ({ event }) =>
        event.type === 'learner.configure' &&
        (CLOSE_CODES_OFFERED as readonly number[]).includes(event.code) &&
        new TextEncoder().encode(event.reason).length <= 123,
      emptyBody: ({ context }) => choiceOf(context) === 'no-status',
    },
    actions: {
      configure: ({ event }) =>
        event.type === 'learner.configure' ? { code: event.code, reason: event.reason } : {},
    },
  }),
  lanes: (lang) => clientServerLanes(PLAYER[lang].lanes),
  controls: (c, lang) => {
    const t = PLAYER[lang];
    return [
      {
        kind: 'select',
        id: 'code',
        label: t.closeCode,
        value: String(c.code),
        options: CLOSE_CODES_OFFERED.map((code) => ({ value: String(code), label: String(code) })),
        event: (value) => ({ type: 'learner.configure', code: Number(value), reason: c.reason }),
      },
      {
        kind: 'text',
        id: 'reason',
        label: t.closeReason,
        value: c.reason,
        maxLength: 60,
        event: (reason) => ({ type: 'learner.configure', code: c.code, reason }),
      },
    ];
  },
  runLive: (c) =>
    withTap(async (tap, observe) => {
      const socket = await openSocket(tap, '/ws/echo');
      const choice = choiceOf(c);
      let close: CloseEvent;
      if (choice === 'server') {
        await post(tap, `/api/ws/close?name=${socket.name}`, { code: c.code, reason: c.reason });
        close = await socket.closed;
      } else if (choice === 'tcp-cut') {
        await post(tap, `/api/ws/cut?name=${socket.name}`);
        close = await socket.closed;
      } else if (choice === 'no-status') {
        close = await closeAndWait(socket);
      } else {
        close = await closeAndWait(socket, c.code, c.reason);
      }
      observe('observedClose', { code: close.code, reason: close.reason, wasClean: close.wasClean });
    }),
};

export default scenario;
