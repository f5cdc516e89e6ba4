/**
 * Server-sent events (`GET /api/stream/sse`), per the HTML Living Standard's event stream format: one
 * `id:` and one `data:` line per event, a blank line after each, every byte written by the protocol's
 * encodeEvent; node:http sends each write as one chunk (RFC 9112 section 7.1). A reconnecting
 * EventSource sends the last id it saw in Last-Event-ID, and we resend what it missed from the bounded
 * history.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { encodeEvent } from '../../src/lib/protocol/eventStream.ts';
import { intParam } from '../http-util.ts';
import type { Delivery, EventStream, StreamEvent } from '../stream.ts';

/** A comment line now and then keeps intermediaries from timing out an idle stream. */
const KEEP_ALIVE_MS = 15_000;
/** The reconnection time the browser should use (the `retry:` field). */
const RETRY_MS = 1_000;

function format(event: StreamEvent, json = JSON.stringify(event)): Uint8Array {
  return encodeEvent({ id: String(event.id), data: json });
}

/** The event stream bytes of `delivery.events[from…]`, made once for every SSE subscriber. */
function encodeEvents(delivery: Delivery, from: number): Buffer {
  const parts: Uint8Array[] = [];
  for (let i = from; i < delivery.events.length; i++)
    parts.push(format(delivery.events[i]!, delivery.json(i)));
  return Buffer.concat(parts);
}

export function handleSse(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  stream: EventStream,
  onShutdown: Set<() => void>,
  maxBufferedBytes: number,
): void {
  const header = req.headers['last-event-id'];
  const lastEventId = Number(Array.isArray(header) ? header[0] : header);
  const since = Number.isInteger(lastEventId)
    ? lastEventId
    : intParam(url, 'since', stream.latestId, 0, Number.MAX_SAFE_INTEGER);
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
  });
  res.write(encodeEvent({ retry: RETRY_MS }));
  // One write, so one chunk, per event resent, as live ones go: lesson 07 shows each event in a chunk
  // of its own (a resend is at most --stream-history events).
  for (const event of stream.since(since)) res.write(format(event));

  const end = () => {
    cleanup();
    res.end();
  };
  const keepAlive = setInterval(() => res.write(encodeEvent({ comment: 'keep-alive' })), KEEP_ALIVE_MS);
  const unsubscribe = stream.subscribe({
    deliver: (delivery, from) => {
      // Queued beyond the limit: it cannot keep up. End the response rather than hold memory for it;
      // EventSource reconnects and resends from Last-Event-ID.
      if (res.writableLength > maxBufferedBytes) return end();
      res.write(delivery.encoded('sse', from, encodeEvents));
    },
    cut: () => {
      cleanup();
      req.socket.destroy();
    },
  });
  const cleanup = () => {
    clearInterval(keepAlive);
    unsubscribe();
    onShutdown.delete(end);
  };
  onShutdown.add(end);
  res.once('close', cleanup);
}
