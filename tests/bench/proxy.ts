/**
 * Inspect-mode benchmark: `npx tsx tests/bench/proxy.ts` (or `npm run bench`).
 *
 * Echo round trips (64-byte binary WebSocket messages) straight to an app against the same app through
 * wirescope --target, through a bare node:net relay (the extra hop alone: no tap, no HTTP reading) and,
 * where it is installed, through nginx (the named peer: a relay in C, as deployed in front of apps).
 * RUNS runs, each interleaving them all in blocks so all see the same machine; each run gives its own
 * ratios and the figures are their medians (this machine is shared, so one run says little):
 * - one connection, one message at a time: round trips per second and the p99 latency the proxy adds
 *   (a serial round trip pays the extra hop twice, so this ratio is bound by latency, not capacity);
 * - throughput: 32 connections at once, each with one message in flight, in round trips per second
 *   as a ratio (goal at least 0.8x), and the CPU time each proxy spends per round trip
 *   against the app's own (Linux: from /proc; the figure a loaded machine disturbs least).
 * Twice: with no page watching (the tap still keeps the most recent events for a page that opens
 * later) and with a page reading every proxied connection (`/__wirescope/ws/tap?all=1`). The app,
 * wirescope and the tap reader each run in a process of their own, as they do in real use.
 *
 * BENCH_PROXY_PROFILE=dir writes a CPU profile of the wirescope process (node --cpu-prof) into dir.
 * Loopback only; bounded in count and time.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { answers, freePort } from '../../server/cluster/local.ts';
import { startWirescope } from '../helpers/wirescopeProcess.ts';
import { cpuMicros, echoLatencies, median, percentile } from './server.ts';
import { startTapReader } from './tap-reader.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RUNS = 5;
/** Per run and mode: serial round trips in SERIAL_BLOCKS blocks, parallel ones in PARALLEL_BLOCKS. */
const SERIAL_ROUND_TRIPS = 600;
const SERIAL_BLOCKS = 4;
const PARALLEL = 32;
const PARALLEL_ROUND_TRIPS = 20_000;
const PARALLEL_BLOCKS = 2;

/**
 * The bare relay: node:net piping each connection to the app, Nagle off both ways like wirescope, with
 * no tap and no HTTP reading. What it costs is the extra hop itself.
 */
const RELAY = `
const net = require('node:net');
const port = Number(process.argv[1]);
const server = net.createServer({ noDelay: true }, (client) => {
  const app = net.connect({ port, host: '127.0.0.1', noDelay: true });
  client.pipe(app).pipe(client);
  client.on('error', () => app.destroy());
  app.on('error', () => client.destroy());
});
server.listen(0, '127.0.0.1', () => process.stdout.write('port ' + server.address().port + '\\n'));
`;

/** The learner's app: a ws echo server (permessage-deflate off, as the demo's own echo). */
const APP = `
const { WebSocketServer } = require('ws');
const { createServer } = require('node:http');
const server = createServer((req, res) => res.end('app'));
const wss = new WebSocketServer({ server, perMessageDeflate: false });
wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
server.listen(0, '127.0.0.1', () => process.stdout.write('port ' + server.address().port + '\\n'));
`;

/**
 * nginx as a reverse proxy in front of the same app, when it is installed: one worker, no buffering,
 * Nagle off, the upgrade passed on (proxy_http_version 1.1 and the Upgrade and Connection fields).
 * Undefined, with the reason printed, when there is no nginx.
 */
async function startNginx(
  appPort: string,
): Promise<{ child: ChildProcess; port: number; dir: string } | undefined> {
  if (spawnSync('nginx', ['-v'], { stdio: 'ignore' }).error) {
    console.log('  (nginx is not installed: its row is skipped; Debian: apt-get install nginx-light)');
    return undefined;
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'wirescope-nginx-'));
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((k) => `${k}_temp_path ${dir};`)
    .join(' ');
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off; master_process off; worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 1024; }
http {
  access_log off; ${temp}
  server {
    listen 127.0.0.1:${port}; tcp_nodelay on;
    location / {
      proxy_pass http://127.0.0.1:${appPort}; proxy_http_version 1.1; proxy_buffering off;
      proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade";
    }
  }
}
`,
  );
  const child = spawn('nginx', ['-e', join(dir, 'error.log'), '-p', dir, '-c', join(dir, 'nginx.conf')], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let tries = 0; ; tries++) {
    if (await answers(port)) return { child, port, dir };
    if (tries === 100 || child.exitCode !== null) {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
      console.log('  (nginx did not start: its row is skipped)');
      return undefined;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

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

function rateOf(latencies: readonly number[]): number {
  return (latencies.length / latencies.reduce((a, b) => a + b, 0)) * 1000;
}

function sorted(latencies: readonly number[]): number[] {
  return [...latencies].sort((a, b) => a - b);
}

/**
 * A way to the app other than straight: wirescope, the bare relay (the cost of the extra hop alone) and,
 * where it is installed, nginx (a relay in C, the usual reverse proxy in front of WebSocket apps).
 */
interface Route {
  name: 'wirescope' | 'bare relay' | 'nginx';
  url: string;
  pid: number | undefined;
}

/** What one run measured on one route, against straight to the app in the same run. */
interface RouteRun {
  serial: number;
  p50: number;
  p99Added: number;
  parallel: number;
  rate: number;
  /** Microseconds of CPU per round trip at 32 connections: the route's process, and the app's. */
  cpu: number | undefined;
  cpuApp: number | undefined;
}

interface Run {
  p50Straight: number;
  rateStraight: number;
  /** By route, in the order the routes were given. */
  routes: Map<Route['name'], RouteRun>;
}

/** CPU microseconds of each pid used while `work` runs (undefined where /proc is missing). */
async function cpuDuring(pids: Array<number | undefined>, work: () => Promise<number>) {
  const before = pids.map(cpuMicros);
  const result = await work();
  const used = pids.map((pid, i) => {
    const after = cpuMicros(pid);
    return after === undefined || before[i] === undefined ? undefined : after - before[i]!;
  });
  return { result, used };
}

const sum = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined ? undefined : a + b;

/** One run: serial blocks, then parallel blocks, each going straight and then through every route. */
async function measureRun(direct: string, routes: readonly Route[], appPid?: number): Promise<Run> {
  const straight: number[] = [];
  const serial = routes.map(() => [] as number[]);
  for (let block = 0; block < SERIAL_BLOCKS; block++) {
    straight.push(...(await echoLatencies(direct, SERIAL_ROUND_TRIPS / SERIAL_BLOCKS)));
    for (const [i, route] of routes.entries()) {
      serial[i]!.push(...(await echoLatencies(route.url, SERIAL_ROUND_TRIPS / SERIAL_BLOCKS)));
    }
  }
  let rateStraight = 0;
  const rates = routes.map(() => 0);
  const cpu: Array<number | undefined> = routes.map(() => 0);
  const cpuApp: Array<number | undefined> = routes.map(() => 0);
  const each = PARALLEL_ROUND_TRIPS / PARALLEL_BLOCKS;
  for (let block = 0; block < PARALLEL_BLOCKS; block++) {
    rateStraight += await parallelRate(direct, each);
    for (const [i, route] of routes.entries()) {
      const { result, used } = await cpuDuring([route.pid, appPid], () => parallelRate(route.url, each));
      rates[i]! += result;
      cpu[i] = sum(cpu[i], used[0]);
      cpuApp[i] = sum(cpuApp[i], used[1]);
    }
  }
  const straightSorted = sorted(straight);
  const perRoute = (i: number): RouteRun => {
    const list = sorted(serial[i]!);
    return {
      serial: rateOf(list) / rateOf(straight),
      p50: percentile(list, 0.5),
      p99Added: percentile(list, 0.99) - percentile(straightSorted, 0.99),
      parallel: rates[i]! / rateStraight,
      rate: rates[i]! / PARALLEL_BLOCKS,
      cpu: cpu[i] === undefined ? undefined : cpu[i]! / PARALLEL_ROUND_TRIPS,
      cpuApp: cpuApp[i] === undefined ? undefined : cpuApp[i]! / PARALLEL_ROUND_TRIPS,
    };
  };
  return {
    p50Straight: percentile(straightSorted, 0.5),
    rateStraight: rateStraight / PARALLEL_BLOCKS,
    routes: new Map(routes.map((route, i) => [route.name, perRoute(i)])),
  };
}

const fixed = (value: number, digits = 2) => value.toFixed(digits);
const span = (list: readonly number[], digits = 2) => {
  const ordered = sorted(list);
  return `${fixed(ordered[0]!, digits)}-${fixed(ordered.at(-1)!, digits)}`;
};

function report(title: string, runs: readonly Run[]): void {
  console.log(`${title}:`);
  const names = [...runs[0]!.routes.keys()];
  runs.forEach((run, i) => {
    const wirescope = run.routes.get('wirescope')!;
    const each = (line: (name: Route['name'], r: RouteRun) => string) =>
      names.map((name) => line(name, run.routes.get(name)!)).join(', ');
    const cpu =
      wirescope.cpu === undefined
        ? ''
        : `; CPU/round trip ${each((name, r) => `${name} ${fixed(r.cpu!, 0)} us`)}, app ${fixed(wirescope.cpuApp!, 0)} us`;
    console.log(
      `  run ${i + 1}: ${PARALLEL} conns straight ${fixed(run.rateStraight, 0)}/s, ${each((name, r) => `${name} ${fixed(r.parallel)}x`)}; ` +
        `one at a time (p50 straight ${fixed(run.p50Straight, 3)} ms) ${each((name, r) => `${name} ${fixed(r.serial)}x (p50 ${fixed(r.p50, 3)} ms, p99 +${fixed(r.p99Added, 2)} ms)`)}${cpu}`,
    );
  });
  const of = (name: Route['name'], key: 'serial' | 'parallel' | 'p99Added' | 'cpu' | 'cpuApp') =>
    runs.flatMap((run) => {
      const value = run.routes.get(name)![key];
      return value === undefined ? [] : [value];
    });
  const figure = (name: Route['name'], key: 'serial' | 'parallel' | 'p99Added', digits = 2) =>
    `${fixed(median(of(name, key)), digits)} (${span(of(name, key), digits)})`;
  const goal = (name: Route['name']) => (name === 'wirescope' ? ' (goal >= 0.8x)' : '');
  console.log(
    `  median of ${runs.length}, ${PARALLEL} conns / straight: ${names.map((name) => `${name} ${figure(name, 'parallel')}x${goal(name)}`).join(', ')}`,
  );
  console.log(
    `  median of ${runs.length}, one at a time / straight: ${names.map((name) => `${name} ${figure(name, 'serial')}x, p99 added ${figure(name, 'p99Added')} ms`).join('; ')}`,
  );
  if (of('wirescope', 'cpu').length > 0) {
    console.log(
      `  median CPU per round trip at ${PARALLEL} conns: ${names.map((name) => `${name} ${fixed(median(of(name, 'cpu')), 0)} us`).join(', ')}, ` +
        `the app itself ${fixed(median(of('wirescope', 'cpuApp')), 0)} us`,
    );
  }
}

export async function benchProxy(): Promise<void> {
  const app = spawn(process.execPath, ['-e', APP], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const children: ChildProcess[] = [app];
  const profile = process.env.BENCH_PROXY_PROFILE;
  let nginx: Awaited<ReturnType<typeof startNginx>>;
  try {
    const appPort = await waitForLine(app, /port (\d+)/);
    const proxy = await startWirescope(['--target', `http://127.0.0.1:${appPort}`], {
      name: 'wirescope --target',
      nodeArgs: profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [],
    });
    children.push(proxy.child);
    const relayProcess = spawn(process.execPath, ['-e', RELAY, appPort], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(relayProcess);
    const relayPort = await waitForLine(relayProcess, /port (\d+)/);
    const direct = `ws://127.0.0.1:${appPort}/echo`;
    const through = `${proxy.url.replace('http', 'ws')}/echo`;
    const routes: Route[] = [
      { name: 'wirescope', url: through, pid: proxy.child.pid },
      { name: 'bare relay', url: `ws://127.0.0.1:${relayPort}/echo`, pid: relayProcess.pid },
    ];
    console.log(
      `echo round trips (64-byte binary) straight to the app and through each proxy in front of it: ${RUNS} runs, each interleaving them all`,
    );
    nginx = await startNginx(appPort);
    if (nginx) {
      children.push(nginx.child);
      routes.push({ name: 'nginx', url: `ws://127.0.0.1:${nginx.port}/echo`, pid: nginx.child.pid });
    }

    for (const url of [direct, ...routes.map((route) => route.url)]) {
      await echoLatencies(url, 500); // warm up every path
      await parallelRate(url, 2_000);
    }
    const unwatched: Run[] = [];
    for (let run = 0; run < RUNS; run++) unwatched.push(await measureRun(direct, routes, app.pid));
    report('no page watching', unwatched);

    // A page watching every proxied connection, in a process of its own.
    const reader = await startTapReader(`${proxy.url.replace('http', 'ws')}/__wirescope/ws/tap?all=1`);
    children.push(reader.child);
    await echoLatencies(through, 500);
    const watched: Run[] = [];
    for (let run = 0; run < RUNS; run++) watched.push(await measureRun(direct, routes, app.pid));
    await new Promise((r) => setTimeout(r, 300)); // the last tap batch
    const tapEvents = await reader.finish();
    report(`a page watching every connection (tap events streamed: ${tapEvents})`, watched);
  } finally {
    for (const child of children.reverse()) await stop(child);
    if (nginx) rmSync(nginx.dir, { recursive: true, force: true });
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
