/**
 * `/ws/tap`: the page's window on its own traffic (contract in src/lib/trace/tap.ts). Opening it creates
 * a session; closing it ends the session and its event stream. In front of an app, `?all=1` makes a
 * session that watches every proxied connection, starting with the backlog of recent ones. In a
 * cluster the session is claimed for this node before `hello`, so the page's next request may go to
 * any node.
 */
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { TapRefusal } from '../../src/lib/trace/index.ts';
import type { ServerContext } from '../context.ts';

export function onTapConnection(ctx: ServerContext, ws: WebSocket, stream: Duplex, all = false): void {
  const backlogStart = all ? ctx.tap.backlogStart : undefined;
  const session = ctx.sessions.open(
    ws,
    stream,
    all
      ? {
          all: true,
          ...(ctx.options.target ? { target: ctx.options.target } : {}),
          startedAt: Math.min(Date.now(), Math.floor(backlogStart ?? Infinity)),
        }
      : {},
  );
  if (!session) {
    // The page reads why from a message (a browser cannot read the body of a refused handshake), and
    // command-line clients from the close: 1013 Try Again Later (RFC 6455 sections 7.4.1 and 11.7).
    const max = ctx.options.maxSessions;
    const refusal: TapRefusal = { type: 'refused', reason: 'sessions-full', inUse: ctx.sessions.size, max };
    ws.send(JSON.stringify(refusal));
    ws.close(1013, `server full: ${refusal.inUse} of ${max} tap sessions in use (--max-sessions)`);
    return;
  }
  ctx.sockets.add(ws, session.id, null);
  let open = true;
  ws.once('close', () => {
    open = false;
    ctx.tap.unwatchAll(session);
    ctx.sessions.close(session);
    ctx.streams.drop(session.id);
    ctx.cluster?.closeSession(session);
  });
  // hello first: a session that watches every proxied connection gets the backlog right after it.
  const hello = () => {
    if (!open) return;
    ws.send(JSON.stringify(session.hello(ctx.cluster?.status())));
    if (all) ctx.tap.watchAll(session);
  };
  if (ctx.cluster) void ctx.cluster.openSession(session).then(hello, hello);
  else hello();
}
