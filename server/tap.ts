/**
 * The byte-exact tap. Every accepted TCP connection is wrapped at the HTTP server's 'connection' event,
 * before node:http or ws has read or written a byte:
 *
 * - client to server: a 'data' listener put in front of every other (prependListener). node:http hands
 *   its parser to JS 'data' events once anyone listens for them, and the listener keeps seeing chunks
 *   after an upgrade, so the request head, the `head` buffer given to ws and every frame pass through it.
 * - server to client: the socket's `_write`/`_writev`, which the Writable machinery calls for every chunk
 *   in order, whether it came from write(), end(data) or a corked batch (node:http and ws use all three).
 * - TCP: 'connection' is the open; `_final` (our FIN), 'end' (their FIN) and 'close' give the close.
 *
 * A connection belongs to the session named by the first request on it (src/lib/trace/tap.ts); events
 * before that request are held, then flushed to the session or dropped. A connection no one watches is
 * unwrapped at once, so untapped traffic costs nothing afterwards.
 */
import type { Socket } from 'node:net';
import { renderNote, type NoteKey, type NoteParamRecord, type NoteParams } from '../src/lib/i18n/notes.ts';
import type { Direction, Peer, ProxyLeg, TraceEvent, UnitEvent } from '../src/lib/trace/index.ts';
import type { Recorder } from './record.ts';
import type { SessionRegistry, TapSession } from './sessions.ts';

/** Where a watched connection's events go: its session here, or (in a cluster) the node that owns it. */
export interface TapSink {
  readonly id: string;
  push(event: TraceEvent): void;
}

/** Turns one connection's byte streams into parsed units (HTTP messages, WebSocket frames). */
export interface UnitParser {
  push(dir: Direction, bytes: Uint8Array, t: number): UnitEvent[];
}
export type UnitParserFactory = (conn: string) => UnitParser;

/** Held events per connection before its first request names a session (the head is bounded anyway). */
const MAX_HELD_EVENTS = 1_000;
/**
 * How long captured bytes wait to be parsed, in one batch with whatever else arrived meanwhile. With the
 * session's own batching (sessions.ts) an event reaches the page within about 15 ms of its bytes.
 */
const TAP_PARSE_MS = 5;

type WriteCallback = (error?: Error | null) => void;
interface WritableInternals {
  _write(chunk: unknown, encoding: BufferEncoding, callback: WriteCallback): void;
  _writev?(chunks: Array<{ chunk: unknown; encoding: BufferEncoding }>, callback: WriteCallback): void;
  _final(callback: WriteCallback): void;
}

const TIME_ORIGIN = performance.timeOrigin;

function now(): number {
  return TIME_ORIGIN + performance.now();
}

function toBytes(chunk: unknown, encoding: BufferEncoding): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  return Buffer.from(String(chunk), encoding);
}

/** Chunks up to this size are copied into a shared slab; larger ones get an array of their own. */
const SLAB_CHUNK_MAX = 4 * 1024;
const SLAB_BYTES = 64 * 1024;

/**
 * Where the tap keeps its copies of captured chunks. A small typed array allocated on its own costs far
 * more than its bytes (V8 gives every ArrayBuffer over 64 bytes a backing store of its own, tracked for
 * the garbage collector: microseconds each, several per watched echo), so small chunks are copied into
 * a 64 KiB slab and handed out as views of it. A slab is freed once no event refers to it any more.
 */
export class CopySlab {
  private slab = new ArrayBuffer(SLAB_BYTES);
  private used = 0;

  /** One fresh array holding `parts` back to back (the caller may reuse or change the parts afterwards). */
  copy(parts: readonly Uint8Array[]): Uint8Array {
    let length = 0;
    for (let i = 0; i < parts.length; i++) length += parts[i]!.length;
    let out: Uint8Array;
    if (length > SLAB_CHUNK_MAX) {
      out = new Uint8Array(length);
    } else {
      if (this.used + length > SLAB_BYTES) {
        this.slab = new ArrayBuffer(SLAB_BYTES);
        this.used = 0;
      }
      out = new Uint8Array(this.slab, this.used, length);
      this.used += (length + 7) & ~7; // keep views 8-byte aligned
    }
    let at = 0;
    for (let i = 0; i < parts.length; i++) {
      out.set(parts[i]!, at);
      at += parts[i]!.length;
    }
    return out;
  }
}

class ConnectionTap {
  /** pending: no request yet; watched: a session or the recorder wants events; detached: no one does. */
  private state: 'pending' | 'watched' | 'detached' = 'pending';
  private session: TapSink | undefined;
  private held: TraceEvent[] = [];
  private parser: UnitParser | undefined;
  private finFrom: 'client' | 'server' | undefined;
  /** Bytes the socket will emit a second time (the upgrade's head, see expectReplay). */
  private replay: Buffer | undefined;
  private readonly onData = (chunk: Buffer) =>
    this.bytes('c2s', [this.replay ? this.withoutReplay(chunk) : chunk]);

  constructor(
    readonly id: string,
    private readonly socket: Socket,
    private readonly recorder: Recorder | undefined,
    private readonly makeParser: UnitParserFactory,
    /** Runs work after the current I/O callback, in capture order (see TapHub.defer). */
    private readonly defer: (job: () => void) => void,
    private readonly slab: CopySlab,
    /** In a cluster, the node stamped on every event. */
    private readonly node: string | undefined,
  ) {
    this.parser = makeParser(id);
    this.wrap();
    const open: TraceEvent = {
      type: 'conn.open',
      t: now(),
      conn: id,
      client: `${socket.remoteAddress}:${socket.remotePort}`,
      server: `${socket.localAddress}:${socket.localPort}`,
    };
    this.defer(() => this.emit(open));
  }

  get sessionId(): string | undefined {
    return this.session?.id;
  }

  private wrap(): void {
    const socket = this.socket;
    const internals = socket as unknown as WritableInternals;
    const write = internals._write;
    const writev = internals._writev;
    const final = internals._final;
    internals._write = (chunk, encoding, callback) => {
      this.bytes('s2c', [toBytes(chunk, encoding)]);
      write.call(socket, chunk, encoding, callback);
    };
    if (writev) {
      // A corked batch (ws writes a frame's header and payload so) is one write on the wire: one event,
      // one copy, and the parser sees the frame whole instead of joining its pieces again.
      internals._writev = (chunks, callback) => {
        const parts: Uint8Array[] = new Array(chunks.length);
        for (let i = 0; i < chunks.length; i++) parts[i] = toBytes(chunks[i]!.chunk, chunks[i]!.encoding);
        this.bytes('s2c', parts);
        writev.call(socket, chunks, callback);
      };
    }
    internals._final = (callback) => {
      this.finFrom ??= 'server';
      final.call(socket, callback);
    };
    socket.prependListener('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onClose);
  }

  private readonly onEnd = () => {
    this.finFrom ??= 'client';
  };

  private readonly onClose = (hadError: boolean) => {
    const close: TraceEvent = {
      type: 'conn.close',
      t: now(),
      conn: this.id,
      by: this.finFrom ?? 'unknown',
      ...(hadError || this.finFrom === undefined ? { abnormal: true } : {}),
    };
    this.defer(() => this.emit(close));
  };

  /** Restores the socket's own methods: after this the connection runs exactly as if never tapped. */
  private unwrap(): void {
    const internals = this.socket as unknown as Record<string, unknown>;
    delete internals._write;
    delete internals._writev;
    delete internals._final;
    this.socket.removeListener('data', this.onData);
    this.socket.removeListener('end', this.onEnd);
    this.socket.removeListener('close', this.onClose);
    this.parser = undefined;
  }

  /**
   * At upgrade, node:http hands ws the bytes after the request head (`head`), and ws puts them back
   * into the socket with readable.unshift(), so they pass our 'data' listener a second time. They were
   * recorded already, as part of the chunk that carried the request.
   */
  expectReplay(head: Buffer): void {
    if (head.length > 0) this.replay = this.replay ? Buffer.concat([this.replay, head]) : head;
  }

  /** Puts our 'data' listener back in front, after another module prepended its own. */
  keepFirst(): void {
    if (this.state === 'detached') return;
    this.socket.removeListener('data', this.onData);
    this.socket.prependListener('data', this.onData);
  }

  private withoutReplay(chunk: Buffer): Buffer {
    const replay = this.replay;
    if (!replay) return chunk;
    const n = Math.min(replay.length, chunk.length);
    if (!chunk.subarray(0, n).equals(replay.subarray(0, n))) {
      this.replay = undefined; // not the replay after all: keep every byte
      return chunk;
    }
    this.replay = n === replay.length ? undefined : replay.subarray(n);
    return chunk.subarray(n);
  }

  /** One read or one write (`parts`: the buffers of a corked write, in order). */
  private bytes(dir: Direction, parts: readonly Uint8Array[]): void {
    if (this.state === 'detached') return;
    let length = 0;
    for (let i = 0; i < parts.length; i++) length += parts[i]!.length;
    if (length === 0) return;
    const t = now();
    // Copy now: node:http and ws may reuse or slice the buffers they were given. Everything else waits
    // until the connection's own work (an echo, a response) has been written.
    const bytes = this.slab.copy(parts);
    this.defer(() => {
      this.emit({ type: 'bytes', t, conn: this.id, dir, bytes });
      if (this.parser) for (const unit of this.parser.push(dir, bytes, t)) this.emit(unit);
    });
  }

  private emit(event: TraceEvent): void {
    if (this.node !== undefined) event.node = this.node;
    this.recorder?.write(event);
    if (this.state === 'pending') {
      if (this.held.length < MAX_HELD_EVENTS) this.held.push(event);
    } else if (this.session) {
      this.session.push(event);
    }
  }

  /** The first request on the connection decides who watches it; later requests change nothing. */
  assign(session: TapSink | undefined): void {
    if (this.state !== 'pending') return;
    this.session = session;
    if (session) for (const event of this.held) session.push(event);
    this.held = [];
    if (session || this.recorder) {
      this.state = 'watched';
    } else {
      this.state = 'detached';
      this.unwrap();
    }
  }

  /** The tap's own sockets are never tapped: they carry the trace itself. */
  exclude(): void {
    if (this.state === 'detached') return;
    this.state = 'detached';
    this.held = [];
    this.unwrap();
  }
}

/**
 * One leg of a proxied connection (`--target`). The proxy reads and writes every byte of it itself, so
 * it reports them here once they are forwarded: no socket is wrapped. Events go to every session
 * watching all proxied traffic, to the recorder and to the hub's backlog.
 *
 * The two legs of a connection carry the same bytes, so while they have seen exactly the same bytes
 * both ways they share one parser: each chunk is copied once and parsed once, and the second leg's units
 * are the first's under its own conn id. Bytes that reach one leg only (wirescope's own pages on
 * the same connection, a 502, 403 or 408 it answers itself, a retired upstream's stray bytes) end the
 * sharing: the proxy switches upstreams, or answers, only between messages (RFC 9112 section 9.3), so
 * the target leg goes on with a parser of its own from there and the client leg keeps the shared one.
 */
export class LegTap {
  private parser: UnitParser | undefined;
  private closed = false;
  /** No bytes reported yet: a target leg opening now may share this leg's parser. */
  private fresh = true;
  /** The other leg, while the two share `parser`. */
  private partner: LegTap | undefined;

  constructor(
    readonly id: string,
    readonly leg: ProxyLeg,
    private readonly makeParser: UnitParserFactory,
    private readonly emit: (event: TraceEvent) => void,
    private readonly defer: (job: () => void) => void,
    private readonly slab: CopySlab,
  ) {
    this.parser = makeParser(id);
  }

  /** A target leg opening on a client leg that has seen no bytes yet: from now on they parse as one. */
  shareWith(client: LegTap): void {
    if (!client.fresh || !this.fresh || client.closed || client.partner) return;
    this.parser = client.parser;
    this.partner = client;
    client.partner = this;
  }

  /** Bytes that reach this leg only (the caller may reuse `chunk`: it is copied). */
  bytes(dir: Direction, chunk: Uint8Array): void {
    if (this.closed || chunk.length === 0) return;
    this.split();
    this.fresh = false;
    const bytes = this.slab.copy([chunk]);
    const t = now();
    const parser = this.parser;
    this.defer(() => this.record(parser, dir, bytes, t));
  }

  /**
   * The same bytes crossing both legs, `this` first (the leg they came in on), then `other`: one copy,
   * and one parse while the two share a parser.
   */
  crossing(other: LegTap, dir: Direction, chunk: Uint8Array): void {
    if (other.closed) return this.bytes(dir, chunk);
    if (this.closed) return other.bytes(dir, chunk);
    if (chunk.length === 0) return;
    this.fresh = other.fresh = false;
    const bytes = this.slab.copy([chunk]);
    const t = now();
    const first = this.parser;
    const second = other.parser;
    if (this.partner === other) {
      this.defer(() => {
        const units = this.record(first, dir, bytes, t);
        other.emit({ type: 'bytes', t, conn: other.id, dir, bytes });
        for (const unit of units) other.emit(other.own(unit));
      });
    } else {
      this.defer(() => {
        this.record(first, dir, bytes, t);
        other.record(second, dir, bytes, t);
      });
    }
  }

  /** The bytes event and the units it completes (with the parser the leg had when the bytes came). */
  private record(parser: UnitParser | undefined, dir: Direction, bytes: Uint8Array, t: number): UnitEvent[] {
    this.emit({ type: 'bytes', t, conn: this.id, dir, bytes });
    if (!parser) return [];
    const units = parser.push(dir, bytes, t);
    for (const unit of units) this.emit(this.own(unit));
    return units;
  }

  /** A unit of the shared parser (named after the leg that made it) as this leg's. */
  private own(unit: UnitEvent): UnitEvent {
    return unit.conn === this.id ? unit : { ...unit, conn: this.id };
  }

  /** The legs stop seeing the same bytes: the client leg keeps the parser, the target leg starts its own. */
  private split(): void {
    const partner = this.partner;
    if (!partner) return;
    this.partner = partner.partner = undefined;
    const target = this.leg === 'target' ? this : partner;
    target.parser = target.closed ? undefined : this.makeParser(target.id);
  }

  /** A diagram note (a message key with its parameters, and its English text for other readers). */
  note<K extends NoteKey>(key: K, params: NoteParams<K>): void {
    if (this.closed) return;
    const record = params as NoteParamRecord | undefined;
    const event: TraceEvent = {
      type: 'note',
      t: now(),
      conn: this.id,
      key,
      ...(record ? { params: record } : {}),
      text: renderNote({ key, ...(record ? { params: record } : {}) }, 'en'),
    };
    this.defer(() => this.emit(event));
  }

  close(by: Peer | 'unknown', abnormal: boolean): void {
    if (this.closed) return;
    this.closed = true;
    const partner = this.partner;
    if (partner) this.partner = partner.partner = undefined; // the other leg keeps the parser
    this.parser = undefined;
    const event: TraceEvent = {
      type: 'conn.close',
      t: now(),
      conn: this.id,
      by,
      ...(abnormal ? { abnormal: true } : {}),
    };
    this.defer(() => this.emit(event));
  }
}

/** Bytes an event holds (by its type: an `in` test on events of many shapes costs more, per event). */
function capturedBytes(event: TraceEvent): number {
  return event.type === 'bytes' || event.type === 'unit' ? event.bytes.length : 0;
}

/** The most recent proxied events, bounded in count and bytes, for a page that opens the tap later. */
class Backlog {
  private events: TraceEvent[] = [];
  private start = 0;
  private bytes = 0;

  constructor(
    private readonly maxEvents: number,
    private readonly maxBytes: number,
  ) {}

  push(event: TraceEvent): void {
    this.events.push(event);
    this.bytes += capturedBytes(event);
    while (this.events.length - this.start > this.maxEvents || this.bytes > this.maxBytes) {
      this.bytes -= capturedBytes(this.events[this.start++]!);
    }
    // Compact now and then so the array does not grow without bound.
    if (this.start > 1024 && this.start * 2 > this.events.length) {
      this.events = this.events.slice(this.start);
      this.start = 0;
    }
  }

  get list(): TraceEvent[] {
    return this.events.slice(this.start);
  }

  get first(): TraceEvent | undefined {
    return this.events[this.start];
  }
}

export interface ProxyTapOptions {
  /** Parser for proxied legs: the app's own limits are unknown, so larger ones than the demo's. */
  makeParser: UnitParserFactory;
  backlogEvents: number;
  backlogBytes: number;
}

export class TapHub {
  private readonly taps = new WeakMap<Socket, ConnectionTap>();
  private readonly slab = new CopySlab();
  private counter = 0;
  /** Sessions that watch every proxied connection (`/ws/tap?all=1`, `--target` only). */
  private readonly watchers = new Set<TapSession>();
  private readonly backlog: Backlog;
  /** In a cluster: this node's name, and the sessions other nodes own. */
  private node: string | undefined;
  private remote: ((id: string) => TapSink | undefined) | undefined;

  constructor(
    private readonly sessions: SessionRegistry,
    private readonly recorder: Recorder | undefined,
    private readonly enabled: boolean,
    private readonly makeParser: UnitParserFactory,
    private readonly proxy: ProxyTapOptions = { makeParser, backlogEvents: 0, backlogBytes: 0 },
  ) {
    this.backlog = new Backlog(proxy.backlogEvents, proxy.backlogBytes);
  }

  /**
   * A new leg of a proxied connection; undefined when the tap is off. Its conn.open carries the leg and,
   * for a target leg, the client leg it serves.
   */
  openLeg(
    open: { leg: ProxyLeg; client?: string; server?: string; pair?: string },
    /** The client leg a target leg serves: they share a parser while they see the same bytes. */
    client?: LegTap,
  ): LegTap | undefined {
    if (!this.enabled) return undefined;
    const id = `c${++this.counter}`;
    const leg = new LegTap(
      id,
      open.leg,
      this.proxy.makeParser,
      this.emitProxied,
      (job) => this.defer(job),
      this.slab,
    );
    if (client) leg.shareWith(client);
    const event: TraceEvent = { type: 'conn.open', t: now(), conn: id, ...open };
    this.defer(() => this.emitProxied(event));
    return leg;
  }

  private readonly emitProxied = (event: TraceEvent): void => {
    this.recorder?.write(event);
    this.backlog.push(event);
    for (const session of this.watchers) session.push(event);
  };

  /** The session sees every proxied event from now on, after the backlog (in capture order). */
  watchAll(session: TapSession): void {
    this.drain();
    for (const event of this.backlog.list) session.push(event);
    this.watchers.add(session);
  }

  unwatchAll(session: TapSession): void {
    this.watchers.delete(session);
  }

  /** Epoch milliseconds of the oldest event a new watcher will get (or undefined when there is none). */
  get backlogStart(): number | undefined {
    this.drain();
    return this.backlog.first?.t;
  }

  /** Work captured on the connections' I/O path, run in capture order once that I/O is done. */
  private jobs: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly runJobs = () => this.drain();

  /**
   * The tap stays off the critical path: capturing a chunk costs a copy; turning it into trace events
   * (parsing, queueing for the page, recording) waits for the next batch, TAP_PARSE_MS later. Done
   * after each read or write instead (from setImmediate), that work sat between a watched echo and the
   * next one: a client that answers quickly found the server still parsing. In batches it runs while
   * the watched connections wait anyway, and costs less per chunk. One queue for every connection keeps
   * the trace in the order the bytes were seen.
   */
  private defer(job: () => void): void {
    if (this.jobs.push(job) === 1) this.timer = setTimeout(this.runJobs, TAP_PARSE_MS);
  }

  /** Runs every captured job now (also before the recorder closes, so nothing is lost). */
  drain(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const jobs = this.jobs;
    this.jobs = [];
    for (const job of jobs) job();
  }

  /**
   * Joins a cluster: events name this node, connection ids are unique across nodes ("a/c1"), and a
   * connection whose session lives on another node is forwarded there.
   */
  useCluster(node: string, remote: (id: string) => TapSink | undefined): void {
    this.node = node;
    this.remote = remote;
  }

  /** Call from the HTTP server's 'connection' event. */
  attach(socket: Socket): void {
    if (!this.enabled) return;
    const n = ++this.counter;
    const id = this.node === undefined ? `c${n}` : `${this.node}/c${n}`;
    const tap = new ConnectionTap(
      id,
      socket,
      this.recorder,
      this.makeParser,
      (job) => this.defer(job),
      this.slab,
      this.node,
    );
    this.taps.set(socket, tap);
  }

  /** Call for each request (or upgrade) with its `session` query value. */
  assign(socket: Socket, sessionId: string | null): void {
    const tap = this.taps.get(socket);
    if (!tap) return;
    tap.assign(this.sessions.get(sessionId) ?? (sessionId ? this.remote?.(sessionId) : undefined));
  }

  expectReplay(socket: Socket, head: Buffer): void {
    this.taps.get(socket)?.expectReplay(head);
  }

  keepFirst(socket: Socket): void {
    this.taps.get(socket)?.keepFirst();
  }

  exclude(socket: Socket): void {
    this.taps.get(socket)?.exclude();
  }

  connectionId(socket: Socket): string | undefined {
    return this.taps.get(socket)?.id;
  }

  sessionOf(socket: Socket): string | undefined {
    return this.taps.get(socket)?.sessionId;
  }
}
