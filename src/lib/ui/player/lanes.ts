/** The lifelines of each scenario's diagram: client and server, or two clients beside one server. */
import type { ScenarioId } from '../../machines/catalog';
import { isHttpConn } from '../../machines/httpVsWebsocket';
import type { Lane } from '../../viz/sequenceLayout';
import type { PlayerStrings } from '../../viz/strings';

export interface LaneSetup {
  lanes: Lane[];
  laneOf?: (conn: string | undefined) => string;
}

export function lanesFor(scenario: ScenarioId, t: PlayerStrings): LaneSetup {
  if (scenario === 'http-vs-websocket') {
    return {
      lanes: [
        { id: 'http', label: t.httpClient, peer: 'client' },
        { id: 'server', label: t.server, peer: 'server' },
        { id: 'ws', label: t.wsClient, peer: 'client' },
      ],
      laneOf: (conn) => (conn !== undefined && isHttpConn(conn) ? 'http' : 'ws'),
    };
  }
  return {
    lanes: [
      { id: 'client', label: t.client, peer: 'client' },
      { id: 'server', label: t.server, peer: 'server' },
    ],
  };
}
