import { describe, expect, it } from 'vitest';
import {
  LAST_RUN_KEY,
  parseLastRun,
  readLastRun,
  summarise,
  writeLastRun,
} from '../../../src/lib/lab/lastRun';
import { computeFigures } from '../../../src/lib/lab/metrics';
import { loadRun } from './fixtures';

function memory(): Storage {
  const map = new Map<string, string>();
  return {
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
  } as Storage;
}

describe('the last run kept for lessons', () => {
  const run = loadRun('lab-run.json');
  const last = summarise(computeFigures(run), run.settings, 1_700_000_000_000);

  it('writes and reads back a compact summary', () => {
    const storage = memory();
    writeLastRun(last, storage);
    expect(readLastRun(storage)).toEqual(last);
    expect(storage.getItem(LAST_RUN_KEY)!.length).toBeLessThan(2000);
    const ws = last.contenders.find((c) => c.contender === 'ws')!;
    expect(ws.bytesPerEvent).toBeGreaterThan(run.settings.payloadBytes);
  });

  it('reads anything else as no run', () => {
    const storage = memory();
    expect(readLastRun(storage)).toBeUndefined();
    storage.setItem(LAST_RUN_KEY, '{not json');
    expect(readLastRun(storage)).toBeUndefined();
    expect(parseLastRun({ ...last, version: 2 })).toBeUndefined();
    expect(parseLastRun({ ...last, contenders: [{ contender: 'ws', delivered: 'many' }] })).toBeUndefined();
  });
});
