/**
 * The nodes of the cluster: each claims its name (`node:<name>`, a short TTL renewed by a heartbeat,
 * so two running nodes never share a name) and writes its figures to one hash every heartbeat, which
 * `/api/stats` reads to report the whole cluster.
 */
import { randomBytes } from 'node:crypto';
import type { Backplane } from './backplane.ts';
import { BackplaneError } from './backplane.ts';
import { keys } from './keys.ts';
import type { NodeStats } from './types.ts';

export const HEARTBEAT_MS = 2_000;
/** A node that has not renewed its name for this long is gone (killed, or cut off from Redis). */
const NODE_TTL_MS = 5 * HEARTBEAT_MS;

/** A node's name: what events, connection ids and stats show. */
export const NODE_NAME = /^[A-Za-z0-9._-]{1,64}$/;

export interface NodeEntry extends NodeStats {
  node: string;
  ageMs: number;
}

export class NodeRegistry {
  private readonly token = randomBytes(8).toString('hex');
  private timer: NodeJS.Timeout | undefined;
  private readonly beats = new Set<() => Promise<void>>();
  /** The other nodes' origins as of the last heartbeat (kept while the backplane is lost). */
  private peers: ReadonlySet<string> = new Set();

  constructor(
    private readonly backplane: Backplane,
    readonly node: string,
    private readonly figures: () => NodeStats,
  ) {
    backplane.onResync(() => this.beat());
  }

  /** Claims the name; a BackplaneError when a running node holds it. */
  async register(): Promise<void> {
    if (!NODE_NAME.test(this.node)) {
      throw new BackplaneError(`--node takes 1 to 64 letters, digits, '.', '_' or '-', not ${this.node}`);
    }
    const claimed = await this.backplane.cmd.set(keys.node(this.node), this.token, {
      NX: true,
      PX: NODE_TTL_MS,
    });
    if (claimed !== 'OK') {
      throw new BackplaneError(
        `a running node is already called ${this.node} on this backplane; choose another --node (a stopped ` +
          `node's name is free again within ${NODE_TTL_MS / 1000} s)`,
      );
    }
    await this.beat();
  }

  /** Runs `work` on every heartbeat too (renewing session claims). */
  alsoOnBeat(work: () => Promise<void>): void {
    this.beats.add(work);
  }

  start(): void {
    this.timer = setInterval(() => void this.beat().catch(() => undefined), HEARTBEAT_MS);
    this.timer.unref();
  }

  /** Writes this node's entry (figures and origins) and renews its claims now. */
  async beat(): Promise<void> {
    if (!this.backplane.connected) return;
    const entry = JSON.stringify({ ...this.figures(), at: Date.now() });
    await this.backplane.cmd
      .multi()
      .set(keys.node(this.node), this.token, { PX: NODE_TTL_MS })
      .hSet(keys.nodes, this.node, entry)
      .exec();
    for (const work of this.beats) await work();
    await this.refreshPeers();
  }

  get peerOrigins(): ReadonlySet<string> {
    return this.peers;
  }

  private async refreshPeers(): Promise<void> {
    const all = await this.backplane.cmd.hGetAll(keys.nodes);
    const now = Date.now();
    const origins = new Set<string>();
    for (const [node, json] of Object.entries(all)) {
      if (node === this.node) continue;
      try {
        const entry = JSON.parse(json) as NodeStats & { at: number };
        if (now - entry.at <= NODE_TTL_MS) for (const origin of entry.origins ?? []) origins.add(origin);
      } catch {
        // A malformed entry is pruned by list(); it names no origin meanwhile.
      }
    }
    this.peers = origins;
  }

  /** Every node heard from recently, this one first with fresh figures. */
  async list(here: NodeStats): Promise<NodeEntry[]> {
    const own: NodeEntry = { node: this.node, ...here, ageMs: 0 };
    if (!this.backplane.connected) return [own];
    const all = await this.backplane.cmd.hGetAll(keys.nodes).catch(() => ({}) as Record<string, string>);
    const now = Date.now();
    const others: NodeEntry[] = [];
    const gone: string[] = [];
    for (const [node, json] of Object.entries(all)) {
      if (node === this.node) continue;
      try {
        const { at, ...stats } = JSON.parse(json) as NodeStats & { at: number };
        if (now - at > NODE_TTL_MS) gone.push(node);
        else others.push({ node, ...stats, ageMs: now - at });
      } catch {
        gone.push(node);
      }
    }
    if (gone.length > 0) await this.backplane.cmd.hDel(keys.nodes, gone).catch(() => undefined);
    others.sort((a, b) => a.node.localeCompare(b.node));
    return [own, ...others];
  }

  /** Leaves: the name is free at once and the stats forget this node. */
  async unregister(): Promise<void> {
    clearInterval(this.timer);
    if (!this.backplane.connected) return;
    const key = keys.node(this.node);
    if ((await this.backplane.cmd.get(key)) === this.token) await this.backplane.cmd.del(key);
    await this.backplane.cmd.hDel(keys.nodes, this.node);
  }
}
