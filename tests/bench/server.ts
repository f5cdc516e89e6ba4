/**
 * Demo server benchmark: `npx tsx tests/bench/server.ts` (or `npm run bench`).
 *
 * 1. Echo round trips per second, tap off against tap on (a session watching the connection, every byte
 *    parsed and streamed to a tap socket): eight runs, each interleaving the two modes, and their median;
 *    and the server's CPU time per round trip in each mode.
 * 2. How many concurrent WebSockets and pending long polls one server holds, and its RSS: the server
 *    runs in a child process so its memory is measured alone.
 * 3. Messages lost under that load: one echo per WebSocket and one published event for every held poll.
 *
 * Loopback only; bounded in count and time.
 */
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { execSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { startWirescope } from '../helpers/wirescopeProcess.ts';
import { startTapReader } from './tap-reader.ts';

const TAP_RUNS = 8;
const ROUND_TRIPS = 2_000;
/**
 * Quiet time after each block, not timed: the tap parses and sends what it captured in batches (up to
 * about 15 ms after the bytes), and that work must not land in the next block, least of all in a tap-off
 * one. What a block leaves for this pause is at most its last 15 ms, a few percent of a 2,000-echo block.
 */
const PAUSE_MS = 50;
const TARGET_SOCKETS = 10_000;
const TARGET_POLLS = 2_000;

function fdLimit(): number {
  try {
    return Number(execSync('ulimit -n', { shell: '/bin/sh' }).toString().trim()) || 1024;
  } catch {
    return 1024;
  }
}

/** The machine's load average: on a shared machine the spread of every figure depends on it. */
export function loadText(): string {
  const [one, five] = loadavg();
  return `load average ${one!.toFixed(2)} (1 min), ${five!.toFixed(2)} (5 min) on ${availableParallelism()} CPUs`;
}

/**
 * CPU time (user + system) a process has used, in microseconds, from /proc (Linux); undefined where
 * /proc is missing. Clock ticks are 10 ms, so a figure needs windows of a second or more in all.
 */
export function cpuMicros(pid: number | undefined): number | undefined {
  const file = `/proc/${pid}/stat`;
  if (pid === undefined || !existsSync(file)) return undefined;
  // Fields after the command name: utime and stime are the 12th and 13th, in clock ticks (100 a second).
  const fields = readFileSync(file, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

export async function echoLatencies(url: string, count: number): Promise<number[]> {
  const ws = new WebSocket(url);
  await once(ws, 'open');
  const payload = Buffer.alloc(64, 'a');
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    const reply = once(ws, 'message');
    ws.send(payload);
    await reply;
    out.push(performance.now() - t0);
  }
  ws.close();
  await once(ws, 'close');
  return out;
}

/** Median of a list (the mean of the middle two for an even count). */
export function median(list: readonly number[]): number {
  const sorted = [...list].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function rate(list: number[]): number {
  return (list.length / list.reduce((a, b) => a + b, 0)) * 1000;
}

/**
 * The tap's cost: TAP_RUNS runs, each one block of ROUND_TRIPS echoes per mode, tap off then tap on in
 * odd runs and the other way round in even ones, each on its own connection; both modes of a run share
 * whatever else the machine is doing then. Each run gives one ratio, and the figure is their median.
 * Blocks are long and separated by PAUSE_MS so that the tap's batched work is charged to the tap-on
 * block that caused it, not to the tap-off block after it.
 */
async function roundTrips(base: string, pid: number | undefined): Promise<void> {
  const wsBase = base.replace('http', 'ws');
  const reader = await startTapReader(`${wsBase}/ws/tap`);
  const session = reader.session;
  // Warm up both paths with a block each: after 500 echoes the first timed block still ran at about half
  // speed (the JIT had not settled), which made run 1's ratio an outlier in whichever mode came first.
  for (const url of [`${wsBase}/ws/echo`, `${wsBase}/ws/echo?session=${session}`]) {
    await echoLatencies(url, ROUND_TRIPS);
  }
  console.log(
    `echo round trips (64-byte binary), tap off vs tap on: ${TAP_RUNS} runs of one ${ROUND_TRIPS}-echo block per mode, order alternating (${loadText()})`,
  );
  const ratios: number[] = [];
  const allOff: number[] = [];
  const allOn: number[] = [];
  /** The server's CPU microseconds in each mode's blocks (each with its pause after, where the tap finishes). */
  const cpu = { off: 0, on: 0 } as { off: number | undefined; on: number | undefined };
  const pause = () => new Promise((r) => setTimeout(r, PAUSE_MS));
  for (let run = 1; run <= TAP_RUNS; run++) {
    const block = async (watched: boolean) => {
      await pause();
      const url = watched ? `${wsBase}/ws/echo?session=${session}` : `${wsBase}/ws/echo`;
      const before = cpuMicros(pid);
      const latencies = await echoLatencies(url, ROUND_TRIPS);
      await pause();
      const after = cpuMicros(pid);
      const mode = watched ? 'on' : 'off';
      cpu[mode] = before === undefined || after === undefined ? undefined : cpu[mode]! + after - before;
      return latencies;
    };
    const first = await block(run % 2 === 0);
    const second = await block(run % 2 === 1);
    const [off, on] = run % 2 === 1 ? [first, second] : [second, first];
    allOff.push(...off);
    allOn.push(...on);
    const ratio = rate(on) / rate(off);
    ratios.push(ratio);
    console.log(
      `  run ${run}: tap off ${rate(off).toFixed(0).padStart(6)} round trips/s, tap on ${rate(on).toFixed(0).padStart(6)}: ${ratio.toFixed(2)}x`,
    );
  }
  await new Promise((r) => setTimeout(r, 200)); // let the last tap batch arrive
  const tapEvents = await reader.finish();
  const latency = (name: string, list: number[]) => {
    const sorted = [...list].sort((a, b) => a - b);
    console.log(
      `  ${name.padEnd(8)} p50 ${percentile(sorted, 0.5).toFixed(3)} ms   p99 ${percentile(sorted, 0.99).toFixed(3)} ms (all runs)`,
    );
  };
  latency('tap off', allOff);
  latency('tap on', allOn);
  if (cpu.off !== undefined && cpu.on !== undefined) {
    // Steadier than the rates on a shared machine: what the tap costs the server, whatever else runs.
    const perEcho = (micros: number) => (micros / (TAP_RUNS * ROUND_TRIPS)).toFixed(0);
    console.log(
      `  server CPU per round trip (user + system, pause after each block included): tap off ${perEcho(cpu.off)} us, tap on ${perEcho(cpu.on)} us`,
    );
  }
  const sorted = [...ratios].sort((a, b) => a - b);
  console.log(
    `  tap on / tap off: ${sorted[0]!.toFixed(2)}-${sorted.at(-1)!.toFixed(2)}x, median of ${TAP_RUNS} runs ${median(ratios).toFixed(2)}x (goal >= 0.9x; tap events streamed: ${tapEvents}; ${loadText()})`,
  );
}

/** A long poll on a raw socket, so no client-side pool limits how many are held. */
function holdPoll(port: number): { socket: Socket; response: Promise<string> } {
  const socket = connect(port, '127.0.0.1');
  socket.write(`GET /api/poll?wait=60000 HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
  let text = '';
  const response = new Promise<string>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (
        /\r\n\r\n[\s\S]*"events"/.test(text) ||
        text.startsWith('HTTP/1.1 204') ||
        text.startsWith('HTTP/1.1 503')
      ) {
        resolve(text);
      }
    });
    socket.on('error', () => resolve(text));
    socket.on('close', () => resolve(text));
  });
  return { socket, response };
}

async function capacity(): Promise<void> {
  const limit = fdLimit();
  // Each connection costs one descriptor here and one in the server (each process has the limit), plus
  // headroom for the runtime's own; a smaller load would give a figure the goal does not speak of.
  const needed = Math.ceil((TARGET_SOCKETS + TARGET_POLLS) / 0.8) + 500;
  if (limit < needed) {
    console.log(
      `capacity: skipped: ulimit -n is ${limit}, and ${TARGET_SOCKETS} WebSockets + ${TARGET_POLLS} polls need ${needed} descriptors per process (run \`ulimit -n ${needed}\` in this shell first)`,
    );
    return;
  }
  const sockets = TARGET_SOCKETS;
  const polls = TARGET_POLLS;
  const { child, url, port } = await startWirescope(
    [
      '--max-connections',
      String(sockets + polls + 100),
      '--max-pending-polls',
      String(polls + 10),
      // Every client here is this one process on loopback.
      '--max-connections-per-client',
      '0',
      '--heartbeat-ms',
      '600000',
    ],
    { timeoutMs: 20_000 },
  );
  const stats = async () =>
    (await (await fetch(`${url}/api/stats`)).json()) as {
      websockets: number;
      pendingPolls: number;
      rssBytes: number;
    };
  const idle = await stats();
  const started = performance.now();
  const clients: WebSocket[] = [];
  for (let i = 0; i < sockets; i += 250) {
    const batch = Array.from(
      { length: Math.min(250, sockets - i) },
      () => new WebSocket(`${url.replace('http', 'ws')}/ws/echo`),
    );
    await Promise.all(batch.map((ws) => once(ws, 'open')));
    clients.push(...batch);
  }
  const held = Array.from({ length: polls }, () => holdPoll(port));
  const deadline = Date.now() + 15_000;
  let loaded = await stats();
  while (loaded.pendingPolls < polls && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    loaded = await stats();
  }
  console.log(`capacity (ulimit -n ${limit}; server in a child process; ${loadText()}):`);
  console.log(
    `  held ${loaded.websockets} WebSockets and ${loaded.pendingPolls} pending long polls in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  console.log(
    `  server RSS ${(loaded.rssBytes / 2 ** 20).toFixed(0)} MB (idle ${(idle.rssBytes / 2 ** 20).toFixed(0)} MB; goal < 400 MB for 10,000 + 2,000)`,
  );

  // Loss: one message per WebSocket, one published event for all held polls.
  let echoed = 0;
  for (const ws of clients) ws.once('message', () => echoed++);
  for (const ws of clients) ws.send('are you there');
  await fetch(`${url}/api/stream/publish`, { method: 'POST', body: JSON.stringify({ payload: 'to all' }) });
  const answers = await Promise.race([
    Promise.all(held.map((h) => h.response)),
    new Promise<string[]>((r) => setTimeout(() => r([]), 15_000)),
  ]);
  const lossDeadline = Date.now() + 15_000;
  while (echoed < clients.length && Date.now() < lossDeadline) await new Promise((r) => setTimeout(r, 20));
  const delivered = answers.filter((a) => a.includes('"to all"')).length;
  console.log(
    `  messages lost: ${clients.length - echoed} of ${clients.length} echoes, ${polls - delivered} of ${polls} long-poll events (goal 0)`,
  );
  for (const ws of clients) ws.terminate();
  for (const h of held) h.socket.destroy();
  child.kill('SIGTERM');
  await once(child, 'exit');
}

export type ServerBench = 'tap' | 'capacity';

/** Every part, or only those named (`npx tsx tests/bench/server.ts tap`). */
export async function benchServer(only: readonly string[] = []): Promise<void> {
  const wanted = (name: ServerBench) => only.length === 0 || only.includes(name);
  if (wanted('tap')) {
    const { child, url } = await startWirescope(['--heartbeat-ms', '600000'], { timeoutMs: 20_000 });
    try {
      await roundTrips(url, child.pid);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  }
  if (wanted('capacity')) await capacity();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const timer = setTimeout(() => {
    console.error('bench: over 300 s, giving up');
    process.exit(1);
  }, 300_000);
  timer.unref();
  await benchServer(process.argv.slice(2));
}
