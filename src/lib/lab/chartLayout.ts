/**
 * Chart layouts: pure functions of (run data, size) that return what the chart components draw: scales
 * turned into coordinates, paths and ticks (d3-scale, d3-shape, d3-array for the maths only).
 */
import { max } from 'd3-array';
import { scaleBand, scaleLinear, scaleLog } from 'd3-scale';
import { curveStepAfter, line } from 'd3-shape';
import type { Exchange } from './attribute';
import type { RunFigures } from './metrics';
import { CONTENDERS, type ContenderId, type Receipt } from './types';

export interface Size {
  width: number;
  height: number;
}

export const MARGIN = { top: 12, right: 16, bottom: 36, left: 56 };

export interface Tick {
  value: number;
  pos: number;
  label: string;
}

export interface Series {
  contender: ContenderId;
  path: string;
  count: number;
}

export interface LineChart {
  series: Series[];
  xTicks: Tick[];
  yTicks: Tick[];
  inner: Size;
}

/** Latencies below this are drawn at it (a log scale has no 0). */
const MIN_LATENCY_MS = 0.5;

function latencyScale(maxMs: number, range: [number, number]) {
  return scaleLog()
    .domain([MIN_LATENCY_MS, Math.max(maxMs, MIN_LATENCY_MS * 10)])
    .range(range)
    .clamp(true)
    .nice();
}

function logTicks(scale: ReturnType<typeof latencyScale>): Tick[] {
  return scale
    .ticks(5)
    .filter((v) => [1, 2, 5].includes(Math.round(v / 10 ** Math.floor(Math.log10(v)))))
    .map((v) => ({ value: v, pos: scale(v), label: v >= 1 ? String(v) : v.toFixed(1) }));
}

function innerOf(size: Size): Size {
  return {
    width: Math.max(10, size.width - MARGIN.left - MARGIN.right),
    height: Math.max(10, size.height - MARGIN.top - MARGIN.bottom),
  };
}

/** First delivery of each event per contender, in send order. */
function firstDeliveries(receipts: readonly Receipt[], contender: ContenderId): Receipt[] {
  const seen = new Set<number>();
  const out: Receipt[] = [];
  for (const r of receipts) {
    if (r.contender !== contender || seen.has(r.id)) continue;
    seen.add(r.id);
    out.push(r);
  }
  return out.sort((a, b) => a.id - b.id);
}

/** Latency (log y) against the time each event was sent, seconds since the trace started (x). */
export function latencyOverTime(receipts: readonly Receipt[], startedAt: number, size: Size): LineChart {
  const inner = innerOf(size);
  const all = CONTENDERS.map((c) => firstDeliveries(receipts, c));
  const flat = all.flat();
  const x = scaleLinear()
    .domain([0, Math.max(1, max(flat, (r) => (r.sentAt - startedAt) / 1000) ?? 1)])
    .range([0, inner.width])
    .nice();
  const y = latencyScale(max(flat, (r) => r.receivedAt - r.sentAt) ?? 1, [inner.height, 0]);
  const path = line<Receipt>()
    .x((r) => x((r.sentAt - startedAt) / 1000))
    .y((r) => y(Math.max(MIN_LATENCY_MS, r.receivedAt - r.sentAt)));
  return {
    inner,
    series: CONTENDERS.map((contender, i) => ({
      contender,
      path: path(all[i] ?? []) ?? '',
      count: all[i]?.length ?? 0,
    })),
    xTicks: x.ticks(6).map((v) => ({ value: v, pos: x(v), label: String(v) })),
    yTicks: logTicks(y),
  };
}

/** Cumulative distribution: share of events (y) delivered within a latency (log x). */
export function latencyDistribution(receipts: readonly Receipt[], size: Size): LineChart {
  const inner = innerOf(size);
  const sorted = CONTENDERS.map((c) =>
    firstDeliveries(receipts, c)
      .map((r) => r.receivedAt - r.sentAt)
      .sort((a, b) => a - b),
  );
  const x = latencyScale(max(sorted.flat()) ?? 1, [0, inner.width]);
  const y = scaleLinear().domain([0, 1]).range([inner.height, 0]);
  const step = line<[number, number]>()
    .x((d) => x(Math.max(MIN_LATENCY_MS, d[0])))
    .y((d) => y(d[1]))
    .curve(curveStepAfter);
  return {
    inner,
    series: CONTENDERS.map((contender, i) => {
      const values = sorted[i] ?? [];
      const points: Array<[number, number]> = [[values[0] ?? MIN_LATENCY_MS, 0]];
      values.forEach((v, k) => points.push([v, (k + 1) / values.length]));
      return { contender, path: values.length ? (step(points) ?? '') : '', count: values.length };
    }),
    xTicks: logTicks(x),
    yTicks: [0, 0.25, 0.5, 0.75, 1].map((v) => ({ value: v, pos: y(v), label: `${v * 100}%` })),
  };
}

export type Segment = 'downHeaders' | 'downPayload' | 'upHeaders' | 'upPayload';
export const SEGMENTS: readonly Segment[] = ['downHeaders', 'downPayload', 'upHeaders', 'upPayload'];

export interface BarRow {
  contender: ContenderId;
  y: number;
  height: number;
  total: number;
  segments: Array<{ segment: Segment; x: number; width: number; value: number }>;
}

/** Horizontal stacked bars: bytes per delivered event, down then up, headers then payload. */
export function bytesPerEventBars(
  figures: RunFigures,
  size: Size,
): { rows: BarRow[]; xTicks: Tick[]; inner: Size } {
  const inner = innerOf(size);
  const values = figures.contenders.map((c) => ({
    contender: c.contender,
    parts: {
      downHeaders: c.downPerEvent?.headers ?? 0,
      downPayload: c.downPerEvent?.payload ?? 0,
      upHeaders: c.upPerEvent?.headers ?? 0,
      upPayload: c.upPerEvent?.payload ?? 0,
    } as Record<Segment, number>,
  }));
  const totals = values.map((v) => SEGMENTS.reduce((s, k) => s + v.parts[k], 0));
  const x = scaleLinear()
    .domain([0, Math.max(1, max(totals) ?? 1)])
    .range([0, inner.width])
    .nice();
  const y = scaleBand<ContenderId>().domain(CONTENDERS).range([0, inner.height]).padding(0.25);
  const rows = values.map((v, i): BarRow => {
    let at = 0;
    return {
      contender: v.contender,
      y: y(v.contender) ?? 0,
      height: y.bandwidth(),
      total: totals[i] ?? 0,
      segments: SEGMENTS.map((segment) => {
        const value = v.parts[segment];
        const seg = { segment, x: x(at), width: x(at + value) - x(at), value };
        at += value;
        return seg;
      }),
    };
  });
  return { rows, inner, xTicks: x.ticks(5).map((v) => ({ value: v, pos: x(v), label: String(v) })) };
}

export interface TimelineBar {
  x: number;
  width: number;
  kind: Exchange['kind'];
  conn: string;
}

export interface TimelineLane {
  contender: ContenderId;
  y: number;
  height: number;
  bars: TimelineBar[];
}

/** One lane per contender; a bar per request or stream the server held, from request to answer. */
export function connectionTimeline(
  exchanges: readonly Exchange[],
  endMs: number,
  size: Size,
): { lanes: TimelineLane[]; xTicks: Tick[]; inner: Size } {
  const inner = innerOf(size);
  const x = scaleLinear()
    .domain([0, Math.max(1, endMs / 1000)])
    .range([0, inner.width])
    .nice();
  const y = scaleBand<ContenderId>().domain(CONTENDERS).range([0, inner.height]).padding(0.3);
  const lanes = CONTENDERS.map((contender): TimelineLane => ({
    contender,
    y: y(contender) ?? 0,
    height: y.bandwidth(),
    bars: exchanges
      .filter((e) => e.party === contender)
      .map((e) => ({
        x: x(e.start / 1000),
        // At least a sliver, so a request answered at once still shows.
        width: Math.max(1.5, x(e.end / 1000) - x(e.start / 1000)),
        kind: e.kind,
        conn: e.conn,
      })),
  }));
  return { lanes, inner, xTicks: x.ticks(6).map((v) => ({ value: v, pos: x(v), label: String(v) })) };
}
