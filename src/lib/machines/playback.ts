/**
 * Play/pause with a speed: while playing, advance one step every `stepDelay`, and stop at the end.
 * What "advance" and "at the end" mean is provided by the player that owns the scenario actor.
 */
import { assign, setup } from 'xstate';

/** Time a step stays on screen at speed 1 (ms). */
export const STEP_MS = 2400;
export const SPEEDS = [0.5, 1, 2, 4, 16] as const;

export interface PlaybackContext {
  speed: number;
  reducedMotion: boolean;
}

export type PlaybackEvent =
  | { type: 'player.play' }
  | { type: 'player.pause' }
  | { type: 'player.speed'; speed: number }
  | { type: 'player.motion'; reduced: boolean };

/**
 * How long a step stays on screen. Reduced motion lengthens it a little: nothing animates in, so the
 * learner needs a moment more to find what changed.
 */
export function stepDelay(context: PlaybackContext): number {
  return (STEP_MS * (context.reducedMotion ? 1.25 : 1)) / context.speed;
}

/** How long an arrow takes to draw in: none with reduced motion, and faster at speed. */
export function animationMs(speed: number, reducedMotion: boolean): number {
  return reducedMotion ? 0 : Math.round(450 / Math.max(speed, 0.5));
}

export const playbackMachine = setup({
  types: {
    context: {} as PlaybackContext,
    events: {} as PlaybackEvent,
    input: {} as Partial<PlaybackContext> | undefined,
  },
  actions: {
    /** Provided by the player: send step.next to the scenario. */
    advance: () => {},
    setSpeed: assign(({ event }) => (event.type === 'player.speed' ? { speed: event.speed } : {})),
    setMotion: assign(({ event }) =>
      event.type === 'player.motion' ? { reducedMotion: event.reduced } : {},
    ),
  },
  guards: {
    /** Provided by the player: the scenario has no next step. */
    atEnd: () => false,
    validSpeed: ({ event }) => event.type === 'player.speed' && event.speed > 0 && event.speed <= 64,
  },
  delays: {
    stepDelay: ({ context }) => stepDelay(context),
  },
}).createMachine({
  id: 'playback',
  context: ({ input }) => ({ speed: input?.speed ?? 1, reducedMotion: input?.reducedMotion ?? false }),
  initial: 'paused',
  on: {
    'player.speed': { guard: 'validSpeed', actions: 'setSpeed' },
    'player.motion': { actions: 'setMotion' },
  },
  states: {
    paused: { on: { 'player.play': [{ guard: 'atEnd', target: 'paused' }, { target: 'playing' }] } },
    playing: {
      // Checked after every macrostep, so playback stops as soon as the last step is shown.
      always: { guard: 'atEnd', target: 'paused' },
      on: { 'player.pause': 'paused' },
      after: { stepDelay: { target: 'playing', reenter: true, actions: 'advance' } },
    },
  },
});
