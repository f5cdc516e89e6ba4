export type { ScenarioEvent } from './events';
export type { BaseContext, PeerView } from './kit';
export type { ScenarioSpec, ChoiceSpec } from './graph';
export type { ScenarioModule, Lane, Lanes, Panel, Control, LiveOutcome, Observation } from './scenario';
export { Player, type PlayerView, type PlayerOptions } from './player';
