/**
 * The four contenders as browser clients of the demo server, each tied to the tap session by the
 * `session` query parameter (src/lib/trace/tap.ts). Every fetch uses TAPPED_REQUEST (src/lib/live/tap.ts),
 * so it never rides on a keep-alive connection the page opened for its assets, which the tap would not
 * give to the session.
 *
 * Server-sent events are read with fetch and the event-stream parser of sseParser.ts, which does what
 * EventSource does on the wire (Accept: text/event-stream, `retry:`, Last-Event-ID on reconnect) but in
 * that same pool.
 */
import { SESSION_PARAM } from '../trace/tap';
import { TAPPED_REQUEST } from '../live/tap';
import { SseParser } from './sseParser';
import type { ContenderId, LogKind, StreamEvent } from './types';

export interface ClientHooks {
  /** Events delivered at page time `at`; `bodyBytes` is what the page read (body or message bytes). */
  receive(contender: ContenderId, events: StreamEvent[], bodyBytes: number, at: number): void;
  log(contender: ContenderId, kind: LogKind, detail?: string): void;
}

export interface ClientOptions {
  /** The folder the demo server's paths resolve against (src/lib/live/tap.ts endpoint('/')). */
  base: string;
  session: string;
  /** Deliver events after this id. */
  since: number;
  pollIntervalMs: number;
  hooks: ClientHooks;
}

export interface Client {
  /** Resolves once the contender has nothing in flight whose bytes the page has not counted. */
  stop(): Promise<void>;
}

/** After a failure, wait this long before trying again (SSE uses the server's `retry:`). */
const RETRY_MS = 500;

export function now(): number {
  return performance.timeOrigin + performance.now();
}

function url(options: ClientOptions, path: string, query: Record<string, string | number>): string {
  const u = new URL(path.replace(/^\//, ''), options.base);
  for (const [k, v] of Object.entries(query)) u.searchParams.set(k, String(v));
  u.searchParams.set(SESSION_PARAM, options.session);
  return u.toString();
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

const encoder = new TextEncoder();

interface PollBody {
  events: StreamEvent[];
  next: number | null;
}

async function getJson(
  href: string,
  signal?: AbortSignal,
): Promise<{ status: number; body?: PollBody; bytes: number }> {
  const response = await fetch(href, signal ? { ...TAPPED_REQUEST, signal } : TAPPED_REQUEST);
  const buffer = new Uint8Array(await response.arrayBuffer());
  if (response.status !== 200) return { status: response.status, bytes: buffer.length };
  return {
    status: 200,
    body: JSON.parse(new TextDecoder().decode(buffer)) as PollBody,
    bytes: buffer.length,
  };
}

/**
 * Short polling: ask every interval, whether or not anything happened; one request at a time. Stopping
 * ends the wait between requests but lets a request in flight finish (the server answers at once), so
 * every response the tap saw on the wire is also read and counted by the page.
 */
function shortPolling(options: ClientOptions): Client {
  const wake = new AbortController();
  let since = options.since;
  const loop = async () => {
    while (!wake.signal.aborted) {
      const started = performance.now();
      try {
        const reply = await getJson(url(options, '/api/stream/poll', { since }));
        if (reply.body) {
          options.hooks.receive('short', reply.body.events, reply.bytes, now());
          since = reply.body.next ?? since;
        }
      } catch (error) {
        if (wake.signal.aborted) return;
        options.hooks.log('short', 'error', String(error));
      }
      await sleep(Math.max(0, options.pollIntervalMs - (performance.now() - started)), wake.signal);
    }
  };
  const done = loop();
  return {
    stop: () => {
      wake.abort();
      return done;
    },
  };
}

/** Long polling: the server holds each request until there is news; ask again at once. */
function longPolling(options: ClientOptions): Client {
  const abort = new AbortController();
  let since = options.since;
  const loop = async () => {
    while (!abort.signal.aborted) {
      try {
        const reply = await getJson(url(options, '/api/poll', { since }), abort.signal);
        if (reply.body) {
          options.hooks.receive('long', reply.body.events, reply.bytes, now());
          since = reply.body.next ?? since;
        } else if (reply.status !== 204) {
          options.hooks.log('long', 'error', `HTTP ${reply.status}`);
          await sleep(RETRY_MS, abort.signal);
        }
      } catch (error) {
        if (abort.signal.aborted) return;
        options.hooks.log('long', 'error', String(error));
        await sleep(RETRY_MS, abort.signal);
        options.hooks.log('long', 'reconnect', `since=${since}`);
      }
    }
  };
  void loop();
  return {
    stop: async () => abort.abort(),
  };
}

/** Server-sent events over one held response; reconnects with Last-Event-ID. */
function serverSentEvents(options: ClientOptions): Client {
  const abort = new AbortController();
  let lastEventId: string | undefined;
  let retryMs = RETRY_MS;
  const loop = async () => {
    while (!abort.signal.aborted) {
      const headers: Record<string, string> = { accept: 'text/event-stream' };
      if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
      const query: Record<string, number> = lastEventId === undefined ? { since: options.since } : {};
      try {
        const response = await fetch(url(options, '/api/stream/sse', query), {
          ...TAPPED_REQUEST,
          headers,
          signal: abort.signal,
        });
        options.hooks.log('sse', 'open');
        const reader = response.body?.getReader();
        const parser = new SseParser();
        while (reader) {
          const { done, value } = await reader.read();
          if (done) break;
          const messages = parser.push(value);
          const at = now();
          const events: StreamEvent[] = [];
          for (const message of messages) {
            if (message.retry !== undefined) retryMs = message.retry;
            if (message.id !== undefined) lastEventId = message.id;
            if (message.data !== undefined) events.push(JSON.parse(message.data) as StreamEvent);
          }
          options.hooks.receive('sse', events, value.length, at);
        }
        options.hooks.log('sse', 'close');
      } catch (error) {
        if (abort.signal.aborted) return;
        options.hooks.log('sse', 'error', String(error));
      }
      await sleep(retryMs, abort.signal);
      if (!abort.signal.aborted)
        options.hooks.log('sse', 'reconnect', lastEventId ? `Last-Event-ID: ${lastEventId}` : undefined);
    }
  };
  void loop();
  return {
    stop: async () => abort.abort(),
  };
}

/** WebSocket push; on an abnormal close (1006) reconnect with since= the last id seen. */
function webSocket(options: ClientOptions): Client {
  let since = options.since;
  let stopped = false;
  let socket: WebSocket | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const open = () => {
    const href = url(options, '/ws/stream', { since }).replace(/^http/, 'ws');
    const ws = new WebSocket(href);
    socket = ws;
    ws.onopen = () => options.hooks.log('ws', 'open');
    ws.onmessage = (message: MessageEvent) => {
      const at = now();
      const text = String(message.data);
      const event = JSON.parse(text) as StreamEvent;
      since = Math.max(since, event.id);
      options.hooks.receive('ws', [event], encoder.encode(text).length, at);
    };
    ws.onclose = (close: CloseEvent) => {
      options.hooks.log('ws', 'close', String(close.code));
      if (stopped) return;
      timer = setTimeout(() => {
        options.hooks.log('ws', 'reconnect', `since=${since}`);
        open();
      }, RETRY_MS);
    };
  };
  open();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      socket?.close(1000);
    },
  };
}

export function startClient(contender: ContenderId, options: ClientOptions): Client {
  switch (contender) {
    case 'short':
      return shortPolling(options);
    case 'long':
      return longPolling(options);
    case 'sse':
      return serverSentEvents(options);
    case 'ws':
      return webSocket(options);
  }
}
