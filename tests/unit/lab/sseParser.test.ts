import { describe, expect, it } from 'vitest';
import { SseParser } from '../../../src/lib/lab/sseParser';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('the event-stream parser', () => {
  it('dispatches at blank lines, across chunk boundaries, joining data lines', () => {
    const p = new SseParser();
    expect(p.push(bytes('retry: 1000\n\nid: 4\nda'))).toEqual([{ retry: 1000 }]);
    expect(p.push(bytes('ta: {"a":1}\n'))).toEqual([]);
    expect(p.push(bytes('\n: keep-alive\n\nid: 5\ndata: x\ndata: y\r\n\r\n'))).toEqual([
      { id: '4', data: '{"a":1}' },
      { id: '5', data: 'x\ny' },
    ]);
  });

  it('ignores unknown fields and a retry that is not a number', () => {
    const p = new SseParser();
    expect(p.push(bytes('event: x\nretry: soon\ndata:raw\n\n'))).toEqual([{ data: 'raw' }]);
  });
});
