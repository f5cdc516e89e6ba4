/**
 * The label of a unit in the page's language, from its bytes: the same for a simulated unit and a live
 * one, since both are summarised by the protocol from the bytes on the wire. Summaries are cached per
 * byte array (a unit's bytes never change), so the diagram can ask on every layout.
 */
import { summarizeUnit, type UnitSummary } from '../protocol/summary';
import { describeUnit } from '../i18n/units';
import type { Lang } from '../i18n';
import type { UnitEvent } from '../trace/types';

const cache = new WeakMap<Uint8Array, UnitSummary>();

export function unitLabel(unit: Pick<UnitEvent, 'kind' | 'bytes' | 'inflated'>, lang: Lang): string {
  let summary = cache.get(unit.bytes);
  // A compressed message's last frame reads as the text it inflated to (RFC 7692 section 7.2.2).
  if (!summary) cache.set(unit.bytes, (summary = summarizeUnit(unit.kind, unit.bytes, unit.inflated)));
  return describeUnit(summary, lang);
}
