import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { Player } from '../../../src/lib/machines/player';
import { STEP_MS, stepDelay } from '../../../src/lib/machines/playback';
import { SCENARIO_IDS, loadAll } from '../scenarios/helpers';

const ALL = await loadAll();
type ScenarioId = string;

function player(id: ScenarioId, clock = new SimulatedClock()) {
  const { module, input } = ALL[id]!;
  return { p: new Player(module.machine, { input, clock }), clock };
}

describe('Player', () => {
  it('steps back to exactly the earlier snapshot, without replaying side effects', () => {
    const { p } = player('frames');
    p.next();
    p.next();
    const earlier = p.getSnapshot();
    p.next();
    expect(p.getSnapshot().stepId).toBe('server-text');
    p.back();
    const now = p.getSnapshot();
    expect(now.stepId).toBe('masking');
    expect(now.index).toBe(earlier.index);
    expect(now.snapshot.value).toEqual(earlier.snapshot.value);
    expect(now.context.events).toEqual(earlier.context.events);
    expect(now.context.path).toEqual(earlier.context.path);
  });

  it.each(SCENARIO_IDS)(
    '%s: every catalog step is reachable by next and choices, and back returns to 0',
    (id) => {
      const { p } = player(id);
      const seen = new Set<string>();
      const spec = ALL[id]!.module.spec;
      const choices = spec.choices.length ? spec.choices.map((c) => c.id) : [undefined];
      for (const choice of choices) {
        p.restart();
        seen.add(p.getSnapshot().stepId);
        let guard = 0;
        while (guard++ < 50) {
          if (choice && p.can({ type: 'learner.choose', choice })) p.send({ type: 'learner.choose', choice });
          seen.add(p.getSnapshot().stepId);
          if (!p.getSnapshot().canNext) break;
          p.next();
          seen.add(p.getSnapshot().stepId);
        }
        while (p.getSnapshot().canBack) p.back();
        expect(p.getSnapshot().index).toBe(0);
      }
      expect([...seen].sort()).toEqual([...spec.steps].sort());
    },
  );

  it.each(SCENARIO_IDS)(
    '%s: the preview is always the path the player would take from here, after choices and back too',
    (id) => {
      // The player reuses its last preview while only next is taken: compare it at every place with
      // the path a second player, restored to the same place, takes by next alone.
      const { p } = player(id);
      const spec = ALL[id]!.module.spec;
      const expected = () => {
        const view = p.getSnapshot();
        const { p: q } = player(id);
        q.restore(view.index, view.choice || undefined);
        while (q.getSnapshot().canNext) q.next();
        return q.getSnapshot().context.path;
      };
      for (const choice of [undefined, ...spec.choices.map((c) => c.id)]) {
        p.restart();
        let guard = 0;
        while (guard++ < 50) {
          expect(p.preview()).toEqual(expected());
          if (choice && p.can({ type: 'learner.choose', choice })) {
            p.send({ type: 'learner.choose', choice });
            expect(p.preview()).toEqual(expected());
          }
          if (!p.getSnapshot().canNext) break;
          p.next();
        }
        p.back();
        expect(p.preview()).toEqual(expected());
      }
    },
  );

  it('restores a place from the URL: step index and choices', () => {
    const { p } = player('opening-handshake');
    p.restore(3, 'wrong-version');
    expect(p.getSnapshot().stepId).toBe('reject-426');
    expect(p.getSnapshot().choice).toBe('wrong-version');
    p.restore(1, 'bad-key');
    expect(p.getSnapshot().stepId).toBe('upgrade-request');
    expect(p.getSnapshot().choice).toBe('bad-key');
    const lp = player('long-polling').p;
    lp.restore(7, 'timeout');
    expect(lp.getSnapshot().context.path).toEqual([
      'request',
      'held',
      'wait-expires',
      'response-empty',
      're-request',
      'held',
      'data-arrives',
      'response-data',
    ]);
  });

  it('plays at a speed on the simulated clock and pauses at the end', () => {
    const { p, clock } = player('request-response');
    p.setSpeed(4);
    p.play();
    expect(p.getSnapshot().playing).toBe(true);
    clock.increment(STEP_MS / 4);
    expect(p.getSnapshot().index).toBe(1);
    for (let i = 0; i < 20; i++) clock.increment(STEP_MS / 4);
    expect(p.getSnapshot().stepId).toBe('summary');
    expect(p.getSnapshot().playing).toBe(false);
  });

  it('jump goes forward along the default path and back through history', () => {
    const { p } = player('closing-handshake');
    p.jump(4);
    expect(p.getSnapshot().stepId).toBe('tcp-close');
    p.jump(1);
    expect(p.getSnapshot().stepId).toBe('close-sent');
    expect(p.getSnapshot().context.path).toHaveLength(2);
  });

  it('reduced motion lengthens the step delay a little; speed shortens it', () => {
    expect(stepDelay({ speed: 1, reducedMotion: false })).toBe(STEP_MS);
    expect(stepDelay({ speed: 2, reducedMotion: false })).toBe(STEP_MS / 2);
    expect(stepDelay({ speed: 1, reducedMotion: true })).toBeGreaterThan(STEP_MS);
  });
});
