/** The sentence the live region speaks when a run finishes. */
import { formatBytes, formatMs } from './format';
import type { RunFigures } from './metrics';
import type { LabStrings } from '../i18n';

export function finishedSentence(t: LabStrings, figures: RunFigures): string {
  const parts = figures.contenders.map((c) => {
    const up = c.upPerEvent;
    const down = c.downPerEvent;
    const bytes = up && down ? up.headers + up.payload + down.headers + down.payload : undefined;
    return `${t.contenders[c.contender]} p50 ${formatMs(c.latency?.p50)}, p95 ${formatMs(c.latency?.p95)}, ${formatBytes(bytes)}/event, ${c.missed} missed`;
  });
  return t.announceFinished(parts.join('; '));
}
