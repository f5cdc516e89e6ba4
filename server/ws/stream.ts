/**
 * `/ws/stream?since=ID&name=N`: the session's event stream pushed as text messages, one JSON event each,
 * starting after `since` from the stream's history.
 */
import type { WebSocket } from 'ws';
import type { ServerContext } from '../context.ts';
import { intParam } from '../http-util.ts';
import type { EventStream } from '../stream.ts';

export function onStreamConnection(
  ctx: ServerContext,
  ws: WebSocket,
  url: URL,
  session: string,
  stream: EventStream,
): void {
  // Named (`name=`) like the echo, so the control API can ping, close or cut it (lesson 8's live run).
  ctx.sockets.add(ws, session, url.searchParams.get('name'));
  const since = intParam(url, 'since', stream.latestId, 0, Number.MAX_SAFE_INTEGER);
  for (const event of stream.since(since)) ws.send(JSON.stringify(event));
  const unsubscribe = stream.subscribe({
    deliver: (event) => ws.send(JSON.stringify(event)),
    cut: () => ws.terminate(),
  });
  ws.once('close', unsubscribe);
  // The stream is one-way; anything the page sends is ignored rather than echoed.
}
