/** What every route and WebSocket handler shares: the options, the registries and the shutdown hooks. */
import type { IncomingMessage } from 'node:http';
import { SESSION_PARAM } from '../src/lib/trace/index.ts';
import type { Admission } from './admission.ts';
import type { ClusterHooks } from './cluster/types.ts';

import type { LessonAccounts } from './security/accounts.ts';
import type { ServerOptions } from './options.ts';
import type { PendingPolls } from './routes/poll.ts';
import type { SessionRegistry } from './sessions.ts';
import type { EventStream, StreamHub } from './stream.ts';
import type { TapHub } from './tap.ts';
import type { SocketRegistry } from './ws/registry.ts';

export interface ServerContext {
  options: ServerOptions;
  sessions: SessionRegistry;
  tap: TapHub;
  streams: StreamHub;
  polls: PendingPolls;
  sockets: SocketRegistry;
  /** Connection limits, answered with 503 (server/admission.ts). */
  admission: Admission;
  /** Run at shutdown: end SSE streams and the like. */
  onShutdown: Set<() => void>;
  /** The security lesson's pretend accounts (session cookies and their secrets). */
  accounts: LessonAccounts;
  /** Where the security lesson's attacker page listens, once it does (undefined when off). */
  attackerPort: number | undefined;
  /** The host:port names this server answers to (refreshed once it listens). */
  authorities: Set<string>;
  closing: boolean;
  /** '' normally; OWN_PREFIX in front of an app, where every path of ours starts with it. */
  prefix: string;
  /** Set when this node shares a backplane with others (`--backplane`): see server/cluster. */
  cluster?: ClusterHooks;
}

/**
 * The session a request names: '' (the public stream) when it names none, undefined when it names a
 * session that does not exist (a closed tab, a guess).
 */
export function sessionKey(ctx: ServerContext, url: URL): string | undefined {
  const id = url.searchParams.get(SESSION_PARAM);
  if (id === null || id === '') return '';
  return ctx.sessions.get(id) || ctx.cluster?.hasSession(id) ? id : undefined;
}

export function streamFor(ctx: ServerContext, url: URL): EventStream | undefined {
  const key = sessionKey(ctx, url);
  return key === undefined ? undefined : ctx.streams.get(key);
}

/**
 * The request's URL with `prefix` taken off its path (in front of an app every path of ours carries it),
 * or undefined when the path is not under the prefix.
 */
export function requestUrl(req: IncomingMessage, prefix = ''): URL | undefined {
  // The base only gives relative request targets a scheme and host; Host is checked separately.
  const url = new URL(req.url ?? '/', 'http://wirescope.invalid');
  if (prefix === '') return url;
  if (!url.pathname.startsWith(`${prefix}/`)) return undefined;
  url.pathname = url.pathname.slice(prefix.length);
  return url;
}
