/**
 * The lab's event streams shared by every node (server/stream.ts holds one node's copy).
 *
 * - Publishing runs one Lua script: INCR gives the id, XADD keeps the event in a Redis Stream capped at
 *   --stream-history (the history `since=` and Last-Event-ID resends read, which outlives any node), and
 *   PUBLISH hands it to every node. Being one script, ids, history and delivery order are the same
 *   everywhere. A node receives its own events back through the channel too, so every subscriber, on
 *   any node, sees one order.
 * - Each node keeps the history of the streams it serves in memory (a mirror), so resends and polls
 *   answer without a round trip. A node loads the history once, when it first serves the stream:
 *   subscribe first, then read (XRANGE), then apply what arrived meanwhile, so nothing falls between.
 * - Controls (start, pause, resume, stop, faults) go through the same channel, so they are ordered with
 *   the events; the generator ticks only on the node that was asked to start it. Its state is kept in a
 *   hash for nodes that join later.
 * - Backplane lost: the node publishes alone (ids continue from its own last id) and its subscribers
 *   still get those events. Back: it raises the shared counter past its own last id, gives the shared
 *   history what it published alone (and everything, when Redis came back empty), and fetches what the
 *   others published meanwhile; newer events are pushed to its subscribers, older ones only fill the
 *   history.
 */
import type { EventStream, GeneratorState, StreamControl, StreamEvent, StreamLink } from '../stream.ts';
import type { Backplane } from './backplane.ts';
import { channels, keys } from './keys.ts';

/** Stream keys expire after this long without a publish or control (a session's tab closed long ago). */
const STREAM_TTL_MS = 60 * 60 * 1000;
/** A control not heard back from the channel within this time is applied here alone. */
const CONTROL_ECHO_MS = 2_000;

const PUBLISH_SCRIPT = `
local function add(id)
  local sid = string.format('%d', id)
  local event = '{"id":' .. sid .. ',"sentAt":' .. ARGV[4] .. ',"payload":' .. ARGV[5] .. '}'
  local ok = redis.pcall('XADD', KEYS[2], 'MAXLEN', ARGV[2], '0-' .. sid, 'e', event)
  if type(ok) == 'table' and ok.err then return nil end
  return event
end
local id = redis.call('INCR', KEYS[1])
local event = add(id)
if not event then
  -- The log is ahead of the counter (the counter was lost): continue after the log's last id.
  local last = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
  id = tonumber(string.match(last[1][1], '(%d+)$')) + 1
  redis.call('SET', KEYS[1], string.format('%d', id))
  event = add(id)
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('PUBLISH', ARGV[1], 'e' .. event)
return id
`;

/** After a reconnection: raise the counter to ARGV[4], add the events above the log's last id. */
const RECONCILE_SCRIPT = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current < tonumber(ARGV[4]) then redis.call('SET', KEYS[1], ARGV[4]) end
local top = 0
local last = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
if #last > 0 then top = tonumber(string.match(last[1][1], '(%d+)$')) end
local added = 0
for i = 5, #ARGV, 2 do
  local id = tonumber(ARGV[i])
  if id > top then
    redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[2], '0-' .. ARGV[i], 'e', ARGV[i + 1])
    redis.call('PUBLISH', ARGV[1], 'e' .. ARGV[i + 1])
    top = id
    added = added + 1
  end
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return added
`;

interface ControlMessage {
  op: string;
  runner: string;
  control: StreamControl;
}

function eventId(entryId: string): number {
  return Number(entryId.slice(entryId.indexOf('-') + 1));
}

function parseEvent(json: string): StreamEvent | undefined {
  try {
    const value = JSON.parse(json) as StreamEvent;
    return Number.isSafeInteger(value.id) && typeof value.payload === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

let opCounter = 0;

/** One stream as this node shares it. */
class SharedStream implements StreamLink {
  /** Settles once the history is loaded (at once while the backplane is lost). */
  ready: Promise<void>;
  private syncing = false;
  private subscribed = false;
  private disposed = false;
  private buffered: string[] = [];
  private readonly waiters = new Set<{ id: number; resolve: () => void }>();
  /** The highest id this node has had from the backplane. */
  private synced = 0;
  /** The node whose generator ticks ('' when stopped). */
  private runner = '';
  private readonly pending = new Map<string, () => void>();
  private readonly channel: string;
  private readonly onMessage = (message: string) => {
    if (this.syncing) this.buffered.push(message);
    else this.handle(message);
  };

  constructor(
    private readonly backplane: Backplane,
    private readonly node: string,
    private readonly key: string,
    private readonly stream: EventStream,
    private readonly historySize: number,
  ) {
    this.channel = channels.stream(key);
    this.ready = this.sync();
  }

  async publish(payload: string): Promise<StreamEvent> {
    const event = await this.send(payload);
    // Answer once this node's own copy has it, so a poll right after the publish finds it here.
    await this.heard(event.id);
    return event;
  }

  emit(payload: string): void {
    void this.send(payload);
  }

  /** Runs the publish script; alone (this node's next id) while the backplane is lost. */
  private async send(payload: string): Promise<StreamEvent> {
    if (this.syncing) await this.ready;
    if (!this.backplane.connected || this.syncing || this.disposed) return this.stream.append(payload);
    const sentAt = Date.now();
    try {
      const id = await this.backplane.eval(
        PUBLISH_SCRIPT,
        [keys.streamId(this.key), keys.streamLog(this.key)],
        [
          this.channel,
          String(this.historySize),
          String(STREAM_TTL_MS),
          String(sentAt),
          JSON.stringify(payload),
        ],
      );
      return { id: Number(id), sentAt, payload };
    } catch {
      return this.stream.append(payload);
    }
  }

  /** Resolves once the channel has brought event `id` to this node (or after CONTROL_ECHO_MS). */
  private heard(id: number): Promise<void> {
    if (this.synced >= id) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = { id, resolve: () => undefined as void };
      const timer = setTimeout(() => waiter.resolve(), CONTROL_ECHO_MS);
      waiter.resolve = () => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve();
      };
      this.waiters.add(waiter);
    });
  }

  async control(control: StreamControl): Promise<void> {
    if (this.syncing) await this.ready;
    const message: ControlMessage = { op: `${this.node}:${++opCounter}`, runner: this.node, control };
    if (!this.backplane.connected || this.disposed) return this.applyControl(message);
    const heard = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(message.op);
        this.applyControl(message);
        resolve();
      }, CONTROL_ECHO_MS);
      this.pending.set(message.op, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    if (!(await this.backplane.publish(this.channel, `c${JSON.stringify(message)}`))) {
      this.pending.get(message.op)?.();
      this.pending.delete(message.op);
      return this.applyControl(message);
    }
    await heard;
    // The node that was asked writes the state that results, for nodes that join later.
    await this.saveState().catch(() => undefined);
  }

  private applyControl(message: ControlMessage): void {
    const { control, runner } = message;
    if (control.op === 'start') this.runner = runner;
    if (control.op === 'stop') this.runner = '';
    this.stream.apply(control, this.runner === this.node);
  }

  private async saveState(): Promise<void> {
    const { state, settings, addLatencyMs } = this.stream.generatorState();
    const key = keys.streamState(this.key);
    await this.backplane.cmd
      .multi()
      .hSet(key, {
        state,
        rate: settings.rate,
        payloadBytes: settings.payloadBytes,
        addLatencyMs,
        runner: this.runner,
      })
      .pExpire(key, STREAM_TTL_MS)
      .exec();
  }

  private async loadState(): Promise<void> {
    const saved = await this.backplane.cmd.hGetAll(keys.streamState(this.key));
    if (saved.state === undefined) {
      // Nothing kept (a new stream, or Redis came back empty): what this node knows becomes the state.
      if (this.stream.generatorState().state !== 'stopped') await this.saveState();
      return;
    }
    const state: GeneratorState = {
      state: saved.state === 'running' || saved.state === 'paused' ? saved.state : 'stopped',
      settings: { rate: Number(saved.rate) || 1, payloadBytes: Number(saved.payloadBytes) || 0 },
      addLatencyMs: Number(saved.addLatencyMs) || 0,
    };
    this.runner = saved.runner ?? '';
    this.stream.restore(state, this.runner === this.node);
  }

  private handle(message: string): void {
    if (message.startsWith('e')) {
      const event = parseEvent(message.slice(1));
      if (!event) return;
      this.take(event);
    } else if (message.startsWith('c')) {
      let parsed: ControlMessage;
      try {
        parsed = JSON.parse(message.slice(1)) as ControlMessage;
      } catch {
        return;
      }
      this.applyControl(parsed);
      this.pending.get(parsed.op)?.();
      this.pending.delete(parsed.op);
    }
  }

  /** An event from the backplane (the channel, or the history read at a sync). */
  private take(event: StreamEvent): void {
    if (event.id > this.synced) this.synced = event.id;
    this.stream.ingest(event);
    for (const waiter of this.waiters) if (waiter.id <= this.synced) waiter.resolve();
  }

  /** Loads (or, after a reconnection, catches up) the history; a no-op while the backplane is lost. */
  sync(): Promise<void> {
    this.ready = this.run();
    return this.ready;
  }

  private async run(): Promise<void> {
    if (!this.backplane.connected || this.disposed) return;
    this.syncing = true;
    this.buffered = [];
    try {
      if (!this.subscribed) {
        await this.backplane.subscribe(this.channel, this.onMessage);
        this.subscribed = true;
      }
      await this.reconcile();
      await this.loadState();
      const from = this.synced === 0 ? '-' : `(0-${this.synced}`;
      const entries = await this.backplane.cmd.xRange(keys.streamLog(this.key), from, '+');
      for (const entry of entries) {
        const event = parseEvent(entry.message.e ?? '');
        if (event && event.id === eventId(entry.id)) this.take(event);
      }
    } catch {
      // Lost again half-way: the next reconnection syncs again; meanwhile this node serves alone.
    } finally {
      this.syncing = false;
      const buffered = this.buffered;
      this.buffered = [];
      for (const message of buffered) this.handle(message);
    }
  }

  /** Gives the shared history what it lacks: events published here alone, or all of them after a restart. */
  private async reconcile(): Promise<void> {
    const lastId = this.stream.latestId;
    if (lastId === 0) return;
    const last = await this.backplane.cmd.xRevRange(keys.streamLog(this.key), '+', '-', { COUNT: 1 });
    const top = last[0] ? eventId(last[0].id) : 0;
    const missing = this.stream.kept().filter((event) => event.id > top);
    const args = [this.channel, String(this.historySize), String(STREAM_TTL_MS), String(lastId)];
    for (const event of missing) args.push(String(event.id), JSON.stringify(event));
    await this.backplane.eval(RECONCILE_SCRIPT, [keys.streamId(this.key), keys.streamLog(this.key)], args);
  }

  dispose(): void {
    this.disposed = true;
    for (const waiter of this.waiters) waiter.resolve();
    for (const resolve of this.pending.values()) resolve();
    this.pending.clear();
    if (this.subscribed) void this.backplane.unsubscribe(this.channel, this.onMessage).catch(() => undefined);
  }
}

/** Every stream this node serves, shared through the backplane. */
export class SharedStreams {
  private readonly links = new Map<string, SharedStream>();

  constructor(
    private readonly backplane: Backplane,
    private readonly node: string,
    private readonly historySize: number,
  ) {
    backplane.onResync(() => this.resyncAll());
  }

  /** StreamHub's linker: called once per stream this node creates. */
  link(key: string, stream: EventStream): StreamLink {
    const link = new SharedStream(this.backplane, this.node, key, stream, this.historySize);
    this.links.set(key, link);
    const dispose = link.dispose.bind(link);
    link.dispose = () => {
      if (this.links.get(key) === link) this.links.delete(key);
      dispose();
    };
    return link;
  }

  /** Resolves once the stream's history is here (at once when the backplane is lost). */
  async ready(key: string): Promise<void> {
    await this.links.get(key)?.ready;
  }

  private async resyncAll(): Promise<void> {
    await Promise.all([...this.links.values()].map((link) => link.sync()));
  }

  /** A closed session's stream: its keys go (the owner does this once). */
  async forget(key: string): Promise<void> {
    if (!this.backplane.connected) return;
    await this.backplane.cmd
      .del([keys.streamId(key), keys.streamLog(key), keys.streamState(key)])
      .catch(() => undefined);
  }
}
