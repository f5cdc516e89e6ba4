/** Number formats for the lab's table, charts and announcements (d3-format for the maths). */
import { format } from 'd3-format';

const ms1 = format('.1f');
const int = format(',.0f');

/** Milliseconds: one decimal below 10 ms, whole numbers above. */
export function formatMs(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '—';
  return `${v < 10 ? ms1(v) : int(v)} ms`;
}

export function formatBytes(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '—';
  return `${v < 10 ? ms1(v) : int(v)} B`;
}

export function formatCount(v: number): string {
  return int(v);
}

export function formatMean(v: number): string {
  return ms1(v);
}
