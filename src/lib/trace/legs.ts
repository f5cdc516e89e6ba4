/**
 * The two legs of a proxied connection (`--target`): a 'client' leg (browser and wirescope) and the
 * 'target' leg(s) that serve it (wirescope and the app), which carry the same bytes. Readers that want
 * each exchange once take the target legs and skip the client legs they serve.
 */
import type { ConnOpenEvent, ProxyLeg, TraceEvent } from './types';

/** Client legs that at least one target leg serves (their bytes are on that target leg too). */
export function servedClientLegs(events: readonly TraceEvent[]): Set<string> {
  const served = new Set<string>();
  for (const e of events) if (e.type === 'conn.open' && e.leg === 'target' && e.pair) served.add(e.pair);
  return served;
}

export interface LegInfo {
  leg: ProxyLeg | undefined;
  /** For a target leg: its client leg. */
  pair: string | undefined;
  open: ConnOpenEvent;
}

/** Each connection's conn.open, with its leg and pair. */
export function legsOf(events: readonly TraceEvent[]): Map<string, LegInfo> {
  const out = new Map<string, LegInfo>();
  for (const e of events) {
    if (e.type === 'conn.open' && !out.has(e.conn)) out.set(e.conn, { leg: e.leg, pair: e.pair, open: e });
  }
  return out;
}
