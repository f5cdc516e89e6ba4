/** `/ws/stream`: the session's event stream pushed as text messages, one JSON event each. */
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
  ctx.sockets.add(ws, session, null);
  const since = intParam(url, 'since', stream.latestId, 0, Number.MAX_SAFE_INTEGER);
  for (const event of stream.since(since)) ws.send(JSON.stringify(event));
  const unsubscribe = stream.subscribe({
    deliver: (event) => ws.send(JSON.stringify(event)),
    cut: () => ws.terminate(),
  });
  ws.once('close', unsubscribe);
  // The stream is one-way; anything the page sends is ignored rather than echoed.
}
