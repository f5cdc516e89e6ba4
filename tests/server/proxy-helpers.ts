/** Targets for the inspect-mode tests: a small app (node:http + ws) and a raw TCP server that misbehaves. */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { once } from 'node:events';
import { WebSocketServer } from 'ws';
export { freePort } from '../../server/cluster/local.ts';
import type { TraceEvent } from '../../src/lib/trace/index.ts';

/** Every byte one TCP connection of a target received. */
export interface Received {
  socket: Socket;
  bytes: Buffer[];
  closed: boolean;
}

function record(list: Received[], socket: Socket): Received {
  const entry: Received = { socket, bytes: [], closed: false };
  // First in line, before node:http or ws read anything (the demo server's tap does the same).
  socket.prependListener('data', (chunk: Buffer) => entry.bytes.push(Buffer.from(chunk)));
  socket.once('close', () => (entry.closed = true));
  list.push(entry);
  return entry;
}

export interface App {
  server: Server;
  port: number;
  url: string;
  received: Received[];
  close(): Promise<void>;
}

/**
 * The learner's app: echoes requests (`METHOD path body`), streams server-sent events on /sse, holds
 * /poll for 300 ms, and echoes WebSocket messages with permessage-deflate on offer.
 */
export async function startApp(port = 0): Promise<App> {
  const received: Received[] = [];
  const server = createHttpServer((req, res) => {
    if (req.url === '/sse') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      let n = 0;
      const timer = setInterval(() => {
        res.write(`id: ${n}\ndata: event ${n}\n\n`);
        if (++n === 3) {
          clearInterval(timer);
          res.end();
        }
      }, 40);
      return;
    }
    if (req.url?.startsWith('/poll')) {
      setTimeout(() => res.end('{"events":[1]}'), 300);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => res.end(`${req.method} ${req.url} ${Buffer.concat(chunks).toString()}`));
  });
  server.on('connection', (socket: Socket) => record(received, socket));
  const wss = new WebSocketServer({ server, perMessageDeflate: { threshold: 0 }, maxPayload: 4 << 20 });
  wss.on('connection', (ws) =>
    ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary })),
  );
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  return {
    server,
    port: actual,
    url: `http://127.0.0.1:${actual}`,
    received,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export interface RawTarget {
  server: TcpServer;
  port: number;
  received: Received[];
  close(): Promise<void>;
}

/** A TCP target that answers each connection's first bytes with `reply` (and may then close). */
export async function startRawTarget(reply: (socket: Socket, first: Buffer) => void): Promise<RawTarget> {
  const received: Received[] = [];
  const server = createTcpServer({ allowHalfOpen: true }, (socket) => {
    record(received, socket);
    socket.on('error', () => undefined);
    socket.on('end', () => socket.end());
    socket.once('data', (chunk: Buffer) => reply(socket, chunk));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    server,
    port,
    received,
    close: async () => {
      for (const entry of received) entry.socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export function joined(entry: Received | undefined): Buffer {
  return Buffer.concat(entry?.bytes ?? []);
}

export { tapEvents } from './helpers.ts';

/** The bytes of one conn in one direction, from its 'bytes' events (or its units). */
export function streamOf(
  events: TraceEvent[],
  conn: string,
  dir: 'c2s' | 's2c',
  type: 'bytes' | 'unit' = 'bytes',
): Buffer {
  return Buffer.concat(
    events.flatMap((e) =>
      e.type === type && e.conn === conn && e.dir === dir ? [Buffer.from(e.bytes)] : [],
    ),
  );
}

/** The client leg and its target leg(s), as the conn.open events pair them. */
export function legs(events: TraceEvent[]): Array<{ client: string; targets: string[] }> {
  const out: Array<{ client: string; targets: string[] }> = [];
  for (const e of events) {
    if (e.type !== 'conn.open') continue;
    if (e.leg === 'client') out.push({ client: e.conn, targets: [] });
    if (e.leg === 'target') out.find((l) => l.client === e.pair)?.targets.push(e.conn);
  }
  return out;
}
