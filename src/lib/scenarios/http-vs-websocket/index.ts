/**
 * HTTP and WebSocket on one clock: an HTTP client that polls once a second on a kept-alive connection
 * (request, response, then the connection idles until the next poll) beside a WebSocket client that
 * upgrades once and then lets either side send at will. Two client lifelines share one server; the
 * tally counts connections, requests and bytes.
 *
 * The HTTP client is a page: it cannot send `Connection: close` (a forbidden request header in Fetch),
 * and HTTP/1.1 keeps its connection open by default (RFC 9112 section 9.3), so the second poll rides
 * the first poll's connection. Every time in the narration is read from this clock: the first poll
 * leaves at POLL_FIRST_AT, event 2 happens EVENT_AFTER_MS later, the next poll POLL_INTERVAL_MS after
 * the first.
 */
import { format } from 'd3-format';
import { PLAYER } from '../../i18n';
import type { BaseContext, BaseInput, StepBuild, StepBuilder } from '../../machines/kit';
import { scenarioMachine } from '../../machines/machine';
import type { Lanes, ScenarioModule } from '../../machines/scenario';
import { Opcode } from '../../protocol/constants';
import { upgradeRequest, upgradeResponse } from '../../protocol/handshake';
import { serializeRequest, serializeResponse } from '../../protocol/http';
import type { TraceEvent } from '../../trace/types';
import { closeAndWait, get, openSocket, withTap } from '../../live/client';
import { upgradedConnections } from '../../live/compare';
import {
  FIXED,
  frame,
  handshakeContext,
  handshakeInput,
  jsonGet,
  jsonOk,
  type HandshakeInput,
} from '../wire';
import spec from './spec';

export interface Tally {
  connections: number;
  requests: number;
  messages: number;
  bytes: number;
}

export interface HttpVsWebsocketContext extends BaseContext, HandshakeInput {
  http: Tally;
  ws: Tally;
  /** When the first poll left the client, and when event 2 happened at the server (scenario ms). */
  firstPollAt: number;
  eventAt: number;
}

/** Connection ids: the HTTP client keeps one kept-alive connection, the WebSocket another. */
export const HTTP_CONN = 'http';
export const WS_CONN = 'ws';
/** The HTTP client polls once a second; event 2 happens 200 ms into that second. */
export const POLL_INTERVAL_MS = 1000;
export const EVENT_AFTER_MS = 200;

/** One poll on the kept-alive connection: the events after `since`, answered at once. */
function poll(
  b: StepBuilder,
  c: HttpVsWebsocketContext,
  since: number,
  body: string,
): Partial<HttpVsWebsocketContext> {
  const target = `/api/events?since=${since}`;
  const req = jsonGet(target);
  b.unit(HTTP_CONN, 'c2s', 'http-request', req);
  b.wait(2);
  const res = jsonOk(b.t, body);
  b.unit(HTTP_CONN, 's2c', 'http-response', res);
  return {
    http: {
      ...c.http,
      requests: c.http.requests + 1,
      messages: c.http.messages + 1,
      bytes: c.http.bytes + req.length + res.length,
    },
  };
}

function wsFrame(
  b: StepBuilder,
  c: HttpVsWebsocketContext,
  text: string,
  mask?: number,
): Partial<HttpVsWebsocketContext> {
  const spec = { opcode: Opcode.Text, payload: text, ...(mask === undefined ? {} : { mask }) };
  const bytes = frame(spec);
  b.unit(WS_CONN, mask === undefined ? 's2c' : 'c2s', 'ws-frame', bytes);
  return { ws: { ...c.ws, messages: c.ws.messages + 1, bytes: c.ws.bytes + bytes.length } };
}

export const STEPS: Record<string, StepBuild<HttpVsWebsocketContext>> = {
  start: (b) => {
    b.note('twoClients', undefined);
  },
  'http-cycle': (b, c) => {
    b.connect(HTTP_CONN);
    const firstPollAt = b.t;
    const polled = poll(b, c, 0, '[{"id":1}]');
    return { ...polled, firstPollAt, http: { ...polled.http!, connections: 1 } };
  },
  'ws-handshake': (b, c) => {
    b.connect(WS_CONN);
    const req = serializeRequest(
      upgradeRequest({ path: '/chat', host: FIXED.host, key: FIXED.key, origin: FIXED.origin }),
    );
    b.unit(WS_CONN, 'c2s', 'http-request', req);
    const res = serializeResponse(upgradeResponse({ accept: c.accept.accept }));
    b.unit(WS_CONN, 's2c', 'http-response', res);
    // The server is OPEN once it has sent the 101 (RFC 6455 section 4.2.2); the client once it checked it.
    b.peer('server', { readyState: 'OPEN' }, WS_CONN);
    b.peer('client', { readyState: 'OPEN' }, WS_CONN);
    return { ws: { connections: 1, requests: 1, messages: 0, bytes: req.length + res.length } };
  },
  'ws-push': (b, c) => {
    // Event 2 happens 200 ms into the HTTP client's second (the handshake took part of it).
    b.wait(Math.max(0, c.firstPollAt + EVENT_AFTER_MS - b.t));
    const eventAt = b.t;
    b.note('pushed', undefined);
    return { ...wsFrame(b, c, '{"id":2}'), eventAt };
  },
  'http-cycle-again': (b, c) => {
    // Polling on an interval: the HTTP client asks again only when its timer comes round, on the
    // connection HTTP/1.1 kept open for it.
    b.wait(c.firstPollAt + POLL_INTERVAL_MS - b.t);
    b.note('nextPoll', { ms: b.t - c.eventAt });
    return poll(b, c, 1, '[{"id":2}]');
  },
  'ws-client-send': (b, c) => wsFrame(b, c, '{"ack":2}', 0),
  tally: (b, c) => {
    b.note('tally', {
      httpConnections: c.http.connections,
      httpRequests: c.http.requests,
      httpBytes: c.http.bytes,
      wsConnections: c.ws.connections,
      wsRequests: c.ws.requests,
      wsBytes: c.ws.bytes,
    });
  },
};

const EMPTY: Tally = { connections: 0, requests: 0, messages: 0, bytes: 0 };

/** Connections that switched to WebSocket, per trace (the diagram asks once per event it draws). */
const upgradedOf = new WeakMap<readonly TraceEvent[], Set<string>>();
function upgraded(events: readonly TraceEvent[]): Set<string> {
  let found = upgradedOf.get(events);
  if (!found) upgradedOf.set(events, (found = upgradedConnections(events)));
  return found;
}

function lanes(lang: 'en' | 'ko'): Lanes {
  const t = PLAYER[lang].lanes;
  return {
    lanes: [
      { id: 'http', label: t.httpClient, peer: 'client' },
      { id: 'server', label: t.server, peer: 'server' },
      { id: 'ws', label: t.wsClient, peer: 'client' },
    ],
    // The same rule for the simulation and a live run: a connection that upgraded is the WebSocket's.
    laneOf: (conn, events) => (conn !== undefined && upgraded(events).has(conn) ? 'ws' : 'http'),
  };
}

const count = format(',');

const scenario: ScenarioModule<HttpVsWebsocketContext> = {
  spec,
  machine: scenarioMachine<HttpVsWebsocketContext, BaseInput & HandshakeInput>({
    spec,
    context: (input) => ({
      ...handshakeContext(input),
      http: EMPTY,
      ws: EMPTY,
      firstPollAt: 0,
      eventAt: 0,
    }),
    steps: STEPS,
  }),
  prepare: () => handshakeInput(),
  lanes,
  panels: (c, lang) => {
    const t = PLAYER[lang].panels;
    return [
      {
        kind: 'table',
        id: 'tally',
        caption: t.tally,
        columns: ['HTTP', 'WebSocket'],
        rows: [
          { head: t.connections, cells: [String(c.http.connections), String(c.ws.connections)] },
          { head: t.requests, cells: [String(c.http.requests), String(c.ws.requests)] },
          { head: t.totalBytes, cells: [count(c.http.bytes), count(c.ws.bytes)] },
        ],
      },
    ];
  },
  runLive: () =>
    withTap(async (tap) => {
      await get(tap, '/api/stream/poll?since=0');
      const socket = await openSocket(tap, '/ws/echo', { greet: '{"id":2}' });
      await socket.next();
      await get(tap, '/api/stream/poll?since=0');
      socket.ws.send('{"ack":2}');
      await socket.next();
      await closeAndWait(socket, 1000, 'done');
    }),
};

export default scenario;
