/**
 * What every scenario machine shares: the context that holds both peers and the trace so far, and a
 * small builder that appends one step's trace events on a simulated clock. Machines are made by
 * `scenarioMachine` (machine.ts), whose single `enter` action calls `enterStep`; nothing here touches
 * the DOM, Svelte or real time.
 */
import type {
  ConnCloseEvent,
  Direction,
  Peer,
  ReadyState,
  TcpState,
  Trace,
  TraceEvent,
  UnitEvent,
  UnitKind,
} from '../trace/types';
import { TRACE_VERSION } from '../trace/types';
import { describeUnit } from '../i18n/units';
import { summarizeUnit } from '../protocol/summary';
import { renderNote, type NoteKey, type NoteParams, type NoteParamRecord } from '../i18n/notes';

/** t = 0 of every simulated trace: fixed, so a lesson shows the same Date header and timings each time. */
export const SIM_EPOCH = Date.UTC(2025, 0, 6, 9, 0, 0);

/** One-way network latency on the simulated loopback link (ms). */
export const LATENCY = 20;

/** What a unit may carry besides its bytes. */
export type UnitExtras = Pick<UnitEvent, 'error' | 'deflate' | 'inflated'>;

export interface PeerView {
  /** WebSocket readyState where the peer has one (HTTP-only peers leave it out). */
  readyState?: ReadyState;
  tcp: TcpState;
}

/** Where a step started, so a re-entered step (a learner's what-if) can rewind to it. */
export interface Checkpoint {
  events: number;
  t: number;
  client: PeerView;
  server: PeerView;
}

export interface BaseContext {
  /** The step ids visited, in order: `path.length - 1` is the place in the URL. */
  path: string[];
  checkpoints: Checkpoint[];
  events: TraceEvent[];
  /** The simulated clock (ms since SIM_EPOCH). */
  t: number;
  client: PeerView;
  server: PeerView;
  /** The learner's choices so far, in the order made, and the last one. */
  choices: string[];
  choice: string | undefined;
  /** Playback speed (1 = normal): scales the machine's timers. */
  speed: number;
  /** Scenario time spent so far in the current step's wait (see graph.ts, timers). */
  waited: number;
}

export interface BaseInput {
  /** Playback speed; scales the named delays (1 = normal). */
  speed?: number;
  reducedMotion?: boolean;
}

/** Where every scenario starts: no step yet, and both peers without a connection. */
export function baseContext(input?: BaseInput): BaseContext {
  return {
    path: [],
    checkpoints: [],
    events: [],
    t: 0,
    client: { tcp: 'CLOSED' },
    server: { tcp: 'CLOSED' },
    choices: [],
    choice: undefined,
    speed: input?.speed ?? 1,
    waited: 0,
  };
}

/** Appends the events of one step; each method advances the simulated clock as the wire would. */
export class StepBuilder {
  readonly events: TraceEvent[] = [];
  constructor(
    public t: number,
    public client: PeerView,
    public server: PeerView,
  ) {}

  wait(ms: number): this {
    this.t += ms;
    return this;
  }

  /** A TCP connection: SYN, SYN-ACK, ACK take one and a half round trips. */
  connect(conn: string): this {
    this.peer('client', { tcp: 'SYN-SENT' }, conn);
    this.t += 3 * LATENCY;
    this.opened(conn);
    this.peer('client', { tcp: 'ESTABLISHED' }, conn);
    this.peer('server', { tcp: 'ESTABLISHED' }, conn);
    return this;
  }

  /** A connection set up before the scenario begins (a server's link to a shared store): no handshake. */
  established(conn: string): this {
    this.opened(conn);
    return this;
  }

  /** A WebSocket that is already OPEN on both sides (its handshake is another lesson's). */
  openWebSocket(conn: string): this {
    this.opened(conn);
    this.peer('client', { readyState: 'OPEN', tcp: 'ESTABLISHED' }, conn);
    this.peer('server', { readyState: 'OPEN', tcp: 'ESTABLISHED' }, conn);
    return this;
  }

  private opened(conn: string): void {
    this.events.push({
      type: 'conn.open',
      t: this.t,
      conn,
      client: '127.0.0.1:50312',
      server: '127.0.0.1:8080',
    });
  }

  /**
   * A complete unit on the wire; the clock moves by one latency (it arrives then). Its summary comes from
   * the bytes, as the tap's does, so a simulated and a live unit are labelled alike. `more` carries what
   * the bytes alone do not say: a protocol error, or the compression a connection negotiated and what a
   * compressed message inflated to (which its label then shows).
   */
  unit(conn: string, dir: Direction, kind: UnitKind, bytes: Uint8Array, more: UnitExtras = {}): this {
    const summary = describeUnit(summarizeUnit(kind, bytes, more.inflated), 'en');
    const event: UnitEvent = { type: 'unit', t: this.t, conn, dir, kind, summary, bytes, ...more };
    this.events.push(event);
    this.t += LATENCY;
    return this;
  }

  peer(peer: Peer, change: Partial<PeerView>, conn?: string): this {
    const next = { ...(peer === 'client' ? this.client : this.server), ...change };
    if (peer === 'client') this.client = next;
    else this.server = next;
    this.events.push({ type: 'state', t: this.t, peer, ...(conn ? { conn } : {}), ...change });
    return this;
  }

  /**
   * A diagram note: a message key of src/lib/i18n/notes.ts with its parameters, rendered in the page's
   * language when drawn; `text` keeps the English for readers without the message table.
   */
  note<K extends NoteKey>(key: K, params: NoteParams<K>, where: { peer?: Peer; conn?: string } = {}): this {
    const record = params as NoteParamRecord | undefined;
    this.events.push({
      type: 'note',
      t: this.t,
      key,
      ...(record ? { params: record } : {}),
      text: renderNote({ key, ...(record ? { params: record } : {}) }, 'en'),
      ...(where.peer ? { peer: where.peer } : {}),
      ...(where.conn ? { conn: where.conn } : {}),
    });
    return this;
  }

  close(conn: string, by: ConnCloseEvent['by'], abnormal = false): this {
    this.events.push({ type: 'conn.close', t: this.t, conn, by, ...(abnormal ? { abnormal } : {}) });
    return this;
  }
}

export type StepBuild<C extends BaseContext> = (b: StepBuilder, context: C) => Partial<C> | void;

/** Enter `stepId`: record a checkpoint, run its builder and fold the result into the context. */
export function enterStep<C extends BaseContext>(
  context: C,
  stepId: string,
  build: StepBuild<C>,
): Partial<C> {
  const b = new StepBuilder(context.t, context.client, context.server);
  const extra = build(b, context) ?? {};
  const checkpoint: Checkpoint = {
    events: context.events.length,
    t: context.t,
    client: context.client,
    server: context.server,
  };
  return {
    ...extra,
    path: [...context.path, stepId],
    checkpoints: [...context.checkpoints, checkpoint],
    events: [...context.events, ...b.events],
    t: b.t,
    client: b.client,
    server: b.server,
    waited: 0,
  } as Partial<C>;
}

/**
 * Undo the current step (its events, clock and peer states) so it can be entered again with another
 * choice. Only used for a what-if on the step being shown; stepping back uses stored snapshots.
 */
export function rewindStep<C extends BaseContext>(context: C): Partial<C> {
  const last = context.checkpoints.at(-1);
  if (!last) return {};
  return {
    path: context.path.slice(0, -1),
    checkpoints: context.checkpoints.slice(0, -1),
    events: context.events.slice(0, last.events),
    t: last.t,
    client: last.client,
    server: last.server,
  } as Partial<C>;
}

/** Index in `events` where the current step's events begin (the picture animates those). */
export function currentStepStart(context: BaseContext): number {
  return context.checkpoints.at(-1)?.events ?? 0;
}

export function toTrace(context: BaseContext, title?: string): Trace {
  return {
    version: TRACE_VERSION,
    source: 'simulation',
    startedAt: SIM_EPOCH,
    ...(title ? { title } : {}),
    events: context.events,
  };
}

/** An HTTP Date header value for simulated time t (RFC 9110 section 5.6.7, IMF-fixdate). */
export function httpDate(t: number): string {
  return new Date(SIM_EPOCH + t).toUTCString();
}

/** The units of a trace: what the sequence diagram draws as arrows. */
export function units(events: readonly TraceEvent[]): UnitEvent[] {
  return events.filter((e): e is UnitEvent => e.type === 'unit');
}
