/**
 * The classroom figure: N students racing the lab at once (N = 1, 30, 60) against one demo server in a
 * child process, over loopback. A simulated student does what the lab page does: opens the tap (and
 * reads it), starts the four contenders on its session's stream (short polling every 250 ms, long
 * polling, server-sent events, WebSocket), starts the generator at 20 events/s with 64-byte payloads,
 * stops it after RUN_MS and lets the contenders drain. Per N it prints each contender's delivery p95
 * over all students, the events each contender lost (goal 0), the server's CPU (share of one core) and
 * its peak RSS, and the connections a student held.
 *
 *   npx tsx tests/bench/classroom.ts [N ...]
 *
 * Bounded: each round lasts about RUN_MS + 2 s; every socket is closed before the next round.
 */
import { request, Agent, type IncomingMessage } from 'node:http';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { startWirescope } from '../helpers/wirescopeProcess.ts';
import { cpuMicros } from './server.ts';
import { batchEventCount } from './tap-reader.ts';

const CLASS_SIZES = [1, 30, 60];
const RUN_MS = 5_000;
const RATE = 20;
const PAYLOAD_BYTES = 64;
const SHORT_POLL_MS = 250;
const CONNECT_MS = 400;
const DRAIN_MS = 750;
const CONTENDERS = ['short', 'long', 'sse', 'ws'] as const;
type Contender = (typeof CONTENDERS)[number];

interface StreamEvent {
  id: number;
  sentAt: number;
}

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function call(
  agent: Agent,
  url: string,
  options: { method?: string; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = request(
      url,
      {
        agent,
        method: options.method ?? 'GET',
        headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...options.headers },
        ...(options.signal ? { signal: options.signal } : {}),
      },
      (res: IncomingMessage) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** One student's lab run; resolves with what each contender received (id -> latency ms). */
async function student(
  base: string,
): Promise<{ received: Record<Contender, Map<number, number>>; expected: number[]; refusals: string[] }> {
  const wsBase = base.replace('http', 'ws');
  const agent = new Agent({ keepAlive: true, maxSockets: 6 });
  const received = Object.fromEntries(CONTENDERS.map((c) => [c, new Map<number, number>()])) as Record<
    Contender,
    Map<number, number>
  >;
  /** Answers that were not the stream (a limit reached, an error): counted and named, not fatal. */
  const refusals: string[] = [];
  const refused = (error: Error) => ({ status: 0, text: error.message });
  const deliver = (contender: Contender, events: StreamEvent[]) => {
    const at = now();
    for (const e of events) if (!received[contender].has(e.id)) received[contender].set(e.id, at - e.sentAt);
  };

  const tap = new WebSocket(`${wsBase}/ws/tap`);
  let tapEvents = 0;
  const session = await new Promise<string>((resolve, reject) => {
    tap.once('message', (data) => {
      const hello = JSON.parse(String(data)) as { type: string; session?: string };
      if (hello.type === 'hello') resolve(hello.session!);
      else reject(new Error(`the tap refused: ${String(data)}`));
    });
    tap.once('error', reject);
  });
  // Read the tap as a page would, counting without parsing (the page's work is not the server's).
  tap.on('message', (data, binary) => {
    if (binary) tapEvents += batchEventCount(data as Buffer);
  });
  const q = `session=${session}`;
  const since = (JSON.parse((await call(agent, `${base}/api/stream/status?${q}`)).text) as { lastId: number })
    .lastId;
  const stop = new AbortController();

  const shortPolling = (async () => {
    let after = since;
    while (!stop.signal.aborted) {
      const started = now();
      const reply = await call(agent, `${base}/api/stream/poll?since=${after}&${q}`).catch(refused);
      if (reply.status === 200) {
        const body = JSON.parse(reply.text) as { events: StreamEvent[]; next: number | null };
        deliver('short', body.events);
        after = body.next ?? after;
      } else refusals.push(`short poll ${reply.status}: ${reply.text.slice(0, 80)}`);
      await sleep(Math.max(0, SHORT_POLL_MS - (now() - started)));
    }
  })();
  const longPolling = (async () => {
    let after = since;
    while (!stop.signal.aborted) {
      try {
        const reply = await call(agent, `${base}/api/poll?since=${after}&wait=10000&${q}`, {
          signal: stop.signal,
        });
        if (reply.status === 200) {
          const body = JSON.parse(reply.text) as { events: StreamEvent[]; next: number | null };
          deliver('long', body.events);
          after = body.next ?? after;
        } else if (reply.status !== 204) {
          refusals.push(`long poll ${reply.status}: ${reply.text.slice(0, 80)}`);
          await sleep(500);
        }
      } catch {
        if (!stop.signal.aborted) await sleep(500);
      }
    }
  })();
  const sse = request(`${base}/api/stream/sse?since=${since}&${q}`, {
    headers: { accept: 'text/event-stream' },
    signal: stop.signal,
  });
  sse.on('error', () => undefined);
  sse.on('response', (res: IncomingMessage) => {
    let pending = '';
    res.setEncoding('utf8');
    res.on('error', () => undefined);
    res.on('data', (chunk: string) => {
      pending += chunk;
      const blocks = pending.split('\n\n');
      pending = blocks.pop()!;
      for (const block of blocks) {
        const data = block.split('\n').find((line) => line.startsWith('data: '));
        if (data) deliver('sse', [JSON.parse(data.slice(6)) as StreamEvent]);
      }
    });
  });
  sse.end();
  const ws = new WebSocket(`${wsBase}/ws/stream?since=${since}&${q}`);
  ws.on('message', (data) => deliver('ws', [JSON.parse(String(data)) as StreamEvent]));
  ws.on('error', () => undefined);

  await sleep(CONNECT_MS);
  await call(agent, `${base}/api/stream/start?${q}`, {
    method: 'POST',
    body: { rate: RATE, payloadBytes: PAYLOAD_BYTES },
  });
  await sleep(RUN_MS);
  const last = (
    JSON.parse((await call(agent, `${base}/api/stream/stop?${q}`, { method: 'POST' })).text) as {
      lastId: number;
    }
  ).lastId;
  await sleep(DRAIN_MS);
  stop.abort();
  ws.close();
  await Promise.allSettled([shortPolling, longPolling]);
  tap.close();
  await once(tap, 'close');
  agent.destroy();
  if (tapEvents === 0) throw new Error('the tap streamed nothing');
  return { received, expected: Array.from({ length: last - since }, (_, i) => since + 1 + i), refusals };
}

function percentile(list: number[], p: number): number {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

interface Stats {
  connections: number;
  rssBytes: number;
}

async function round(base: string, pid: number, students: number): Promise<string> {
  const stats = async () => (await (await fetch(`${base}/api/stats`)).json()) as Stats;
  const before = await stats();
  const cpuBefore = cpuMicros(pid);
  const startedAt = now();
  let peak = before;
  let peakConnections = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const s = await stats();
      if (s.rssBytes > peak.rssBytes) peak = s;
      peakConnections = Math.max(peakConnections, s.connections);
      await sleep(250);
    }
  })();
  const results = await Promise.all(Array.from({ length: students }, () => student(base)));
  sampling = false;
  await sampler;
  const cpuAfter = cpuMicros(pid);
  const cpu =
    cpuBefore === undefined || cpuAfter === undefined
      ? 'n/a'
      : `${(((cpuAfter - cpuBefore) / 1000 / (now() - startedAt)) * 100).toFixed(0)}%`;
  const cells = CONTENDERS.map((c) => {
    const latencies = results.flatMap((r) => [...r.received[c].values()]);
    const lost = results.reduce((n, r) => n + r.expected.filter((id) => !r.received[c].has(id)).length, 0);
    return `${c} p95 ${percentile(latencies, 0.95).toFixed(1)} ms, lost ${lost}`;
  });
  const events = results.reduce((n, r) => n + r.expected.length, 0);
  const refusals = results.flatMap((r) => r.refusals);
  const refusalText = refusals.length ? `; ${refusals.length} requests refused, first: ${refusals[0]}` : '';
  return [
    `  N=${String(students).padEnd(3)} ${cells.join(' | ')}`,
    `         ${events} events sent; server CPU ${cpu} of one core, peak RSS ${(peak.rssBytes / 2 ** 20).toFixed(0)} MB, ${(peakConnections / students).toFixed(1)} connections per student${refusalText}`,
  ].join('\n');
}

export async function benchClassroom(sizes: readonly number[] = CLASS_SIZES): Promise<void> {
  // Every simulated student connects from 127.0.0.1, where a real class has an address each: the
  // per-address connection limit (256, about ten per browser) would count the whole class as one.
  const { child, url } = await startWirescope(
    ['--heartbeat-ms', '600000', '--max-connections-per-client', '0'],
    { timeoutMs: 20_000 },
  );
  try {
    console.log(
      `classroom: N students race the lab at once (${RATE} events/s, ${PAYLOAD_BYTES}-byte payloads, ${RUN_MS / 1000} s; short polling every ${SHORT_POLL_MS} ms); delivery p95 over all students:`,
    );
    for (const n of sizes) console.log(await round(url, child.pid!, n));
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => n > 0);
  const timer = setTimeout(() => {
    console.error('bench: over 120 s, giving up');
    process.exit(1);
  }, 120_000);
  timer.unref();
  await benchClassroom(sizes.length ? sizes : CLASS_SIZES);
}
