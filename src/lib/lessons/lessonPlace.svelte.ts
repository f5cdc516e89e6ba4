/**
 * The lesson's place, owned in one spot: the scenario's player, where it stands (step and choices),
 * the address that shares that place (history.replaceState, so a reload or a pasted link returns to
 * it) and the learner's progress. Components read `view` and call the player; an address that changes
 * from outside (a pasted link, the browser's back button) comes in through `goTo`.
 */
import { Player, type PlayerView } from '../machines/player';
import type { ScenarioModule } from '../machines/scenario';
import { loadScenario } from '../scenarios/registry';
import type { Lang } from '../i18n';
import { recordVisit } from './progress';
import { formatHash, parseHash } from './router';

export interface Place {
  step: number;
  choice?: string | undefined;
}

export class LessonPlace {
  scenario: ScenarioModule | undefined = $state.raw();
  player: Player | undefined = $state.raw();
  view: PlayerView | undefined = $state.raw();
  failed = $state(false);
  #unsubscribe: (() => void) | undefined;
  #alive = true;
  #reported = '';

  constructor(
    readonly slug: string,
    scenarioId: string,
    start: Place,
    /** The page's language now (the address carries it). */
    private readonly lang: () => Lang,
    /** Told each time the address is replaced, so the shell's language switch keeps the place. */
    private readonly onaddress: (hash: string) => void = () => {},
  ) {
    void this.#load(scenarioId, start);
  }

  async #load(scenarioId: string, start: Place): Promise<void> {
    try {
      const scenario = await loadScenario(scenarioId);
      const input = (await scenario.prepare?.()) ?? {};
      if (!this.#alive) return;
      const reducedMotion = globalThis.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
      const player = new Player(scenario.machine, { input, reducedMotion });
      player.restore(start.step, start.choice);
      const subscription = player.subscribe((view) => this.#show(view));
      this.#unsubscribe = () => subscription.unsubscribe();
      this.scenario = scenario;
      this.player = player;
      this.#show(player.getSnapshot());
    } catch {
      if (this.#alive) this.failed = true;
    }
  }

  #show(view: PlayerView): void {
    this.view = view;
    const key = `${view.index}|${view.stepId}|${view.choice}`;
    if (key === this.#reported) return;
    this.#reported = key;
    recordVisit(this.slug, view.index + 1, view.stepId);
    this.#writeAddress(view);
  }

  /** Keeps the address in step with the player, unless the learner has already navigated elsewhere. */
  #writeAddress(view: PlayerView): void {
    const current = parseHash(location.hash, this.lang());
    if (current.kind !== 'lesson' || current.slug !== this.slug) return;
    const hash = formatHash({
      kind: 'lesson',
      lang: current.lang,
      slug: this.slug,
      step: view.index,
      ...(view.choice ? { choice: view.choice } : {}),
      ...(current.present ? { present: true } : {}),
    });
    if (location.hash !== hash) history.replaceState(history.state, '', hash);
    this.onaddress(hash);
  }

  /** The address changed under the page: go to that place. */
  goTo(place: Place): void {
    const view = this.view;
    if (!this.player || !view) return;
    if (place.step !== view.index || (place.choice ?? '') !== view.choice)
      this.player.restore(place.step, place.choice);
  }

  dispose(): void {
    this.#alive = false;
    this.#unsubscribe?.();
    this.player?.stop();
  }
}
