/**
 * HTTP and WebSocket on one clock: an HTTP client that opens a connection per update (request,
 * response, close) beside a WebSocket client that upgrades once and then lets either side send at
 * will. Two client lifelines share one server; the tally counts connections, requests and bytes.
 */
import { assign, setup } from 'xstate';
import { Opcode } from '../protocol/constants';
import { upgradeRequest, upgradeResponse } from '../protocol/handshake';
import { serializeRequest, serializeResponse } from '../protocol/http';
import type { ScenarioEvent } from './events';
import {
  baseContext,
  enterStepOf,
  type BaseContext,
  type BaseInput,
  type StepBuild,
  type StepBuilder,
} from './kit';
import { NOTES } from './notes';
import { FIXED, frame, frameSummary, jsonGet, jsonOk, statusSummary, type HandshakeInput } from './wire';

export interface Tally {
  connections: number;
  requests: number;
  messages: number;
  bytes: number;
}

export interface HttpVsWebsocketContext extends BaseContext, HandshakeInput {
  http: Tally;
  ws: Tally;
}

/** Connection ids: every HTTP cycle opens its own; the WebSocket keeps one. */
export const WS_CONN = 'ws';
/** The HTTP client polls once a second; event 2 happens 200 ms into that second. */
const POLL_INTERVAL_MS = 1000;
const EVENT_AFTER_MS = 200;
export const isHttpConn = (conn: string): boolean => conn.startsWith('http');

function cycle(
  b: StepBuilder,
  c: HttpVsWebsocketContext,
  n: number,
  body: string,
): Partial<HttpVsWebsocketContext> {
  const conn = `http-${n}`;
  b.connect(conn);
  const req = jsonGet('/api/events?since=0', ['Connection', 'close']);
  b.unit(conn, 'c2s', 'http-request', 'GET /api/events?since=0 HTTP/1.1', req);
  b.wait(2);
  const res = jsonOk(b.t, body, ['Connection', 'close']);
  b.unit(conn, 's2c', 'http-response', `${statusSummary(200)} ${body}`, res);
  b.close(conn, 'server');
  b.peer('client', { tcp: 'CLOSED' }, conn);
  return {
    http: {
      connections: c.http.connections + 1,
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
  b.unit(WS_CONN, mask === undefined ? 's2c' : 'c2s', 'ws-frame', frameSummary(spec), bytes);
  return { ws: { ...c.ws, messages: c.ws.messages + 1, bytes: c.ws.bytes + bytes.length } };
}

export const STEPS: Record<string, StepBuild<HttpVsWebsocketContext>> = {
  start: (b) => {
    b.note(NOTES.twoClients);
  },
  'http-cycle': (b, c) => cycle(b, c, 1, '[{"id":1}]'),
  'ws-handshake': (b, c) => {
    b.connect(WS_CONN);
    const req = serializeRequest(
      upgradeRequest({ path: '/chat', host: FIXED.host, key: FIXED.key, origin: FIXED.origin }),
    );
    b.unit(WS_CONN, 'c2s', 'http-request', 'GET /chat HTTP/1.1 Upgrade: websocket', req);
    const res = serializeResponse(upgradeResponse({ accept: c.accept.accept }));
    b.unit(WS_CONN, 's2c', 'http-response', 'HTTP/1.1 101 Switching Protocols', res);
    // The server is OPEN once it has sent the 101 (RFC 6455 section 4.2.2); the client once it checked it.
    b.peer('server', { readyState: 'OPEN' }, WS_CONN);
    b.peer('client', { readyState: 'OPEN' }, WS_CONN);
    return { ws: { connections: 1, requests: 1, messages: 0, bytes: req.length + res.length } };
  },
  'ws-push': (b, c) => {
    b.wait(EVENT_AFTER_MS);
    b.note(NOTES.pushed);
    return wsFrame(b, c, '{"id":2}');
  },
  'http-cycle-again': (b, c) => {
    // Polling on an interval: the HTTP client asks again only when its timer comes round.
    b.wait(POLL_INTERVAL_MS - EVENT_AFTER_MS);
    b.note(NOTES.nextPoll(POLL_INTERVAL_MS - EVENT_AFTER_MS));
    return cycle(b, c, 2, '[{"id":2}]');
  },
  'ws-client-send': (b, c) => wsFrame(b, c, '{"ack":2}', 0),
  tally: (b, c) => {
    b.note(NOTES.tally(c.http, c.ws));
  },
};

const EMPTY: Tally = { connections: 0, requests: 0, messages: 0, bytes: 0 };

export const httpVsWebsocketMachine = setup({
  types: {
    context: {} as HttpVsWebsocketContext,
    events: {} as ScenarioEvent,
    input: {} as BaseInput & HandshakeInput,
  },
  actions: {
    enter: assign(enterStepOf(STEPS)),
  },
}).createMachine({
  id: 'http-vs-websocket',
  context: ({ input }) => ({
    ...baseContext(),
    accept: input.accept,
    wrongAccept: input.wrongAccept,
    http: EMPTY,
    ws: EMPTY,
  }),
  initial: 'start',
  states: {
    start: { entry: { type: 'enter', params: { step: 'start' } }, on: { 'step.next': 'http-cycle' } },
    'http-cycle': {
      entry: { type: 'enter', params: { step: 'http-cycle' } },
      on: { 'step.next': 'ws-handshake' },
    },
    'ws-handshake': {
      entry: { type: 'enter', params: { step: 'ws-handshake' } },
      on: { 'step.next': 'ws-push' },
    },
    'ws-push': {
      entry: { type: 'enter', params: { step: 'ws-push' } },
      on: { 'step.next': 'http-cycle-again' },
    },
    'http-cycle-again': {
      entry: { type: 'enter', params: { step: 'http-cycle-again' } },
      on: { 'step.next': 'ws-client-send' },
    },
    'ws-client-send': {
      entry: { type: 'enter', params: { step: 'ws-client-send' } },
      on: { 'step.next': 'tally' },
    },
    tally: { entry: { type: 'enter', params: { step: 'tally' } } },
  },
});
