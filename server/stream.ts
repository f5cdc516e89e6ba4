/**
 * The lab's server event stream: one per session (and one public stream for requests without a
 * session, e.g. curl). A generator started, paused, resumed and stopped by the page produces events
 * {id (monotonic), sentAt (server epoch ms), payload}; short polls, long polls, SSE and WebSocket push
 * all read the same stream, so the lab compares the transports on identical data. A bounded history
 * serves `since=ID` and SSE's Last-Event-ID resends.
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

type Listener = (event: StreamEvent) => void;

/** A contender connection: how to hand it an event and how to cut it (fault injection, shutdown). */
export interface Subscriber {
  deliver: Listener;
  cut: () => void;
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
  private readonly subscribers = new Set<Subscriber>();

  constructor(private readonly historySize: number) {}

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

  start(settings: GeneratorSettings): void {
    this.stopTimer();
    this.settings = settings;
    this.filler = 'x'.repeat(settings.payloadBytes);
    this.state = 'running';
    this.startTimer();
  }

  pause(): void {
    if (this.state !== 'running') return;
    this.stopTimer();
    this.state = 'paused';
  }

  resume(): void {
    if (this.state !== 'paused') return;
    this.state = 'running';
    this.startTimer();
  }

  stop(): void {
    this.stopTimer();
    this.state = 'stopped';
  }

  /** One event with the given payload, from the generator or from a publish request. */
  publish(payload: string): StreamEvent {
    const event = { id: ++this.lastId, sentAt: Date.now(), payload };
    this.history.push(event);
    if (this.history.length > this.historySize) this.history.shift();
    for (const subscriber of this.subscribers) this.deliverLater(subscriber, event);
    return event;
  }

  /** Events after `id` still in the history, oldest first. */
  since(id: number): StreamEvent[] {
    if (id >= this.lastId) return [];
    const first = this.history.findIndex((event) => event.id > id);
    return first < 0 ? [] : this.history.slice(first);
  }

  subscribe(subscriber: Subscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  /** Lab faults: delay every delivery, or cut every contender connection as a network failure would. */
  applyFaults(faults: { addLatencyMs?: number; cutAll?: boolean }): void {
    if (faults.addLatencyMs !== undefined) this.addLatencyMs = faults.addLatencyMs;
    if (faults.cutAll) for (const subscriber of [...this.subscribers]) subscriber.cut();
  }

  /** Waits the injected latency, then runs `fn` (at once when there is none). */
  delayed(fn: () => void): void {
    if (this.addLatencyMs > 0) setTimeout(fn, this.addLatencyMs).unref();
    else fn();
  }

  dispose(): void {
    this.stopTimer();
    for (const subscriber of [...this.subscribers]) subscriber.cut();
  }

  private deliverLater(subscriber: Subscriber, event: StreamEvent): void {
    this.delayed(() => {
      if (this.subscribers.has(subscriber)) subscriber.deliver(event);
    });
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
    for (let i = 0; i < count; i++) this.publish(this.filler);
    this.emittedThisRun = due;
  }
}

/** Streams by session id; '' is the public stream. Bounded by the session cap plus one. */
export class StreamHub {
  private readonly streams = new Map<string, EventStream>();

  constructor(private readonly historySize: number) {}

  get(key: string): EventStream {
    let stream = this.streams.get(key);
    if (!stream) {
      stream = new EventStream(this.historySize);
      this.streams.set(key, stream);
    }
    return stream;
  }

  drop(key: string): void {
    this.streams.get(key)?.dispose();
    this.streams.delete(key);
  }

  dispose(): void {
    for (const stream of this.streams.values()) stream.dispose();
    this.streams.clear();
  }
}
