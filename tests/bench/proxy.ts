/**
 * Inspect-mode benchmark: `npx tsx tests/bench/proxy.ts` (or `npm run bench`).
 *
 * Echo round trips (64-byte binary WebSocket messages) straight to an app against the same app through
 * wirescope --target. RUNS runs, each interleaving the two in blocks so both see the same machine; each
 * run gives its own ratios and the figures are their medians (this machine is shared, so one run says
 * little):
 * - one connection, one message at a time: round trips per second and the p99 latency the proxy adds
 *   (a serial round trip pays the extra hop twice, so this ratio is bound by latency, not capacity);
 * - throughput: 32 connections at once, each with one message in flight, in round trips per second
 *   as a ratio (goal at least 0.8x), and the CPU time wirescope spends per round trip against the app's
 *   own (Linux: from /proc; the figure a loaded machine disturbs least).
 * Twice: with no page watching (the tap still keeps the most recent events for a page that opens
 * later) and with a page reading every proxied connection (`/__wirescope/ws/tap?all=1`). The app,
 * wirescope and the tap reader each run in a process of their own, as they do in real use.
 *
 * BENCH_PROXY_PROFILE=dir writes a CPU profile of the wirescope process (node --cpu-prof) into dir.
 * Loopback only; bounded in count and time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { startWirescope } from '../helpers/wirescopeProcess.ts';
import { echoLatencies, median, percentile, TAP_READER } from './server.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RUNS = 5;
/** Per run and mode: serial round trips in SERIAL_BLOCKS blocks, parallel ones in PARALLEL_BLOCKS. */
const SERIAL_ROUND_TRIPS = 600;
const SERIAL_BLOCKS = 4;
const PARALLEL = 32;
const PARALLEL_ROUND_TRIPS = 4_000;
const PARALLEL_BLOCKS = 2;

/** The learner's app: a ws echo server (permessage-deflate off, as the demo's own echo). */
const APP = `
const { WebSocketServer } = require('ws');
const { createServer } = require('node:http');
const server = createServer((req, res) => res.end('app'));
const wss = new WebSocketServer({ server, perMessageDeflate: false });
wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
server.listen(0, '127.0.0.1', () => process.stdout.write('port ' + server.address().port + '\\n'));
`;

async function waitForLine(child: ChildProcess, pattern: RegExp): Promise<string> {
  let out = '';
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`did not start: ${out}`)), 20_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = pattern.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

/** CPU time (user + system) a process has used, in microseconds; undefined where /proc is missing. */
function cpuMicros(pid: number | undefined): number | undefined {
  const file = `/proc/${pid}/stat`;
  if (pid === undefined || !existsSync(file)) return undefined;
  // Fields after the command name: utime and stime are the 12th and 13th, in clock ticks (100 a second).
  const fields = readFileSync(file, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** `total` round trips spread over `PARALLEL` connections, each with one message in flight: per second. */
async function parallelRate(url: string, total: number): Promise<number> {
  const sockets = await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      const ws = new WebSocket(url);
      await once(ws, 'open');
      return ws;
    }),
  );
  const payload = Buffer.alloc(64, 'a');
  const each = Math.ceil(total / PARALLEL);
  const t0 = performance.now();
  await Promise.all(
    sockets.map(
      (ws) =>
        new Promise<void>((resolve) => {
          let left = each;
          ws.on('message', () => (--left === 0 ? resolve() : ws.send(payload)));
          ws.send(payload);
        }),
    ),
  );
  const rate = ((each * PARALLEL) / (performance.now() - t0)) * 1000;
  await Promise.all(sockets.map((ws) => (ws.close(), once(ws, 'close'))));
  return rate;
}

function rateOf(latencies: readonly number[]): number {
  return (latencies.length / latencies.reduce((a, b) => a + b, 0)) * 1000;
}

function p99(latencies: readonly number[]): number {
  return percentile(
    [...latencies].sort((a, b) => a - b),
    0.99,
  );
}

interface Run {
  serial: number;
  p50Straight: number;
  p50Through: number;
  p99Added: number;
  parallel: number;
  parallelStraight: number;
  parallelThrough: number;
  /** Microseconds of CPU per round trip through the proxy: wirescope's, and the app's own. */
  cpuProxy: number | undefined;
  cpuApp: number | undefined;
}

/** One run: serial blocks, then parallel blocks, each alternating straight and through. */
async function measureRun(
  direct: string,
  through: string,
  pids: { app?: number; proxy?: number },
): Promise<Run> {
  const straight: number[] = [];
  const proxied: number[] = [];
  for (let block = 0; block < SERIAL_BLOCKS; block++) {
    straight.push(...(await echoLatencies(direct, SERIAL_ROUND_TRIPS / SERIAL_BLOCKS)));
    proxied.push(...(await echoLatencies(through, SERIAL_ROUND_TRIPS / SERIAL_BLOCKS)));
  }
  let rateStraight = 0;
  let rateThrough = 0;
  let cpuProxy: number | undefined = 0;
  let cpuApp: number | undefined = 0;
  const each = PARALLEL_ROUND_TRIPS / PARALLEL_BLOCKS;
  for (let block = 0; block < PARALLEL_BLOCKS; block++) {
    rateStraight += await parallelRate(direct, each);
    const proxy0 = cpuMicros(pids.proxy);
    const app0 = cpuMicros(pids.app);
    rateThrough += await parallelRate(through, each);
    const proxy1 = cpuMicros(pids.proxy);
    const app1 = cpuMicros(pids.app);
    cpuProxy = cpuProxy !== undefined && proxy0 !== undefined ? cpuProxy + proxy1! - proxy0 : undefined;
    cpuApp = cpuApp !== undefined && app0 !== undefined ? cpuApp + app1! - app0 : undefined;
  }
  const sortedStraight = [...straight].sort((a, b) => a - b);
  const sortedProxied = [...proxied].sort((a, b) => a - b);
  return {
    serial: rateOf(proxied) / rateOf(straight),
    p50Straight: percentile(sortedStraight, 0.5),
    p50Through: percentile(sortedProxied, 0.5),
    p99Added: p99(proxied) - p99(straight),
    parallel: rateThrough / rateStraight,
    parallelStraight: rateStraight / PARALLEL_BLOCKS,
    parallelThrough: rateThrough / PARALLEL_BLOCKS,
    cpuProxy: cpuProxy === undefined ? undefined : cpuProxy / PARALLEL_ROUND_TRIPS,
    cpuApp: cpuApp === undefined ? undefined : cpuApp / PARALLEL_ROUND_TRIPS,
  };
}

const fixed = (value: number, digits = 2) => value.toFixed(digits);
const span = (list: readonly number[], digits = 2) => {
  const sorted = [...list].sort((a, b) => a - b);
  return `${fixed(sorted[0]!, digits)}-${fixed(sorted.at(-1)!, digits)}`;
};

function report(title: string, runs: readonly Run[]): void {
  console.log(`${title}:`);
  runs.forEach((run, i) => {
    const cpu =
      run.cpuProxy === undefined
        ? ''
        : `; CPU per round trip: wirescope ${fixed(run.cpuProxy, 0)} us, app ${fixed(run.cpuApp!, 0)} us`;
    console.log(
      `  run ${i + 1}: one at a time ${fixed(run.serial)}x (p50 ${fixed(run.p50Straight, 3)} -> ${fixed(run.p50Through, 3)} ms, p99 added ${fixed(run.p99Added, 3)} ms); ` +
        `${PARALLEL} conns ${fixed(run.parallelStraight, 0)} -> ${fixed(run.parallelThrough, 0)} round trips/s ${fixed(run.parallel)}x${cpu}`,
    );
  });
  const serial = runs.map((run) => run.serial);
  const parallel = runs.map((run) => run.parallel);
  const added = runs.map((run) => run.p99Added);
  console.log(
    `  median of ${runs.length}: ${PARALLEL} conns proxy / straight ${fixed(median(parallel))}x (${span(parallel)}; goal >= 0.8x); ` +
      `one at a time ${fixed(median(serial))}x (${span(serial)}), p99 added ${fixed(median(added), 3)} ms (${span(added, 3)})`,
  );
  const cpu = runs.filter((run) => run.cpuProxy !== undefined);
  if (cpu.length > 0) {
    console.log(
      `  median CPU per round trip at ${PARALLEL} conns: wirescope ${fixed(median(cpu.map((run) => run.cpuProxy!)), 0)} us, ` +
        `the app itself ${fixed(median(cpu.map((run) => run.cpuApp!)), 0)} us`,
    );
  }
}

export async function benchProxy(): Promise<void> {
  const app = spawn(process.execPath, ['-e', APP], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const children: ChildProcess[] = [app];
  const profile = process.env.BENCH_PROXY_PROFILE;
  try {
    const appPort = await waitForLine(app, /port (\d+)/);
    const proxy = await startWirescope(['--target', `http://127.0.0.1:${appPort}`], {
      name: 'wirescope --target',
      nodeArgs: profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [],
    });
    children.push(proxy.child);
    const pids = { app: app.pid, proxy: proxy.child.pid };
    const direct = `ws://127.0.0.1:${appPort}/echo`;
    const through = `${proxy.url.replace('http', 'ws')}/echo`;

    await echoLatencies(direct, 500); // warm up every path
    await echoLatencies(through, 500);
    await parallelRate(direct, 2_000);
    await parallelRate(through, 2_000);
    console.log(
      `echo round trips through wirescope --target (64-byte binary), ${RUNS} runs, each interleaving straight and through:`,
    );
    const unwatched: Run[] = [];
    for (let run = 0; run < RUNS; run++) unwatched.push(await measureRun(direct, through, pids));
    report('no page watching', unwatched);

    // A page watching every proxied connection, in a process of its own.
    const reader = spawn(
      process.execPath,
      ['-e', TAP_READER, `${proxy.url.replace('http', 'ws')}/__wirescope/ws/tap?all=1`],
      { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] },
    );
    children.push(reader);
    let readerOut = '';
    reader.stdout!.on('data', (chunk: Buffer) => (readerOut += chunk.toString()));
    while (!readerOut.includes('\n')) await new Promise((r) => setTimeout(r, 5));
    await echoLatencies(through, 500);
    const watched: Run[] = [];
    for (let run = 0; run < RUNS; run++) watched.push(await measureRun(direct, through, pids));
    await new Promise((r) => setTimeout(r, 300)); // the last tap batch
    reader.stdin!.end();
    await once(reader, 'exit');
    const tapEvents = Number(readerOut.split('\n')[1]);
    report(`a page watching every connection (tap events streamed: ${tapEvents})`, watched);
  } finally {
    for (const child of children.reverse()) await stop(child);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const timer = setTimeout(() => {
    console.error('bench: over 300 s, giving up');
    process.exit(1);
  }, 300_000);
  timer.unref();
  await benchProxy();
}
