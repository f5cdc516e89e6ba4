/**
 * Packets in flight: each message of the current step travels along its arrow as a dot sized by its
 * bytes and timed by the scenario's clock, so a frame visibly flies and a held request visibly waits.
 * A pure function of the rows and the animation length; with reduced motion (length 0) there are none.
 */
import { scaleSqrt } from 'd3-scale';
import type { MessageRow } from './sequenceLayout';

export interface Packet {
  /** Event index of the message it carries. */
  index: number;
  /** When it leaves (ms after the step is shown) and how long it flies (ms). */
  delay: number;
  flight: number;
  /** Its radius (px): area grows with the bytes it carries. */
  radius: number;
}

/** One-way latency of the simulated link (ms of scenario time): a packet's flight. */
const LINK_MS = 20;
/** The longest a step's packets may take to set off, in units of the animation length. */
const MAX_SPREAD = 3;

const radiusOf = scaleSqrt().domain([0, 256, 70_000]).range([3, 6, 13]).clamp(true);

export function packetsOf(rows: readonly MessageRow[], duration: number): Packet[] {
  const current = rows.filter((r) => r.current);
  if (duration <= 0 || current.length === 0) return [];
  const t0 = Math.min(...current.map((r) => r.t));
  const span = Math.max(...current.map((r) => r.t)) - t0;
  // One link latency of scenario time flies in one animation length; a longer step is compressed so that
  // its last packet leaves within MAX_SPREAD animation lengths (the order and the gaps stay in proportion).
  const perMs = span > 0 ? Math.min(duration / LINK_MS, (MAX_SPREAD * duration) / span) : duration / LINK_MS;
  return current.map((r) => ({
    index: r.index,
    delay: Math.round((r.t - t0) * perMs),
    flight: duration,
    radius: Math.round(radiusOf(r.bytes) * 10) / 10,
  }));
}
