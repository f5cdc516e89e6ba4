/**
 * permessage-deflate benchmark: `npx tsx tests/bench/deflate.ts` (or `npm run bench`).
 *
 * 1. Bytes on the wire per message, each way, for real-looking payloads (JSON chat messages, a market
 *    tick that changes a little each time): the plain echo (/ws/echo) against /ws/deflate with context
 *    takeover, without it (?takeover=off) and with a 1 KiB window (?window_bits=10). The server's frames
 *    are compressed by ws (Node's zlib), the client's by the protocol code; bytes are counted on the
 *    client's socket, frame headers included, handshake excluded.
 * 2. The server's memory per connection: N plain connections against N compressed ones, each having
 *    sent one compressed message and received its echo (so the server holds both zlib streams), the
 *    server in a child process so its RSS is its own.
 *
 * Loopback only; bounded in count and time.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { compressMessage, encodeFrame, Opcode } from '../../src/lib/protocol/index.ts';
import { DeflateClient } from '../server/deflateClient.ts';
import { start } from '../server/helpers.ts';
import { startWirescope } from '../helpers/wirescopeProcess.ts';

const MESSAGES = 200;
const CONNECTIONS = 500;
const BROWSER_OFFER = 'permessage-deflate; client_max_window_bits';

/** A small deterministic generator, so every run sends the same messages. */
function generator(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

const NAMES = ['mina', 'joon', 'alex', 'sam', 'yuna', 'theo', 'hana'];
const WORDS = (
  'the deploy is done can you check the dashboard I think the cache is cold again ' +
  'lunch at noon sounds good the build failed on main looks like a flaky test ' +
  'merged thanks for the review'
).split(' ');

function chatMessages(count: number): string[] {
  const random = generator(1);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  return Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      type: 'chat',
      id: 1000 + i,
      room: 'general',
      user: pick(NAMES),
      text: Array.from({ length: 4 + Math.floor(random() * 10) }, () => pick(WORDS)).join(' '),
      sentAt: new Date(Date.UTC(2025, 0, 6, 9, 0, 0) + i * 7_300).toISOString(),
    }),
  );
}

function marketTicks(count: number): string[] {
  const random = generator(2);
  let bid = 101.25;
  return Array.from({ length: count }, (_, i) => {
    bid = Math.round((bid + (random() - 0.5) * 0.1) * 100) / 100;
    return JSON.stringify({
      type: 'tick',
      symbol: 'ACME',
      bid,
      ask: Math.round((bid + 0.02) * 100) / 100,
      volume: 1000 + Math.floor(random() * 50) * 100,
      seq: 500_000 + i,
    });
  });
}

interface WireFigures {
  payload: number;
  up: number;
  down: number;
}

async function wireBytes(
  port: number,
  path: string,
  offer: string[],
  messages: string[],
): Promise<WireFigures> {
  const client = await DeflateClient.open(port, { path, offer });
  const start = { sent: client.raw.sentBytes.length, received: client.raw.receivedBytes.length };
  let payload = 0;
  for (const text of messages) {
    payload += Buffer.byteLength(text);
    client.send(text);
    const echo = await client.next();
    if (echo.type !== 'message' || echo.text !== text) throw new Error(`bad echo on ${path}`);
  }
  const figures = {
    payload: payload / messages.length,
    up: (client.raw.sentBytes.length - start.sent) / messages.length,
    down: (client.raw.receivedBytes.length - start.received) / messages.length,
  };
  client.close();
  await client.closeCode();
  return figures;
}

async function bytesOnTheWire(): Promise<void> {
  const server = await start({ maxMessageBytes: 1 << 20 });
  try {
    const modes: Array<[string, string, string[]]> = [
      ['plain /ws/echo (peer)', '/ws/echo', []],
      ['deflate, takeover', '/ws/deflate', [BROWSER_OFFER]],
      ['deflate, no takeover', '/ws/deflate?takeover=off', [BROWSER_OFFER]],
      ['deflate, 1 KiB window', '/ws/deflate?window_bits=10', [BROWSER_OFFER]],
    ];
    const payloads: Array<[string, string[]]> = [
      ['JSON chat message', chatMessages(MESSAGES)],
      ['market tick', marketTicks(MESSAGES)],
    ];
    console.log(`bytes on the wire per message (${MESSAGES} messages each, frame headers included):`);
    for (const [name, messages] of payloads) {
      let plain: WireFigures | undefined;
      for (const [mode, path, offer] of modes) {
        const f = await wireBytes(server.port, path, offer, messages);
        plain ??= f;
        const ratio = (f.down / plain.down).toFixed(2);
        console.log(
          `  ${name.padEnd(18)} ${mode.padEnd(22)} payload ${f.payload.toFixed(0).padStart(4)} B   ` +
            `server->client ${f.down.toFixed(1).padStart(6)} B (${ratio}x)   client->server ${f.up.toFixed(1).padStart(6)} B`,
        );
      }
    }
  } finally {
    await server.close();
  }
}

/**
 * One raw connection that upgrades, sends `frame` and waits for the echo: the server has then created
 * whatever per-connection state that path costs (for /ws/deflate, a zlib inflater and deflater).
 */
function openAndEcho(
  port: number,
  path: string,
  offer: string | undefined,
  frame: Uint8Array,
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let upgraded = false;
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (!upgraded) {
        const end = received.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (!received.subarray(0, 12).toString().includes('101')) return reject(new Error('no 101'));
        upgraded = true;
        received = received.subarray(end + 4);
        socket.write(frame);
      }
      if (upgraded && received.length >= 2) resolve(socket);
    });
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n` +
        (offer ? `Sec-WebSocket-Extensions: ${offer}\r\n` : '') +
        '\r\n',
    );
  });
}

async function memoryPerConnection(): Promise<void> {
  const text = new TextEncoder().encode(chatMessages(1)[0]!);
  const mask = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);
  const plainFrame = encodeFrame({ opcode: Opcode.Text, payload: text, mask });
  // Each connection's first message has no earlier context, so one compressed frame serves them all.
  const deflateFrame = encodeFrame({ opcode: Opcode.Text, rsv: 4, payload: compressMessage(text), mask });
  const modes: Array<[string, string, string | undefined, Uint8Array, string[]]> = [
    ['plain /ws/echo (peer)', '/ws/echo', undefined, plainFrame, []],
    ['deflate, takeover', '/ws/deflate', BROWSER_OFFER, deflateFrame, []],
    ['deflate, no takeover', '/ws/deflate?takeover=off', BROWSER_OFFER, deflateFrame, []],
    ['deflate, 1 KiB window', '/ws/deflate?window_bits=10', BROWSER_OFFER, deflateFrame, []],
    [
      'deflate, 1 KiB, memLevel 1',
      '/ws/deflate?window_bits=10',
      BROWSER_OFFER,
      deflateFrame,
      ['--deflate-mem-level', '1'],
    ],
  ];
  console.log(`server memory per connection (${CONNECTIONS} connections each, server in a child process):`);
  let plainPer = 0;
  for (const [mode, path, offer, frame, args] of modes) {
    const { child, url, port } = await startWirescope(
      [
        '--max-connections',
        String(CONNECTIONS + 100),
        // Every connection comes from 127.0.0.1: lift the per-client cap (256 by default).
        '--max-connections-per-client',
        '0',
        '--heartbeat-ms',
        '600000',
        ...args,
      ],
      { timeoutMs: 20_000 },
    );
    try {
      const rss = async () =>
        ((await (await fetch(`${url}/api/stats`)).json()) as { rssBytes: number }).rssBytes;
      // Warm up: the code paths and zlib's first allocations are not per connection.
      const warm = await Promise.all(Array.from({ length: 20 }, () => openAndEcho(port, path, offer, frame)));
      for (const s of warm) s.destroy();
      await new Promise((r) => setTimeout(r, 300));
      const before = await rss();
      const sockets: Socket[] = [];
      for (let i = 0; i < CONNECTIONS; i += 100) {
        const batch = Array.from({ length: Math.min(100, CONNECTIONS - i) }, () =>
          openAndEcho(port, path, offer, frame),
        );
        sockets.push(...(await Promise.all(batch)));
      }
      await new Promise((r) => setTimeout(r, 300));
      const after = await rss();
      const per = (after - before) / CONNECTIONS;
      if (mode.startsWith('plain')) plainPer = per;
      console.log(
        `  ${mode.padEnd(26)} ${(per / 1024).toFixed(1).padStart(6)} KiB per connection` +
          (plainPer > 0 && !mode.startsWith('plain') ? ` (${(per / plainPer).toFixed(1)}x plain)` : '') +
          `   server RSS ${(after / 2 ** 20).toFixed(0)} MB`,
      );
      for (const s of sockets) s.destroy();
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  }
}

export async function benchDeflate(): Promise<void> {
  await bytesOnTheWire();
  await memoryPerConnection();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const timer = setTimeout(() => {
    console.error('bench: over 120 s, giving up');
    process.exit(1);
  }, 120_000);
  timer.unref();
  await benchDeflate();
}
