/**
 * A compact summary of the last lab run, kept in localStorage so a lesson can quote what the learner
 * measured (LabSummary.svelte). Typed read and write; anything unreadable reads as "no run".
 */
import type { RunFigures } from './metrics';
import { CONTENDERS, type ContenderId, type RunSettings } from './types';

export const LAST_RUN_KEY = 'wirescope.lab.lastRun';
export const LAST_RUN_VERSION = 1;

export interface LastRunContender {
  contender: ContenderId;
  p50?: number;
  p95?: number;
  /** Bytes on the wire per delivered event, both directions, headers + payload. */
  bytesPerEvent?: number;
  headersPerEvent?: number;
  delivered: number;
  missed: number;
  requests: number;
  connections: number;
}

export interface LastRun {
  version: typeof LAST_RUN_VERSION;
  /** Epoch ms when the run finished. */
  at: number;
  settings: RunSettings;
  expected: number;
  contenders: LastRunContender[];
}

export function summarise(figures: RunFigures, settings: RunSettings, at: number): LastRun {
  return {
    version: LAST_RUN_VERSION,
    at,
    settings,
    expected: figures.expected,
    contenders: figures.contenders.map((c) => {
      const up = c.upPerEvent;
      const down = c.downPerEvent;
      return {
        contender: c.contender,
        ...(c.latency ? { p50: c.latency.p50, p95: c.latency.p95 } : {}),
        ...(up && down
          ? {
              bytesPerEvent: up.headers + up.payload + down.headers + down.payload,
              headersPerEvent: up.headers + down.headers,
            }
          : {}),
        delivered: c.delivered,
        missed: c.missed,
        requests: c.requests,
        connections: c.connections,
      };
    }),
  };
}

function isNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** Validates a stored value; undefined when it is not a LastRun of this version. */
export function parseLastRun(value: unknown): LastRun | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Partial<LastRun>;
  if (v.version !== LAST_RUN_VERSION || !isNumber(v.at) || !isNumber(v.expected)) return undefined;
  const s = v.settings;
  if (!s || ![s.rate, s.payloadBytes, s.pollIntervalMs, s.durationMs].every(isNumber)) return undefined;
  if (!Array.isArray(v.contenders)) return undefined;
  const ok = v.contenders.every(
    (c: LastRunContender) =>
      CONTENDERS.includes(c.contender) &&
      [c.delivered, c.missed, c.requests, c.connections].every(isNumber) &&
      [c.p50, c.p95, c.bytesPerEvent, c.headersPerEvent].every((x) => x === undefined || isNumber(x)),
  );
  return ok ? (v as LastRun) : undefined;
}

export function readLastRun(
  storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage,
): LastRun | undefined {
  try {
    const text = storage?.getItem(LAST_RUN_KEY);
    return text ? parseLastRun(JSON.parse(text)) : undefined;
  } catch {
    return undefined;
  }
}

export function writeLastRun(
  run: LastRun,
  storage: Pick<Storage, 'setItem'> | undefined = globalThis.localStorage,
): void {
  try {
    storage?.setItem(LAST_RUN_KEY, JSON.stringify(run));
  } catch {
    // Storage full or disabled: the lesson then shows that there is no run yet.
  }
}
