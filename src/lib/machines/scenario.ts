/**
 * The one interface every scenario module implements (src/lib/scenarios/<id>/index.ts). The player, the
 * lesson page and the live panel use a scenario only through it: they never cast its context and never
 * name a scenario. A module's methods take its own context type; TypeScript checks method parameters
 * bivariantly, so `ScenarioModule<MyContext>` is a `ScenarioModule` without a cast, and the player only
 * ever hands a module the context its own machine made.
 */
import type { AnyStateMachine } from 'xstate';
import type { Lang } from '../i18n/lang';
import type { NoteParamRecord } from '../i18n/notes';
import type { Peer, TraceEvent } from '../trace/types';
import type { ScenarioEvent } from './events';
import type { ScenarioSpec } from './graph';
import type { BaseContext } from './kit';

/** One lifeline of the sequence diagram. */
export interface Lane {
  id: string;
  label: string;
  peer: Peer;
}

export interface Lanes {
  lanes: Lane[];
  /** The lane of a connection, given the trace so far (two clients beside one server, say). */
  laneOf?: (conn: string | undefined, events: readonly TraceEvent[]) => string;
  /** The lane of a connection's server end, where there is more than one (a balancer and its nodes). */
  serverOf?: (conn: string | undefined, events: readonly TraceEvent[]) => string;
}

/** A panel beside the diagram, as data the player draws: a worked calculation, a running tally. */
export type Panel =
  | { kind: 'steps'; id: string; title: string; items: { text: string; code: string; bad?: boolean }[] }
  | {
      kind: 'table';
      id: string;
      caption: string;
      columns: string[];
      rows: { head: string; cells: string[] }[];
    };

/** A control beyond the choice buttons; it is enabled only where the machine can take its event. */
export type Control =
  | {
      kind: 'select';
      id: string;
      label: string;
      value: string;
      options: { value: string; label: string }[];
      event: (value: string) => ScenarioEvent;
    }
  | {
      kind: 'text';
      id: string;
      label: string;
      value: string;
      maxLength: number;
      event: (value: string) => ScenarioEvent;
    };

/** What the page itself saw during a live run, as a message key of src/lib/i18n/notes.ts. */
export interface Observation {
  key: string;
  params?: NoteParamRecord;
}

export interface LiveOutcome {
  startedAt: number;
  events: TraceEvent[];
  observed: Observation[];
}

export interface ScenarioModule<C extends BaseContext = BaseContext> {
  spec: ScenarioSpec;
  machine: AnyStateMachine;
  /** Fixed inputs worked out before the actor starts (Web Crypto's SHA-1 is asynchronous). */
  prepare?(): Promise<Record<string, unknown>>;
  lanes(lang: Lang): Lanes;
  panels?(context: C, lang: Lang): Panel[];
  controls?(context: C, lang: Lang): Control[];
  /** The same exchange against the demo server, carrying over the learner's choices from `context`. */
  runLive?(context: C): Promise<LiveOutcome>;
  /** The live run needs the demo server started as a cluster (`npm run cluster`), not one process. */
  needsCluster?: boolean;
}

/** Two lifelines: a client and a server. */
export function clientServerLanes(labels: { client: string; server: string }): Lanes {
  return {
    lanes: [
      { id: 'client', label: labels.client, peer: 'client' },
      { id: 'server', label: labels.server, peer: 'server' },
    ],
  };
}
