/**
 * `--backplane redis://HOST:PORT`: this node joins the nodes that share one Redis, so that any node can
 * serve any request (no sticky sessions at the balancer):
 *
 *   tap sessions        sessions.ts   events of a session's connections reach its page on any node
 *   event streams       streams.ts    ids, history (Redis Stream) and delivery shared by every node
 *   named sockets       sockets.ts    push, ping, close and cut reach the node holding the socket
 *   nodes and stats     nodes.ts      unique names, a heartbeat, `/api/stats` for the whole cluster
 *
 * The rest of the server sees only ServerContext.cluster (types.ts). Without the option none of this
 * is loaded and the server runs as one process.
 */
import { hostname } from 'node:os';
import { SESSION_PARAM } from '../../src/lib/trace/index.ts';
import type { ClusterStatus } from '../../src/lib/trace/index.ts';
import { type ServerContext, sessionKey } from '../context.ts';
import type { ServerOptions } from '../options.ts';
import { Backplane } from './backplane.ts';
import { NodeRegistry } from './nodes.ts';
import { SessionDirectory } from './sessions.ts';
import { SocketRelay } from './sockets.ts';
import { SharedStreams } from './streams.ts';
import type { ClusterHooks, NodeStats } from './types.ts';

export { Backplane, BackplaneError } from './backplane.ts';

/** Requests that read or change a session's event stream: its history is loaded before they run. */
function readsStream(pathname: string): boolean {
  return (
    pathname === '/api/poll' ||
    pathname === '/api/faults' ||
    pathname === '/ws/stream' ||
    pathname.startsWith('/api/stream/')
  );
}

/** `--node`, or HOSTNAME-PORT (HOSTNAME-PID when the port is chosen by the system). */
export function nodeName(options: ServerOptions): string {
  if (options.node) return options.node;
  const host = hostname().replace(/[^A-Za-z0-9._-]/g, '-') || 'node';
  return `${host}-${options.port || process.pid}`;
}

/** How long leaving may take before the node just goes (a lost backplane cannot be told anything). */
const LEAVE_MS = 1_000;

export async function joinCluster(
  ctx: ServerContext,
  backplane: Backplane,
  node: string,
  figures: () => NodeStats,
): Promise<ClusterHooks> {
  // Origins of this node's pages, from the names it answers to once it listens (see peerOrigins).
  const origins = (): string[] => [...ctx.authorities].map((authority) => `http://${authority}`);
  const withOrigins = (): NodeStats => ({ ...figures(), origins: origins() });
  const nodes = new NodeRegistry(backplane, node, withOrigins);
  await nodes.register();
  const streams = new SharedStreams(backplane, node, ctx.options.streamHistory);
  const directory = new SessionDirectory(backplane, node, (id) => ctx.streams.drop(id));
  const relay = new SocketRelay(backplane, node, (session, name) => ctx.sockets.find(session, name));
  await directory.start();
  await relay.start();
  nodes.alsoOnBeat(() => directory.refresh());
  nodes.alsoOnBeat(() => directory.prune());
  nodes.start();

  const status = (): ClusterStatus => ({ node, backplane: backplane.connected ? 'connected' : 'lost' });
  backplane.onChange(() => directory.broadcast(status()));
  ctx.streams.useLink((key, stream) => streams.link(key, stream));
  ctx.tap.useCluster(node, (id) => directory.sink(id));

  const hooks: ClusterHooks = {
    node,
    status,
    async prepare(url) {
      if (!backplane.connected) return;
      const id = url.searchParams.get(SESSION_PARAM);
      if (id && !ctx.sessions.get(id) && directory.needsLookup(id)) await directory.lookup(id);
      if (!readsStream(url.pathname)) return;
      const key = sessionKey(ctx, url);
      if (key === undefined) return;
      ctx.streams.get(key);
      await streams.ready(key);
    },
    hasSession: (id) => directory.has(id),
    remoteTap: (id) => directory.sink(id),
    openSession: (session) => directory.open(session),
    closeSession(session) {
      directory.close(session);
      void streams.forget(session.id);
    },
    controlSocket: (request) => relay.request(request),
    async stats(here) {
      const list = await nodes.list({ ...here, origins: origins() });
      const totals = {
        nodes: list.length,
        websockets: 0,
        pendingPolls: 0,
        sessions: 0,
        connections: 0,
        rssBytes: 0,
      };
      for (const entry of list) {
        totals.websockets += entry.websockets;
        totals.pendingPolls += entry.pendingPolls;
        totals.sessions += entry.sessions;
        totals.connections += entry.connections ?? 0;
        totals.rssBytes += entry.rssBytes;
      }
      return { node, cluster: { backplane: status().backplane, nodes: list, totals } };
    },
    peerOrigins: () => nodes.peerOrigins,
    // Registered before it listened, the node's entry names no origin yet: a page on another node
    // opened within the next heartbeat would find no node to send its WebSocket to.
    listening: () => nodes.beat().catch(() => undefined),
    async close() {
      const leave = async () => {
        for (const id of directory.ownedIds) {
          const session = ctx.sessions.get(id);
          if (session) hooks.closeSession(session);
        }
        await relay.stop();
        await directory.stop();
        await nodes.unregister();
      };
      await Promise.race([leave().catch(() => undefined), new Promise((r) => setTimeout(r, LEAVE_MS))]);
      await backplane.close();
    },
  };
  ctx.cluster = hooks;
  return hooks;
}
