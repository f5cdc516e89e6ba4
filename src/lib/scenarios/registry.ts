/**
 * Every scenario's module, loaded on demand with the lesson that teaches it (one chunk each). Adding a
 * scenario is its folder (spec.ts and index.ts), one line in specs.ts, one line here, and its lesson.
 */
import type { ScenarioModule } from '../machines/scenario';
import { findSpec } from './specs';

const MODULES: Record<string, () => Promise<{ default: ScenarioModule }>> = {
  'request-response': () => import('./request-response/index'),
  'long-polling': () => import('./long-polling/index'),
  'opening-handshake': () => import('./opening-handshake/index'),
  frames: () => import('./frames/index'),
  'closing-handshake': () => import('./closing-handshake/index'),
  'http-vs-websocket': () => import('./http-vs-websocket/index'),
  'staying-connected': () => import('./staying-connected/index'),
  compression: () => import('./compression/index'),
  'scaling-out': () => import('./scaling-out/index'),
  'server-sent-events': () => import('./server-sent-events/index'),

  security: () => import('./security/index'),
};

/** Loads a scenario's module; its spec must be the one specs.ts lists (a test checks every one). */
export async function loadScenario(id: string): Promise<ScenarioModule> {
  const load = MODULES[id];
  if (!load || !findSpec(id)) throw new Error(`unknown scenario ${id}`);
  return (await load()).default;
}

/** Ids with a module, for the tests that check every module against its spec. */
export const MODULE_IDS = Object.keys(MODULES);
