/**
 * `/ws/tap`: the page's window on its own traffic (contract in src/lib/trace/tap.ts). Opening it creates
 * a session; closing it ends the session and its event stream.
 */
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { ServerContext } from '../context.ts';

export function onTapConnection(ctx: ServerContext, ws: WebSocket, stream: Duplex): void {
  const session = ctx.sessions.open(ws, stream);
  if (!session) {
    // RFC 6455 section 7.4.1 / 11.7: 1013 Try Again Later for an overloaded service.
    ws.close(1013, 'too many tap sessions');
    return;
  }
  ctx.sockets.add(ws, session.id, null);
  ws.send(JSON.stringify(session.hello()));
  ws.once('close', () => {
    ctx.sessions.close(session);
    ctx.streams.drop(session.id);
  });
}
