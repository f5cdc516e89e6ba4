import { describe, expect, it } from 'vitest';
import spec from '../../../src/lib/scenarios/frames/spec';
import scenario, { BINARY_70K, DEFAULT_TYPED, FRAME_SPECS } from '../../../src/lib/scenarios/frames/index';
import { encodeFrame, decodeFrame } from '../../../src/lib/protocol/frame';
import { ctx, nextUntilEnd, start, unitsOf } from './helpers';

describe('frames machine', () => {
  it('walks every step', () => {
    const { actor } = start(scenario.machine);
    expect(nextUntilEnd(actor)).toEqual([...spec.steps]);
  });

  it('the first frame equals encodeFrame with the fixed mask key', () => {
    const { actor } = start(scenario.machine);
    actor.send({ type: 'step.next' });
    const first = unitsOf(actor)[0]!;
    expect(first.bytes).toEqual(
      encodeFrame({ opcode: 1, payload: 'Hello', mask: Uint8Array.of(0x37, 0xfa, 0x21, 0x3d) }),
    );
    expect([...first.bytes.slice(0, 6)]).toEqual([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d]);
    expect(first.dir).toBe('c2s');
  });

  it('server frames are unmasked, client frames masked; lengths take the 7/16/64-bit forms', () => {
    const { actor } = start(scenario.machine);
    nextUntilEnd(actor);
    const units = unitsOf(actor);
    for (const u of units) {
      const decoded = decodeFrame(u.bytes, 0, { requireMask: u.dir === 'c2s' });
      expect(decoded?.bytesUsed).toBe(u.bytes.length);
    }
    const byLen = units.map((u) => u.bytes[1]! & 0x7f);
    expect(byLen).toContain(126);
    expect(byLen).toContain(127);
    const big = units.find((u) => (u.bytes[1]! & 0x7f) === 127)!;
    expect(decodeFrame(big.bytes)!.frame.payload).toEqual(BINARY_70K);
  });

  it('fragments a message with a ping between the fragments and a pong carrying its payload', () => {
    const { actor } = start(scenario.machine);
    nextUntilEnd(actor);
    const frames = unitsOf(actor).map((u) => decodeFrame(u.bytes)!.frame);
    const i = frames.findIndex((f) => !f.fin);
    expect(frames.slice(i, i + 4).map((f) => [f.opcode, f.fin])).toEqual([
      [1, false],
      [9, true],
      [10, true],
      [0, true],
    ]);
    expect(frames[i + 2]!.payload).toEqual(frames[i + 1]!.payload);
    expect(FRAME_SPECS['fragment-first'].fin).toBe(false);
  });

  it("encodes the learner's own message live, replacing the frame shown", () => {
    const { actor } = start(scenario.machine);
    nextUntilEnd(actor);
    expect(new TextDecoder().decode(decodeFrame(unitsOf(actor).at(-1)!.bytes)!.frame.payload)).toBe(
      DEFAULT_TYPED,
    );
    const count = unitsOf(actor).length;
    actor.send({ type: 'learner.type', text: '안녕' });
    expect(unitsOf(actor)).toHaveLength(count);
    expect(ctx(actor).path.at(-1)).toBe('your-message');
    const last = decodeFrame(unitsOf(actor).at(-1)!.bytes)!.frame;
    expect(new TextDecoder().decode(last.payload)).toBe('안녕');
    expect(last.masked).toBe(true);
  });
});
