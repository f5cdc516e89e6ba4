import { describe, expect, it } from 'vitest';
import spec from '../../../src/lib/scenarios/long-polling/spec';
import scenario, { POLL_WAIT, type LongPollingContext } from '../../../src/lib/scenarios/long-polling/index';
import { WAIT_TICK_MS } from '../../../src/lib/machines/graph';
import { ascii, ctx, nextUntilEnd, start, unitsOf } from './helpers';

const lp = (actor: ReturnType<typeof start>['actor']) => actor.getSnapshot().context as LongPollingContext;

describe('long-polling machine', () => {
  it('by default delivers data once, then lets a wait expire, and reaches every step', () => {
    const { actor } = start(scenario.machine);
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
    expect(new Set(path)).toEqual(new Set(spec.steps));
  });

  it('holds the request: one connection tied up until the answer', () => {
    const { actor } = start(scenario.machine);
    actor.send({ type: 'step.next' });
    expect(actor.getSnapshot().matches('held')).toBe(true);
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
    expect(actor.getSnapshot().matches('held')).toBe(true);
    expect(lp(actor).held).toBe(1);
  });

  it('timeout choice: 204 No Content, then an immediate re-request', () => {
    const { actor } = start(scenario.machine);
    actor.send({ type: 'step.next' });
    actor.send({ type: 'learner.choose', choice: 'timeout' });
    expect(actor.getSnapshot().matches('wait-expires')).toBe(true);
    expect(ctx(actor).choices).toEqual(['timeout']);
    actor.send({ type: 'step.next' });
    expect(ascii(unitsOf(actor).at(-1)!.bytes)).toMatch(/^HTTP\/1.1 204 No Content\r\n/);
    const t204 = unitsOf(actor).at(-1)!.t;
    actor.send({ type: 'step.next' });
    expect(actor.getSnapshot().matches('re-request')).toBe(true);
    expect(unitsOf(actor).at(-1)!.t - t204).toBeLessThanOrEqual(20);
  });

  /** Moves the simulated clock one millisecond at a time, so timers set while it moves fire too. */
  const advance = (clock: ReturnType<typeof start>['clock'], ms: number) => {
    for (let i = 0; i < ms; i++) clock.increment(1);
  };

  it('the held wait expires on its own after the wait (simulated clock), scaled by speed', () => {
    const { actor, clock } = start(scenario.machine, { speed: 2 });
    actor.send({ type: 'step.next' });
    advance(clock, POLL_WAIT / 2 - 1);
    expect(actor.getSnapshot().matches('held')).toBe(true);
    advance(clock, 1);
    expect(actor.getSnapshot().matches('wait-expires')).toBe(true);
    expect(ctx(actor).choices).toEqual(['timeout']);
  });

  it('a speed change reaches a wait that is already counting down', () => {
    const { actor, clock } = start(scenario.machine, { speed: 1 });
    actor.send({ type: 'step.next' });
    advance(clock, 5000); // a fifth of the wait at speed 1
    actor.send({ type: 'player.speed', speed: 4 });
    // The rest, 20 s of scenario time, now takes 5 s (give or take the tick that was running).
    advance(clock, 5000 - WAIT_TICK_MS);
    expect(actor.getSnapshot().matches('held')).toBe(true);
    // Had the new speed not reached the wait, 15 s of real time would remain here.
    advance(clock, 2 * WAIT_TICK_MS);
    expect(actor.getSnapshot().matches('wait-expires')).toBe(true);
  });

  it('offers both choices only while a request is held', () => {
    const { actor } = start(scenario.machine);
    expect(actor.getSnapshot().can({ type: 'learner.choose', choice: 'data' })).toBe(false);
    actor.send({ type: 'step.next' });
    expect(actor.getSnapshot().can({ type: 'learner.choose', choice: 'data' })).toBe(true);
    expect(actor.getSnapshot().can({ type: 'learner.choose', choice: 'timeout' })).toBe(true);
    expect(actor.getSnapshot().can({ type: 'learner.choose', choice: 'nonsense' })).toBe(false);
  });

  it('summary counts header bytes per delivered message', () => {
    const { actor } = start(scenario.machine);
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
