/**
 * `/ws/echo`: an RFC 6455 echo. ws does the protocol work (reassembly, UTF-8 checks, auto pong with the
 * ping's payload, echoing the close code); we return each message with its type and add:
 *
 * - `?greet=TEXT`: the server sends TEXT on its own as soon as the connection is open;
 * - `?name=NAME`: the control API (/api/ws/*) can then push, ping, close or cut this socket.
 */
import type { WebSocket } from 'ws';
import type { ServerContext } from '../context.ts';

export function onEchoConnection(ctx: ServerContext, ws: WebSocket, url: URL, session: string): void {
  ctx.sockets.add(ws, session, url.searchParams.get('name'));
  ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
  const greet = url.searchParams.get('greet');
  if (greet !== null) ws.send(greet.slice(0, ctx.options.maxMessageBytes));
}
