/**
 * The English line for a unit's summary (the protocol's language-free UnitSummary): what the tap puts in
 * UnitEvent.summary and what exports and the record file carry. It is the page's own renderer
 * (src/lib/i18n/units.ts) in English, so a trace file and an English page label a unit alike.
 */
import { describeUnit } from '../i18n/units.ts';
import type { UnitSummary } from '../protocol/index.ts';

/** One line of English for an arrow label. */
export function summaryText(summary: UnitSummary): string {
  return describeUnit(summary, 'en');
}
