/**
 * Tap sessions across nodes. A session lives on the node whose `/ws/tap` opened it (its owner); any
 * node may serve the session's requests.
 *
 * - The owner writes `session:<id>` = its name (TTL refreshed by the heartbeat) before the page gets
 *   `hello`, and listens on the session's tap channel. Another node that sees `session=<id>` asks Redis
 *   once and remembers the answer for a few seconds.
 * - A node that serves a connection of another node's session forwards that connection's trace events
 *   to the owner: batched per turn of the event loop, in capture order, on one Redis connection, so
 *   each connection's events arrive in order. Events it cannot forward (the backplane lost) are
 *   counted, and the owner reports them to the page as `dropped`. A forwarded message is 4 bytes
 *   (big-endian: the events this node could not forward before it), then an event batch in the page's
 *   own layout (src/lib/trace/batch.ts) with `t` in epoch milliseconds: the bytes travel raw.
 * - Closing the tap ends the session everywhere: the owner deletes its keys and says so on a channel.
 */
import { decodeEventBatch, type ClusterStatus, type TraceEvent } from '../../src/lib/trace/index.ts';
import { EventBatchWriter, type TapSession } from '../sessions.ts';
import type { TapSink } from '../tap.ts';
import type { Backplane } from './backplane.ts';
import { channels, keys } from './keys.ts';

/** How long the owner's claim on a session lasts without a heartbeat (a killed node's sessions end). */
export const SESSION_TTL_MS = 30_000;
/** How long another node trusts that a session exists before asking Redis again. */
const KNOWN_MS = 5_000;
/** Events per forwarded message at most. */
const FORWARD_BATCH = 500;
/** Bytes before a forwarded message's batch: the count of events lost before it. */
const DROPPED_BYTES = 4;

/** A session another node owns, as a place for this node's tap to send events. */
class RemoteTap implements TapSink {
  private batch: TraceEvent[] = [];
  private dropped = 0;
  private scheduled = false;

  constructor(
    readonly id: string,
    private readonly backplane: Backplane,
  ) {}

  push(event: TraceEvent): void {
    this.batch.push(event);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    const events = this.batch;
    this.batch = [];
    if (!this.backplane.connected) {
      this.dropped += events.length;
      return;
    }
    for (let i = 0; i < events.length; i += FORWARD_BATCH) {
      const part = events.slice(i, i + FORWARD_BATCH);
      const writer = new EventBatchWriter();
      // `t` stays epoch milliseconds: the owner makes it relative to its session's start.
      for (const event of part) writer.add(event, event.t);
      const message = writer.finish(DROPPED_BYTES);
      const dropped = this.dropped;
      message.writeUInt32BE(Math.min(dropped, 0xffffffff), 0);
      this.dropped = 0;
      // Publishes go out in call order on one connection, so the owner gets them in this order.
      void this.backplane.publish(channels.tap(this.id), message).then((sent) => {
        if (!sent) this.dropped += dropped + part.length;
      });
    }
  }
}

export class SessionDirectory {
  private readonly owned = new Map<string, { session: TapSession; listener: (m: Buffer) => void }>();
  private readonly known = new Map<string, number>();
  private readonly sinks = new Map<string, RemoteTap>();
  private readonly onClosed = (id: string) => {
    if (this.owned.has(id)) return;
    this.known.delete(id);
    this.sinks.delete(id);
    this.closedElsewhere(id);
  };

  constructor(
    private readonly backplane: Backplane,
    private readonly node: string,
    /** A session another node owned has ended: drop what this node kept for it. */
    private readonly closedElsewhere: (id: string) => void,
  ) {
    backplane.onResync(() => this.refresh());
  }

  async start(): Promise<void> {
    await this.backplane.subscribe(channels.sessions, this.onClosed);
  }

  /** A live session another node owns (as last heard; trusted as is while the backplane is lost). */
  has(id: string): boolean {
    const at = this.known.get(id);
    if (at === undefined) return false;
    return !this.backplane.connected || Date.now() - at < KNOWN_MS;
  }

  needsLookup(id: string): boolean {
    return !this.owned.has(id) && !this.has(id);
  }

  /** Asks Redis who owns the session. */
  async lookup(id: string): Promise<void> {
    if (!this.backplane.connected) return;
    const owner = await this.backplane.cmd.get(keys.session(id)).catch(() => null);
    if (owner && owner !== this.node) this.known.set(id, Date.now());
    else this.known.delete(id);
  }

  sink(id: string): TapSink | undefined {
    if (!this.has(id)) {
      this.sinks.delete(id);
      return undefined;
    }
    let sink = this.sinks.get(id);
    if (!sink) this.sinks.set(id, (sink = new RemoteTap(id, this.backplane)));
    return sink;
  }

  /** Claims the session for this node; resolves once other nodes can find it and forward to it. */
  async open(session: TapSession): Promise<void> {
    const listener = (message: Buffer) => this.receive(session, message);
    this.owned.set(session.id, { session, listener });
    const subscribed = this.backplane.subscribeBytes(channels.tap(session.id), listener);
    if (!this.backplane.connected) {
      // The client subscribes once the link is back, and the resync writes the claim.
      subscribed.catch(() => undefined);
      return;
    }
    try {
      await subscribed;
      await this.claim(session.id);
      // Closed while claiming: take the claim back.
      if (!this.owned.has(session.id)) await this.backplane.cmd.del(keys.session(session.id));
    } catch {
      // Lost meanwhile: the resync after reconnection writes the claim.
    }
  }

  private async claim(id: string): Promise<void> {
    await this.backplane.cmd.set(keys.session(id), this.node, { PX: SESSION_TTL_MS });
  }

  close(session: TapSession): void {
    const entry = this.owned.get(session.id);
    if (!entry) return;
    this.owned.delete(session.id);
    void this.backplane.unsubscribeBytes(channels.tap(session.id), entry.listener).catch(() => undefined);
    if (!this.backplane.connected) return;
    void this.backplane.cmd
      .del(keys.session(session.id))
      .then(() => this.backplane.publish(channels.sessions, session.id))
      .catch(() => undefined);
  }

  /** Renews every claim (the heartbeat), or writes them again (after a reconnection). */
  async refresh(): Promise<void> {
    if (!this.backplane.connected || this.owned.size === 0) return;
    const multi = this.backplane.cmd.multi();
    for (const id of this.owned.keys()) multi.set(keys.session(id), this.node, { PX: SESSION_TTL_MS });
    await multi.exec();
  }

  /**
   * Forgets sessions whose owner is gone without saying so (killed): their claim has expired. Runs on
   * the heartbeat, so what this node keeps for other nodes' sessions stays bounded by the live ones.
   */
  async prune(): Promise<void> {
    if (!this.backplane.connected) return;
    const now = Date.now();
    for (const [id, at] of this.known) {
      if (now - at < KNOWN_MS) continue;
      const owner = await this.backplane.cmd.get(keys.session(id));
      if (owner === null) this.onClosed(id);
      else this.known.set(id, now);
    }
  }

  /** Tells every page this node serves how the cluster stands. */
  broadcast(status: ClusterStatus): void {
    for (const { session } of this.owned.values()) session.notify({ type: 'status', cluster: status });
  }

  get ownedIds(): string[] {
    return [...this.owned.keys()];
  }

  private receive(session: TapSession, message: Buffer): void {
    if (message.length < DROPPED_BYTES) return;
    session.addDropped(message.readUInt32BE(0));
    let batch;
    try {
      batch = decodeEventBatch(message.subarray(DROPPED_BYTES));
    } catch {
      return; // not a batch this build reads: nothing in it can be shown
    }
    session.addDropped(batch.skipped);
    for (const event of batch.events) {
      // Each node stamps its events; its own never come back to it (a defence, as it owns the session).
      if (event.node !== this.node) session.push(event);
    }
  }

  async stop(): Promise<void> {
    await this.backplane.unsubscribe(channels.sessions, this.onClosed).catch(() => undefined);
  }
}
