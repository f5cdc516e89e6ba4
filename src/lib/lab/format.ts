/** Number formats for the lab's table, charts and announcements (d3-format for the maths). */
import { format } from 'd3-format';

const ms1 = format('.1f');
const int = format(',.0f');

/** A figure without its unit (the table names the unit in its header): one decimal below 10. */
export function formatFigure(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '—';
  return v < 10 ? ms1(v) : int(v);
}

/** Milliseconds: one decimal below 10 ms, whole numbers above. */
export function formatMs(v: number | undefined): string {
  const figure = formatFigure(v);
  return figure === '—' ? figure : `${figure} ms`;
}

export function formatBytes(v: number | undefined): string {
  const figure = formatFigure(v);
  return figure === '—' ? figure : `${figure} B`;
}

export function formatCount(v: number): string {
  return int(v);
}

export function formatMean(v: number): string {
  return ms1(v);
}
