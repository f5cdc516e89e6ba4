/**
 * Tap sessions: one per page that opened `/ws/tap`. A session owns the connections whose first request
 * named it (src/lib/trace/tap.ts) and a bounded queue of trace events on their way to the page.
 */
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import {
  BATCH_INDEX_AT,
  type BatchIndexEvent,
  type BatchRange,
  type ClusterStatus,
  type JsonTraceEvent,
  type TapServerMessage,
  type TraceEvent,
} from '../src/lib/trace/index.ts';

/** A trace event stamped with epoch milliseconds; each consumer makes `t` relative to its own start. */
export type TimedEvent = TraceEvent;

/** Send no more while the tap socket has this much unsent; the queue (bounded) absorbs the rest. */
const TAP_SOCKET_HIGH_WATER = 1024 * 1024;
/** How long events gather before they are written to the tap socket (far below what a person notices). */
const TAP_BATCH_MS = 10;
/** Events per tap message at most, so one message stays small enough for the page to parse at once. */
const TAP_BATCH_EVENTS = 500;
/** Bytes of captured data queued per session at most (a fast stream must not fill memory while a page reads slowly). */
const TAP_QUEUE_BYTES = 32 * 1024 * 1024;

function sizeOf(event: TraceEvent): number {
  return 'bytes' in event ? event.bytes.length : 0;
}

/** What a session watches: its own connections, or (in front of an app) every proxied one. */
export interface SessionScope {
  /** Watch every proxied connection (`?all=1`, `--target` only). */
  all?: boolean;
  /** The app wirescope stands in front of, named in the hello. */
  target?: string;
  /** Epoch milliseconds that event times count from (default: now). */
  startedAt?: number;
}

/** How a writer puts an event's bytes into its JSON: base64 text (files), or a range of a batch's data. */
type BytesValue = (bytes: Uint8Array) => string | BatchRange;

/** eventToJson's form, with Node's native base64 (or the batch's ranges, with `bytesValue`). */
export function toJson(event: TraceEvent, t: number): JsonTraceEvent;
export function toJson(
  event: TraceEvent,
  t: number,
  bytesValue: BytesValue,
): JsonTraceEvent | BatchIndexEvent;
export function toJson(
  event: TraceEvent,
  t: number,
  bytesValue: BytesValue = base64,
): JsonTraceEvent | BatchIndexEvent {
  if (event.type === 'unit' && event.inflated !== undefined) {
    // A compressed message's last frame also carries what it inflated to (RFC 7692 section 7.2.2).
    return {
      ...event,
      t,
      bytes: bytesValue(event.bytes),
      inflated: bytesValue(event.inflated),
    } as JsonTraceEvent;
  }
  if ('bytes' in event) return { ...event, t, bytes: bytesValue(event.bytes) } as JsonTraceEvent;
  return { ...event, t } as JsonTraceEvent;
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * `JSON.stringify(toJson(event, t, bytesValue))`, written out directly for the events a watched echo
 * makes (bytes, and units with nothing optional: no error, no compression marks, no cluster node): no
 * object is built per event only to be serialised again. `dir` and `kind` are fixed words, base64 and
 * ranges need no escaping; the strings that vary go through JSON.stringify.
 *
 * One writer serves one batch of events (they do not change while it lives). Two savings come from
 * the batch's shape: its events name few connections (each name is quoted once), and a frame that
 * arrived in one chunk is a unit whose bytes are that chunk's bytes event's bytes, the same view of
 * the same copy, so it reuses that event's bytes value instead of encoding (or sending) them again.
 */
export class EventJsonWriter {
  private conn = '';
  private connJson = '""';
  private encoded: Uint8Array | undefined;
  private encodedValue: string | BatchRange = '';
  private encodedJson = '""';
  /** The bytes' value for toJson, shared with the JSON text as bytesJson shares it. */
  private readonly value = (bytes: Uint8Array): string | BatchRange => {
    this.bytesJson(bytes);
    return this.encodedValue;
  };

  constructor(private readonly bytesValue: BytesValue = base64) {}

  text(event: TraceEvent, t: number): string {
    // In a cluster every event names the node that saw it: the general path writes that field too.
    if (event.node !== undefined) return JSON.stringify(toJson(event, t, this.value));
    if (event.type === 'bytes') {
      return `{"type":"bytes","t":${t},"conn":${this.quoted(event.conn)},"dir":"${event.dir}","bytes":${this.bytesJson(event.bytes)}}`;
    }
    if (
      event.type === 'unit' &&
      event.error === undefined &&
      event.deflate === undefined &&
      event.inflated === undefined
    ) {
      return `{"type":"unit","t":${t},"conn":${this.quoted(event.conn)},"dir":"${event.dir}","kind":"${event.kind}","summary":${JSON.stringify(event.summary)},"bytes":${this.bytesJson(event.bytes)}}`;
    }
    return JSON.stringify(toJson(event, t, this.value));
  }

  private quoted(conn: string): string {
    if (conn !== this.conn) {
      this.conn = conn;
      this.connJson = JSON.stringify(conn);
    }
    return this.connJson;
  }

  /** The bytes' JSON, made once for consecutive events that hold the same view. */
  private bytesJson(bytes: Uint8Array): string {
    const last = this.encoded;
    if (
      last === undefined ||
      last.buffer !== bytes.buffer ||
      last.byteOffset !== bytes.byteOffset ||
      last.byteLength !== bytes.byteLength
    ) {
      const value = this.bytesValue(bytes);
      this.encoded = bytes;
      this.encodedValue = value;
      this.encodedJson = typeof value === 'string' ? `"${value}"` : `[${value[0]},${value[1]}]`;
    }
    return this.encodedJson;
  }
}

/** One event's JSON text, bytes in base64 (see EventJsonWriter). */
export function eventJsonText(event: TraceEvent, t: number): string {
  return new EventJsonWriter().text(event, t);
}

/** One binary batch message (src/lib/trace/batch.ts) being written: the index's JSON, then the data. */
export class EventBatchWriter {
  private index = '[';
  private readonly data: Uint8Array[] = [];
  private dataLength = 0;
  private readonly json = new EventJsonWriter((bytes) => this.range(bytes));
  private count = 0;

  add(event: TraceEvent, t: number): void {
    this.index += (this.count++ === 0 ? '' : ',') + this.json.text(event, t);
  }

  private range(bytes: Uint8Array): BatchRange {
    const offset = this.dataLength;
    this.data.push(bytes);
    this.dataLength += bytes.length;
    return [offset, bytes.length];
  }

  /** The message; `headroom` bytes before the batch are left for the caller to fill (no copy). */
  finish(headroom = 0): Buffer {
    const index = `${this.index}]`;
    const indexLength = Buffer.byteLength(index);
    const out = Buffer.allocUnsafe(headroom + BATCH_INDEX_AT + indexLength + this.dataLength);
    out.writeUInt32BE(indexLength, headroom);
    out.write(index, headroom + BATCH_INDEX_AT, 'utf8');
    let at = headroom + BATCH_INDEX_AT + indexLength;
    for (const part of this.data) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
}

export class TapSession {
  readonly id = randomBytes(16).toString('base64url');
  readonly startedAt: number;
  private queue: TraceEvent[] = [];
  private queuedBytes = 0;
  private dropped = 0;
  private flushScheduled = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: WebSocket,
    private readonly capacity: number,
    /** The tap socket's TCP stream: corked while a batch is written, so a batch leaves in one writev. */
    private readonly stream: Duplex | undefined,
    readonly scope: SessionScope = {},
  ) {
    this.startedAt = scope.startedAt ?? Date.now();
  }

  /** In a cluster, `cluster` names this node and the backplane's state. */
  hello(cluster?: ClusterStatus): TapServerMessage {
    return {
      type: 'hello',
      session: this.id,
      startedAt: this.startedAt,
      ...(this.scope.all ? { all: true } : {}),
      ...(this.scope.target ? { target: this.scope.target } : {}),
      ...(cluster ? { cluster } : {}),
    };
  }

  /** A message outside the event batches (the cluster's status), sent at once. */
  notify(message: TapServerMessage): void {
    if (this.socket.readyState === this.socket.OPEN) this.send(message);
  }

  /** Events lost before they reached this node (another node could not forward them). */
  addDropped(count: number): void {
    if (count <= 0) return;
    this.dropped += count;
    this.scheduleFlush();
  }

  /** Takes an event whose `t` is epoch milliseconds. */
  push(event: TimedEvent): void {
    this.queue.push(event);
    this.queuedBytes += sizeOf(event);
    while (
      this.queue.length > 1 &&
      (this.queue.length > this.capacity || this.queuedBytes > TAP_QUEUE_BYTES)
    ) {
      // Drop the oldest: the newest bytes are what the learner is looking at now.
      this.queuedBytes -= sizeOf(this.queue.shift()!);
      this.dropped++;
    }
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // Batch what a few milliseconds produce into one corked write: one syscall for many events, and the
    // connections being watched are not slowed by a tap write after each of their own.
    setTimeout(() => this.flush(), TAP_BATCH_MS);
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.socket.readyState !== this.socket.OPEN) return;
    if (this.dropped > 0) {
      this.send({ type: 'dropped', count: this.dropped });
      this.dropped = 0;
    }
    // One binary message per batch (src/lib/trace/batch.ts): far cheaper to frame, send and read than one
    // message an event, and the bytes go raw.
    this.stream?.cork();
    let sent = 0;
    while (sent < this.queue.length && this.socket.bufferedAmount < TAP_SOCKET_HIGH_WATER) {
      const end = Math.min(this.queue.length, sent + TAP_BATCH_EVENTS);
      const batch = new EventBatchWriter();
      for (; sent < end; sent++) {
        const event = this.queue[sent]!;
        batch.add(event, event.t - this.startedAt);
      }
      this.socket.send(batch.finish());
    }
    this.queue = sent === this.queue.length ? [] : this.queue.slice(sent);
    this.queuedBytes = this.queue.reduce((n, event) => n + sizeOf(event), 0);
    this.stream?.uncork();
    if (this.queue.length > 0 && this.retryTimer === undefined) {
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.flush();
      }, 20);
    }
  }

  private send(message: TapServerMessage): void {
    this.socket.send(JSON.stringify(message));
  }

  dispose(): void {
    clearTimeout(this.retryTimer);
    this.queue = [];
    this.queuedBytes = 0;
  }
}

export class SessionRegistry {
  private readonly sessions = new Map<string, TapSession>();

  constructor(
    private readonly maxSessions: number,
    private readonly bufferEvents: number,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  /** A new session for this tap socket, or undefined when the cap is reached. */
  open(socket: WebSocket, stream?: Duplex, scope: SessionScope = {}): TapSession | undefined {
    if (this.sessions.size >= this.maxSessions) return undefined;
    const session = new TapSession(socket, this.bufferEvents, stream, scope);
    this.sessions.set(session.id, session);
    return session;
  }

  close(session: TapSession): void {
    session.dispose();
    this.sessions.delete(session.id);
  }

  get(id: string | null | undefined): TapSession | undefined {
    return id ? this.sessions.get(id) : undefined;
  }
}
