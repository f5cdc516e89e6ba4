/**
 * The label of a unit in a language, from its bytes: the same for a simulated unit and a live one, since
 * both are summarised by the protocol from the bytes on the wire, plus what a layer view adds (the units
 * a segment carries, the segments a unit spans, the frames a message joins). Summaries are cached per
 * byte array (a unit's bytes never change), so the diagram can ask on every layout.
 */
import { summarizeUnit, type UnitSummary } from '../protocol/summary.ts';
import { describeUnit } from '../i18n/units.ts';
import { describeLayer } from '../i18n/layers.ts';
import type { Lang } from '../i18n/lang.ts';
import type { UnitEvent } from './types.ts';

const cache = new WeakMap<Uint8Array, UnitSummary>();

export function unitLabel(
  unit: Pick<UnitEvent, 'kind' | 'bytes' | 'inflated' | 'layer'>,
  lang: Lang,
): string {
  let summary = cache.get(unit.bytes);
  // A compressed message's last frame reads as the text it inflated to (RFC 7692 section 7.2.2).
  if (!summary) cache.set(unit.bytes, (summary = summarizeUnit(unit.kind, unit.bytes, unit.inflated)));
  const own = describeUnit(summary, lang);
  const view = unit.layer;
  if (!view) return own;
  switch (view.kind) {
    case 'segment':
      return describeLayer(
        {
          kind: 'segment',
          capture: view.capture,
          length: unit.bytes.length,
          carries: view.carries.map((c) => ({ label: unitLabel(c.unit, lang), part: c.part })),
        },
        lang,
      );
    case 'spans':
      return describeLayer({ kind: 'spans', own, segments: view.segments }, lang);
    case 'message':
      return describeLayer(view, lang);
  }
}
