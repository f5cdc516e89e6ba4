/**
 * The step player: one scenario actor plus a history of its snapshots, one per place in the path.
 * Forward sends `step.next` (or a learner's event); back restores the stored snapshot of the previous
 * place into a fresh actor, so no entry action (and no side effect) runs again. Play/pause and speed
 * live in the playback machine, whose `advance` and `atEnd` the player provides.
 *
 * Snapshots are kept as the actor gave them and persisted only when one is restored: XState persists
 * a context by walking all of it, every byte of every trace event included, so persisting at each step
 * cost more the longer the lesson ran (the main thread's longest task while a lesson autoplays).
 */
import { createActor, type Actor, type ActorOptions, type AnyStateMachine, type SnapshotFrom } from 'xstate';
import type { ScenarioEvent } from './events';
import type { BaseContext } from './kit';
import { playbackMachine } from './playback';

/** XState's clock interface (setTimeout/clearTimeout), as ActorOptions names it. */
export type Clock = NonNullable<ActorOptions<AnyStateMachine>['clock']>;

export interface PlayerOptions {
  /** Fixed inputs from the scenario's `prepare()`. */
  input?: Record<string, unknown>;
  speed?: number;
  reducedMotion?: boolean;
  /** XState's SimulatedClock in tests; the real clock otherwise. */
  clock?: Clock;
}

/** What a view needs; a new object on every change. */
export interface PlayerView {
  /** The scenario machine's snapshot: call `matches()` and `can()` on it. */
  snapshot: ScenarioSnapshot;
  context: BaseContext;
  /** Place in the path taken (0 = first step) and the step id there. */
  index: number;
  stepId: string;
  /** The learner's choices so far, joined with CHOICE_SEPARATOR as the URL keeps them. */
  choice: string;
  playing: boolean;
  speed: number;
  reducedMotion: boolean;
  canBack: boolean;
  canNext: boolean;
}

export interface ScenarioSnapshot {
  context: unknown;
  value: unknown;
  matches(value: string): boolean;
  can(event: ScenarioEvent): boolean;
}

type AnyActor = Actor<AnyStateMachine>;
type MachineSnapshot = SnapshotFrom<AnyStateMachine>;

/**
 * Joins several choices in one URL value ("timeout-then-data"): the course's router accepts only
 * lower-case words and hyphens in `choice`, and no choice id contains "then".
 */
export const CHOICE_SEPARATOR = '-then-';

export class Player {
  private actor!: AnyActor;
  private history: MachineSnapshot[] = [];
  /** The last preview, valid while the actor has only taken the default path since (see preview). */
  private previewed: string[] | undefined;
  /** True while next() sends step.next: the one change that keeps the preview valid. */
  private advancing = false;
  private readonly playback;
  private readonly listeners = new Set<(view: PlayerView) => void>();
  private view!: PlayerView;
  private stopSub: (() => void) | undefined;

  constructor(
    private readonly machine: AnyStateMachine,
    private readonly options: PlayerOptions = {},
  ) {
    this.playback = createActor(
      playbackMachine.provide({
        actions: { advance: () => this.next() },
        guards: { atEnd: () => !this.canNext() },
      }),
      {
        input: { speed: options.speed ?? 1, reducedMotion: options.reducedMotion ?? false },
        ...(options.clock ? { clock: options.clock } : {}),
      },
    );
    this.playback.subscribe(() => this.publish());
    this.start();
    this.playback.start();
  }

  /** Start the scenario actor, fresh or from a stored snapshot. */
  private start(snapshot?: MachineSnapshot): void {
    this.stopSub?.();
    this.actor?.stop();
    this.actor = createActor(this.machine, {
      input: { ...this.options.input, speed: this.speed, reducedMotion: this.options.reducedMotion ?? false },
      ...(snapshot ? { snapshot: this.machine.getPersistedSnapshot(snapshot) } : {}),
      ...(this.options.clock ? { clock: this.options.clock } : {}),
    });
    const sub = this.actor.subscribe(() => this.record());
    this.stopSub = () => sub.unsubscribe();
    this.actor.start();
    // A stored snapshot keeps the speed it was taken at; timers must run at today's.
    if (snapshot) this.actor.send({ type: 'player.speed', speed: this.speed });
    this.record();
  }

  /**
   * Keep history[i] = the snapshot at place i, for every place up to the current one. A snapshot is
   * never changed once made (XState makes a new one for every change), so keeping it is enough.
   */
  private record(): void {
    if (!this.advancing) this.previewed = undefined;
    const snapshot = this.actor.getSnapshot();
    const context = snapshot.context as BaseContext;
    const index = Math.max(context.path.length - 1, 0);
    this.history.length = index;
    this.history[index] = snapshot;
    this.publish();
  }

  private get speed(): number {
    return this.playback?.getSnapshot().context.speed ?? this.options.speed ?? 1;
  }

  private publish(): void {
    if (!this.actor || !this.playback) return;
    const snapshot = this.actor.getSnapshot();
    const context = snapshot.context as BaseContext;
    const playback = this.playback.getSnapshot();
    const index = Math.max(context.path.length - 1, 0);
    this.view = {
      snapshot: snapshot as unknown as ScenarioSnapshot,
      context,
      index,
      stepId: context.path[index] ?? '',
      choice: context.choices.join(CHOICE_SEPARATOR),
      playing: playback.matches('playing'),
      speed: playback.context.speed,
      reducedMotion: playback.context.reducedMotion,
      canBack: index > 0,
      canNext: snapshot.can({ type: 'step.next' }),
    };
    for (const listener of this.listeners) listener(this.view);
  }

  getSnapshot(): PlayerView {
    return this.view;
  }

  subscribe(listener: (view: PlayerView) => void): { unsubscribe(): void } {
    this.listeners.add(listener);
    return { unsubscribe: () => this.listeners.delete(listener) };
  }

  can(event: ScenarioEvent): boolean {
    return this.actor.getSnapshot().can(event);
  }

  canNext(): boolean {
    return this.can({ type: 'step.next' });
  }

  send(event: ScenarioEvent): void {
    this.actor.send(event);
  }

  next(): void {
    if (!this.canNext()) return;
    this.advancing = true;
    try {
      this.actor.send({ type: 'step.next' });
    } finally {
      this.advancing = false;
    }
  }

  back(): void {
    const index = this.history.length - 1;
    const previous = this.history[index - 1];
    if (index < 1 || !previous) return;
    this.history.length = index;
    this.start(previous);
  }

  /** Go to place `index` of the path: back through stored snapshots, or forward by the default path. */
  jump(index: number): void {
    const current = this.history.length - 1;
    if (index < current) {
      const target = this.history[Math.max(index, 0)];
      if (!target) return;
      this.history.length = Math.max(index, 0) + 1;
      this.start(target);
      return;
    }
    for (let i = current; i < index && this.canNext(); i++) this.next();
  }

  /**
   * The whole path from the first step to the end, as far as it is known: the places visited, then the
   * default path onward (worked out on a throwaway actor from the current snapshot, stopped at once).
   * While the learner only goes forward on the default path, the path ahead is the one worked out
   * before (the same array is returned); any other change (a choice, a control, a timer, back) works it
   * out again.
   */
  preview(): string[] {
    const visited = (this.actor.getSnapshot().context as BaseContext).path;
    const previewed = this.previewed;
    if (previewed && visited.length <= previewed.length && visited.every((id, i) => previewed[i] === id))
      return previewed;
    const probe = createActor(this.machine, {
      input: { ...this.options.input, speed: this.speed },
      snapshot: this.actor.getPersistedSnapshot(),
      ...(this.options.clock ? { clock: this.options.clock } : {}),
    });
    probe.start();
    for (let i = 0; i < 100 && probe.getSnapshot().can({ type: 'step.next' }); i++)
      probe.send({ type: 'step.next' });
    const path = (probe.getSnapshot().context as BaseContext).path;
    probe.stop();
    this.previewed = path;
    return path;
  }

  restart(): void {
    this.pause();
    this.history = [];
    this.start();
  }

  /**
   * Restore a place from the URL: replay the learner's choices at the steps that offer them and take
   * the default path elsewhere, until place `index`.
   */
  restore(index: number, choice?: string): void {
    this.restart();
    const pending = (choice ?? '').split(CHOICE_SEPARATOR).filter(Boolean);
    let guard = 0;
    while (this.history.length - 1 < index && guard++ < 200) {
      const next = pending[0];
      if (next !== undefined && this.can({ type: 'learner.choose', choice: next })) {
        pending.shift();
        this.send({ type: 'learner.choose', choice: next });
        continue;
      }
      if (!this.canNext()) break;
      this.next();
    }
    // A choice that re-renders the step it is offered at (the handshake's what-ifs) may still be due.
    const last = pending[0];
    if (last !== undefined && this.can({ type: 'learner.choose', choice: last })) {
      const before = this.history.length;
      this.send({ type: 'learner.choose', choice: last });
      if (this.history.length !== before) this.back();
    }
  }

  play(): void {
    this.playback.send({ type: 'player.play' });
  }

  pause(): void {
    this.playback.send({ type: 'player.pause' });
  }

  /** The new speed reaches the step timer and the scenario's own waits, even one already counting down. */
  setSpeed(speed: number): void {
    this.playback.send({ type: 'player.speed', speed });
    this.actor.send({ type: 'player.speed', speed: this.speed });
  }

  setReducedMotion(reduced: boolean): void {
    this.playback.send({ type: 'player.motion', reduced });
  }

  stop(): void {
    this.stopSub?.();
    this.actor.stop();
    this.playback.stop();
    this.listeners.clear();
  }
}
