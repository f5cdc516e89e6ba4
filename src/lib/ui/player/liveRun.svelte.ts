/**
 * One live run of a scenario: whether the demo server is there, the run itself (the scenario's own
 * runner, against the server, read back from the tap), the real trace, what differs from the
 * simulation, and its export as a wirescope trace. The live code loads only when a run is asked for.
 */
import type { BaseContext } from '../../machines/kit';
import type { Observation, ScenarioModule } from '../../machines/scenario';
import type { Difference } from '../../live/compare';
import type { TapRefusal } from '../../trace/tap';
import { traceToJson } from '../../trace/json';
import { TRACE_VERSION, type Trace, type TraceEvent, type UnitEvent } from '../../trace/types';
import { downloadText, fileStamp } from '../download';

/** `needs-cluster`: the server runs as one process, and this scenario's live run needs a cluster. */
export type LiveStatus =
  'checking' | 'ready' | 'unavailable' | 'needs-cluster' | 'running' | 'done' | 'failed';

export class LiveRun {
  status: LiveStatus = $state('checking');
  error = $state('');
  /** Set when the server turned the page away (every tap session in use); the panel words it. */
  refusal: TapRefusal | undefined = $state.raw();
  events: TraceEvent[] = $state.raw([]);
  observed: Observation[] = $state.raw([]);
  differences: Difference[] = $state.raw([]);
  /** Event index of the live message open in the inspector. */
  picked: number | undefined = $state();
  readonly messages = $derived(this.events.filter((e) => e.type === 'unit').length);
  readonly unit = $derived(
    this.picked === undefined ? undefined : (this.events[this.picked] as UnitEvent | undefined),
  );
  #startedAt = 0;
  #alive = true;

  constructor(private readonly scenario: ScenarioModule) {
    void import('../../live/health').then(({ fetchHealth }) =>
      fetchHealth().then((health) => {
        if (!this.#alive || this.status !== 'checking') return;
        if (!health) this.status = 'unavailable';
        else if (scenario.needsCluster && !health.cluster) this.status = 'needs-cluster';
        else this.status = 'ready';
      }),
    );
  }

  get canRun(): boolean {
    return this.status === 'ready' || this.status === 'done' || this.status === 'failed';
  }

  /** Runs the exchange with the simulation's choices (`context`) and compares it with `simulated`. */
  async run(context: BaseContext, simulated: readonly TraceEvent[]): Promise<void> {
    if (!this.scenario.runLive) return;
    this.status = 'running';
    try {
      const [outcome, { compareTraces }] = await Promise.all([
        this.scenario.runLive(context),
        import('../../live/compare'),
      ]);
      if (!this.#alive) return;
      this.events = outcome.events;
      this.#startedAt = outcome.startedAt;
      this.observed = outcome.observed;
      this.differences = compareTraces(simulated, outcome.events);
      const first = outcome.events.findIndex((e) => e.type === 'unit');
      this.picked = first < 0 ? undefined : first;
      this.status = 'done';
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
      // The tap's refusal travels as data (live/tap.ts TapRefusedError), not as words.
      this.refusal = (e as { refusal?: TapRefusal }).refusal;
      this.status = 'failed';
    }
  }

  /** The live trace as a wirescope trace file: the lab's Import opens it again, bytes and all. */
  export(): void {
    const id = this.scenario.spec.id;
    const trace: Trace = {
      version: TRACE_VERSION,
      source: 'live',
      startedAt: this.#startedAt,
      title: `${id} (live)`,
      events: this.events,
    };
    downloadText(
      `wirescope-${id}-live-${fileStamp()}.json`,
      'application/json',
      JSON.stringify(traceToJson(trace)),
    );
  }

  dispose(): void {
    this.#alive = false;
  }
}
