/**
 * The one bridge between actors and Svelte: subscribe to anything with getSnapshot/subscribe (an
 * XState actor, or the Player) and hold its latest snapshot in `$state.raw`, so components re-render
 * on each new snapshot without deep proxies over trace bytes.
 */
export interface Subscribable<T> {
  getSnapshot(): T;
  subscribe(listener: (value: T) => void): { unsubscribe(): void };
}

export class ActorState<T> {
  current: T = $state.raw() as T;
  readonly #subscription: { unsubscribe(): void };

  constructor(source: Subscribable<T>) {
    this.current = source.getSnapshot();
    this.#subscription = source.subscribe((value) => {
      this.current = value;
    });
  }

  dispose(): void {
    this.#subscription.unsubscribe();
  }
}
