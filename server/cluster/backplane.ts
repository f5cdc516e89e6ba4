/**
 * The connection to the shared Redis (`--backplane redis://HOST:PORT`), through the official client
 * (node-redis). Two connections, as Redis requires: one in subscriber mode for pub/sub (RESP2 allows
 * nothing else on it), one for commands, scripts and PUBLISH.
 *
 * - At start Redis must answer: `connect` rejects with a clear error rather than retrying forever.
 * - Once running, a lost connection is retried by the client on its own (backoff up to a second); the
 *   command connection refuses commands while it is down (no offline queue), so callers fall back to
 *   serving this node alone at once instead of waiting. `connected` is true only while both
 *   connections are up; listeners hear each change, and after every reconnection the resync hooks run
 *   (subscriptions are restored by the client itself before it reports ready).
 */
import { createHash } from 'node:crypto';
import { createClient } from 'redis';

type Client = ReturnType<typeof createClient>;

/** The client retries a lost connection this often at most (ms); the first retries come sooner. */
const MAX_RETRY_MS = 1_000;
/** How long a first connection may take before the start fails. */
const CONNECT_TIMEOUT_MS = 3_000;

export class BackplaneError extends Error {
  override name = 'BackplaneError';
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

/** A socket error says little in its message (an AggregateError for localhost has none): add its code. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  const inner = error instanceof AggregateError ? error.errors.map(describe).join('; ') : '';
  return (
    [error.message, code && !error.message.includes(code) ? code : '', inner].filter(Boolean).join(' ') ||
    error.name
  );
}

export class Backplane {
  private state: 'connected' | 'lost' = 'connected';
  private readonly listeners = new Set<(connected: boolean) => void>();
  private readonly resyncHooks = new Set<() => Promise<void> | void>();
  private readonly shas = new Map<string, string>();
  private closing = false;

  private constructor(
    readonly url: string,
    readonly cmd: Client,
    readonly sub: Client,
  ) {}

  /** Connects both connections, or rejects with a BackplaneError naming the URL and the cause. */
  static async connect(url: string): Promise<Backplane> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new BackplaneError(`--backplane takes a redis:// URL, not ${url}`);
    }
    if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
      throw new BackplaneError(`--backplane takes a redis:// (or rediss://) URL, not ${redactUrl(url)}`);
    }
    let started = false;
    const options = {
      url,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: CONNECT_TIMEOUT_MS,
        // Before the first connection: give up (the start fails with this cause). After: keep trying.
        reconnectStrategy: (retries: number, cause: Error) =>
          started ? Math.min(50 * 2 ** retries, MAX_RETRY_MS) : cause,
      },
    };
    const cmd = createClient(options);
    // Subscriptions made while the link is down wait for it (the client restores them on reconnect).
    const sub = cmd.duplicate({ disableOfflineQueue: false });
    // The first failure names the cause. (No listener is ever removed from these clients: the client
    // object is a prototype wrapper, and EventEmitter's removeListener, on reaching zero listeners,
    // gives the wrapper an events table of its own, which the client's own emits never reach.)
    const failures: Error[] = [];
    for (const client of [cmd, sub]) client.on('error', (error: Error) => started || failures.push(error));
    try {
      await cmd.connect();
      await sub.connect();
      await cmd.ping();
    } catch (error) {
      for (const client of [cmd, sub]) if (client.isOpen) client.destroy();
      throw new BackplaneError(
        `cannot reach the backplane at ${redactUrl(url)}: ${describe(failures[0] ?? error)}`,
      );
    }
    started = true;
    const backplane = new Backplane(url, cmd, sub);
    backplane.watch();
    return backplane;
  }

  get connected(): boolean {
    return this.state === 'connected';
  }

  /** Called with the new state each time the link is lost or back. */
  onChange(listener: (connected: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs after every reconnection: put back what a restarted Redis forgot, fetch what was missed. */
  onResync(hook: () => Promise<void> | void): void {
    this.resyncHooks.add(hook);
  }

  private watch(): void {
    const update = () => {
      if (this.closing) return;
      const up = this.cmd.isReady && this.sub.isReady;
      const next = up ? 'connected' : 'lost';
      if (next === this.state) return;
      this.state = next;
      console.log(
        up
          ? `wirescope: backplane ${redactUrl(this.url)} is back; cross-node delivery resumes`
          : `wirescope: backplane ${redactUrl(this.url)} lost; serving this node alone and reconnecting`,
      );
      for (const listener of this.listeners) listener(up);
      if (up) void this.resync();
    };
    for (const client of [this.cmd, this.sub]) {
      // The client reports each failed attempt; the state change above is what we say about it.
      client.on('error', () => update());
      client.on('end', update);
      client.on('reconnecting', update);
      client.on('ready', update);
    }
  }

  /**
   * Every hook at once: one that waits (a heartbeat's write queued behind a reconnection) must not hold
   * up another (the streams' catch-up, which cross-node delivery waits for). A hook that fails was lost
   * again half-way: the next reconnection runs every hook again.
   */
  private async resync(): Promise<void> {
    await Promise.allSettled([...this.resyncHooks].map(async (hook) => hook()));
  }

  /** EVALSHA, loading the script on NOSCRIPT (a restarted Redis has forgotten every script). */
  async eval(script: string, keys: string[], args: string[]): Promise<unknown> {
    let sha = this.shas.get(script);
    if (!sha) {
      sha = createHash('sha1').update(script).digest('hex');
      this.shas.set(script, sha);
    }
    try {
      return await this.cmd.evalSha(sha, { keys, arguments: args });
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return await this.cmd.eval(script, { keys, arguments: args });
    }
  }

  async subscribe(channel: string, listener: (message: string) => void): Promise<void> {
    await this.sub.subscribe(channel, listener);
  }

  async unsubscribe(channel: string, listener: (message: string) => void): Promise<void> {
    await this.sub.unsubscribe(channel, listener);
  }

  /** A channel whose messages are bytes (the tap's forwarded batches), handed over as they came. */
  async subscribeBytes(channel: string, listener: (message: Buffer) => void): Promise<void> {
    await this.sub.subscribe(channel, listener, true);
  }

  async unsubscribeBytes(channel: string, listener: (message: Buffer) => void): Promise<void> {
    await this.sub.unsubscribe(channel, listener, true);
  }

  /** Publishes when connected; false (nothing sent) while the link is down. */
  async publish(channel: string, message: string | Buffer): Promise<boolean> {
    if (!this.connected) return false;
    try {
      await this.cmd.publish(channel, message);
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const client of [this.sub, this.cmd]) {
      if (client.isReady) await client.close().catch(() => client.destroy());
      else if (client.isOpen) client.destroy();
    }
  }
}
