/**
 * Makes a scenario's XState machine from its step graph (graph.ts) and its step builders: one named
 * `enter` action builds each step's trace events, the learner's choices are guarded by `chose` and kept
 * by `record`, what-ifs `rewind` the step shown, and timed steps wait in ticks scaled by the speed.
 * A scenario adds only its own context, named guards and named actions (context updates).
 */
import { assign, setup, type AnyStateMachine } from 'xstate';
import type { ChoiceParams, ScenarioEvent, StepParams } from './events';
import { WAIT_TICK_MS, statesOf, type ScenarioSpec } from './graph';
import { baseContext, enterStep, rewindStep, type BaseContext, type BaseInput, type StepBuild } from './kit';

export interface MachineArgs<C extends BaseContext> {
  context: C;
  event: ScenarioEvent;
}

export interface ScenarioMachineOptions<C extends BaseContext, I extends BaseInput> {
  spec: ScenarioSpec;
  /** The scenario's own context fields, from its input (fixed inputs from `prepare`, the speed). */
  context: (input: I) => Omit<C, keyof BaseContext>;
  /** One builder per step id of the graph. */
  steps: { readonly [step: string]: StepBuild<C> };
  /** Named guards the graph's `next` branches and inputs use. */
  guards?: Record<string, (args: MachineArgs<C>) => boolean>;
  /** Named context updates the graph's inputs use. */
  actions?: Record<string, (args: MachineArgs<C>) => Partial<C>>;
}

/** A timer's wait: a number of scenario ms, or the named numeric context field (graph.ts, TimerSpec). */
export function waitMs(context: BaseContext, ms: number | string): number {
  if (typeof ms === 'number') return ms;
  const value = (context as unknown as Record<string, unknown>)[ms];
  if (typeof value !== 'number') throw new Error(`timer: context field ${ms} is not a number`);
  return value;
}

export function scenarioMachine<C extends BaseContext, I extends BaseInput = BaseInput>(
  options: ScenarioMachineOptions<C, I>,
): AnyStateMachine {
  const { spec, steps } = options;
  for (const step of spec.steps) {
    if (!steps[step]) throw new Error(`scenario ${spec.id}: no builder for step ${step}`);
  }
  const own = Object.fromEntries(
    Object.entries(options.actions ?? {}).map(([name, update]) => [
      name,
      assign(({ context, event }: MachineArgs<C>) => update({ context, event })),
    ]),
  );
  const machine = setup({
    types: { context: {} as C, events: {} as ScenarioEvent, input: {} as I },
    actions: {
      ...own,
      enter: assign(({ context }: { context: C }, params: StepParams) =>
        enterStep(context, params.step, steps[params.step]!),
      ),
      rewind: assign(({ context }: { context: C }) => rewindStep(context)),
      record: assign(
        ({ context }: { context: C }, params: ChoiceParams) =>
          ({ choice: params.choice, choices: [...context.choices, params.choice] }) as Partial<C>,
      ),
      tickWait: assign(
        ({ context }: { context: C }) => ({ waited: context.waited + WAIT_TICK_MS }) as Partial<C>,
      ),
      setSpeed: assign(({ event }: { event: ScenarioEvent }) =>
        event.type === 'player.speed' && event.speed > 0 ? ({ speed: event.speed } as Partial<C>) : {},
      ),
    },
    guards: {
      ...options.guards,
      chose: ({ event }: { event: ScenarioEvent }, params: ChoiceParams) =>
        event.type === 'learner.choose' && event.choice === params.choice,
      waitOver: ({ context }: { context: C }, params: { ms: number | string }) =>
        context.waited + WAIT_TICK_MS >= waitMs(context, params.ms),
    },
    delays: {
      waitTick: ({ context }: { context: C }) => WAIT_TICK_MS / context.speed,
    },
  });
  // The graph's states refer to the actions, guards and delays above by name; XState cannot type a
  // generated config against them, so the config is checked here, once, by building it.
  return machine.createMachine({
    id: spec.id,
    context: ({ input }: { input: I }) => ({ ...baseContext(input), ...options.context(input) }) as C,
    initial: spec.initial,
    on: { 'player.speed': { actions: 'setSpeed' } },
    states: statesOf(spec),
  } as never) as unknown as AnyStateMachine;
}
