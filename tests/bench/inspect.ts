/**
 * The inspect page's redraw in a long watch: what it costs to show the connection table, one
 * connection's diagram and the findings once a watch has received N events, reading each event once
 * as it arrives (ConnectionIndex and findingsChecker, what InspectSession does) against the peer it
 * replaced, reading the whole trace again at every redraw (listConnections, connectionView and
 * findFindings over every event kept).
 *
 * The trace is what the tap sends for one proxied WebSocket (both legs) echoing 1 KiB messages: each
 * frame's bytes event and unit, on each leg. A redraw comes every 250 ms; at the rate the page can
 * take (about 4,000 events a second) that is 1,000 new events. The table shows the best of three
 * redraws.
 *
 * Run: npx tsx tests/bench/inspect.ts
 */
import { fileURLToPath } from 'node:url';
import {
  ConnectionIndex,
  VIEW_LIMIT,
  connectionView,
  listConnections,
} from '../../src/lib/lab/inspect/connections.ts';
import { KEEP } from '../../src/lib/lab/inspect/inspectSession.svelte.ts';
import { encodeFrame, Opcode } from '../../src/lib/protocol/index.ts';
import { findFindings, findingsChecker } from '../../src/lib/trace/findings.ts';
import type { TraceEvent } from '../../src/lib/trace/index.ts';
import { createUnitParser } from '../../src/lib/trace/units.ts';

const SIZES = [20_000, 100_000, KEEP.maxEvents];
const PER_REDRAW = 1_000;
const ROUNDS = 3;
const ascii = (text: string) => new TextEncoder().encode(text);

/** The tap's events for a proxied echo connection: client leg c1, target leg c2. */
function watch(count: number): TraceEvent[] {
  const legs = [
    { conn: 'c1', parser: createUnitParser('c1'), open: { leg: 'client' as const } },
    { conn: 'c2', parser: createUnitParser('c2'), open: { leg: 'target' as const, pair: 'c1' } },
  ];
  const events: TraceEvent[] = [];
  const push = (t: number, dir: 'c2s' | 's2c', bytes: Uint8Array) => {
    for (const { conn, parser } of legs) {
      events.push({ type: 'bytes', t, conn, dir, bytes }, ...parser.push(dir, bytes, t));
    }
  };
  for (const { conn, open } of legs) events.push({ type: 'conn.open', t: 0, conn, ...open });
  push(1, 'c2s', ascii('GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'));
  push(
    2,
    's2c',
    ascii('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'),
  );
  const payload = new Uint8Array(1024).fill(0x61);
  for (let t = 3; events.length < count; t += 0.25) {
    push(t, 'c2s', encodeFrame({ opcode: Opcode.Binary, payload, mask: Uint8Array.of(1, 2, 3, 4) }));
    push(t, 's2c', encodeFrame({ opcode: Opcode.Binary, payload }));
  }
  return events.slice(0, count);
}

/** Milliseconds of the fastest of the runs. */
async function fastest(runs: Array<() => Promise<unknown>>): Promise<number> {
  let best = Infinity;
  for (const run of runs) {
    const t0 = performance.now();
    await run();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

export async function benchInspect(): Promise<void> {
  console.log(
    `the inspect page's redraw after N events of a proxied 1 KiB echo, ${PER_REDRAW} new per redraw, best of ${ROUNDS}`,
  );
  console.log('events     whole trace again   each event once   ratio');
  for (const size of SIZES) {
    const events = watch(size + ROUNDS * PER_REDRAW);
    const whole = await fastest(
      Array.from({ length: ROUNDS }, (_, round) => async () => {
        const sofar = events.slice(0, size + round * PER_REDRAW);
        listConnections(sofar);
        connectionView(sofar, 'c2', 'both', VIEW_LIMIT);
        await findFindings(sofar);
      }),
    );
    const index = new ConnectionIndex();
    const checker = findingsChecker();
    const feed = (from: number, to: number) => {
      for (let n = from; n < to; n++) {
        index.push(events[n]!, n);
        checker.push(events[n]!, n);
      }
    };
    feed(0, size);
    const once = await fastest(
      Array.from({ length: ROUNDS }, (_, round) => async () => {
        feed(size + round * PER_REDRAW, size + (round + 1) * PER_REDRAW);
        index.rows();
        index.view('c2', 'both', VIEW_LIMIT);
        await checker.findings();
      }),
    );
    console.log(
      `${String(size).padStart(7)}   ${whole.toFixed(1).padStart(12)} ms   ${once.toFixed(1).padStart(11)} ms   ${(whole / once).toFixed(0).padStart(4)}x`,
    );
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await benchInspect();
