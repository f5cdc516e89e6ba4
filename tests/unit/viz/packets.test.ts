import { describe, expect, it } from 'vitest';
import { packetsOf } from '../../../src/lib/viz/packets';
import type { MessageRow } from '../../../src/lib/viz/sequenceLayout';

const row = (index: number, t: number, bytes: number, current = true): MessageRow =>
  ({ kind: 'message', index, t, bytes, current }) as MessageRow;

describe('packetsOf', () => {
  it('sends none with reduced motion (no animation length)', () => {
    expect(packetsOf([row(0, 0, 10)], 0)).toEqual([]);
  });

  it('flies only the current step’s messages, in the order and proportion of the scenario clock', () => {
    const packets = packetsOf([row(0, 0, 10, false), row(1, 100, 10), row(2, 120, 10), row(3, 160, 10)], 400);
    expect(packets.map((p) => p.index)).toEqual([1, 2, 3]);
    const [a, b, c] = packets.map((p) => p.delay);
    expect(a).toBe(0);
    expect(b! / c!).toBeCloseTo(20 / 60, 2);
    expect(packets.every((p) => p.flight === 400)).toBe(true);
  });

  it('compresses a long step so its last packet leaves within three animation lengths', () => {
    const packets = packetsOf([row(1, 0, 10), row(2, 25_000, 10)], 300);
    expect(packets[1]!.delay).toBe(900);
  });

  it('sizes a packet by its bytes: bigger messages make bigger packets, within bounds', () => {
    const [small, medium, huge] = packetsOf([row(1, 0, 2), row(2, 0, 300), row(3, 0, 1_000_000)], 300);
    expect(small!.radius).toBeLessThan(medium!.radius);
    expect(medium!.radius).toBeLessThan(huge!.radius);
    expect(small!.radius).toBeGreaterThanOrEqual(3);
    expect(huge!.radius).toBeLessThanOrEqual(13);
  });
});
