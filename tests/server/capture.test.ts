/**
 * The tap against an independent capture: tcpdump records the same loopback traffic, and every TCP
 * connection's bytes in each direction must equal the tap's `bytes` events for it, byte for byte.
 * Needs tcpdump and the right to capture on loopback (root here; .ci/run installs tcpdump); without
 * them the test is skipped and says so.
 */
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { traceFromJsonLines } from '../../src/lib/trace/index.ts';
import { start, wsUrl } from './helpers.ts';
import { tcpStreams, type StreamKey } from './pcap.ts';
import { capture, loopbackCapturePossible } from './tcpdump.ts';

const canCapture = loopbackCapturePossible();
const dir = mkdtempSync(join(tmpdir(), 'wirescope-capture-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function exchange(url: string): Promise<void> {
  await (await fetch(`${url}/api/time`)).text();
  const ws = new WebSocket(wsUrl(url, '/ws/echo'));
  await once(ws, 'open');
  ws.send('hello, wire');
  await once(ws, 'message');
  ws.send(Buffer.alloc(3000, 7)); // a 16-bit length, split across segments
  await once(ws, 'message');
  ws.ping('are you there');
  await once(ws, 'pong');
  ws.close(1000, 'done');
  await once(ws, 'close');
  await (await fetch(`${url}/api/poll?wait=50`)).arrayBuffer();
  const tooBig = new WebSocket(wsUrl(url, '/ws/echo'));
  await once(tooBig, 'open');
  tooBig.send(Buffer.alloc(70_000, 1)); // over the limit: the server fails the connection with 1009
  await once(tooBig, 'close');
}

describe.skipIf(!canCapture)('the tap against tcpdump', () => {
  it('reports exactly the bytes a capture of the same loopback traffic sees', async () => {
    const record = join(dir, 'record.jsonl');
    const pcap = join(dir, 'capture.pcap');
    const server = await start({ record });
    const stop = await capture(server.port, pcap);
    try {
      await exchange(server.url);
    } finally {
      await stop();
      await server.close();
    }

    // The knocks carried no bytes, and so have no bytes events in the tap either.
    const captured = new Map(
      [...tcpStreams(readFileSync(pcap), server.port)].filter(([, b]) => b.length > 0),
    );
    const trace = traceFromJsonLines(readFileSync(record, 'utf8'));
    const portOf = new Map<string, number>();
    const tapped = new Map<StreamKey, Buffer[]>();
    for (const event of trace.events) {
      if (event.type === 'conn.open') portOf.set(event.conn, Number(event.client?.split(':').pop()));
      if (event.type !== 'bytes') continue;
      const key: StreamKey = `${portOf.get(event.conn)!}:${event.dir}`;
      tapped.set(key, [...(tapped.get(key) ?? []), Buffer.from(event.bytes)]);
    }

    expect(captured.size).toBeGreaterThanOrEqual(6); // at least three connections, both directions
    expect([...tapped.keys()].sort()).toEqual([...captured.keys()].sort());
    for (const [key, bytes] of captured) {
      const tap = Buffer.concat(tapped.get(key) ?? []);
      expect(tap.length, key).toBe(bytes.length);
      expect(tap.equals(bytes), key).toBe(true);
    }
  });
});

it.runIf(!canCapture)('skips the capture comparison: tcpdump or the right to capture is missing', () => {
  expect(canCapture).toBe(false);
});
