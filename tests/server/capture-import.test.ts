/**
 * Capture import against the tap, on real traffic: tcpdump records the demo server's loopback traffic
 * (plain requests, a long poll, server-sent events, WebSocket frames of every length form, a ping, a
 * close, a message over the limit) on `lo` (Ethernet link type) and on `any` (Linux cooked v2), while the
 * server records its tap with --record. Each capture, imported, must give every connection the same
 * units (kind, direction, summary, bytes, error) and the same bytes as the tap reported for it.
 * Needs tcpdump and the right to capture (see capture.test.ts); skipped, and says so, without them.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { importCapture } from '../../src/lib/trace/capture/import.ts';
import { traceFromJson, traceFromJsonLines, type Trace, type UnitEvent } from '../../src/lib/trace/index.ts';
import { start, wsUrl } from './helpers.ts';
import { capture, loopbackCapturePossible } from './tcpdump.ts';

const canCapture = loopbackCapturePossible();
const dir = mkdtempSync(join(tmpdir(), 'wirescope-capture-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The server's limit, passed to the importer's unit parser as the server passes it to the tap's. */
const MAX_MESSAGE_BYTES = 65_536;

async function exchange(url: string): Promise<void> {
  await (await fetch(`${url}/api/time`)).text();
  await (await fetch(`${url}/api/poll?wait=50`)).arrayBuffer();
  // Server-sent events: open the stream, publish two events, read until both came, then leave.
  const controller = new AbortController();
  const sse = await fetch(`${url}/api/stream/sse`, { signal: controller.signal });
  const reader = sse.body!.getReader();
  for (const payload of ['first', 'second'])
    await fetch(`${url}/api/stream/publish`, { method: 'POST', body: JSON.stringify({ payload }) });
  let seen = '';
  while (!seen.includes('second')) seen += new TextDecoder().decode((await reader.read()).value);
  controller.abort();

  const ws = new WebSocket(wsUrl(url, '/ws/echo?greet=welcome'));
  await once(ws, 'message'); // the greeting, sent by the server on its own
  ws.send('hello, wire');
  await once(ws, 'message');
  ws.send(Buffer.alloc(3000, 7)); // a 16-bit length, split across segments
  await once(ws, 'message');
  ws.ping('are you there');
  await once(ws, 'pong');
  ws.close(1000, 'done');
  await once(ws, 'close');
  const tooBig = new WebSocket(wsUrl(url, '/ws/echo'));
  await once(tooBig, 'open');
  tooBig.send(Buffer.alloc(70_000, 1)); // a 64-bit length over the limit: 1009
  await once(tooBig, 'close');
}

const digest = (bytes: Uint8Array) =>
  `${bytes.length} bytes, sha256 ${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}`;

type Comparable = Pick<UnitEvent, 'dir' | 'kind' | 'summary' | 'error'> & { bytes: string };

/** Units and bytes of each connection, keyed by the client's port (the one thing both traces share). */
function byClientPort(trace: Trace): Map<number, { units: Comparable[]; c2s: Buffer; s2c: Buffer }> {
  const port = new Map<string, number>();
  const out = new Map<number, { units: Comparable[]; c2s: Buffer; s2c: Buffer }>();
  for (const event of trace.events) {
    if (event.type === 'conn.open') {
      const p = Number(event.client?.split(':').pop());
      port.set(event.conn, p);
      out.set(p, { units: [], c2s: Buffer.alloc(0), s2c: Buffer.alloc(0) });
      continue;
    }
    if (event.type !== 'unit' && event.type !== 'bytes') continue;
    const entry = out.get(port.get(event.conn)!)!;
    if (event.type === 'bytes') entry[event.dir] = Buffer.concat([entry[event.dir], event.bytes]);
    else
      entry.units.push({
        dir: event.dir,
        kind: event.kind,
        summary: event.summary,
        // A violation's unit carries whatever was buffered when the parser gave up, which depends on
        // how the bytes were read; its first bytes (the offending header) are what both must agree on.
        bytes: digest(event.error ? event.bytes.subarray(0, 14) : event.bytes),
        ...(event.error ? { error: event.error } : {}),
      });
  }
  return out;
}

describe.skipIf(!canCapture)('capture import against the tap', () => {
  it('gives every connection of a tcpdump capture the units and bytes the tap reported', async () => {
    const record = join(dir, 'record.jsonl');
    const files = { lo: join(dir, 'lo.pcap'), any: join(dir, 'any.pcap') };
    const server = await start({ record, maxMessageBytes: MAX_MESSAGE_BYTES });
    const stops = [await capture(server.port, files.lo, 'lo'), await capture(server.port, files.any, 'any')];
    const dropped: Record<string, number> = {};
    try {
      await exchange(server.url);
    } finally {
      for (const [i, stop] of stops.entries()) dropped[i === 0 ? 'lo' : 'any'] = (await stop()).dropped;
      await server.close();
    }
    const tap = byClientPort(traceFromJsonLines(readFileSync(record, 'utf8')));
    const withUnits = [...tap].filter(([, c]) => c.units.length > 0);
    // fetch's pooled keep-alive connection(s), the event stream, two WebSockets.
    expect(withUnits.length).toBeGreaterThanOrEqual(4);
    const kinds = new Set(withUnits.flatMap(([, c]) => c.units.map((u) => u.kind)));
    expect([...kinds].sort()).toEqual(['http-request', 'http-response', 'sse-event', 'ws-frame']);
    expect(withUnits.some(([, c]) => c.units.some((u) => u.error?.closeCode === 1009))).toBe(true);

    for (const [device, file] of Object.entries(files)) {
      const bytes = readFileSync(file);
      expect(bytes.readUInt32LE(20), device).toBe(device === 'lo' ? 1 : 276); // Ethernet, SLL2
      const { trace, error, stats } = await importCapture(new Uint8Array(bytes), `${device}.pcap`, {
        units: { maxPayload: MAX_MESSAGE_BYTES },
      });
      expect(error, device).toBeUndefined();
      const holes = trace.events.filter((e) => e.type === 'note').map((e) => (e as { text?: string }).text);
      expect(stats.missingBytes, `${device}: ${dropped[device]} dropped by kernel; ${holes.join('; ')}`).toBe(
        0,
      );
      const imported = byClientPort(trace);
      for (const [port, conn] of withUnits) {
        const mine = imported.get(port);
        expect(mine, `${device}: connection from port ${port}`).toBeDefined();
        expect(mine!.c2s.equals(conn.c2s), `${device} ${port} c2s bytes`).toBe(true);
        expect(mine!.s2c.equals(conn.s2c), `${device} ${port} s2c bytes`).toBe(true);
        expect(mine!.units, `${device} ${port} units`).toEqual(conn.units);
      }
    }
  }, 60_000);

  it('writes the same trace from the command line, and fails a cut file naming its record', async () => {
    const file = join(dir, 'cli.pcap');
    const server = await start({});
    const stop = await capture(server.port, file);
    try {
      await (await fetch(`${server.url}/api/time`)).text();
    } finally {
      await stop();
      await server.close();
    }
    const run = (path: string) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'server/import.ts', path], {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
    const ok = run(file);
    expect(ok.status, ok.stderr).toBe(0);
    const fromCli = traceFromJson(JSON.parse(ok.stdout));
    const inProcess = (await importCapture(new Uint8Array(readFileSync(file)), 'cli.pcap')).trace;
    expect(fromCli).toEqual(inProcess);

    const whole = readFileSync(file);
    const cut = join(dir, 'cut.pcap');
    // Cut inside the last record: everything before it is still written, as a valid trace.
    writeFileSync(cut, whole.subarray(0, whole.length - 3));
    const bad = run(cut);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/cut\.pcap: record \d+ at byte \d+: the file ends inside the record/);
    expect(traceFromJson(JSON.parse(bad.stdout)).events.length).toBeGreaterThan(0);
  }, 90_000); // two CLI processes start on a shared machine
});

it.runIf(!canCapture)(
  'skips the capture import comparison: tcpdump or the right to capture is missing',
  () => {
    expect(canCapture).toBe(false);
  },
);
