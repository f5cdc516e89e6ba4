/**
 * Lesson 7's live run: a real EventSource on the demo server's `/api/stream/sse`. The page publishes two
 * events (its own POSTs, beside the stream), the server cuts the stream (`/api/faults` cutAll, which
 * drops every stream connection of this session), a third event is published while nobody listens,
 * and the browser's EventSource comes back on its own after `retry` with `Last-Event-ID: 2` and gets
 * event 3 from the server's history. The tap shows both streams and the header; the page notes what its
 * EventSource reported.
 *
 * The tap gives a connection to the session named by its first request. An EventSource is not a fetch
 * with `credentials: 'omit'` (src/lib/live/tap.ts): it sends credentials to its own origin, so it shares
 * the connection pool of the page's own files and could ride a kept-alive connection that carried
 * one of them, which the tap never watches. The demo server closes the connection after every file it
 * serves, so under `npm start` the pool holds no such connection; where another server serves the files
 * (`npm run dev`) the run says when the tap missed the stream.
 */
import type { LiveOutcome } from '../../machines/scenario';
import { post, withTap } from '../../live/client';
import type { TapSession } from '../../live/tap';

type Seen =
  | { kind: 'open' }
  | { kind: 'error'; readyState: number }
  | { kind: 'message'; type: string; data: string; lastEventId: string };

const READY_STATES = ['CONNECTING', 'OPEN', 'CLOSED'] as const;
const WAIT_MS = 8000;

/** What an EventSource reports, in order, for the run to wait on one kind at a time. */
function watch(source: EventSource) {
  const seen: Seen[] = [];
  const waiting: { kind: Seen['kind']; resolve: (s: Seen) => void }[] = [];
  const push = (s: Seen) => {
    const i = waiting.findIndex((w) => w.kind === s.kind);
    if (i >= 0) waiting.splice(i, 1)[0]!.resolve(s);
    else seen.push(s);
  };
  source.onopen = () => push({ kind: 'open' });
  source.onerror = () => push({ kind: 'error', readyState: source.readyState });
  source.onmessage = (e: MessageEvent<string>) =>
    push({ kind: 'message', type: e.type, data: e.data, lastEventId: e.lastEventId });
  return {
    next<K extends Seen['kind']>(kind: K): Promise<Extract<Seen, { kind: K }>> {
      const i = seen.findIndex((s) => s.kind === kind);
      if (i >= 0) return Promise.resolve(seen.splice(i, 1)[0] as Extract<Seen, { kind: K }>);
      return new Promise((resolve, reject) => {
        const entry = { kind, resolve: resolve as (s: Seen) => void };
        waiting.push(entry);
        setTimeout(() => {
          const at = waiting.indexOf(entry);
          if (at >= 0) {
            waiting.splice(at, 1);
            reject(new Error(`the EventSource reported no ${kind} event`));
          }
        }, WAIT_MS);
      });
    },
  };
}

function payloadOf(data: string): string {
  try {
    const event = JSON.parse(data) as { payload?: unknown };
    return typeof event.payload === 'string' ? event.payload : data;
  } catch {
    return data;
  }
}

/** Requests for the stream the tap saw in this session (the first one and the reconnect). */
function streamRequests(tap: TapSession): number {
  return tap.events.filter(
    (e) => e.type === 'unit' && e.kind === 'http-request' && e.summary.startsWith('GET /api/stream/sse'),
  ).length;
}

export function runLive(): Promise<LiveOutcome> {
  return withTap(async (tap, observe) => {
    const source = new EventSource(tap.withSession('/api/stream/sse'));
    const events = watch(source);
    const message = async () => {
      const m = await events.next('message');
      observe('observedSseMessage', { type: m.type, lastEventId: m.lastEventId, payload: payloadOf(m.data) });
    };
    try {
      await events.next('open');
      observe('observedSseOpen', undefined);
      for (const payload of ['hello', 'world']) {
        await post(tap, '/api/stream/publish', { payload });
        await message();
      }
      await post(tap, '/api/faults', { cutAll: true });
      const error = await events.next('error');
      observe('observedSseError', { readyState: READY_STATES[error.readyState] ?? String(error.readyState) });
      // Published while the EventSource waits out `retry`: only the server's history still has it.
      await post(tap, '/api/stream/publish', { payload: 'sent while you were away' });
      await events.next('open');
      observe('observedSseOpen', undefined);
      await message();
    } finally {
      source.close();
    }
    await tap.settle();
    if (streamRequests(tap) < 2) observe('observedSseUntapped', undefined);
  });
}
