import { describe, expect, it } from 'vitest';
import { isComplete, readProgress, recordVisit } from '../../../src/lib/lessons/progress';

function memoryStorage(): Storage {
  const map = new Map<string, string>();
  return {
    get length() {
      return map.size;
    },
    clear: () => map.clear(),
    getItem: (key) => map.get(key) ?? null,
    key: (i) => [...map.keys()][i] ?? null,
    removeItem: (key) => void map.delete(key),
    setItem: (key, value) => void map.set(key, value),
  };
}

describe('progress', () => {
  it('keeps the furthest step and every step id seen', () => {
    const store = memoryStorage();
    recordVisit('02-long-polling', 1, 'request', store);
    recordVisit('02-long-polling', 3, 'data-arrives', store);
    const back = recordVisit('02-long-polling', 2, 'held', store);
    expect(back).toEqual({ furthest: 3, seen: ['request', 'data-arrives', 'held'] });
    expect(readProgress(store)['02-long-polling']).toEqual(back);
    expect(isComplete(back, ['request', 'held'])).toBe(true);
    expect(isComplete(back, ['request', 'summary'])).toBe(false);
  });

  it('ignores corrupt storage', () => {
    const store = memoryStorage();
    store.setItem('wirescope.progress.v1', '{not json');
    expect(readProgress(store)).toEqual({});
    store.setItem('wirescope.progress.v1', JSON.stringify({ a: { furthest: 'x' }, b: { furthest: 2, seen: [1, 'x'] } }));
    expect(readProgress(store)).toEqual({ b: { furthest: 2, seen: ['x'] } });
  });
});
