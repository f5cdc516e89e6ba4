/**
 * The lab's figures, measured rather than claimed: a live trace (from the tap) and the page's receipt
 * log in, per-contender figures out. Pure: the same inputs give the same figures, so an imported run is
 * recomputed rather than trusted.
 */
import { max, quantileSorted } from 'd3-array';
import type { Trace } from '../trace/types';
import { attribute, type ByteSplit, type Exchange } from './attribute';
import { CONTENDERS, type ContenderId, type ExpectedIds, type LogEntry, type Receipt } from './types';

export interface LatencyFigures {
  p50: number;
  p95: number;
  max: number;
}

export interface ContenderFigures {
  contender: ContenderId;
  /** Distinct events delivered, and deliveries of an event already delivered. */
  delivered: number;
  duplicates: number;
  /** Expected events never delivered. */
  missed: number;
  latency: LatencyFigures | undefined;
  /** Bytes on the wire in each direction over the whole run. */
  up: ByteSplit;
  down: ByteSplit;
  /** The same divided by distinct events delivered (undefined when none were). */
  upPerEvent: ByteSplit | undefined;
  downPerEvent: ByteSplit | undefined;
  requests: number;
  connections: number;
  /** Most requests or streams the server held open at once, and the time-weighted mean. */
  maxHeld: number;
  meanHeld: number;
  reconnects: number;
}

export interface RunFigures {
  expected: number;
  durationMs: number;
  contenders: ContenderFigures[];
}

export interface MetricsInput {
  trace: Trace;
  receipts: readonly Receipt[];
  log?: readonly LogEntry[];
  expected: ExpectedIds;
}

function perEvent(split: ByteSplit, n: number): ByteSplit | undefined {
  return n > 0 ? { headers: split.headers / n, payload: split.payload / n } : undefined;
}

/** Latency of each event's first delivery, in ms, sorted ascending. */
export function latencies(receipts: readonly Receipt[], contender: ContenderId): number[] {
  const seen = new Set<number>();
  const out: number[] = [];
  for (const r of receipts) {
    if (r.contender !== contender || seen.has(r.id)) continue;
    seen.add(r.id);
    out.push(r.receivedAt - r.sentAt);
  }
  return out.sort((a, b) => a - b);
}

export function latencyFigures(sorted: number[]): LatencyFigures | undefined {
  if (sorted.length === 0) return undefined;
  return {
    p50: quantileSorted(sorted, 0.5) ?? 0,
    p95: quantileSorted(sorted, 0.95) ?? 0,
    max: max(sorted) ?? 0,
  };
}

/** Most intervals open at once, and the mean number open over [0, end]. */
export function heldOpen(exchanges: readonly Exchange[], end: number): { max: number; mean: number } {
  const edges: Array<[number, number]> = [];
  let area = 0;
  for (const e of exchanges) {
    edges.push([e.start, 1], [e.end, -1]);
    area += e.end - e.start;
  }
  // Closes before opens at the same instant: a re-request right after an answer is not two held.
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let most = 0;
  for (const [, d] of edges) {
    open += d;
    most = Math.max(most, open);
  }
  return { max: most, mean: end > 0 ? area / end : 0 };
}

export function computeFigures(input: MetricsInput): RunFigures {
  const { trace, receipts, expected } = input;
  const attribution = attribute(trace);
  const expectedCount = Math.max(0, expected.to - expected.from + 1);
  const contenders = CONTENDERS.map((contender): ContenderFigures => {
    const ids = new Set<number>();
    let total = 0;
    for (const r of receipts) {
      if (r.contender !== contender) continue;
      ids.add(r.id);
      total++;
    }
    let missed = 0;
    for (let id = expected.from; id <= expected.to; id++) if (!ids.has(id)) missed++;
    const delivered = ids.size;
    const { c2s, s2c } = attribution.bytes[contender];
    const exchanges = attribution.exchanges.filter((e) => e.party === contender);
    const held = heldOpen(exchanges, attribution.end);
    return {
      contender,
      delivered,
      duplicates: total - delivered,
      missed,
      latency: latencyFigures(latencies(receipts, contender)),
      up: c2s,
      down: s2c,
      upPerEvent: perEvent(c2s, delivered),
      downPerEvent: perEvent(s2c, delivered),
      requests: exchanges.length,
      connections: attribution.connections[contender].size,
      maxHeld: held.max,
      meanHeld: held.mean,
      reconnects: (input.log ?? []).filter((l) => l.contender === contender && l.kind === 'reconnect').length,
    };
  });
  return { expected: expectedCount, durationMs: attribution.end, contenders };
}
