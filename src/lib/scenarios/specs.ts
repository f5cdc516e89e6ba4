/**
 * Every scenario's spec (step graph, choices): pure data, read at build time by the lesson validator and
 * compiler (so this file and what it imports carry explicit extensions, as Vite's config loader wants).
 * A scenario's module is loaded on demand through registry.ts.
 */
import type { ScenarioSpec } from '../machines/graph.ts';
import requestResponse from './request-response/spec.ts';
import longPolling from './long-polling/spec.ts';
import openingHandshake from './opening-handshake/spec.ts';
import frames from './frames/spec.ts';
import closingHandshake from './closing-handshake/spec.ts';
import httpVsWebsocket from './http-vs-websocket/spec.ts';
import stayingConnected from './staying-connected/spec.ts';
import compression from './compression/spec.ts';
import scalingOut from './scaling-out/spec.ts';
import serverSentEvents from './server-sent-events/spec.ts';
import security from './security/spec.ts';

export const SPECS: readonly ScenarioSpec[] = [
  requestResponse,
  longPolling,
  openingHandshake,
  frames,
  closingHandshake,
  httpVsWebsocket,
  stayingConnected,
  compression,
  scalingOut,
  serverSentEvents,
  security,
];

export function findSpec(id: string): ScenarioSpec | undefined {
  return SPECS.find((spec) => spec.id === id);
}
