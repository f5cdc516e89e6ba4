/**
 * Starts the real server (server/main.ts serving dist/) on a free loopback port for the browser tests,
 * and stops it afterwards. `npm run test:e2e` builds dist/ first.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';

export default async function globalSetup(): Promise<() => Promise<void>> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'server/main.ts', '--port', '0', '--host', '127.0.0.1'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((resolvePromise, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolvePromise(match[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
  process.env.WIRESCOPE_URL = url;
  return async () => {
    child.kill('SIGTERM');
    await once(child, 'exit');
  };
}
