import { describe, expect, it } from 'vitest';
import { readHealth } from '../../../src/lib/live/health';

describe('readHealth', () => {
  it('reads one process, a cluster node, and a node cut off from the backplane', () => {
    expect(readHealth('ok\n')).toEqual({ ok: true });
    expect(readHealth('ok\nnode: a\nbackplane: connected\n')).toEqual({
      ok: true,
      cluster: { node: 'a', backplane: 'connected' },
    });
    expect(readHealth('ok\nnode: web-2\nbackplane: lost\n')).toEqual({
      ok: true,
      cluster: { node: 'web-2', backplane: 'lost' },
    });
  });

  it('is not ok for anything else (a static host answering its index page)', () => {
    expect(readHealth('<!doctype html><title>wirescope</title>')).toEqual({ ok: false });
    expect(readHealth('')).toEqual({ ok: false });
    expect(readHealth('ok\nnode: a\nbackplane: maybe\n')).toEqual({ ok: true });
  });
});
