/**
 * Inspect-mode benchmark: `npx tsx tests/bench/proxy.ts` (or `npm run bench`).
 *
 * Echo round trips (64-byte binary WebSocket messages) straight to an app against the same app through
 * wirescope --target, interleaved in blocks so both see the same machine:
 * - one connection, one message at a time: round trips per second and the p99 latency the proxy adds
 *   (a serial round trip pays the extra hop twice, so this ratio is bound by latency, not capacity);
 * - throughput: 32 connections at once, each with one message in flight, in round trips per second
 *   as a ratio (goal at least 0.8x).
 * Through the proxy twice: with no page watching (the tap still captures both legs into its backlog)
 * and with a page reading every proxied connection (`/__wirescope/ws/tap?all=1`). The app, wirescope
 * and the tap reader each run in a process of their own, as they do in real use.
 *
 * Loopback only; bounded in count and time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { echoLatencies, percentile, TAP_READER } from './server.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ROUND_TRIPS = 3_000;
const BLOCKS = 10;
const PARALLEL = 32;
const PARALLEL_ROUND_TRIPS = 12_000;

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

/** Interleaved blocks straight and through: the summed rates of each. */
async function parallelPair(direct: string, through: string): Promise<[number, number]> {
  let straight = 0;
  let proxied = 0;
  for (let block = 0; block < BLOCKS / 2; block++) {
    straight += await parallelRate(direct, PARALLEL_ROUND_TRIPS / (BLOCKS / 2));
    proxied += await parallelRate(through, PARALLEL_ROUND_TRIPS / (BLOCKS / 2));
  }
  return [straight / (BLOCKS / 2), proxied / (BLOCKS / 2)];
}

function summary(list: number[]): { rate: number; p50: number; p99: number } {
  const total = list.reduce((a, b) => a + b, 0);
  const sorted = [...list].sort((a, b) => a - b);
  return { rate: (list.length / total) * 1000, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
}

export async function benchProxy(): Promise<void> {
  const app = spawn(process.execPath, ['-e', APP], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const children: ChildProcess[] = [app];
  try {
    const appPort = await waitForLine(app, /port (\d+)/);
    const proxy = spawn(
      process.execPath,
      ['--import', 'tsx', 'server/main.ts', '--port', '0', '--target', `http://127.0.0.1:${appPort}`],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(proxy);
    const proxyUrl = await waitForLine(proxy, /listening on (http:\/\/\S+)/);
    proxy.stdout!.resume();
    const direct = `ws://127.0.0.1:${appPort}/echo`;
    const through = `${proxyUrl.replace('http', 'ws')}/echo`;

    await echoLatencies(direct, 500); // warm up every path
    await echoLatencies(through, 500);
    const straight: number[] = [];
    const proxied: number[] = [];
    for (let block = 0; block < BLOCKS; block++) {
      straight.push(...(await echoLatencies(direct, ROUND_TRIPS / BLOCKS)));
      proxied.push(...(await echoLatencies(through, ROUND_TRIPS / BLOCKS)));
    }
    await parallelRate(through, 2_000);
    const [parallelStraight, parallelThrough] = await parallelPair(direct, through);

    // A page watching every proxied connection, in a process of its own.
    const reader = spawn(
      process.execPath,
      ['-e', TAP_READER, `${proxyUrl.replace('http', 'ws')}/__wirescope/ws/tap?all=1`],
      {
        cwd: ROOT,
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    children.push(reader);
    let readerOut = '';
    reader.stdout!.on('data', (chunk: Buffer) => (readerOut += chunk.toString()));
    while (!readerOut.includes('\n')) await new Promise((r) => setTimeout(r, 5));
    const watchedStraight: number[] = [];
    const watched: number[] = [];
    await echoLatencies(through, 500);
    for (let block = 0; block < BLOCKS; block++) {
      watchedStraight.push(...(await echoLatencies(direct, ROUND_TRIPS / BLOCKS)));
      watched.push(...(await echoLatencies(through, ROUND_TRIPS / BLOCKS)));
    }
    const [watchedParallelStraight, watchedParallel] = await parallelPair(direct, through);
    await new Promise((r) => setTimeout(r, 300)); // the last tap batch
    reader.stdin!.end();
    await once(reader, 'exit');
    const tapEvents = Number(readerOut.split('\n')[1]);

    const row = (name: string, list: number[]) => {
      const s = summary(list);
      console.log(
        `  ${name.padEnd(24)} ${s.rate.toFixed(0).padStart(7)} round trips/s   p50 ${s.p50.toFixed(3)} ms   p99 ${s.p99.toFixed(3)} ms`,
      );
      return s;
    };
    console.log(
      `echo round trips through wirescope --target (64-byte binary, ${ROUND_TRIPS} per mode, interleaved):`,
    );
    const rate = (name: string, value: number) =>
      console.log(`  ${name.padEnd(24)} ${value.toFixed(0).padStart(7)} round trips/s`);
    console.log('one connection, one message at a time:');
    const a = row('straight to the app', straight);
    const b = row('through the proxy', proxied);
    console.log(
      `  proxy / straight: ${(b.rate / a.rate).toFixed(2)}x; p99 added ${(b.p99 - a.p99).toFixed(3)} ms`,
    );
    const c = row('straight (second run)', watchedStraight);
    const d = row('through, page watching', watched);
    console.log(
      `  watched / straight: ${(d.rate / c.rate).toFixed(2)}x; p99 added ${(d.p99 - c.p99).toFixed(3)} ms (tap events streamed: ${tapEvents})`,
    );
    console.log(
      `throughput, ${PARALLEL} connections at once (${PARALLEL_ROUND_TRIPS} round trips per mode):`,
    );
    rate('straight to the app', parallelStraight);
    rate('through the proxy', parallelThrough);
    console.log(`  proxy / straight: ${(parallelThrough / parallelStraight).toFixed(2)}x  (goal >= 0.8x)`);
    rate('straight (second run)', watchedParallelStraight);
    rate('through, page watching', watchedParallel);
    console.log(`  watched / straight: ${(watchedParallel / watchedParallelStraight).toFixed(2)}x`);
  } finally {
    for (const child of children.reverse()) await stop(child);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const timer = setTimeout(() => {
    console.error('bench: over 240 s, giving up');
    process.exit(1);
  }, 240_000);
  timer.unref();
  await benchProxy();
}
