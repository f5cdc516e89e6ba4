/**
 * Cluster benchmark: `npx tsx tests/bench/cluster.ts` (or `npm run bench`). Starts its own redis-server
 * on a free loopback port and the nodes as child processes (each its own event loop, as in use).
 *
 * 1. Delivery latency, p50 and p99: from the publish request leaving this process to the event arriving
 *    on a `/ws/stream` subscriber: one process without Redis, against a cluster subscriber on the node
 *    that took the publish (same node) and on the other node (cross node). One publish at a time.
 * 2. Fan-out: events published on one node, FANOUT_WINDOW in flight, to 1,000 WebSocket subscribers all
 *    on that node, against the same subscribers split 500/500 over two nodes (and, as the peer, one
 *    process without Redis); events per second = events / time until every subscriber had every event.
 *
 * Without redis-server the cluster rows are skipped, saying why; the one-process rows still run.
 * Loopback only, one machine: the nodes, Redis and this client share its cores. Bounded in count and
 * time; everything it starts is stopped when it ends.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { availableParallelism, loadavg } from 'node:os';
import { WebSocket } from 'ws';
import { findRedisServer, RedisProcess } from '../server/redis.ts';
import { startWirescope, type WirescopeProcess } from '../helpers/wirescopeProcess.ts';

const PUBLISHES = 600;
const WARMUP = 100;
const BLOCKS = 6;
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1_000);
/** BENCH_CLUSTER=fanout measures the fan-out alone. */
const ONLY_FANOUT = process.env.BENCH_CLUSTER === 'fanout';
/** Events published in a fan-out run, to every subscriber, and how many publishes are in flight. */
const FANOUT_EVENTS = Number(process.env.BENCH_FANOUT_EVENTS ?? 1_000);
const FANOUT_WINDOW = 32;
/** Untimed events first, so each run meets warm code. */
const FANOUT_WARMUP = 50;
const DRAIN_LIMIT_MS = 60_000;

async function startNode(args: string[]): Promise<WirescopeProcess> {
  const node = await startWirescope(
    [
      '--heartbeat-ms',
      '600000',
      // Every subscriber comes from this one address: no per-client cap here.
      ...[
        '--max-connections',
        String(Math.max(4_000, SUBSCRIBERS + 100)),
        '--max-connections-per-client',
        '0',
      ],
      ...args,
    ],
    { timeoutMs: 60_000, name: 'node' },
  );
  // A node that dies mid-run is named, rather than showing up only as its clients' resets.
  node.child.once('exit', (code, signal) => {
    if (!stopping.has(node.child)) console.log(`  (node ${node.url} exited: ${signal ?? `code ${code}`})`);
  });
  return node;
}

const stopping = new WeakSet<ChildProcess>();

async function stopNode(node: WirescopeProcess): Promise<void> {
  stopping.add(node.child);
  await node.stop();
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const fanOutAgent = new Agent({ keepAlive: true, maxSockets: FANOUT_WINDOW });

/**
 * POST with a kept-alive connection (node:http: fetch's pool would add its own variance). A request on
 * a reused connection that the server closed as idle at that moment is reset; it is sent again once
 * on a fresh connection, as Node's documentation advises (`request.reusedSocket`).
 */
function post(url: string, body: unknown, via = agent, retried = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = request(url, {
      method: 'POST',
      agent: via,
      headers: { 'content-length': Buffer.byteLength(data) },
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve(text));
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (!retried && req.reusedSocket && error.code === 'ECONNRESET') resolve(post(url, body, via, true));
      else reject(error);
    });
    req.end(data);
  });
}

/** Subscribers whose connection failed after it opened (reset, cut): a run with any is incomplete. */
let failed = 0;

/** Opens a subscriber; a handshake reset on a busy machine is tried again (up to three times). */
async function subscribe(url: string, onMessage: (data: Buffer) => void, attempt = 1): Promise<WebSocket> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/ws/stream`);
  ws.on('message', onMessage);
  try {
    await once(ws, 'open');
  } catch (error) {
    if (attempt >= 3) throw error;
    await new Promise((r) => setTimeout(r, 100 * attempt));
    return subscribe(url, onMessage, attempt + 1);
  }
  ws.on('error', () => failed++);
  return ws;
}

/** Publishes on one node, one event at a time, and times its arrival at each subscriber. */
class LatencyProbe {
  readonly results: number[][];
  private sentAt = 0;
  private pending = 0;
  private wake: () => void = () => undefined;
  private sockets: WebSocket[] = [];

  constructor(
    private readonly publisher: string,
    private readonly subscribers: string[],
  ) {
    this.results = subscribers.map(() => []);
  }

  async open(): Promise<void> {
    this.sockets = await Promise.all(
      this.subscribers.map((url, i) =>
        subscribe(url, () => {
          this.results[i]!.push(performance.now() - this.sentAt);
          if (--this.pending === 0) this.wake();
        }),
      ),
    );
  }

  async run(count: number): Promise<void> {
    for (let n = 0; n < count; n++) {
      this.pending = this.subscribers.length;
      const all = new Promise<void>((resolve) => (this.wake = resolve));
      this.sentAt = performance.now();
      await post(`${this.publisher}/api/stream/publish`, { payload: `event ${n}` });
      await all;
    }
  }

  close(): void {
    for (const ws of this.sockets) ws.close();
  }
}

/** One process against the cluster, in alternating blocks, so a busy moment of the machine hits both. */
async function latencies(alone: string, a: string, b: string): Promise<number[][]> {
  const single = new LatencyProbe(alone, [alone]);
  const cluster = new LatencyProbe(a, [a, b]);
  await single.open();
  await cluster.open();
  await single.run(WARMUP);
  await cluster.run(WARMUP);
  single.results[0]!.length = 0;
  for (const list of cluster.results) list.length = 0;
  for (let block = 0; block < BLOCKS; block++) {
    await single.run(PUBLISHES / BLOCKS);
    await cluster.run(PUBLISHES / BLOCKS);
  }
  single.close();
  cluster.close();
  return [single.results[0]!, ...cluster.results];
}

function latencyRow(name: string, list: number[]): void {
  const sorted = [...list].sort((a, b) => a - b);
  console.log(
    `  ${name.padEnd(32)} p50 ${percentile(sorted, 0.5).toFixed(3)} ms   p99 ${percentile(sorted, 0.99).toFixed(3)} ms`,
  );
}

/** The id of a /ws/stream message, read from its first bytes (`{"id":N,`) without parsing the JSON. */
function idOf(data: Buffer): number {
  let id = 0;
  for (let i = 6; i < data.length; i++) {
    const digit = data[i]! - 48;
    if (digit < 0 || digit > 9) break;
    id = id * 10 + digit;
  }
  return id;
}

interface FanOutResult {
  events: number;
  seconds: number;
  complete: boolean;
  failed: number;
  /** Messages that arrived out of id order or twice (must be 0). */
  disordered: number;
}

/**
 * Events per second fanned out from `nodes[0]` to SUBSCRIBERS spread evenly over `nodes`: FANOUT_EVENTS
 * publishes with FANOUT_WINDOW of them in flight (each on its own kept-alive connection), timed from
 * the first publish to the moment every subscriber had every event (bounded by DRAIN_LIMIT_MS).
 * Several in flight, as many clients publishing would: one at a time would time the round trip of a
 * publish behind a thousand deliveries, not the fan-out. Each subscriber checks that ids arrive in
 * order, each once. Sockets are then cut, not closed: a closing handshake would wait behind whatever
 * is still queued.
 */
async function fanOut(nodes: string[], events = FANOUT_EVENTS): Promise<FanOutResult> {
  let delivered = 0;
  let disordered = 0;
  let lastAt = 0;
  failed = 0;
  const sockets: WebSocket[] = [];
  for (let i = 0; i < SUBSCRIBERS; i += 100) {
    const batch = Array.from({ length: Math.min(100, SUBSCRIBERS - i) }, (_, j) => {
      let last = -1;
      return subscribe(nodes[(i + j) % nodes.length]!, (data) => {
        const id = idOf(data);
        if (last >= 0 && id !== last + 1) disordered++;
        last = id;
        delivered++;
        lastAt = performance.now();
      });
    });
    sockets.push(...(await Promise.all(batch)));
  }
  const payload = 'x'.repeat(32);
  let published = 0;
  let deadline = performance.now() + DRAIN_LIMIT_MS;
  /** Publishes up to `total` events, FANOUT_WINDOW at a time, then waits until every subscriber had them. */
  const publishAndDrain = async (total: number) => {
    const publisher = async () => {
      while (published < total && performance.now() < deadline) {
        published++;
        await post(`${nodes[0]}/api/stream/publish`, { payload }, fanOutAgent);
      }
    };
    await Promise.all(Array.from({ length: FANOUT_WINDOW }, publisher));
    while (delivered < published * SUBSCRIBERS && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 2));
    }
    return delivered >= published * SUBSCRIBERS;
  };
  // Untimed first, so the timed events meet warm code on every side.
  await publishAndDrain(FANOUT_WARMUP);
  const warm = delivered;
  const started = performance.now();
  deadline = started + DRAIN_LIMIT_MS;
  const complete = await publishAndDrain(FANOUT_WARMUP + events);
  const seconds = ((complete ? lastAt : performance.now()) - started) / 1000;
  const lost = failed;
  for (const ws of sockets) ws.terminate();
  return {
    events: Math.floor((delivered - warm) / SUBSCRIBERS),
    seconds,
    complete,
    failed: lost,
    disordered,
  };
}

function fanOutRow(name: string, r: FanOutResult): number {
  const rate = r.events / r.seconds;
  const notes = [
    `${r.events} events in ${r.seconds.toFixed(2)} s`,
    ...(r.complete ? [] : ['NOT all delivered']),
    ...(r.failed ? [`${r.failed} subscribers reset`] : []),
    ...(r.disordered ? [`${r.disordered} out of order`] : []),
  ];
  console.log(
    `  ${name.padEnd(34)} ${rate.toFixed(0).padStart(6)} events/s  ${((rate * SUBSCRIBERS) / 1e3).toFixed(0).padStart(5)} k messages/s  (${notes.join(', ')})`,
  );
  return rate;
}

export async function benchCluster(): Promise<void> {
  const binary = findRedisServer();
  const history = String((FANOUT_EVENTS + FANOUT_WARMUP) * 4);
  const started: WirescopeProcess[] = [];
  const redis = binary ? await RedisProcess.start(binary) : undefined;
  // Interrupted (Ctrl-C, a time limit): take the nodes and Redis down too.
  const interrupted = () => {
    for (const node of started) node.child.kill('SIGKILL');
    void (redis?.stop(true) ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const skipped = 'skipped, redis-server is not installed (Debian: apt-get install redis-server)';
  try {
    const alone = await startNode(['--stream-history', history]);
    started.push(alone);
    let a: WirescopeProcess | undefined;
    let b: WirescopeProcess | undefined;
    if (redis) {
      a = await startNode(['--backplane', redis.url, '--node', 'a', '--stream-history', history]);
      started.push(a);
      b = await startNode(['--backplane', redis.url, '--node', 'b', '--stream-history', history]);
      started.push(b);
    }

    if (!ONLY_FANOUT) {
      console.log(
        `delivery latency (publish request to /ws/stream message, ${PUBLISHES} events, one at a time):`,
      );
      if (a && b) {
        const [single, same, cross] = await latencies(alone.url, a.url, b.url);
        latencyRow('one process, no Redis', single!);
        latencyRow('cluster, same node', same!);
        latencyRow('cluster, cross node (a to b)', cross!);
      } else {
        console.log(`  ${skipped}`);
      }
    }

    console.log(
      `fan-out (${FANOUT_EVENTS} events of 32 bytes, ${FANOUT_WINDOW} publishes in flight, to ${SUBSCRIBERS} WebSocket subscribers; load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores):`,
    );
    const run = (nodes: string[]) => fanOut(nodes);
    fanOutRow(`${SUBSCRIBERS} on one process, no Redis`, await run([alone.url]));
    if (a && b) {
      const one = fanOutRow(`${SUBSCRIBERS} on node a`, await run([a.url]));
      const two = fanOutRow(`${SUBSCRIBERS / 2} on a + ${SUBSCRIBERS / 2} on b`, await run([a.url, b.url]));
      console.log(`  two nodes / one node: ${(two / one).toFixed(2)}x`);
    } else {
      console.log(`  cluster rows ${skipped}`);
    }
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    for (const node of started) await stopNode(node);
    await redis?.stop();
    agent.destroy();
    fanOutAgent.destroy();
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1])) await benchCluster();
