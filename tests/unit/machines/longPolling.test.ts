import { describe, expect, it } from 'vitest';
import { SCENARIOS } from '../../../src/lib/machines/catalog';
import {
  POLL_WAIT,
  longPollingMachine,
  type LongPollingContext,
} from '../../../src/lib/machines/longPolling';
import { ascii, ctx, nextUntilEnd, start, unitsOf } from './helpers';

const lp = (actor: ReturnType<typeof start>['actor']) => actor.getSnapshot().context as LongPollingContext;

describe('long-polling machine', () => {
  it('by default delivers data once, then lets a wait expire, and reaches every step', () => {
    const { actor } = start(longPollingMachine);
    const path = nextUntilEnd(actor);
    expect(path).toEqual([
      'request',
      'held',
      'data-arrives',
      'response-data',
      're-request',
      'held',
      'wait-expires',
      'response-empty',
      're-request',
      'summary',
    ]);
    expect(new Set(path)).toEqual(new Set(SCENARIOS['long-polling'].steps));
  });

  it('holds the request: one connection tied up until the answer', () => {
    const { actor } = start(longPollingMachine);
    actor.send({ type: 'step.next' });
    expect(actor.getSnapshot().value).toBe('held');
    expect(lp(actor).held).toBe(1);
    actor.send({ type: 'learner.choose', choice: 'data' });
    actor.send({ type: 'step.next' });
    expect(lp(actor).held).toBe(0);
    expect(ascii(unitsOf(actor).at(-1)!.bytes)).toMatch(
      /^HTTP\/1.1 200 OK\r\n[\s\S]*\{"id":1,"text":"hello"\}$/,
    );
    actor.send({ type: 'step.next' });
    expect(ascii(unitsOf(actor).at(-1)!.bytes)).toContain(`GET /api/poll?wait=${POLL_WAIT}&since=1 HTTP/1.1`);
    actor.send({ type: 'step.next' });
    expect(actor.getSnapshot().value).toBe('held');
    expect(lp(actor).held).toBe(1);
  });

  it('timeout choice: 204 No Content, then an immediate re-request', () => {
    const { actor } = start(longPollingMachine);
    actor.send({ type: 'step.next' });
    actor.send({ type: 'learner.choose', choice: 'timeout' });
    expect(actor.getSnapshot().value).toBe('wait-expires');
    expect(ctx(actor).choices).toEqual(['timeout']);
    actor.send({ type: 'step.next' });
    expect(ascii(unitsOf(actor).at(-1)!.bytes)).toMatch(/^HTTP\/1.1 204 No Content\r\n/);
    const t204 = unitsOf(actor).at(-1)!.t;
    actor.send({ type: 'step.next' });
    expect(actor.getSnapshot().value).toBe('re-request');
    expect(unitsOf(actor).at(-1)!.t - t204).toBeLessThanOrEqual(20);
  });

  it('the held wait expires on its own after the named delay (simulated clock), scaled by speed', () => {
    const { actor, clock } = start(longPollingMachine, { speed: 2 });
    actor.send({ type: 'step.next' });
    clock.increment(POLL_WAIT / 2 - 1);
    expect(actor.getSnapshot().value).toBe('held');
    clock.increment(1);
    expect(actor.getSnapshot().value).toBe('wait-expires');
    expect(ctx(actor).choices).toEqual(['timeout']);
  });

  it('offers both choices only while a request is held', () => {
    const { actor } = start(longPollingMachine);
    expect(actor.getSnapshot().can({ type: 'learner.choose', choice: 'data' })).toBe(false);
    actor.send({ type: 'step.next' });
    expect(actor.getSnapshot().can({ type: 'learner.choose', choice: 'data' })).toBe(true);
    expect(actor.getSnapshot().can({ type: 'learner.choose', choice: 'timeout' })).toBe(true);
    expect(actor.getSnapshot().can({ type: 'learner.choose', choice: 'nonsense' })).toBe(false);
  });

  it('summary counts header bytes per delivered message', () => {
    const { actor } = start(longPollingMachine);
    nextUntilEnd(actor);
    const c = lp(actor);
    expect(c.requests).toBe(3);
    expect(c.delivered).toBe(1);
    expect(c.maxHeld).toBe(1);
    expect(ctx(actor).events.at(-1)).toMatchObject({
      type: 'note',
      text: expect.stringContaining(`${c.headerBytes} header bytes, ${c.headerBytes} per delivered message`),
    });
  });
});
