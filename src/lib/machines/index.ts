/**
 * The scenario machines by catalog id, each with the input it needs. Inputs that take async work
 * (Web Crypto's SHA-1 for the Accept value) are prepared before the actor starts.
 */
import type { AnyStateMachine } from 'xstate';
import type { ScenarioId } from './catalog';
import { closingHandshakeMachine } from './closingHandshake';
import { framesMachine } from './frames';
import { httpVsWebsocketMachine } from './httpVsWebsocket';
import { longPollingMachine } from './longPolling';
import { openingHandshakeMachine } from './openingHandshake';
import { requestResponseMachine } from './requestResponse';
import { handshakeInput } from './wire';

export interface ScenarioDef {
  machine: AnyStateMachine;
  /** Fixed inputs for the machine (the speed is added by the player). */
  prepare: () => Promise<Record<string, unknown>>;
}

const none = async () => ({});

export const SCENARIO_MACHINES: Record<ScenarioId, ScenarioDef> = {
  'request-response': { machine: requestResponseMachine, prepare: none },
  'long-polling': { machine: longPollingMachine, prepare: none },
  'opening-handshake': {
    machine: openingHandshakeMachine,
    prepare: async () => ({ ...(await handshakeInput()) }),
  },
  frames: { machine: framesMachine, prepare: none },
  'closing-handshake': { machine: closingHandshakeMachine, prepare: none },
  'http-vs-websocket': {
    machine: httpVsWebsocketMachine,
    prepare: async () => ({ ...(await handshakeInput()) }),
  },
};

export { SCENARIOS, SCENARIO_IDS, type ScenarioId } from './catalog';
export type { ScenarioEvent } from './events';
export type { BaseContext, PeerView } from './kit';
export { Player, type PlayerView, type PlayerOptions } from './player';
