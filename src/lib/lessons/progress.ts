/**
 * Learner progress, kept in localStorage: per lesson, the furthest step reached (1-based) and the set of
 * step ids visited. A scenario branches on the learner's choices, so "completed" means every step id of
 * the scenario has been seen, on whichever paths.
 */
export interface LessonProgress {
  furthest: number;
  seen: string[];
}

export type Progress = Record<string, LessonProgress>;

const KEY = 'wirescope.progress.v1';

function storage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined; // storage disabled: progress simply is not kept
  }
}

export function readProgress(store: Storage | undefined = storage()): Progress {
  try {
    const value: unknown = JSON.parse(store?.getItem(KEY) ?? '{}');
    if (!value || typeof value !== 'object') return {};
    const out: Progress = {};
    for (const [slug, entry] of Object.entries(value as Record<string, unknown>)) {
      const { furthest, seen } = (entry ?? {}) as Partial<LessonProgress>;
      if (typeof furthest === 'number' && Array.isArray(seen))
        out[slug] = { furthest, seen: seen.filter((id): id is string => typeof id === 'string') };
    }
    return out;
  } catch {
    return {};
  }
}

/** Records a visit to `step` (1-based) whose id is `stepId`; returns the lesson's new progress. */
export function recordVisit(
  slug: string,
  step: number,
  stepId: string,
  store: Storage | undefined = storage(),
): LessonProgress {
  const all = readProgress(store);
  const before = all[slug] ?? { furthest: 0, seen: [] };
  const next: LessonProgress = {
    furthest: Math.max(before.furthest, step),
    seen: before.seen.includes(stepId) ? before.seen : [...before.seen, stepId],
  };
  all[slug] = next;
  try {
    store?.setItem(KEY, JSON.stringify(all));
  } catch {
    // quota or privacy mode: keep going without saving
  }
  return next;
}

export function isComplete(progress: LessonProgress | undefined, steps: readonly string[]): boolean {
  return !!progress && steps.every((id) => progress.seen.includes(id));
}
