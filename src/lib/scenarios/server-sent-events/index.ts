/**
 * Server-sent events (HTML Living Standard 9.2): a page's EventSource asks once, and the server's answer
 * never ends: a chunked `text/event-stream` whose chunks carry `retry`, `id`, `event` and `data` fields,
 * comments and the blank lines that dispatch events. The page's own messages go up in separate
 * requests. The stream breaks (cut, or ended by the server), the browser waits `retry` ms and asks
 * again with `Last-Event-ID`, and the server resumes from its history or tells it to stop with 204.
 *
 * Every byte is made by src/lib/protocol (event fields, chunk framing, heads), and what the page's
 * EventSource makes of them (events, last event ID, reconnection time) is read back from those bytes
 * by the protocol's own event-stream parser, so the panel and the diagram cannot disagree.
 */
import { PLAYER } from '../../i18n';
import { httpDate, type BaseContext, type StepBuild, type StepBuilder } from '../../machines/kit';
import { scenarioMachine } from '../../machines/machine';
import { clientServerLanes, type ScenarioModule } from '../../machines/scenario';
import {
  decodeEventStream,
  encodeEvent,
  EVENT_STREAM_TYPE,
  type EventInit,
} from '../../protocol/eventStream';
import { encodeChunk, LAST_CHUNK, serializeResponseHead } from '../../protocol/http/index.ts';
import { httpRequest, httpResponse, FIXED } from '../wire';
import spec, { RETRY_MS } from './spec';
import { runLive } from './live';

export { RETRY_MS };

/** An event the page's EventSource dispatched, as the protocol's parser read it from the bytes. */
export interface Dispatched {
  type: string;
  data: string;
  lastEventId: string;
}

export interface ServerSentEventsContext extends BaseContext {
  /** The connection the event stream is on; the idle kept-alive one a reconnect may reuse. */
  streamConn: string;
  idleConn: string | undefined;
  connections: number;
  /** Requests for the stream (the first and each reconnect), and the page's own POSTs beside it. */
  streamRequests: number;
  posts: number;
  /** The EventSource's state, read from the stream by the protocol's parser. */
  lastEventId: string;
  reconnectMs: number | undefined;
  dispatched: Dispatched[];
  /** Bytes of event chunks on the wire, and of the `data` the page received from them. */
  chunkBytes: number;
  dataBytes: number;
  /** When the stream broke (scenario ms). */
  brokeAt: number;
}

const PATH = '/api/stream/sse';
const TYPE = `${EVENT_STREAM_TYPE}; charset=utf-8`;
const encoder = new TextEncoder();

/** The events the simulated server sends, in order (ids 1 and 2 before the break, 3 after). */
export const EVENTS: Record<'first' | 'typed' | 'missed', EventInit> = {
  first: { id: '1', data: '{"id":1,"text":"hello"}' },
  // Two data lines: the parser joins them with a line feed, which JSON takes as white space.
  typed: { id: '2', event: 'price', data: '{"symbol":"ACME",\n"price":101.25}' },
  missed: { id: '3', data: '{"id":3,"text":"sent while you were away"}' },
};

/** What an EventSource sends: the stream's media type, no caching, and after a break the last id. */
function eventSourceRequest(lastEventId: string): Uint8Array {
  return httpRequest('GET', PATH, [
    ['Host', FIXED.host],
    ['Accept', EVENT_STREAM_TYPE],
    ['Cache-Control', 'no-cache'],
    ...(lastEventId === '' ? [] : ([['Last-Event-ID', lastEventId]] as const)),
  ]);
}

/** The head of a response that never ends: no Content-Length, chunked (RFC 9112 section 7.1). */
function streamHead(t: number): Uint8Array {
  return serializeResponseHead({
    status: 200,
    headers: [
      { name: 'Date', value: httpDate(t) },
      { name: 'Content-Type', value: TYPE },
      { name: 'Cache-Control', value: 'no-store' },
      { name: 'Transfer-Encoding', value: 'chunked' },
    ],
  });
}

/**
 * One event as one chunk on the stream's connection; the page's EventSource state is what the
 * protocol's parser makes of the chunk's data.
 */
function sendEvent(
  b: StepBuilder,
  c: ServerSentEventsContext,
  init: EventInit,
): Partial<ServerSentEventsContext> {
  const data = encodeEvent(init);
  const bytes = encodeChunk(data);
  b.unit(c.streamConn, 's2c', 'sse-event', bytes);
  const read = decodeEventStream(data, {
    lastEventId: c.lastEventId,
    ...(c.reconnectMs === undefined ? {} : { reconnectionTime: c.reconnectMs }),
  });
  const dispatched: Dispatched[] = [];
  for (const item of read.items) {
    if (item.kind === 'message') {
      dispatched.push({ type: item.type, data: item.data, lastEventId: item.lastEventId });
      b.note('sseDispatched', { type: item.type, lastEventId: item.lastEventId }, { peer: 'client' });
    } else if (item.kind === 'retry') {
      b.note('sseRetry', { ms: item.ms }, { peer: 'client' });
    } else {
      b.note('sseComment', undefined, { peer: 'client' });
    }
  }
  return {
    lastEventId: read.lastEventId,
    ...(read.reconnectionTime === undefined ? {} : { reconnectMs: read.reconnectionTime }),
    dispatched: [...c.dispatched, ...dispatched],
    chunkBytes: c.chunkBytes + bytes.length,
    dataBytes: c.dataBytes + dispatched.reduce((n, d) => n + encoder.encode(d.data).length, 0),
  };
}

function choiceOf(c: BaseContext): string | undefined {
  return c.choice;
}

export const STEPS: Record<string, StepBuild<ServerSentEventsContext>> = {
  connect: (b, c) => {
    b.peer('client', { readyState: 'CONNECTING' }, c.streamConn);
    b.connect(c.streamConn);
    b.unit(c.streamConn, 'c2s', 'http-request', eventSourceRequest(''));
    return { connections: 1, streamRequests: 1 };
  },
  'response-head': (b, c) => {
    b.wait(2);
    b.unit(c.streamConn, 's2c', 'http-response', streamHead(b.t));
    b.peer('client', { readyState: 'OPEN' }, c.streamConn);
    b.note('sseOpen', undefined, { peer: 'client' });
  },
  retry: (b, c) => sendEvent(b, c, { retry: RETRY_MS }),
  'first-event': (b, c) => sendEvent(b.wait(1000), c, EVENTS.first),
  'typed-event': (b, c) => sendEvent(b.wait(1000), c, EVENTS.typed),
  // Nothing to say for a while: a comment now and then keeps proxies from closing the quiet stream.
  comment: (b, c) => sendEvent(b.wait(15_000), c, { comment: 'keep-alive' }),
  'client-sends': (b, c) => {
    // HTTP/1.1: the stream holds its connection for good, so the POST needs a connection of its own.
    b.wait(500).note('sseOneWay', undefined, { peer: 'client' });
    b.connect('c2');
    const body = '{"text":"thanks"}';
    b.unit(
      'c2',
      'c2s',
      'http-request',
      httpRequest(
        'POST',
        '/api/chat',
        [
          ['Host', FIXED.host],
          ['Content-Type', 'application/json'],
          ['Content-Length', String(encoder.encode(body).length)],
        ],
        body,
      ),
    );
    b.wait(2);
    b.unit('c2', 's2c', 'http-response', httpResponse(204, [['Date', httpDate(b.t)]]));
    return { idleConn: 'c2', connections: c.connections + 1, posts: c.posts + 1 };
  },
  'stream-breaks': (b, c) => {
    b.wait(2000);
    if (choiceOf(c) === 'stream-ends') {
      // The server ends the response cleanly: the last chunk. The connection itself stays open.
      b.unit(c.streamConn, 's2c', 'raw', LAST_CHUNK);
      b.note('sseEnded', undefined, { peer: 'server' });
      // Its connection is idle now, and the most recently used one: a reconnect would take it.
      return { brokeAt: b.t, idleConn: c.streamConn };
    }
    b.close(c.streamConn, 'unknown', true);
    b.note('sseCut', undefined, { conn: c.streamConn });
    return { brokeAt: b.t };
  },
  missed: (b, c) => {
    b.peer('client', { readyState: 'CONNECTING' }, c.streamConn);
    b.note('sseReconnecting', { ms: c.reconnectMs ?? RETRY_MS }, { peer: 'client' });
    b.wait(300).note('sseMissed', { id: EVENTS.missed.id! }, { peer: 'server' });
  },
  reconnect: (b, c) => {
    // The browser waits the reconnection time from the break, then asks again on an idle kept-alive
    // connection if it has one (the POST's, or the stream's own after a clean end).
    b.wait(Math.max(0, c.brokeAt + (c.reconnectMs ?? RETRY_MS) - b.t));
    const conn = c.idleConn ?? 'c3';
    if (!c.idleConn) b.connect(conn);
    b.unit(conn, 'c2s', 'http-request', eventSourceRequest(c.lastEventId));
    return {
      streamConn: conn,
      idleConn: undefined,
      streamRequests: c.streamRequests + 1,
      connections: c.idleConn ? c.connections : c.connections + 1,
    };
  },
  resumed: (b, c) => {
    b.wait(2);
    b.unit(c.streamConn, 's2c', 'http-response', streamHead(b.t));
    b.peer('client', { readyState: 'OPEN' }, c.streamConn);
    b.note('sseOpen', undefined, { peer: 'client' });
    const retried = sendEvent(b, c, { retry: RETRY_MS });
    b.note('sseResent', { since: c.lastEventId, id: EVENTS.missed.id! }, { peer: 'server' });
    return { ...retried, ...sendEvent(b, { ...c, ...retried }, EVENTS.missed) };
  },
  stopped: (b, c) => {
    b.wait(2);
    b.unit(c.streamConn, 's2c', 'http-response', httpResponse(204, [['Date', httpDate(b.t)]]));
    b.peer('client', { readyState: 'CLOSED' }, c.streamConn);
    b.note('sseStopped', undefined, { peer: 'client' });
  },
  summary: (b, c) => {
    b.note('sseSummary', {
      events: c.dispatched.length,
      requests: c.streamRequests,
      posts: c.posts,
      connections: c.connections,
      chunkBytes: c.chunkBytes,
      dataBytes: c.dataBytes,
    });
  },
};

const scenario: ScenarioModule<ServerSentEventsContext> = {
  spec,
  machine: scenarioMachine<ServerSentEventsContext>({
    spec,
    context: () => ({
      streamConn: 'c1',
      idleConn: undefined,
      connections: 0,
      streamRequests: 0,
      posts: 0,
      lastEventId: '',
      reconnectMs: undefined,
      dispatched: [],
      chunkBytes: 0,
      dataBytes: 0,
      brokeAt: 0,
    }),
    steps: STEPS,
  }),
  lanes: (lang) => clientServerLanes(PLAYER[lang].lanes),
  panels: (c, lang) => {
    const t = PLAYER[lang].panels;
    return [
      {
        kind: 'table',
        id: 'event-source',
        caption: t.eventSource,
        columns: [t.value],
        rows: [
          { head: 'readyState', cells: [c.client.readyState ?? 'CONNECTING'] },
          { head: t.lastEventId, cells: [`"${c.lastEventId}"`] },
          {
            head: t.reconnectionTime,
            cells: [c.reconnectMs === undefined ? t.browserDefault : `${c.reconnectMs} ms`],
          },
          // Each event by its type and the lastEventId it carried: "'message' 1, 'price' 2".
          {
            head: t.eventsDispatched,
            cells: [c.dispatched.map((d) => `'${d.type}' ${d.lastEventId}`.trim()).join(', ') || '–'],
          },
        ],
      },
    ];
  },
  runLive,
};

export default scenario;
