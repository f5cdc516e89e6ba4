/**
 * The real server (server/main.ts) as a child process on a free loopback port, for the browser tests
 * and the benchmarks: started with the given options, resolved with the URL it prints once it listens
 * ("listening on http://…"), and a stop that waits for it to exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface WirescopeProcess {
  child: ChildProcess;
  url: string;
  port: number;
  /** SIGTERM, then wait for the exit (at once when it has exited already). */
  stop: () => Promise<void>;
}

export interface StartOptions {
  /** How long it may take to listen (a busy machine starts tsx slowly). */
  timeoutMs?: number;
  /** Named in the error when it does not start ("server", "node a"). */
  name?: string;
  /** Options for node itself, before the script (`--cpu-prof`). */
  nodeArgs?: readonly string[];
}

export async function startWirescope(
  args: readonly string[],
  options: StartOptions = {},
): Promise<WirescopeProcess> {
  const { timeoutMs = 60_000, name = 'server', nodeArgs = [] } = options;
  const script = ['--import', 'tsx', 'server/main.ts', '--port', '0', ...args];
  const child = spawn(process.execPath, [...nodeArgs, ...script], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${out}`)), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}: ${out}`));
    });
  });
  // Keep reading what it prints later, so a full pipe never stalls it.
  child.stdout!.resume();
  // A bench or test that dies on an error must not leave its server running (and holding its output).
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  return {
    child,
    url,
    port: Number(new URL(url).port),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
