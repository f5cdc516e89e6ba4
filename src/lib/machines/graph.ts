/**
 * A scenario's steps as one graph: which step follows which, the learner's choices, timers. The lesson
 * catalog (step ids in teaching order, the choices and where each is offered) and the XState states of
 * the scenario's machine are both generated from it, so they cannot disagree.
 *
 * Every generated state enters its step with the kit's `enter` action; choices go through the kit's
 * `chose` guard and `record` action; a timed step waits in ticks (see `waitTick`) so that a speed change
 * reaches a wait already counting down.
 */

/** A target step, or a list tried in order: the first whose guard passes wins. */
export type NextSpec<Step extends string> = Step | readonly { if?: string; go: Step }[];

/**
 * A learner's choice at a step: go to a step, or `redo` the step being shown with the choice applied
 * (a what-if: the step's events are rewound and built again).
 */
export type ChoiceTarget<Step extends string> = Step | { redo: true };

/** A wait at a step: after `ms` of scenario time (scaled by the player's speed), go on by itself. */
export interface TimerSpec<Step extends string> {
  /**
   * Scenario milliseconds, or the name of a numeric context field holding them (read when the wait is
   * checked, so a wait can follow a learner's setting or a value the step's own builder worked out).
   */
  ms: number | string;
  go: Step;
  /** Recorded as the learner's choice when the wait runs out (so the URL can restore it). */
  choice?: string;
}

/**
 * Other events a step takes (the frames scenario's typed message, the closing scenario's code and
 * reason): the event type, with an optional named guard and named actions, staying on the step or
 * redoing it.
 */
export interface InputSpec {
  guard?: string;
  actions: readonly string[];
  redo?: boolean;
}

export interface StepSpec<Step extends string> {
  next?: NextSpec<Step>;
  choices?: Readonly<Record<string, ChoiceTarget<Step>>>;
  timer?: TimerSpec<Step>;
  inputs?: Readonly<Record<string, InputSpec>>;
}

export type StepGraph<Step extends string = string> = { readonly [S in Step]: StepSpec<Step> };

export interface ChoiceSpec {
  /** Stable id, used in the URL and as the machine event's `choice`. */
  id: string;
  /** The step id at which the learner is offered this choice. */
  at: string;
}

/** What lessons and the catalog know of a scenario: pure data, no machine. */
export interface ScenarioSpec {
  id: string;
  /** Every step id the machine can reach, in teaching order (the graph's key order). */
  steps: readonly string[];
  choices: readonly ChoiceSpec[];
  /** The first step. */
  initial: string;
  graph: StepGraph;
}

/** The graph's own step ids are the only targets its steps may name (checked by TypeScript and here). */
export function defineSpec<const G extends { [S in keyof G]: StepSpec<keyof G & string> }>(
  id: string,
  graph: G,
): ScenarioSpec {
  type Step = keyof G & string;
  const steps = Object.keys(graph) as Step[];
  const choices = steps.flatMap((at) =>
    Object.keys(graph[at].choices ?? {}).map((choice) => ({ id: choice, at })),
  );
  for (const step of steps) {
    for (const target of targetsOf<Step>(graph[step])) {
      if (!(target in graph)) throw new Error(`scenario ${id}: step ${step} leads to unknown step ${target}`);
    }
  }
  return { id, steps, choices, initial: steps[0]!, graph: graph as unknown as StepGraph };
}

function targetsOf<Step extends string>(spec: StepSpec<Step>): Step[] {
  const next =
    spec.next === undefined ? [] : typeof spec.next === 'string' ? [spec.next] : spec.next.map((n) => n.go);
  const chosen = Object.values(spec.choices ?? {}).filter((t): t is Step => typeof t === 'string');
  return [...next, ...chosen, ...(spec.timer ? [spec.timer.go] : [])];
}

/** Scenario time that passes per tick of a timed step (ms at speed 1). */
export const WAIT_TICK_MS = 250;

type Transition = Record<string, unknown>;

function nextTransitions(next: NextSpec<string>): Transition[] {
  if (typeof next === 'string') return [{ target: next }];
  return next.map((n) => (n.if ? { guard: n.if, target: n.go } : { target: n.go }));
}

function choiceTransitions(
  step: string,
  choices: Readonly<Record<string, ChoiceTarget<string>>>,
): Transition[] {
  return Object.entries(choices).map(([choice, target]) => {
    const guard = { type: 'chose', params: { choice } };
    const record = { type: 'record', params: { choice } };
    return typeof target === 'string'
      ? { guard, target, actions: [record] }
      : { guard, target: step, reenter: true, actions: ['rewind', record] };
  });
}

/**
 * The XState states config of a graph. The machine's id must be the scenario's id (timers target
 * steps by `#id.step`).
 */
export function statesOf(spec: ScenarioSpec): Record<string, Record<string, unknown>> {
  const states: Record<string, Record<string, unknown>> = {};
  for (const step of spec.steps) {
    const s = spec.graph[step]!;
    const on: Record<string, unknown> = {};
    if (s.next !== undefined) on['step.next'] = nextTransitions(s.next);
    if (s.choices) on['learner.choose'] = choiceTransitions(step, s.choices);
    for (const [event, input] of Object.entries(s.inputs ?? {})) {
      on[event] = {
        ...(input.guard ? { guard: input.guard } : {}),
        ...(input.redo
          ? { target: step, reenter: true, actions: ['rewind', ...input.actions] }
          : { actions: [...input.actions] }),
      };
    }
    const state: Record<string, unknown> = { entry: { type: 'enter', params: { step } }, on };
    if (s.timer) {
      // Waiting in ticks: each tick adds WAIT_TICK_MS of scenario time, and its real delay is read from
      // the speed at that moment, so a speed change reaches a wait that is already counting down.
      const done = {
        target: `#${spec.id}.${s.timer.go}`,
        actions: s.timer.choice ? [{ type: 'record', params: { choice: s.timer.choice } }] : [],
      };
      state.initial = 'waiting';
      state.states = {
        waiting: {
          after: {
            waitTick: [
              { guard: { type: 'waitOver', params: { ms: s.timer.ms } }, ...done },
              { target: 'waiting', reenter: true, actions: 'tickWait' },
            ],
          },
        },
      };
    }
    states[step] = state;
  }
  return states;
}
