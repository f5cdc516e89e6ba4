/**
 * The tap's page messages: one batch of 500 events (an echo's four: each frame's bytes event and its
 * unit, both ways) written by the server and read by the page, as the binary batch the tap sends
 * (src/lib/trace/batch.ts) against the peer it replaced, the same events as JSON text with base64 bytes
 * (the trace-file form, server/sessions.ts EventJsonWriter and src/lib/trace eventFromJson).
 *
 * Echoes of 64 B, 1 KiB and 16 KiB binary messages, parsed by the real unit parser. Each side first
 * runs a warm-up pass, then alternating rounds; the table shows each side's best round.
 *
 * Run: npx tsx tests/bench/tap-batch.ts
 */
import { fileURLToPath } from 'node:url';
import { EventBatchWriter, EventJsonWriter } from '../../server/sessions.ts';
import { encodeFrame, Opcode } from '../../src/lib/protocol/index.ts';
import { decodeEventBatch, eventFromJson, type TraceEvent } from '../../src/lib/trace/index.ts';
import { createUnitParser } from '../../src/lib/trace/units.ts';

const PAYLOADS: Array<[string, number]> = [
  ['64 B', 64],
  ['1 KiB', 1024],
  ['16 KiB', 16 * 1024],
];
const BATCH_ECHOES = 125; // 500 events, the tap's largest batch
const ROUNDS = 5;
const ascii = (text: string) => new TextEncoder().encode(text);

/** A batch's events as the tap makes them for a watched echo connection. */
function echoEvents(payloadSize: number): TraceEvent[] {
  const parser = createUnitParser('c12');
  parser.push(
    'c2s',
    ascii('GET /ws/echo HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'),
    0,
  );
  parser.push(
    's2c',
    ascii('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'),
    0,
  );
  const payload = new Uint8Array(payloadSize).fill(0x61);
  const events: TraceEvent[] = [];
  let t = 1000.123;
  for (let i = 0; i < BATCH_ECHOES; i++) {
    t += 0.0973;
    const request = encodeFrame({ opcode: Opcode.Binary, payload, mask: Uint8Array.of(1, 2, 3, 4) });
    events.push(
      { type: 'bytes', t, conn: 'c12', dir: 'c2s', bytes: request },
      ...parser.push('c2s', request, t),
    );
    const reply = encodeFrame({ opcode: Opcode.Binary, payload });
    events.push({ type: 'bytes', t, conn: 'c12', dir: 's2c', bytes: reply }, ...parser.push('s2c', reply, t));
  }
  return events;
}

interface Form {
  name: string;
  write(events: readonly TraceEvent[]): Uint8Array;
  read(message: Uint8Array): number;
}

const FORMS: Form[] = [
  {
    name: 'binary batch',
    write(events) {
      const batch = new EventBatchWriter();
      for (const event of events) batch.add(event, event.t);
      return batch.finish();
    },
    read: (message) => decodeEventBatch(message).events.length,
  },
  {
    name: 'JSON + base64',
    write(events) {
      const writer = new EventJsonWriter();
      return Buffer.from(`{"type":"events","events":[${events.map((e) => writer.text(e, e.t)).join(',')}]}`);
    },
    read(message) {
      const { events } = JSON.parse(Buffer.from(message).toString()) as { events: unknown[] };
      return events.map((event) => eventFromJson(event)).length;
    },
  },
];

/** Milliseconds per call of `run`, the best of ROUNDS rounds of `reps` calls (after one warm-up round). */
function best(run: () => unknown, reps: number): number {
  let bestMs = Infinity;
  for (let round = 0; round <= ROUNDS; round++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) run();
    if (round > 0) bestMs = Math.min(bestMs, (performance.now() - t0) / reps);
  }
  return bestMs;
}

export async function benchTapBatch(): Promise<void> {
  console.log(
    `the tap's page message, one batch of ${BATCH_ECHOES * 4} events (echoes), best of ${ROUNDS} rounds`,
  );
  console.log('echo      form            size        server writes   page reads');
  for (const [label, size] of PAYLOADS) {
    const events = echoEvents(size);
    const reps = size > 4096 ? 10 : 100;
    const rows = FORMS.map((form) => {
      const message = form.write(events);
      if (form.read(message) !== events.length) throw new Error(`${form.name} lost events`);
      return {
        form,
        bytes: message.length,
        write: best(() => form.write(events), reps),
        read: best(() => form.read(message), reps),
      };
    });
    const [binary, json] = rows as [(typeof rows)[0], (typeof rows)[0]];
    for (const row of rows) {
      console.log(
        `${label.padEnd(9)} ${row.form.name.padEnd(15)} ${(row.bytes / 1024).toFixed(0).padStart(6)} KiB  ${row.write.toFixed(2).padStart(8)} ms     ${row.read.toFixed(2).padStart(8)} ms`,
      );
    }
    console.log(
      `${''.padEnd(9)} binary / JSON   ${(binary.bytes / json.bytes).toFixed(2)}x size, writes ${(json.write / binary.write).toFixed(1)}x faster, reads ${(json.read / binary.read).toFixed(1)}x faster`,
    );
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await benchTapBatch();
