/**
 * Every scenario: its spec (pure data, for lesson validation at build time) and its module, loaded on
 * demand with the lesson that teaches it. Adding a scenario is its folder (spec.ts and index.ts), one
 * import and one entry here, and its lesson's two files.
 */
import type { ScenarioSpec } from '../machines/graph';
import type { ScenarioModule } from '../machines/scenario';
import requestResponse from './request-response/spec';
import longPolling from './long-polling/spec';
import openingHandshake from './opening-handshake/spec';
import frames from './frames/spec';
import closingHandshake from './closing-handshake/spec';
import httpVsWebsocket from './http-vs-websocket/spec';

export interface ScenarioEntry {
  spec: ScenarioSpec;
  load: () => Promise<{ default: ScenarioModule }>;
}

export const SCENARIOS: readonly ScenarioEntry[] = [
  { spec: requestResponse, load: () => import('./request-response/index') },
  { spec: longPolling, load: () => import('./long-polling/index') },
  { spec: openingHandshake, load: () => import('./opening-handshake/index') },
  { spec: frames, load: () => import('./frames/index') },
  { spec: closingHandshake, load: () => import('./closing-handshake/index') },
  { spec: httpVsWebsocket, load: () => import('./http-vs-websocket/index') },
];

export function findScenario(id: string): ScenarioEntry | undefined {
  return SCENARIOS.find((entry) => entry.spec.id === id);
}

/** Loads a scenario's module; the spec and the module must agree (a test checks every one). */
export async function loadScenario(id: string): Promise<ScenarioModule> {
  const entry = findScenario(id);
  if (!entry) throw new Error(`unknown scenario ${id}`);
  return (await entry.load()).default;
}
