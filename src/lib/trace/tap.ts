/**
 * Messages on the tap WebSocket (`/ws/tap`): the demo server streams each session's own trace events
 * to the page that owns the session. Shared by server/ and src/lib/live so both speak the same shape.
 *
 * 1. The page opens `/ws/tap`; the server answers with `hello`, naming a fresh unguessable session id and
 *    the epoch milliseconds that `t` in every following event counts from.
 * 2. The page adds `session=<id>` to the query of every request it makes for a live run (fetch,
 *    EventSource, WebSocket URL). The server assigns a TCP connection to the session named by the first
 *    request on it; bytes seen before that request is parsed are held and sent once it is.
 * 3. In front of an app (`--target`), `/__wirescope/ws/tap?all=1` opens a session that sees every proxied
 *    connection instead (both legs of each, `leg` and `pair` on their conn.open), starting with the most
 *    recent events the server kept; its hello names the target.
 * 4. The server sends the session's trace events in batches, each one binary message (batch.ts), in
 *    order, for that session's connections and nothing from any other session: one message per batch,
 *    with the bytes raw, keeps the tap's cost per watched byte low. Every other message is JSON text;
 *    `dropped` reports events lost to the per-session buffer limit.
 *
 * When every session is taken (the server's --max-sessions), the page gets `refused` instead of `hello`,
 * saying how many are in use, and the server closes with 1013 Try Again Later (RFC 6455 section 7.4.1).
 *
 * In a cluster (the server started with `--backplane`), requests of one session may reach any node: the
 * session's tap still gets every connection's events, in order per connection, and each event's `node`
 * names the node that saw it. `hello` then carries `cluster`, and `status` reports each change of it
 * (the backplane lost: the node serves alone; back: cross-node delivery resumes).
 */
import { decodeEventBatch } from './batch.ts';
import type { TraceEvent } from './types';

/** This node and whether it reaches the other nodes (through the shared Redis). */
export interface ClusterStatus {
  node: string;
  backplane: 'connected' | 'lost';
}

export type TapServerMessage =
  | {
      type: 'hello';
      session: string;
      startedAt: number;
      target?: string;
      all?: boolean;
      cluster?: ClusterStatus;
    }
  | { type: 'dropped'; count: number }
  | { type: 'status'; cluster: ClusterStatus }
  | TapRefusal;

/** A tap message as read: a binary message is a batch of events (see readTapMessage). */
export type TapMessage = TapServerMessage | { type: 'events'; events: TraceEvent[]; skipped: number };

/**
 * Reads one message from the tap: JSON text, or (binary) a batch of events. Throws SyntaxError for text
 * that is not JSON and TraceFormatError for a batch that cannot be read.
 */
export function readTapMessage(data: string | Uint8Array): TapMessage {
  if (typeof data === 'string') return JSON.parse(data) as TapServerMessage;
  return { type: 'events', ...decodeEventBatch(data) };
}

/** Why the server turned a page away: every tap session in use (`max` is the server's --max-sessions). */
export interface TapRefusal {
  type: 'refused';
  reason: 'sessions-full';
  inUse: number;
  max: number;
}

/** The query parameter that ties a request to a tap session. */
export const SESSION_PARAM = 'session';

/** The query parameter (value 1) of a tap that watches every proxied connection (`--target` only). */
export const ALL_PARAM = 'all';

/**
 * In front of an app (`--target`), wirescope's own page and endpoints live under this path, so that
 * every other path is the app's. The built page uses relative URLs, so it works at / and here alike.
 */
export const OWN_PREFIX = '/__wirescope';
