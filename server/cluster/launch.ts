/**
 * `npm run cluster`: a cluster on this machine to try scaling out with. Starts Debian's redis-server on
 * a free loopback port (nothing saved to disk) and two nodes (`--nodes N` for more) on free ports that
 * share it, prints their URLs, and stops everything on Ctrl-C. Other options go to every node, e.g.
 * `npm run cluster -- --nodes 3 --stream-history 5000`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { answers, findRedisServer, freePort } from './local.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NAMES = 'abcdefghijklmnopqrstuvwxyz';

/** Prefixes each line a child prints with its name. */
function relay(child: ChildProcess, name: string, onLine?: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream?.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        onLine?.(line);
        console.log(`[${name}] ${line}`);
      }
    });
  }
}

function parseArgs(argv: string[]): { nodes: number; rest: string[] } {
  const rest: string[] = [];
  let nodes = 2;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const inline = arg.startsWith('--nodes=') ? arg.slice('--nodes='.length) : undefined;
    if (arg === '--nodes' || inline !== undefined) {
      nodes = Number(inline ?? argv[++i]);
      if (!Number.isInteger(nodes) || nodes < 1 || nodes > NAMES.length) {
        console.error(`npm run cluster: --nodes takes a whole number from 1 to ${NAMES.length}`);
        process.exit(2);
      }
    } else if (
      ['--port', '--backplane', '--node'].some((flag) => arg === flag || arg.startsWith(`${flag}=`))
    ) {
      console.error(`npm run cluster: ${arg.split('=')[0]} is chosen for each node; leave it out`);
      process.exit(2);
    } else {
      rest.push(arg);
    }
  }
  return { nodes, rest };
}

async function main(): Promise<void> {
  const { nodes: count, rest } = parseArgs(process.argv.slice(2));
  const binary = findRedisServer();
  if (!binary) {
    console.error(
      'npm run cluster needs redis-server, which is not installed.\n' +
        '  Debian/Ubuntu: sudo apt-get install redis-server\n' +
        'Or run the nodes yourself against any Redis: npm start -- --port 8081 --backplane redis://HOST:6379',
    );
    process.exit(1);
  }

  const children: Array<{ name: string; child: ChildProcess }> = [];
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nwirescope cluster: stopping the nodes, then Redis');
    const nodes = children.filter((c) => c.name !== 'redis');
    const redis = children.find((c) => c.name === 'redis');
    await Promise.all(nodes.map(({ child }) => ended(child, 'SIGTERM', 5_000)));
    if (redis) await ended(redis.child, 'SIGTERM', 5_000);
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  const port = await freePort();
  // Its own process group: Ctrl-C reaches the nodes (which close their connections) and this script,
  // which stops Redis last, so the nodes can still say goodbye to it.
  const redis = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  children.push({ name: 'redis', child: redis });
  redis.stdout.resume();
  redis.stderr.resume();
  redis.once('exit', (code) => {
    if (stopping) return;
    console.log(
      `[redis] exited (${code ?? 'signal'}): each node serves alone until a Redis answers again ` +
        `(redis-server --port ${port} --save '')`,
    );
  });
  const deadline = Date.now() + 10_000;
  while (!(await answers(port))) {
    if (redis.exitCode !== null || Date.now() > deadline) {
      console.error(`npm run cluster: redis-server did not start on port ${port}`);
      return stop(1);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const backplane = `redis://127.0.0.1:${port}`;

  const urls = await Promise.all(
    Array.from({ length: count }, (_, i) => {
      const name = NAMES[i]!;
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          'server/main.ts',
          '--port',
          '0',
          '--backplane',
          backplane,
          '--node',
          name,
          ...rest,
        ],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      children.push({ name, child });
      return new Promise<string>((resolve, reject) => {
        relay(child, name, (line) => {
          const match = /listening on (http:\/\/\S+)/.exec(line);
          if (match) resolve(match[1]!);
        });
        child.once('exit', (code) => {
          reject(new Error(`node ${name} exited (${code ?? 'signal'}) before it listened`));
          if (!stopping) console.log(`[${name}] exited (${code ?? 'signal'})`);
        });
      });
    }),
  ).catch((error: Error) => {
    console.error(`npm run cluster: ${error.message}`);
    return undefined;
  });
  if (!urls) return stop(1);

  console.log(`\nwirescope cluster: ${count} node${count === 1 ? '' : 's'} sharing Redis at ${backplane}`);
  urls.forEach((url, i) => console.log(`  node ${NAMES[i]}  ${url}`));
  console.log(
    'Open any of them (or put them behind a proxy: README, "Scaling out"). Ctrl-C stops everything.\n',
  );
}

/** Signals a child and waits for it to exit; SIGKILL after `ms`. */
async function ended(child: ChildProcess, signal: NodeJS.Signals, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  await exited;
  clearTimeout(timer);
}

void main();
