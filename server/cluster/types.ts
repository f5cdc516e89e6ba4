/** What the rest of the server asks of the cluster, and the shapes it answers with. */
import type { ClusterStatus } from '../../src/lib/trace/index.ts';
import type { TapSession } from '../sessions.ts';
import type { TapSink } from '../tap.ts';
import type { SocketAction } from '../ws/controls.ts';

/** One node's figures, as `/api/stats` reports them. */
export interface NodeStats {
  websockets: number;
  pendingPolls: number;
  sessions: number;
  /** TCP connections open. */
  connections: number;
  rssBytes: number;
  /**
   * The origins a page of this node has (`http://` and each name it answers to, with its port), so the
   * page can open a WebSocket on another node and that node knows the page's origin for one of its own.
   */
  origins?: string[];
}

/** `/api/stats` in a cluster adds these to this node's own figures. */
export interface ClusterStats {
  node: string;
  cluster: {
    backplane: ClusterStatus['backplane'];
    /** Every node that reported in the last few heartbeats (this one always, with fresh figures). */
    nodes: Array<NodeStats & { node: string; ageMs: number }>;
    totals: NodeStats & { nodes: number };
  };
}

/** A control API request for a named socket this node does not hold. */
export interface SocketControlRequest {
  session: string;
  name: string;
  action: SocketAction;
  body: Record<string, unknown>;
  /** The request's query (`?name=…&code=…`), for actions that read their arguments from it. */
  search: string;
}

export interface SocketControlOutcome {
  found: boolean;
  problem?: string | undefined;
}

/** ServerContext.cluster: present only with `--backplane`. */
export interface ClusterHooks {
  readonly node: string;
  status(): ClusterStatus;
  /**
   * Runs before a request or upgrade is routed: learns whether a session named in it lives on another
   * node, and loads the shared stream it will read. Never waits on a lost backplane.
   */
  prepare(url: URL): Promise<void>;
  /** True for a live session that another node owns. */
  hasSession(id: string): boolean;
  /** Where this node forwards the tap events of a session another node owns. */
  remoteTap(id: string): TapSink | undefined;
  /** A tap session opened here: other nodes may now serve its requests. Resolves once they can. */
  openSession(session: TapSession): Promise<void>;
  closeSession(session: TapSession): void;
  controlSocket(request: SocketControlRequest): Promise<SocketControlOutcome>;
  stats(here: NodeStats): Promise<ClusterStats>;
  /**
   * The origins of the other running nodes: a page served by one node may open a WebSocket on another
   * (the Origin check accepts them; the Host check still names only this node).
   */
  peerOrigins(): ReadonlySet<string>;
  /**
   * The node listens: its origins are known now (a port the system chose included), so it tells the
   * other nodes at once instead of at the next heartbeat.
   */
  listening(): Promise<void>;
  close(): Promise<void>;
}
