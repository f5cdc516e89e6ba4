/**
 * The two legs of a proxied connection (`--target`): a 'client' leg (browser and wirescope) and the
 * 'target' leg(s) that serve it (wirescope and the app), which carry the same bytes. Readers that want
 * each exchange once take the target legs and skip the client legs they serve.
 */
import type { TraceEvent } from './types';

/** The client leg a target leg's opening says it serves; undefined for any other event. */
export function servedLeg(event: TraceEvent): string | undefined {
  return event.type === 'conn.open' && event.leg === 'target' ? event.pair : undefined;
}

/** Client legs that at least one target leg serves (their bytes are on that target leg too). */
export function servedClientLegs(events: readonly TraceEvent[]): Set<string> {
  const served = new Set<string>();
  for (const event of events) {
    const client = servedLeg(event);
    if (client) served.add(client);
  }
  return served;
}
