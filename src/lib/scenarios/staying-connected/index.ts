/**
 * Staying connected. The server pings and the browser pongs on its own (RFC 6455 sections 5.5.2 and
 * 5.5.3); a page cannot ping, so it sends its own heartbeat as a text message. Then the learner picks
 * how the connection ends: the network vanishes (no FIN, no RST: both sides still show OPEN until a
 * heartbeat goes unanswered) or a restarting server closes cleanly with 1001 (section 7.4.1). The page
 * reconnects after a jittered exponential backoff, resumes from the last event id it processed
 * (`since=`), and resends its unacknowledged message, which the server recognises by id and applies once.
 */
import { PLAYER } from '../../i18n';
import {
  SIM_EPOCH,
  type BaseContext,
  type BaseInput,
  type StepBuild,
  type StepBuilder,
} from '../../machines/kit';
import { scenarioMachine } from '../../machines/machine';
import { clientServerLanes, type ScenarioModule } from '../../machines/scenario';
import { Opcode } from '../../protocol/constants';
import { upgradeResponse } from '../../protocol/handshake';
import { serializeResponse } from '../../protocol/http';
import type { UnitEvent } from '../../trace/types';
import { closeAndWait, openSocket, post, sleep, withTap, type Socket } from '../../live/client';
import {
  closeFrame,
  frame,
  handshakeContext,
  handshakeInput,
  streamUpgradeRequest,
  type FrameSpec,
  type HandshakeInput,
} from '../wire';
import { backoffCeiling, herd, jitteredDelay, seeded, type BackoffPolicy } from './backoff';
import spec, { DEFAULT_HEARTBEAT_MS, HEARTBEATS_MS } from './spec';

export { DEFAULT_HEARTBEAT_MS, HEARTBEATS_MS };

export interface StayingConnectedContext extends BaseContext, HandshakeInput {
  /** The heartbeat interval: the server's pings and the page's own heartbeat (ms). */
  heartbeatMs: number;
  /** The wait before the next connection attempt (ms), drawn by the backoff step's builder. */
  retryMs: number;
  /** The last event id the page has processed: what it asks to resume from. */
  lastId: number;
  /** Event ids the page received on the first connection, and after reconnecting. */
  before: number[];
  after: number[];
  /** Message ids the page has sent and not yet seen acknowledged. */
  outbox: string[];
  /** How many times the server applied each message id (de-duplication keeps this at 1). */
  applied: Record<string, number>;
  /** When the server produced each event (simulated ms): a resent event keeps its time. */
  sentAt: Record<number, number>;
  /** Simulated time the network vanished, for the detection times (vanish path only). */
  vanishedAt?: number;
  /** Simulated time the page's last heartbeat went out: the next one is due an interval later. */
  heartbeatAt?: number;
  /** The silence after the network vanished, until the next heartbeat is due (ms; vanish path only). */
  silenceMs: number;
}

/** The first connection and the one the page reconnects on. */
const FIRST = 'ws-1';
const SECOND = 'ws-2';
const MESSAGE_ID = 'c1';
const SAY = `{"type":"say","id":"${MESSAGE_ID}","text":"on my way"}`;
const ACK = `{"type":"ack","id":"${MESSAGE_ID}"}`;
/** What happened at the server while the page was away: the feed of a match, one event each. */
const PAYLOADS = ['kick-off', '1-0', '1-1', '2-1'];
/** The random numbers the simulation's two backoff waits draw (a browser would use Math.random). */
export const SIM_RANDOM = [0.62, 0.81] as const;
/** Mask keys (index into FIXED.masks), one per client frame, so each frame has its own. */
const MASK = { pong: 0, heartbeat: 1, say: 2, closeEcho: 3, lostHeartbeat: 4, resend: 5, giveUp: 6 } as const;

/** One stream event as the demo server sends it: `{ id, sentAt, payload }` (server/stream.ts). */
export function eventJson(id: number, t: number): string {
  return JSON.stringify({ id, sentAt: SIM_EPOCH + t, payload: PAYLOADS[id - 1] ?? `event ${id}` });
}

/** A lost frame is drawn as an error: its bytes left one side and never reached the other. */
const LOST: UnitEvent['error'] = {
  code: 'LOST',
  message: 'never arrived: the network vanished and TCP keeps retransmitting it',
};

const choiceOf = (c: BaseContext): 'vanish' | 'going-away' =>
  c.choices.includes('going-away') ? 'going-away' : 'vanish';

function send(b: StepBuilder, conn: string, spec: FrameSpec, lost = false): void {
  const dir = spec.mask === undefined ? 's2c' : 'c2s';
  b.unit(conn, dir, 'ws-frame', frame(spec), lost ? { error: LOST } : {});
}

/** The server pushes event `id`; returns when it was produced (now, unless it is a resend). */
function pushEvent(b: StepBuilder, c: StayingConnectedContext, conn: string, id: number, lost = false) {
  const at = c.sentAt[id] ?? b.t;
  send(b, conn, { opcode: Opcode.Text, payload: eventJson(id, at) }, lost);
  return { [id]: at };
}

const seconds = (ms: number) => Math.round(ms / 100) / 10;

export const STEPS: Record<string, StepBuild<StayingConnectedContext>> = {
  open: (b, c) => {
    b.openWebSocket(FIRST);
    b.note('streamOpen', undefined, { conn: FIRST });
    b.wait(400);
    const first = pushEvent(b, c, FIRST, 1);
    b.wait(700);
    const second = pushEvent(b, c, FIRST, 2);
    return { lastId: 2, before: [1, 2], sentAt: { ...first, ...second } };
  },
  'server-ping': (b, c) => {
    b.wait(1200);
    b.note('serverHeartbeat', { seconds: seconds(c.heartbeatMs) }, { peer: 'server', conn: FIRST });
    const empty = new Uint8Array(0);
    send(b, FIRST, { opcode: Opcode.Ping, payload: empty });
    send(b, FIRST, { opcode: Opcode.Pong, payload: empty, mask: MASK.pong });
    b.note('autoPong', undefined, { peer: 'client', conn: FIRST });
  },
  'app-heartbeat': (b, c) => {
    b.wait(300);
    b.note('appHeartbeat', { seconds: seconds(c.heartbeatMs) }, { peer: 'client', conn: FIRST });
    const heartbeatAt = b.t;
    send(b, FIRST, { opcode: Opcode.Text, payload: '{"type":"hb","n":1}', mask: MASK.heartbeat });
    send(b, FIRST, { opcode: Opcode.Text, payload: '{"type":"hb-ack","n":1}' });
    return { heartbeatAt };
  },
  'send-message': (b) => {
    b.wait(900);
    send(b, FIRST, { opcode: Opcode.Text, payload: SAY, mask: MASK.say });
    b.note('outbox', { id: MESSAGE_ID }, { peer: 'client', conn: FIRST });
    b.note('applied', { id: MESSAGE_ID }, { peer: 'server', conn: FIRST });
    return { outbox: [MESSAGE_ID], applied: { [MESSAGE_ID]: 1 } };
  },
  vanish: (b, c) => {
    const vanishedAt = b.t;
    b.note('vanished', undefined, { conn: FIRST });
    // The server acknowledges c1 and pushes event 3 a moment later: both leave it and are lost.
    send(b, FIRST, { opcode: Opcode.Text, payload: ACK }, true);
    b.wait(600);
    const third = pushEvent(b, c, FIRST, 3, true);
    b.note('lostInFlight', undefined, { peer: 'server', conn: FIRST });
    // The page's heartbeat keeps its own rhythm: the next one is due an interval after the last.
    const silenceMs = Math.max(0, (c.heartbeatAt ?? vanishedAt) + c.heartbeatMs - b.t);
    return { vanishedAt, silenceMs, sentAt: { ...c.sentAt, ...third } };
  },
  silence: (b, c) => {
    b.wait(c.silenceMs);
    const quiet = b.t - (c.vanishedAt ?? b.t);
    b.note('silence', { seconds: seconds(quiet) }, { peer: 'client', conn: FIRST });
  },
  'heartbeat-lost': (b) => {
    send(b, FIRST, { opcode: Opcode.Text, payload: '{"type":"hb","n":2}', mask: MASK.lostHeartbeat }, true);
  },
  'declared-dead': (b, c) => {
    b.wait(Math.max(0, c.heartbeatMs - 20));
    const since = b.t - (c.vanishedAt ?? b.t);
    b.note(
      'noAnswer',
      { seconds: seconds(c.heartbeatMs), total: seconds(since) },
      { peer: 'client', conn: FIRST },
    );
    // close() sends a Close into the void and leaves the socket CLOSING; Chromium waits 60 s for an answer
    // before it reports 1006. The page does not wait for that: it forgets this socket and reconnects.
    b.unit(FIRST, 'c2s', 'ws-frame', closeFrame(4000, 'no heartbeat', MASK.giveUp), { error: LOST });
    b.peer('client', { readyState: 'CLOSING' }, FIRST);
    // The server's own heartbeat: its next ping gets no pong, and the beat after that drops the peer.
    b.note(
      'serverGivesUp',
      { from: seconds(c.heartbeatMs), to: seconds(2 * c.heartbeatMs) },
      { peer: 'server', conn: FIRST },
    );
    b.close(FIRST, 'unknown', true);
    b.peer('server', { readyState: 'CLOSED', tcp: 'CLOSED' }, FIRST);
  },
  'going-away': (b, c) => {
    // The ack leaves before the Close, and TCP delivers in order: the page has it before the Close.
    send(b, FIRST, { opcode: Opcode.Text, payload: ACK });
    b.note('ackFirst', undefined, { peer: 'client', conn: FIRST });
    b.wait(300);
    b.unit(FIRST, 's2c', 'ws-frame', closeFrame(1001, 'restarting'));
    b.peer('server', { readyState: 'CLOSING' }, FIRST);
    b.unit(FIRST, 'c2s', 'ws-frame', closeFrame(1001, 'restarting', MASK.closeEcho));
    b.close(FIRST, 'server');
    b.peer('client', { readyState: 'CLOSED', tcp: 'CLOSED' }, FIRST);
    b.peer('server', { readyState: 'CLOSED', tcp: 'TIME-WAIT' }, FIRST);
    b.note('closeEvent', { code: 1001, reason: 'restarting' }, { peer: 'client', conn: FIRST });
    return { outbox: c.outbox.filter((id) => id !== MESSAGE_ID) };
  },
  backoff: (b) => {
    const retryMs = simDelay(0);
    b.note('backoffWait', { attempt: 1, ms: retryMs, ceiling: backoffCeiling(0) }, { peer: 'client' });
    return { retryMs };
  },
  'retry-fails': (b, c) => {
    b.wait(c.retryMs);
    b.note('retryFails', { why: choiceOf(c) === 'vanish' ? 'network' : 'restarting' }, { peer: 'client' });
    const retryMs = simDelay(1);
    b.note('backoffWait', { attempt: 2, ms: retryMs, ceiling: backoffCeiling(1) }, { peer: 'client' });
    return { retryMs };
  },
  reconnect: (b, c) => {
    b.wait(c.retryMs);
    b.peer('client', { readyState: 'CONNECTING' }, SECOND);
    b.connect(SECOND);
    b.unit(SECOND, 'c2s', 'http-request', streamUpgradeRequest(c.lastId));
    b.note('resumeFrom', { since: c.lastId }, { peer: 'client', conn: SECOND });
    b.wait(1);
    b.unit(SECOND, 's2c', 'http-response', serializeResponse(upgradeResponse({ accept: c.accept.accept })));
    b.peer('client', { readyState: 'OPEN' }, SECOND);
    b.peer('server', { readyState: 'OPEN', tcp: 'ESTABLISHED' }, SECOND);
  },
  resume: (b, c) => {
    // Events 3 and 4 happened while the page was away; the server's history still holds them.
    const ids = [c.lastId + 1, c.lastId + 2];
    let sentAt = c.sentAt;
    for (const id of ids) sentAt = { ...sentAt, ...pushEvent(b, c, SECOND, id) };
    b.note('resumed', { ids: ids.join(', ') }, { peer: 'client', conn: SECOND });
    return { lastId: ids.at(-1)!, after: ids, sentAt };
  },
  resend: (b, c) => {
    if (c.outbox.length === 0) {
      b.note('nothingToResend', undefined, { peer: 'client', conn: SECOND });
      return;
    }
    // At least once: the page sends c1 again under the same id; the server has applied it already.
    send(b, SECOND, { opcode: Opcode.Text, payload: SAY, mask: MASK.resend });
    b.note('duplicate', { id: MESSAGE_ID }, { peer: 'server', conn: SECOND });
    send(b, SECOND, { opcode: Opcode.Text, payload: ACK });
    return { outbox: [] };
  },
  summary: (b, c) => {
    b.note('deliverySummary', {
      before: c.before.join(', '),
      after: c.after.join(', '),
      applied: c.applied[MESSAGE_ID] ?? 0,
    });
  },
};

/** The simulation's wait before attempt `attempt` (0-based), from its fixed random numbers. */
export function simDelay(attempt: number, policy?: BackoffPolicy): number {
  return jitteredDelay(attempt, () => SIM_RANDOM[attempt % SIM_RANDOM.length]!, policy);
}

/** The herd panel: 10 000 clients dropped at once by a restart, retrying once (seeded). */
export const HERD = herd(10_000, 100, seeded(6455));

/**
 * How long each side believes a vanished connection is alive, in seconds (Linux defaults; RFC 9293
 * section 3.8.4 asks for keep-alive off by default and at least two hours idle when on).
 */
export function detectionRows(heartbeatMs: number): { id: string; seconds: [number, number] }[] {
  const h = heartbeatMs / 1000;
  return [
    { id: 'page-heartbeat', seconds: [2 * h, 2 * h] },
    { id: 'server-ping', seconds: [h, 2 * h] },
    // Chromium enables TCP keep-alive at 45 s idle, then probes every 45 s; Linux sends 9 probes.
    { id: 'chromium-keepalive', seconds: [45 + 9 * 45, 45 + 9 * 45] },
    // tcp_retries2 = 15: about 924.6 s of retransmissions before the kernel gives up on unacked data.
    { id: 'retransmissions', seconds: [924.6, 924.6] },
    // tcp_keepalive_time 7200 s, then 9 probes 75 s apart, for a socket that turned keep-alive on.
    { id: 'os-keepalive', seconds: [7200 + 9 * 75, 7200 + 9 * 75] },
  ];
}

function isHeartbeat(value: number): boolean {
  return (HEARTBEATS_MS as readonly number[]).includes(value);
}

const scenario: ScenarioModule<StayingConnectedContext> = {
  spec,
  machine: scenarioMachine<StayingConnectedContext, BaseInput & HandshakeInput & { heartbeatMs?: number }>({
    spec,
    context: (input) => ({
      ...handshakeContext(input),
      heartbeatMs: input.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
      retryMs: 0,
      silenceMs: 0,
      lastId: 0,
      before: [],
      after: [],
      outbox: [],
      applied: {},
      sentAt: {},
    }),
    steps: STEPS,
    guards: {
      validHeartbeat: ({ event }) =>
        event.type === 'learner.set' && event.key === 'heartbeatMs' && isHeartbeat(event.value),
    },
    actions: {
      setHeartbeat: ({ event }) => (event.type === 'learner.set' ? { heartbeatMs: event.value } : {}),
    },
  }),
  prepare: () => handshakeInput(),
  lanes: (lang) => clientServerLanes(PLAYER[lang].lanes),
  controls: (c, lang) => [
    {
      kind: 'select',
      id: 'heartbeat',
      label: PLAYER[lang].heartbeat.interval,
      value: String(c.heartbeatMs),
      options: HEARTBEATS_MS.map((ms) => ({
        value: String(ms),
        label: PLAYER[lang].heartbeat.seconds(ms / 1000),
      })),
      event: (value) => ({ type: 'learner.set', key: 'heartbeatMs', value: Number(value) }),
    },
  ],
  panels: (c, lang) => {
    const t = PLAYER[lang].heartbeat;
    const shown = new Set(c.path);
    const panels = [];
    if (shown.has('vanish')) {
      panels.push({
        kind: 'table' as const,
        id: 'detection',
        caption: t.detectionCaption,
        columns: [t.givesUpAfter],
        rows: detectionRows(c.heartbeatMs).map((row) => ({
          head: t.rows[row.id] ?? row.id,
          cells: [
            row.seconds[0] === row.seconds[1]
              ? t.duration(row.seconds[0])
              : `${t.duration(row.seconds[0])} – ${t.duration(row.seconds[1])}`,
          ],
        })),
      });
    }
    if (shown.has('backoff')) {
      panels.push({
        kind: 'table' as const,
        id: 'herd',
        caption: t.herdCaption(HERD.clients),
        columns: [t.withoutJitter, t.withJitter],
        rows: [
          {
            head: t.busiest(HERD.bucketMs),
            cells: [String(HERD.withoutJitter), String(HERD.withJitter)],
          },
        ],
      });
    }
    return panels;
  },
  runLive: (c) =>
    withTap(async (tap, observe) => {
      // Ids received, in order, across both connections; `since` is the last one processed.
      const received: number[] = [];
      const idOf = (data: unknown) => (JSON.parse(String(data)) as { id: number }).id;
      const take = async (socket: Socket, until: number) => {
        while (received.at(-1) !== until) received.push(idOf(await socket.next()));
      };
      const first = await openSocket(tap, '/ws/stream', { since: '0' });
      await post(tap, '/api/stream/publish', { payload: PAYLOADS[0] });
      await post(tap, '/api/stream/publish', { payload: PAYLOADS[1] });
      await take(first, 2);
      // A page cannot ping: the server does, and the browser answers with a masked pong by itself.
      await post(tap, `/api/ws/ping?name=${first.name}`, { payload: 'hb' });
      await sleep(100);
      observe('observedIds', { phase: 'before', ids: received.join(', ') });
      if (choiceOf(c) === 'going-away') {
        await post(tap, `/api/ws/close?name=${first.name}`, { code: 1001, reason: 'restarting' });
      } else {
        await post(tap, `/api/ws/cut?name=${first.name}`);
      }
      const close = await first.closed;
      observe('observedClose', { code: close.code, reason: close.reason, wasClean: close.wasClean });
      const since = received.at(-1)!;
      // Events go on while the page is away; the server's history keeps them for `since=`.
      await post(tap, '/api/stream/publish', { payload: PAYLOADS[2] });
      // A short live backoff (a tenth of the lesson's), with real jitter.
      const wait = jitteredDelay(0, Math.random, { baseMs: 100, capMs: 3_000 });
      await sleep(wait);
      const second = await openSocket(tap, '/ws/stream', { since: String(since) });
      await post(tap, '/api/stream/publish', { payload: PAYLOADS[3] });
      const before = received.length;
      await take(second, since + 2);
      observe('observedReconnect', { since, ms: wait });
      observe('observedIds', { phase: 'after', ids: received.slice(before).join(', ') });
      const missed = since + 2 - new Set(received).size;
      observe('observedDelivery', { missed, duplicates: received.length - new Set(received).size });
      await closeAndWait(second, 1000, 'done');
    }),
};

export default scenario;
