/**
 * Fan-out of the event stream over real sockets: events that arrive together are handed to every
 * subscriber as one batch, encoded once, and still reach each one exactly once, in id order; the
 * injected latency keeps that order; a subscriber that stops reading is closed instead of holding
 * memory, loses nothing the history holds, and does not hold the others back.
 */
import { once } from 'node:events';
import { request, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { RunningServer } from '../../server/app.ts';
import type { StreamEvent } from '../../server/stream.ts';
import { SLOW_CLOSE_CODE, SLOW_CLOSE_REASON } from '../../server/ws/stream.ts';
import { decodeFrame, decodeUtf8, FrameReader, Opcode, type Frame } from '../../src/lib/protocol/index.ts';
import { RawClient, start, upgradeRequest, waitFor, wsUrl } from './helpers.ts';

/** Stream bytes a subscriber may queue in these tests (small, so a paused reader passes it soon). */
const LIMIT = 64 * 1024;

let server: RunningServer;
beforeAll(async () => {
  server = await start({ streamMaxBufferedBytes: LIMIT, streamHistory: 5_000 });
});
afterAll(() => server.close());

const stream = () => server.ctx.streams.get('');
const turn = () => new Promise((resolve) => setImmediate(resolve));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** A /ws/stream subscriber that keeps the ids it receives. */
async function subscriber(query = ''): Promise<{ ws: WebSocket; ids: number[] }> {
  const ws = new WebSocket(wsUrl(server.url, `/ws/stream${query}`));
  const ids: number[] = [];
  ws.on('message', (data) => ids.push((JSON.parse(String(data)) as StreamEvent).id));
  await once(ws, 'open');
  return { ws, ids };
}

/** An SSE subscriber that keeps the ids it receives (optionally not reading its response). */
async function sseSubscriber(
  paused = false,
  lastEventId?: number,
): Promise<{ res: IncomingMessage; ids: number[] }> {
  const headers = lastEventId === undefined ? {} : { 'last-event-id': String(lastEventId) };
  const req = request(`${server.url}/api/stream/sse`, { headers });
  req.end();
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  const ids: number[] = [];
  let text = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    text += chunk;
    const end = text.lastIndexOf('\n\n');
    if (end < 0) return;
    for (const match of text.slice(0, end).matchAll(/^id: (\d+)$/gm)) ids.push(Number(match[1]));
    text = text.slice(end + 2);
  });
  if (paused) res.pause();
  return { res, ids };
}

/**
 * A /ws/stream subscriber on a raw socket that decodes the frames it reads as a client does (section
 * 5.1: unmasked), so a test can stop and resume its reading.
 */
async function rawSubscriber(): Promise<{ socket: Socket; frames: Frame[] }> {
  const socket = connect(server.port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(upgradeRequest('/ws/stream', server.port));
  const reader = new FrameReader({ requireMask: false, maxPayload: 4 * 1024 * 1024 });
  const frames: Frame[] = [];
  let head = Buffer.alloc(0);
  let upgraded = false;
  socket.on('data', (chunk: Buffer) => {
    if (!upgraded) {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      upgraded = true;
      chunk = head.subarray(end + 4);
    }
    frames.push(...reader.push(chunk));
  });
  socket.on('error', () => undefined);
  await waitFor(() => upgraded);
  return { socket, frames };
}

/** Every whole frame in `bytes` after the 101 response's head, decoded as a client does (section 5.1). */
function framesAfterHead(bytes: Buffer): Frame[] {
  const frames: Frame[] = [];
  let offset = bytes.indexOf('\r\n\r\n') + 4;
  for (;;) {
    const decoded = decodeFrame(bytes, offset, { requireMask: false });
    if (!decoded) return frames;
    frames.push(decoded.frame);
    offset += decoded.bytesUsed;
  }
}

const eventOf = (frame: Frame) => JSON.parse(decodeUtf8(frame.payload)) as StreamEvent;

describe('stream fan-out', () => {
  it('hands a burst to every subscriber once, in id order, as valid unmasked text frames', async () => {
    const before = stream().latestId;
    const subscribers = await Promise.all(range(1, 20).map(() => subscriber()));
    const sse = await sseSubscriber();
    const raw = await RawClient.open(server.port);
    raw.send(upgradeRequest('/ws/stream', server.port));
    await raw.until((bytes) => bytes.includes('\r\n\r\n'));
    await waitFor(() => stream().status().subscribers === 22);

    // One turn: a single batch. Then concurrent publishes over HTTP: batches of whatever arrives together.
    for (let i = 0; i < 50; i++) void stream().publish(`burst ${i}`);
    const late = await subscriber(`?since=${before + 25}`);
    await Promise.all(
      range(1, 150).map((i) =>
        fetch(`${server.url}/api/stream/publish`, {
          method: 'POST',
          body: JSON.stringify({ payload: `http ${i}` }),
        }),
      ),
    );
    const expected = range(before + 1, before + 200);
    await waitFor(() => subscribers.every((s) => s.ids.length >= 200) && sse.ids.length >= 200, 10_000);
    for (const s of subscribers) expect(s.ids).toEqual(expected);
    expect(sse.ids).toEqual(expected);
    // Joined mid-burst with since=: the resend, then the rest, nothing twice.
    await waitFor(() => late.ids.length >= 175, 5_000);
    expect(late.ids).toEqual(range(before + 26, before + 200));

    const frames = await waitFor(() => framesAfterHead(raw.receivedBytes).length >= 200, 5_000).then(() =>
      framesAfterHead(raw.receivedBytes),
    );
    expect(frames.every((f) => f.opcode === Opcode.Text && f.fin && f.rsv === 0)).toBe(true);
    const events = frames.map(eventOf);
    expect(events.map((e) => e.id)).toEqual(expected);
    expect(events.slice(0, 3).map((e) => e.payload)).toEqual(['burst 0', 'burst 1', 'burst 2']);

    for (const s of [...subscribers, late]) s.ws.close();
    sse.res.destroy();
    raw.socket.destroy();
    await waitFor(() => stream().status().subscribers === 0);
  });

  it('keeps id order when the injected latency is lowered while events wait for it', async () => {
    const before = stream().latestId;
    const s = await subscriber();
    const faults = (addLatencyMs: number) =>
      fetch(`${server.url}/api/faults`, { method: 'POST', body: JSON.stringify({ addLatencyMs }) });
    await faults(300);
    for (let i = 0; i < 5; i++) await stream().publish('slow');
    await faults(0);
    for (let i = 0; i < 5; i++) await stream().publish('fast');
    await waitFor(() => s.ids.length >= 10, 3_000);
    expect(s.ids).toEqual(range(before + 1, before + 10));
    s.ws.close();
  });

  it('closes a subscriber that stops reading, without holding back the others; it resumes with since=', async () => {
    const before = stream().latestId;
    const fast = await subscriber();
    const fastSse = await sseSubscriber();
    const slowSse = await sseSubscriber(true);
    const slow = await rawSubscriber();
    await waitFor(() => stream().status().subscribers === 4);
    slow.socket.pause();

    // 512 KiB events, one batch each: far more than the socket buffers of a reader that stopped.
    const payload = 'x'.repeat(512 * 1024);
    const count = 24;
    for (let i = 0; i < count; i++) {
      await stream().publish(payload);
      await turn();
    }
    const expected = range(before + 1, before + count);
    await waitFor(() => fast.ids.length >= count && fastSse.ids.length >= count, 20_000);
    expect(fast.ids).toEqual(expected);
    expect(fastSse.ids).toEqual(expected);
    // Both slow ones were dropped from the stream; the fast ones are still on it.
    expect(stream().status().subscribers).toBe(2);

    // The slow WebSocket reads on: a prefix of the events in order, then the close that says why.
    slow.socket.resume();
    await waitFor(() => slow.frames.some((f) => f.opcode === Opcode.Close), 10_000);
    const frames = slow.frames;
    const close = frames.at(-1)!;
    expect(close.opcode).toBe(Opcode.Close);
    const closeBytes = Buffer.from(close.payload);
    expect(closeBytes.readUInt16BE(0)).toBe(SLOW_CLOSE_CODE);
    expect(closeBytes.subarray(2).toString()).toBe(SLOW_CLOSE_REASON);
    const got = frames.slice(0, -1).map((f) => eventOf(f).id);
    expect(got.length).toBeLessThan(count);
    expect(got).toEqual(range(before + 1, before + got.length));
    // Resuming from the last id it had loses nothing the history holds.
    const resumed = await subscriber(`?since=${got.at(-1) ?? before}`);
    await waitFor(() => resumed.ids.length >= count - got.length, 10_000);
    expect([...got, ...resumed.ids]).toEqual(expected);

    // The slow SSE response was ended: what it had is in order, and Last-Event-ID resumes it.
    const ended = once(slowSse.res, 'end');
    slowSse.res.resume();
    await ended;
    expect(slowSse.ids.length).toBeLessThan(count);
    expect(slowSse.ids).toEqual(range(before + 1, before + slowSse.ids.length));
    const again = await sseSubscriber(false, slowSse.ids.at(-1) ?? before);
    await waitFor(() => again.ids.length >= count - slowSse.ids.length, 10_000);
    expect([...slowSse.ids, ...again.ids]).toEqual(expected);
    again.res.destroy();

    fast.ws.close();
    resumed.ws.close();
    fastSse.res.destroy();
    slow.socket.destroy();
  });
});
