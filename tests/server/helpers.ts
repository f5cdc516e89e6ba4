/** Shared helpers for the server tests: an in-process server on port 0 and a raw TCP client. */
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';
import { startServer, type RunningServer } from '../../server/app.ts';
import type { ServerOptions } from '../../server/options.ts';
import { readTapMessage, type TapMessage, type TraceEvent } from '../../src/lib/trace/index.ts';

export async function start(options: Partial<ServerOptions> = {}): Promise<RunningServer> {
  return startServer({ port: 0, host: '127.0.0.1', heartbeatMs: 60_000, ...options });
}

/** A raw TCP client that records every byte it sends and receives. */
export class RawClient {
  readonly sent: Buffer[] = [];
  readonly received: Buffer[] = [];
  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.received.push(chunk));
    socket.on('error', () => undefined);
  }

  static async open(port: number): Promise<RawClient> {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    return new RawClient(socket);
  }

  send(bytes: Uint8Array | string): void {
    const buffer = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes);
    this.sent.push(buffer);
    this.socket.write(buffer);
  }

  get receivedBytes(): Buffer {
    return Buffer.concat(this.received);
  }

  get sentBytes(): Buffer {
    return Buffer.concat(this.sent);
  }

  /** Resolves once the received bytes satisfy `predicate` (or rejects after `ms`). */
  async until(predicate: (received: Buffer) => boolean, ms = 3000): Promise<Buffer> {
    const deadline = Date.now() + ms;
    while (!predicate(this.receivedBytes)) {
      if (Date.now() > deadline)
        throw new Error(`timed out; got ${JSON.stringify(this.receivedBytes.toString('latin1'))}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    return this.receivedBytes;
  }

  async closed(ms = 3000): Promise<void> {
    if (this.socket.closed) return;
    await Promise.race([
      once(this.socket, 'close'),
      new Promise((_, reject) => setTimeout(() => reject(new Error('socket not closed')), ms)),
    ]);
  }
}

export function upgradeRequest(
  path: string,
  port: number,
  overrides: Record<string, string | undefined> = {},
  method = 'GET',
): string {
  const headers: Record<string, string | undefined> = {
    Host: `127.0.0.1:${port}`,
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
    'Sec-WebSocket-Version': '13',
    ...overrides,
  };
  const lines = Object.entries(headers)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${v}\r\n`);
  return `${method} ${path} HTTP/1.1\r\n${lines.join('')}\r\n`;
}

export function statusOf(response: Buffer): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(response.toString('latin1'))?.[1]);
}

export function headEnd(response: Buffer): number {
  return response.indexOf('\r\n\r\n');
}

/** Collects what a tap socket receives, read as the page reads it (JSON text, binary event batches). */
export function tapMessages(ws: WebSocket): TapMessage[] {
  const messages: TapMessage[] = [];
  ws.on('message', (data, binary) => messages.push(readTapMessage(binary ? (data as Buffer) : String(data))));
  return messages;
}

/** Every event of the batches received so far, in order. */
export function tapEvents(messages: TapMessage[]): TraceEvent[] {
  return messages.flatMap((m) => (m.type === 'events' ? m.events : []));
}

/** Opens /ws/tap and collects its messages. */
export async function openTap(url: string): Promise<{
  ws: WebSocket;
  session: string;
  startedAt: number;
  messages: TapMessage[];
}> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/ws/tap`);
  const messages = tapMessages(ws);
  await once(ws, 'open');
  const deadline = Date.now() + 3000;
  while (messages.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  const hello = messages[0];
  if (hello?.type !== 'hello') throw new Error('no hello');
  return { ws, session: hello.session, startedAt: hello.startedAt, messages };
}

export async function waitFor(predicate: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function wsUrl(url: string, path: string): string {
  return `${url.replace('http', 'ws')}${path}`;
}
