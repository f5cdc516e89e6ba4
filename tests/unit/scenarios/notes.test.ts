import { describe, expect, it } from 'vitest';
import { REQUEST_FAILURE_KO, RESPONSE_FAILURE_KO, renderNote } from '../../../src/lib/i18n/notes';
import type { NoteEvent } from '../../../src/lib/trace/types';
import { SCENARIO_IDS, ctx, loadAll, nextUntilEnd, start } from './helpers';

const ALL = await loadAll();
type ScenarioId = string;
const ko = (note: NoteEvent | undefined) => (note ? renderNote(note, 'ko') : undefined);

const HANGUL = /[\uAC00-\uD7A3]/;

/** Runs a scenario to its end, making `choice` (a catalog choice id) at the step the catalog names. */
async function walk(id: ScenarioId, choice?: string) {
  const { module, input } = ALL[id]!;
  const { actor } = start(module.machine, input);
  const at = module.spec.choices.find((c) => c.id === choice)?.at;
  if (choice !== undefined) {
    let guard = 0;
    while (ctx(actor).path.at(-1) !== at && guard++ < 50) actor.send({ type: 'step.next' });
    expect(ctx(actor).path.at(-1)).toBe(at);
    actor.send({ type: 'learner.choose', choice });
  }
  nextUntilEnd(actor);
  return ctx(actor);
}

const PATHS = SCENARIO_IDS.flatMap((id) => [
  { id, choice: undefined as string | undefined },
  ...ALL[id]!.module.spec.choices.map((c) => ({ id, choice: c.id as string | undefined })),
]);

describe('diagram notes in both languages', () => {
  it.each(PATHS)(
    '$id, choice $choice: every note is a message key that renders in English and in Korean',
    async ({ id, choice }) => {
      const notes = (await walk(id, choice)).events.filter((e): e is NoteEvent => e.type === 'note');
      expect(notes.length).toBeGreaterThan(0);
      for (const note of notes) {
        const en = renderNote(note, 'en');
        expect(en.trim()).not.toBe('');
        expect(note.text).toBe(en);
        expect(ko(note), en).toMatch(HANGUL);
        expect(ko(note)).not.toBe(en);
        expect(en).not.toMatch(/undefined|NaN/);
      }
    },
  );

  it('the walks reach every step of every scenario', async () => {
    for (const id of SCENARIO_IDS) {
      const seen = new Set<string>();
      for (const p of PATHS.filter((p) => p.id === id))
        (await walk(id, p.choice)).path.forEach((s) => seen.add(s));
      expect([...seen].sort(), id).toEqual([...ALL[id]!.module.spec.steps].sort());
    }
  });

  it('a failed check is explained in Korean by its stable code, with the RFC section and status', async () => {
    const events = (await walk('opening-handshake', 'wrong-version')).events;
    const server = events.find((e): e is NoteEvent => e.type === 'note' && e.peer === 'server');
    expect(server?.text).toMatch(/^Server check fails: WebSocket version "8" is not supported/);
    expect(ko(server)).toBe(
      `서버 검사 실패: ${REQUEST_FAILURE_KO.UNSUPPORTED_VERSION} (RFC 6455 4.4절) → 426`,
    );
    const client = (await walk('opening-handshake', 'wrong-accept')).events.filter(
      (e): e is NoteEvent => e.type === 'note' && e.peer === 'client',
    );
    expect(ko(client[0])).toBe(`클라이언트 검사: ${RESPONSE_FAILURE_KO.BAD_ACCEPT} (RFC 6455 4.1절)`);
  });

  it('keeps the learner’s close reason as typed in both languages', async () => {
    const { actor } = start(ALL['closing-handshake']!.module.machine, {});
    actor.send({ type: 'learner.configure', code: 4000, reason: 'bye now' });
    nextUntilEnd(actor);
    const last = ctx(actor)
      .events.filter((e): e is NoteEvent => e.type === 'note')
      .at(-1);
    expect(last?.text).toBe("close event: code 4000 'bye now', wasClean true");
    expect(ko(last)).toBe("close 이벤트: 코드 4000 'bye now', wasClean true");
  });
});

describe('the registry', () => {
  it('has one module for every spec, and each module carries exactly its spec', async () => {
    const { MODULE_IDS } = await import('../../../src/lib/scenarios/registry');
    const { SPECS } = await import('../../../src/lib/scenarios/specs');
    expect([...MODULE_IDS].sort()).toEqual(SPECS.map((s) => s.id).sort());
    for (const spec of SPECS) expect(ALL[spec.id]!.module.spec).toBe(spec);
  });
});
