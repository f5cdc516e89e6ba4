import { describe, expect, it } from 'vitest';
import { SCENARIO_MACHINES, SCENARIOS, SCENARIO_IDS, type ScenarioId } from '../../../src/lib/machines';
import { REQUEST_FAILURE_KO, RESPONSE_FAILURE_KO } from '../../../src/lib/machines/notes';
import type { NoteEvent } from '../../../src/lib/trace/types';
import { ctx, nextUntilEnd, start } from './helpers';

const HANGUL = /[\uAC00-\uD7A3]/;

/** Runs a scenario to its end, making `choice` (a catalog choice id) at the step the catalog names. */
async function walk(id: ScenarioId, choice?: string) {
  const { machine, prepare } = SCENARIO_MACHINES[id];
  const { actor } = start(machine, await prepare());
  const at = SCENARIOS[id].choices.find((c) => c.id === choice)?.at;
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
  ...SCENARIOS[id].choices.map((c) => ({ id, choice: c.id as string | undefined })),
]);

describe('diagram notes in both languages', () => {
  it.each(PATHS)(
    '$id, choice $choice: every note has Korean text beside its English',
    async ({ id, choice }) => {
      const notes = (await walk(id, choice)).events.filter((e): e is NoteEvent => e.type === 'note');
      expect(notes.length).toBeGreaterThan(0);
      for (const note of notes) {
        expect(note.text.trim()).not.toBe('');
        expect(note.ko?.trim(), note.text).toMatch(HANGUL);
        expect(note.ko).not.toBe(note.text);
      }
    },
  );

  it('the walks reach every step of every scenario', async () => {
    for (const id of SCENARIO_IDS) {
      const seen = new Set<string>();
      for (const p of PATHS.filter((p) => p.id === id))
        (await walk(id, p.choice)).path.forEach((s) => seen.add(s));
      expect([...seen].sort(), id).toEqual([...SCENARIOS[id].steps].sort());
    }
  });

  it('a failed check is explained in Korean by its stable code, with the RFC section and status', async () => {
    const events = (await walk('opening-handshake', 'wrong-version')).events;
    const server = events.find((e): e is NoteEvent => e.type === 'note' && e.peer === 'server');
    expect(server?.text).toMatch(/^Server check fails: WebSocket version "8" is not supported/);
    expect(server?.ko).toBe(
      `서버 검사 실패: ${REQUEST_FAILURE_KO.UNSUPPORTED_VERSION} (RFC 6455 4.4절) → 426`,
    );
    const client = (await walk('opening-handshake', 'wrong-accept')).events.filter(
      (e): e is NoteEvent => e.type === 'note' && e.peer === 'client',
    );
    expect(client[0]?.ko).toBe(`클라이언트 검사: ${RESPONSE_FAILURE_KO.BAD_ACCEPT} (RFC 6455 4.1절)`);
  });

  it('keeps the learner’s close reason as typed in both languages', async () => {
    const { machine } = SCENARIO_MACHINES['closing-handshake'];
    const { actor } = start(machine, {});
    actor.send({ type: 'learner.configure', code: 4000, reason: 'bye now' });
    nextUntilEnd(actor);
    const last = ctx(actor)
      .events.filter((e): e is NoteEvent => e.type === 'note')
      .at(-1);
    expect(last?.text).toBe("close event: code 4000 'bye now', wasClean true");
    expect(last?.ko).toBe("close 이벤트: 코드 4000 'bye now', wasClean true");
  });
});
