/**
 * The lab's server event stream: one per session (and one public stream for requests without a
 * session, e.g. curl). A generator started, paused, resumed and stopped by the page produces events
 * {id (monotonic), sentAt (server epoch ms), payload}; short polls, long polls, SSE and WebSocket push
 * all read the same stream, so the lab compares the transports on identical data. A bounded history
 * serves `since=ID` and SSE's Last-Event-ID resends.
 *
 * Nodes that share a backplane (server/cluster) share each stream through a StreamLink: ids are given
 * cluster-wide, every event reaches every node's subscribers, controls reach every node, and the
 * history lives in Redis. Without a link (one process) the stream is this process's alone.
 */

export interface StreamEvent {
  id: number;
  sentAt: number;
  payload: string;
}

export interface GeneratorSettings {
  /** Events per second. */
  rate: number;
  /** Payload size in bytes (ASCII). */
  payloadBytes: number;
}

export interface StreamStatus {
  state: 'stopped' | 'running' | 'paused';
  lastId: number;
  rate: number;
  payloadBytes: number;
  addLatencyMs: number;
  subscribers: number;
}

/** A change to a stream's generator or faults, from whichever node was asked. */
export type StreamControl =
  | { op: 'start'; settings: GeneratorSettings }
  | { op: 'pause' }
  | { op: 'resume' }
  | { op: 'stop' }
  | { op: 'faults'; addLatencyMs?: number; cutAll?: boolean };

/** The generator's state, as kept where every node can read it. */
export interface GeneratorState {
  state: StreamStatus['state'];
  settings: GeneratorSettings;
  addLatencyMs: number;
}

/** How a stream reaches the other nodes (server/cluster/streams.ts). */
export interface StreamLink {
  /** Gives the event an id cluster-wide; it reaches every node's subscribers (this node's too). */
  publish(payload: string): Promise<StreamEvent>;
  /** The same for the generator, which waits for nothing. */
  emit(payload: string): void;
  /** Applies the control on every node; the generator ticks only on the node that was asked to start. */
  control(control: StreamControl): Promise<void>;
  dispose(): void;
}

/**
 * Events handed to every subscriber together: the events that reached this node in one turn of the
 * event loop (a burst of publishes, one read of the backplane, one generator tick). Each subscriber
 * kind serialises them once for all its subscribers (`encoded`), so fanning out to N sockets costs N
 * writes of one shared buffer, not N encodings.
 */
export class Delivery {
  private readonly memo = new Map<string, unknown>();
  private texts: string[] | undefined;

  constructor(readonly events: readonly StreamEvent[]) {}

  /** Each event as JSON, made once. */
  json(index: number): string {
    this.texts ??= this.events.map((event) => JSON.stringify(event));
    return this.texts[index]!;
  }

  /**
   * The events from `from` on, as `encode` turns them into bytes, made once per kind and start: a
   * subscriber that joined with a resend starts later in the batch than the others.
   */
  encoded<T>(kind: string, from: number, encode: (delivery: Delivery, from: number) => T): T {
    const key = `${kind}:${from}`;
    if (!this.memo.has(key)) this.memo.set(key, encode(this, from));
    return this.memo.get(key) as T;
  }
}

/** A contender connection: how to hand it events and how to cut it (fault injection, shutdown). */
export interface Subscriber {
  /** Events `delivery.events[from…]`, in id order, each newer than any this subscriber had. */
  deliver: (delivery: Delivery, from: number) => void;
  cut: () => void;
}

/** A batch waiting for its time (the injected latency). */
interface Pending {
  events: StreamEvent[];
  due: number;
}

/** The generator ticks at most this often; faster rates emit several events per tick. */
const MIN_TICK_MS = 10;

export class EventStream {
  private history: StreamEvent[] = [];
  private lastId = 0;
  private state: StreamStatus['state'] = 'stopped';
  private settings: GeneratorSettings = { rate: 1, payloadBytes: 16 };
  private filler = '';
  private timer: NodeJS.Timeout | undefined;
  private runningSince = 0;
  private emittedThisRun = 0;
  private addLatencyMs = 0;
  /** Each subscriber with the highest id it has (from a resend or a delivery). */
  private readonly subscribers = new Map<Subscriber, number>();
  /** Events not yet handed to subscribers, oldest batch first; the last one open for this turn. */
  private readonly pending: Pending[] = [];
  private batchOpen = false;
  private deliveryTimer: NodeJS.Timeout | undefined;
  /** Whether this node ticks the generator (in a cluster, the node that was asked to start it). */
  private runsHere = false;
  private link: StreamLink | undefined;

  constructor(private readonly historySize: number) {}

  setLink(link: StreamLink): void {
    this.link = link;
  }

  status(): StreamStatus {
    return {
      state: this.state,
      lastId: this.lastId,
      rate: this.settings.rate,
      payloadBytes: this.settings.payloadBytes,
      addLatencyMs: this.addLatencyMs,
      subscribers: this.subscribers.size,
    };
  }

  get latestId(): number {
    return this.lastId;
  }

  get latencyMs(): number {
    return this.addLatencyMs;
  }

  /** Starts, pauses, resumes or stops the generator, or applies a fault: on every node of a cluster. */
  async control(control: StreamControl): Promise<void> {
    if (this.link) await this.link.control(control);
    else this.apply(control, true);
  }

  /** Applies a control here; `here`: this node ticks the generator it starts. */
  apply(control: StreamControl, here: boolean): void {
    switch (control.op) {
      case 'start':
        this.stopTimer();
        this.settings = control.settings;
        this.filler = 'x'.repeat(control.settings.payloadBytes);
        this.state = 'running';
        this.runsHere = here;
        if (here) this.startTimer();
        break;
      case 'pause':
        if (this.state !== 'running') return;
        this.stopTimer();
        this.state = 'paused';
        break;
      case 'resume':
        if (this.state !== 'paused') return;
        this.state = 'running';
        if (this.runsHere) this.startTimer();
        break;
      case 'stop':
        this.stopTimer();
        this.state = 'stopped';
        this.runsHere = false;
        break;
      case 'faults':
        this.applyFaults(control);
        break;
    }
  }

  generatorState(): GeneratorState {
    return { state: this.state, settings: this.settings, addLatencyMs: this.addLatencyMs };
  }

  /** Takes the state another node wrote (a node joining, or back after the backplane was lost). */
  restore(saved: GeneratorState, here: boolean): void {
    const same =
      saved.state === this.state &&
      here === this.runsHere &&
      saved.settings.rate === this.settings.rate &&
      saved.settings.payloadBytes === this.settings.payloadBytes;
    this.addLatencyMs = saved.addLatencyMs;
    if (same) return;
    this.apply({ op: 'start', settings: saved.settings }, here);
    if (saved.state !== 'running') this.apply({ op: saved.state === 'paused' ? 'pause' : 'stop' }, here);
  }

  /** One event with the given payload, from the generator or from a publish request. */
  publish(payload: string): Promise<StreamEvent> {
    return this.link ? this.link.publish(payload) : Promise.resolve(this.append(payload));
  }

  /** Gives the event the next id of this node and delivers it (one process, or a node on its own). */
  append(payload: string): StreamEvent {
    const event = { id: ++this.lastId, sentAt: Date.now(), payload };
    this.history.push(event);
    if (this.history.length > this.historySize) this.history.shift();
    this.enqueue(event);
    return event;
  }

  /**
   * An event from the backplane. A newer one is kept and delivered; an older one missing here (given
   * out while this node was cut off) goes into the history for resends but is not pushed again.
   */
  ingest(event: StreamEvent): void {
    if (event.id > this.lastId) {
      this.lastId = event.id;
      this.history.push(event);
      if (this.history.length > this.historySize) this.history.shift();
      this.enqueue(event);
      return;
    }
    let at = this.history.length;
    while (at > 0 && this.history[at - 1]!.id > event.id) at--;
    if (at > 0 && this.history[at - 1]!.id === event.id) return;
    if (at === 0 && this.history.length >= this.historySize) return;
    this.history.splice(at, 0, event);
    if (this.history.length > this.historySize) this.history.shift();
  }

  /** The history, oldest first (what a restarted backplane is given back). */
  kept(): readonly StreamEvent[] {
    return this.history;
  }

  /** Events after `id` still in the history, oldest first. */
  since(id: number): StreamEvent[] {
    if (id >= this.lastId) return [];
    const first = this.history.findIndex((event) => event.id > id);
    return first < 0 ? [] : this.history.slice(first);
  }

  /**
   * Adds a subscriber that has every event up to `after` (what it was resent, or `latestId`): it gets
   * each later event once, in id order, including events given ids but not yet delivered.
   */
  subscribe(subscriber: Subscriber, after = this.lastId): () => void {
    this.subscribers.set(subscriber, after);
    return () => this.subscribers.delete(subscriber);
  }

  /** Lab faults: delay every delivery, or cut every contender connection as a network failure would. */
  private applyFaults(faults: { addLatencyMs?: number; cutAll?: boolean }): void {
    if (faults.addLatencyMs !== undefined) this.addLatencyMs = faults.addLatencyMs;
    if (faults.cutAll) for (const subscriber of [...this.subscribers.keys()]) subscriber.cut();
  }

  /** Waits the injected latency, then runs `fn` (at once when there is none). */
  delayed(fn: () => void): void {
    if (this.addLatencyMs > 0) setTimeout(fn, this.addLatencyMs).unref();
    else fn();
  }

  dispose(): void {
    this.stopTimer();
    clearTimeout(this.deliveryTimer);
    this.pending.length = 0;
    this.link?.dispose();
    for (const subscriber of [...this.subscribers.keys()]) subscriber.cut();
  }

  /**
   * Queues the event for the subscribers. Events of one turn share a batch, handed out after the turn
   * (setImmediate: after the I/O callbacks that brought them), so a burst costs each socket one write.
   * The injected latency delays each batch from its first event; batches leave in order, so a latency
   * lowered meanwhile never lets a newer event overtake an older one.
   */
  private enqueue(event: StreamEvent): void {
    const last = this.pending.at(-1);
    if (this.batchOpen && last) {
      last.events.push(event);
      return;
    }
    this.pending.push({ events: [event], due: performance.now() + this.addLatencyMs });
    this.batchOpen = true;
    setImmediate(() => {
      this.batchOpen = false;
      this.deliverDue();
    });
  }

  /** Hands out every batch whose time has come, oldest first; waits for the next one. */
  private deliverDue(): void {
    clearTimeout(this.deliveryTimer);
    this.deliveryTimer = undefined;
    while (this.pending.length > 0 && !(this.batchOpen && this.pending.length === 1)) {
      const head = this.pending[0]!;
      const wait = head.due - performance.now();
      if (wait > 0) {
        this.deliveryTimer = setTimeout(() => this.deliverDue(), wait);
        this.deliveryTimer.unref();
        return;
      }
      this.pending.shift();
      this.deliver(new Delivery(head.events));
    }
  }

  private deliver(delivery: Delivery): void {
    const { events } = delivery;
    const lastId = events.at(-1)!.id;
    for (const [subscriber, after] of [...this.subscribers]) {
      // Cut or gone while an earlier subscriber was served.
      if (!this.subscribers.has(subscriber) || after >= lastId) continue;
      let from = 0;
      while (events[from]!.id <= after) from++;
      this.subscribers.set(subscriber, lastId);
      subscriber.deliver(delivery, from);
    }
  }

  private startTimer(): void {
    this.runningSince = performance.now();
    this.emittedThisRun = 0;
    const tick = Math.max(MIN_TICK_MS, Math.floor(1000 / this.settings.rate));
    this.timer = setInterval(() => this.tick(), tick);
    this.timer.unref();
  }

  private stopTimer(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    const due = Math.floor(((performance.now() - this.runningSince) * this.settings.rate) / 1000);
    // After a stall (a busy event loop) catch up by at most one second's worth, not an unbounded burst.
    const count = Math.min(due - this.emittedThisRun, this.settings.rate);
    for (let i = 0; i < count; i++) {
      // In a cluster the publishes go out in order on one connection, so ids follow the ticks.
      if (this.link) this.link.emit(this.filler);
      else this.append(this.filler);
    }
    this.emittedThisRun = due;
  }
}

/** Streams by session id; '' is the public stream. Bounded by the session cap plus one. */
export class StreamHub {
  private readonly streams = new Map<string, EventStream>();
  private linker: ((key: string, stream: EventStream) => StreamLink) | undefined;

  constructor(private readonly historySize: number) {}

  /** In a cluster: every stream, from now on, is shared through the link this makes. */
  useLink(linker: (key: string, stream: EventStream) => StreamLink): void {
    this.linker = linker;
  }

  get(key: string): EventStream {
    let stream = this.streams.get(key);
    if (!stream) {
      stream = new EventStream(this.historySize);
      this.streams.set(key, stream);
      if (this.linker) stream.setLink(this.linker(key, stream));
    }
    return stream;
  }

  drop(key: string): void {
    const stream = this.streams.get(key);
    stream?.dispose();
    this.streams.delete(key);
  }

  dispose(): void {
    for (const stream of this.streams.values()) stream.dispose();
    this.streams.clear();
  }
}
