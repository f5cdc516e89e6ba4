import { createActor, SimulatedClock, type AnyStateMachine } from 'xstate';
import type { UnitEvent } from '../../../src/lib/trace/types';
import type { BaseContext } from '../../../src/lib/machines/kit';
import type { ScenarioModule } from '../../../src/lib/machines/scenario';
import { MODULE_IDS, loadScenario } from '../../../src/lib/scenarios/registry';
import { SPECS } from '../../../src/lib/scenarios/specs';

/** Start a scenario actor on a simulated clock. */
export function start(machine: AnyStateMachine, input: Record<string, unknown> = {}) {
  const clock = new SimulatedClock();
  const actor = createActor(machine, { input, clock });
  actor.start();
  return { actor, clock };
}

export function ctx(actor: { getSnapshot(): { context: unknown } }): BaseContext {
  return actor.getSnapshot().context as BaseContext;
}

export function nextUntilEnd(actor: ReturnType<typeof start>['actor']): string[] {
  let guard = 0;
  while (actor.getSnapshot().can({ type: 'step.next' }) && guard++ < 100) actor.send({ type: 'step.next' });
  return ctx(actor).path;
}

export function unitsOf(actor: ReturnType<typeof start>['actor']): UnitEvent[] {
  return ctx(actor).events.filter((e): e is UnitEvent => e.type === 'unit');
}

export const ascii = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** Every scenario module with its prepared input, by id (loaded once per test file). */
export async function loadAll(): Promise<
  Record<string, { module: ScenarioModule; input: Record<string, unknown> }>
> {
  const out: Record<string, { module: ScenarioModule; input: Record<string, unknown> }> = {};
  for (const id of MODULE_IDS) {
    const module = await loadScenario(id);
    out[id] = { module, input: (await module.prepare?.()) ?? {} };
  }
  return out;
}

export const SCENARIO_IDS = SPECS.map((spec) => spec.id);
