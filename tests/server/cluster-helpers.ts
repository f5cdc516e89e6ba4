/** Helpers for the cluster tests: nodes on one Redis, and clients that keep everything they receive. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import type { RunningServer } from '../../server/app.ts';
import type { StreamEvent } from '../../server/stream.ts';
import { start } from './helpers.ts';
import { findRedisServer } from './redis.ts';

export const REDIS_SERVER = findRedisServer();
if (!REDIS_SERVER) {
  console.warn('cluster tests skipped: redis-server is not installed (Debian: apt-get install redis-server)');
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function startNode(backplane: string, node: string): Promise<RunningServer> {
  return start({ backplane, node });
}

/** A node in its own process (so that it can be killed), and the URL it printed. */
export async function spawnNode(
  backplane: string,
  node: string,
): Promise<{ child: ChildProcess; url: string; port: number; output: () => string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'server/main.ts', '--port', '0', '--backplane', backplane, '--node', node],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const deadline = Date.now() + 30_000;
  let match: RegExpExecArray | null;
  while (!(match = /listening on (http:\/\/\S+)/.exec(out))) {
    if (child.exitCode !== null) throw new Error(`node ${node} exited: ${out}`);
    if (Date.now() > deadline) throw new Error(`node ${node} did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const url = match[1]!;
  return { child, url, port: Number(new URL(url).port), output: () => out };
}

export { tapEvents } from './helpers.ts';

/** A `/ws/stream` subscriber: every event it got, and how its connection ended. */
export class StreamClient {
  readonly events: StreamEvent[] = [];
  closeCode: number | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.events.push(JSON.parse(String(data)) as StreamEvent));
    ws.on('close', (code) => (this.closeCode = code));
    ws.on('error', () => undefined);
  }

  static async open(base: string, query: string, options: { origin?: string } = {}): Promise<StreamClient> {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/ws/stream?${query}`, options);
    const client = new StreamClient(ws);
    await once(ws, 'open');
    return client;
  }

  get ids(): number[] {
    return this.events.map((event) => event.id);
  }

  close(): void {
    this.ws.close();
  }
}

/** Reads an SSE response: events as they arrive, and the raw text. */
export function openSse(
  base: string,
  path: string,
  headers: Record<string, string> = {},
): { events: StreamEvent[]; close: () => void; opened: Promise<void> } {
  const events: StreamEvent[] = [];
  let text = '';
  const req = request(`${base}${path}`, { headers: { accept: 'text/event-stream', ...headers } });
  const opened = new Promise<void>((resolve, reject) => {
    req.on('response', (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        let end;
        while ((end = text.indexOf('\n\n')) >= 0) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (data) events.push(JSON.parse(data) as StreamEvent);
        }
      });
      res.on('error', () => undefined);
      resolve();
    });
    req.on('error', reject);
  });
  req.end();
  return { events, close: () => req.destroy(), opened };
}

export async function post(base: string, path: string, body: unknown = {}): Promise<Response> {
  return fetch(`${base}${path}`, { method: 'POST', body: JSON.stringify(body) });
}

export async function publish(base: string, query: string, payload: string): Promise<StreamEvent> {
  const res = await post(base, `/api/stream/publish?${query}`, { payload });
  if (res.status !== 200) throw new Error(`publish answered ${res.status}`);
  return (await res.json()) as StreamEvent;
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
