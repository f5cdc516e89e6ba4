/**
 * Frame decoding throughput: our decodeFrame fast path against ws's own Receiver, in the same run, on
 * the same streams of back-to-back masked (client-to-server) binary frames of 16 B, 1 KiB and 64 KiB.
 *
 * Fair comparison: both sides parse every header, check the mask bit (server role), unmask every
 * payload and hand over the message bytes; we count them and touch the data so nothing is optimised
 * away. ws gets the whole stream in one write() (its best case, no chunk concatenation); we loop
 * decodeFrame over the same bytes. Each side first runs a warm-up pass, then a fixed amount of work in
 * alternating rounds; the table shows each side's best round.
 *
 * Run: npx tsx tests/bench/protocol.ts
 */
import * as wsModule from 'ws';
import { decodeFrame, encodeFrame, Opcode, type DecodeOptions } from '../../src/lib/protocol/index.ts';

const MiB = 1024 * 1024;

/**
 * ws exports its Receiver (a Writable that parses frames) at runtime, but @types/ws does not declare
 * it; this is the slice of its interface the bench uses.
 */
interface Receiver {
  write(chunk: Buffer): boolean;
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
}
type ReceiverOptions = { isServer: boolean; maxPayload: number; binaryType: 'nodebuffer' };
const Receiver = (wsModule as unknown as { Receiver: new (options: ReceiverOptions) => Receiver }).Receiver;

interface Case {
  label: string;
  payload: number;
}

const CASES: Case[] = [
  { label: '16 B', payload: 16 },
  { label: '1 KiB', payload: 1024 },
  { label: '64 KiB', payload: 64 * 1024 },
];

/** Bytes of stream each side decodes in the timed part, per case. */
const WORK_BYTES = 48 * MiB;
/** Size of one stream buffer (frames back to back). */
const STREAM_BYTES = 4 * MiB;

/** Deterministic bytes (xorshift32), so every run measures the same input. */
function pseudoRandom(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function buildStream(payloadSize: number): { stream: Uint8Array; frames: number } {
  const payload = pseudoRandom(payloadSize, 0x9e3779b9);
  const frame = encodeFrame({ opcode: Opcode.Binary, payload, mask: Uint8Array.of(0x37, 0xfa, 0x21, 0x3d) });
  const frames = Math.max(1, Math.floor(STREAM_BYTES / frame.length));
  const stream = new Uint8Array(frames * frame.length);
  for (let i = 0; i < frames; i++) stream.set(frame, i * frame.length);
  return { stream, frames };
}

const OPTIONS: DecodeOptions = { requireMask: true, maxPayload: 256 * MiB };

function oursPass(stream: Uint8Array): { frames: number; sink: number } {
  let off = 0;
  let frames = 0;
  let sink = 0;
  while (off < stream.length) {
    const r = decodeFrame(stream, off, OPTIONS);
    if (r === null) throw new Error('bench stream truncated');
    const p = r.frame.payload;
    sink = (sink + p.length + p[p.length - 1]!) | 0;
    off += r.bytesUsed;
    frames++;
  }
  return { frames, sink };
}

function makeWsReceiver(): { receiver: Receiver; counts: { frames: number; sink: number } } {
  const receiver = new Receiver({ isServer: true, maxPayload: 256 * MiB, binaryType: 'nodebuffer' });
  const counts = { frames: 0, sink: 0 };
  receiver.on('message', (data: Buffer) => {
    counts.frames++;
    counts.sink = (counts.sink + data.length + data[data.length - 1]!) | 0;
  });
  receiver.on('error', (e: Error) => {
    throw e;
  });
  return { receiver, counts };
}

function wsPass(receiver: Receiver, stream: Buffer): void {
  receiver.write(stream);
}

function now(): number {
  return performance.now();
}

interface Row {
  size: string;
  frames: number;
  oursMBs: number;
  wsMBs: number;
}

/** Rounds alternate ours and ws, so a burst of load on the machine hits both; the best round counts. */
const ROUNDS = 3;

function runCase(c: Case): Row {
  const { stream, frames } = buildStream(c.payload);
  const passes = Math.max(1, Math.round(WORK_BYTES / stream.length / ROUNDS));

  // Warm-up, checking that both sides see every frame.
  const warm = oursPass(stream);
  if (warm.frames !== frames) throw new Error(`ours decoded ${warm.frames} of ${frames} frames`);
  // ws gets its own copy of the stream (it unmasks in place).
  const wsStream = Buffer.from(stream);
  const { receiver, counts } = makeWsReceiver();
  wsPass(receiver, wsStream);
  if (counts.frames !== frames) throw new Error(`ws delivered ${counts.frames} of ${frames} messages`);

  let oursMs = Infinity;
  let wsMs = Infinity;
  let sink = 0;
  for (let round = 0; round < ROUNDS; round++) {
    let t0 = now();
    for (let i = 0; i < passes; i++) sink ^= oursPass(stream).sink;
    oursMs = Math.min(oursMs, now() - t0);
    t0 = now();
    for (let i = 0; i < passes; i++) wsPass(receiver, wsStream);
    wsMs = Math.min(wsMs, now() - t0);
  }
  if (sink === 0x7fffffff) console.log('(sink)'); // keeps the results observable
  if (counts.frames !== frames * (passes * ROUNDS + 1)) {
    throw new Error(`ws delivered ${counts.frames} of ${frames * (passes * ROUNDS + 1)} messages`);
  }

  const mb = (stream.length * passes) / 1e6;
  return { size: c.label, frames: frames * passes, oursMBs: mb / (oursMs / 1000), wsMBs: mb / (wsMs / 1000) };
}

export async function benchProtocol(): Promise<void> {
  const rows = CASES.map(runCase);
  console.log(
    `decodeFrame (fast path, unmasking) vs ws Receiver (isServer), masked binary frames, best of ${ROUNDS} rounds`,
  );
  console.log(
    ['payload', 'frames', 'ours MB/s', 'ws MB/s', 'ours/ws']
      .map((h, i) => (i === 0 ? h.padEnd(8) : h.padStart(12)))
      .join(''),
  );
  for (const r of rows) {
    console.log(
      r.size.padEnd(8) +
        String(r.frames).padStart(12) +
        r.oursMBs.toFixed(1).padStart(12) +
        r.wsMBs.toFixed(1).padStart(12) +
        `${(r.oursMBs / r.wsMBs).toFixed(2)}x`.padStart(12),
    );
  }
}

const isMain =
  typeof process !== 'undefined' &&
  process.argv[1] !== undefined &&
  import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isMain) await benchProtocol();
