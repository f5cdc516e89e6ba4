/**
 * Scaling out: one browser, a round-robin load balancer, two nodes and the Redis they share. The
 * browser's WebSocket lands on node a, a publish on node b; the backplane (one script: INCR, XADD,
 * PUBLISH) carries the event to node a. Node a then leaves, by a deploy (close 1001) or a crash (the
 * browser reports 1006), and the browser reconnects after a random wait with `since=` to node b, which
 * resends what it missed from the shared history.
 *
 * A proxy passes a WebSocket's bytes on unchanged once the 101 has gone through, so each unit shows on
 * both legs: browser to balancer (conn `c…`) and balancer to node (conn `a…` or `b…`). Each node's own
 * connection to Redis (`ra`, `rb`) carries the backplane's traffic, shown as notes: RESP is not a
 * protocol this course decodes.
 */
import { format } from 'd3-format';
import { PLAYER } from '../../i18n';
import type { BaseContext, BaseInput, StepBuild, StepBuilder } from '../../machines/kit';
import { SIM_EPOCH } from '../../machines/kit';
import { scenarioMachine } from '../../machines/machine';
import type { Lanes, ScenarioModule } from '../../machines/scenario';
import { Opcode } from '../../protocol/constants';
import { upgradeResponse } from '../../protocol/handshake';
import { serializeResponse } from '../../protocol/http';
import type { TraceEvent } from '../../trace/types';
import {
  closeFrame,
  FIXED,
  frame,
  handshakeContext,
  handshakeInput,
  httpRequest,
  jsonOk,
  streamUpgradeRequest,
  type HandshakeInput,
} from '../wire';
import spec from './spec';

/** The random wait before reconnecting, fixed so the lesson reads the same each time (ms). */
export const JITTER_MS = 420;
/** Subscribers in the fan-out step's worked figure. */
export const SUBSCRIBERS = 1000;

export interface ScalingTally {
  /** TCP connections opened: both legs through the balancer, and each node's link to Redis. */
  connections: number;
  /** Units the balancer passed on (each crosses two legs). */
  relayed: number;
  /** Messages on the backplane: script calls to Redis and Redis's pushes to nodes. */
  backplane: number;
  delivered: number;
}

export interface ScalingContext extends BaseContext, HandshakeInput {
  tally: ScalingTally;
  /** Last event id the browser received (what it resumes from). */
  lastId: number;
  /** Last id the shared stream gave out. */
  published: number;
}

/** Which lane each end of a connection sits on. */
const CLIENT_END: Record<string, string> = { c: 'browser', a: 'balancer', b: 'balancer', r: 'node' };

/** Node names of the lanes: a live cluster's nodes are mapped onto them in order of appearance. */
const NODE_LANES = ['node-a', 'node-b'] as const;

function simulatedEnds(conn: string): { client: string; server: string } {
  if (conn === 'ra') return { client: 'node-a', server: 'redis' };
  if (conn === 'rb') return { client: 'node-b', server: 'redis' };
  const kind = conn[0] ?? 'c';
  if (kind === 'c') return { client: 'browser', server: 'balancer' };
  return { client: CLIENT_END[kind] ?? 'balancer', server: kind === 'a' ? 'node-a' : 'node-b' };
}

/** The nodes of a live trace in order of appearance (a cluster's connection ids read `node/cN`). */
const nodesOf = new WeakMap<readonly TraceEvent[], string[]>();
function liveNodes(events: readonly TraceEvent[]): string[] {
  let found = nodesOf.get(events);
  if (found && found.length >= 2) return found;
  found = [];
  for (const e of events) {
    const node = 'conn' in e && e.conn ? e.conn.split('/')[0] : undefined;
    if (node && e.conn!.includes('/') && !found.includes(node)) found.push(node);
  }
  nodesOf.set(events, found);
  return found;
}

function serverLane(conn: string | undefined, events: readonly TraceEvent[]): string {
  if (!conn) return 'node-a';
  if (!conn.includes('/')) return simulatedEnds(conn).server;
  const index = liveNodes(events).indexOf(conn.split('/')[0]!);
  return NODE_LANES[Math.max(0, Math.min(index, 1))]!;
}

function clientLane(conn: string | undefined): string {
  if (!conn || conn.includes('/')) return 'browser';
  return simulatedEnds(conn).client;
}

export function lanes(lang: 'en' | 'ko'): Lanes {
  const t = PLAYER[lang].lanes;
  return {
    lanes: [
      { id: 'browser', label: t.browser, peer: 'client' },
      { id: 'balancer', label: t.balancer, peer: 'server' },
      { id: 'node-a', label: t.nodeA, peer: 'server' },
      { id: 'node-b', label: t.nodeB, peer: 'server' },
      { id: 'redis', label: t.redis, peer: 'server' },
    ],
    laneOf: (conn) => clientLane(conn),
    serverOf: serverLane,
  };
}

const EMPTY: ScalingTally = { connections: 0, relayed: 0, backplane: 0, delivered: 0 };

function add(c: ScalingContext, change: Partial<ScalingTally>): ScalingTally {
  const t = { ...c.tally };
  for (const [key, value] of Object.entries(change) as [keyof ScalingTally, number][]) t[key] += value;
  return t;
}

/** One unit on both legs of the proxy: browser side `outer`, node side `inner`. */
function relay(
  b: StepBuilder,
  outer: string,
  inner: string,
  dir: 'c2s' | 's2c',
  kind: 'http-request' | 'http-response' | 'ws-frame',
  bytes: Uint8Array,
): void {
  if (dir === 'c2s') {
    b.unit(outer, 'c2s', kind, bytes);
    b.unit(inner, 'c2s', kind, bytes);
  } else {
    b.unit(inner, 's2c', kind, bytes);
    b.unit(outer, 's2c', kind, bytes);
  }
}

function eventFrame(id: number, t: number, payload: string): Uint8Array {
  const json = JSON.stringify({ id, sentAt: SIM_EPOCH + t, payload });
  return frame({ opcode: Opcode.Text, payload: json });
}

/** A WebSocket through the balancer: browser to balancer, balancer to `node`, 101 back both ways. */
function openThrough(
  b: StepBuilder,
  c: ScalingContext,
  outer: string,
  inner: string,
  node: 'a' | 'b',
  since: number,
): Partial<ScalingContext> {
  b.connect(outer);
  const req = streamUpgradeRequest(since);
  b.unit(outer, 'c2s', 'http-request', req);
  b.note('roundRobin', { node }, { peer: 'server', conn: outer });
  b.connect(inner);
  b.unit(inner, 'c2s', 'http-request', req);
  const res = serializeResponse(upgradeResponse({ accept: c.accept.accept }));
  relay(b, outer, inner, 's2c', 'http-response', res);
  b.peer('server', { readyState: 'OPEN' }, inner);
  b.peer('client', { readyState: 'OPEN' }, outer);
  return { tally: add(c, { connections: 2, relayed: 2 }) };
}

function publishRequest(payload: string): Uint8Array {
  const body = JSON.stringify({ payload });
  return httpRequest(
    'POST',
    '/api/stream/publish',
    [
      ['Host', FIXED.host],
      ['Content-Type', 'application/json'],
      ['Content-Length', String(new TextEncoder().encode(body).length)],
    ],
    body,
  );
}

export const STEPS: Record<string, StepBuild<ScalingContext>> = {
  subscribe: (b, c) => openThrough(b, c, 'c1', 'a1', 'a', 0),
  'connection-cost': (b) => {
    b.wait(1000).note('connectionCost', { sockets: 3, kib: 18 });
  },
  publish: (b, c) => {
    b.connect('c2');
    const req = publishRequest('hello');
    b.unit('c2', 'c2s', 'http-request', req);
    b.note('roundRobin', { node: 'b' }, { peer: 'server', conn: 'c2' });
    b.connect('b1');
    b.unit('b1', 'c2s', 'http-request', req);
    return { tally: add(c, { connections: 2, relayed: 1 }) };
  },
  alone: (b) => {
    b.note('aloneMissed', { id: 1 }, { peer: 'server', conn: 'b1' });
  },
  sticky: (b) => {
    b.note('stickyPinned', undefined, { peer: 'server', conn: 'c2' });
  },
  backplane: (b, c) => {
    // Each node keeps one connection to Redis, subscribed to the stream's channel, opened long before.
    b.established('ra').established('rb');
    b.note('backplaneLinks', undefined, { peer: 'server', conn: 'ra' });
    const id = c.published + 1;
    b.note('redisPublish', { node: 'b', id }, { peer: 'server', conn: 'rb' });
    b.wait(2);
    const res = jsonOk(b.t, JSON.stringify({ id, sentAt: SIM_EPOCH + b.t, payload: 'hello' }));
    relay(b, 'c2', 'b1', 's2c', 'http-response', res);
    return { published: id, tally: add(c, { connections: 2, relayed: 1, backplane: 1 }) };
  },
  deliver: (b, c) => {
    const id = c.published;
    b.note('redisMessage', { id, nodes: 2 }, { peer: 'server', conn: 'ra' });
    relay(b, 'c1', 'a1', 's2c', 'ws-frame', eventFrame(id, b.t, 'hello'));
    return { lastId: id, tally: add(c, { relayed: 1, backplane: 2, delivered: 1 }) };
  },
  'fan-out': (b) => {
    b.note('fanOut', { subscribers: SUBSCRIBERS, nodes: 2 });
  },
  deploy: (b, c) => {
    b.wait(1000).note('goingAway', { node: 'a' }, { peer: 'server', conn: 'a1' });
    b.peer('server', { readyState: 'CLOSING' }, 'a1');
    relay(b, 'c1', 'a1', 's2c', 'ws-frame', closeFrame(1001, 'going away'));
    b.peer('client', { readyState: 'CLOSING' }, 'c1');
    relay(b, 'c1', 'a1', 'c2s', 'ws-frame', closeFrame(1001, 'going away', 0));
    b.close('a1', 'server').close('c1', 'server');
    b.peer('client', { readyState: 'CLOSED', tcp: 'CLOSED' }, 'c1');
    return { tally: add(c, { relayed: 2 }) };
  },
  crash: (b) => {
    b.wait(1000).note('nodeCrashed', { node: 'a' }, { peer: 'server', conn: 'a1' });
    b.close('a1', 'server', true).close('c1', 'server', true);
    b.peer('client', { readyState: 'CLOSED', tcp: 'CLOSED' }, 'c1');
  },
  reconnect: (b, c) => {
    const id = c.published + 1;
    b.note('publishedMeanwhile', { id, node: 'b' }, { peer: 'server', conn: 'rb' });
    b.wait(JITTER_MS).note('jitter', { ms: JITTER_MS }, { peer: 'client', conn: 'c3' });
    const opened = openThrough(b, c, 'c3', 'b2', 'b', c.lastId);
    // The publish meanwhile: one script call, one push to each of the two nodes.
    const tally = { ...opened.tally!, backplane: opened.tally!.backplane + 3 };
    return { published: id, tally };
  },
  resume: (b, c) => {
    b.note('resumeFromHistory', { after: c.lastId, node: 'b' }, { peer: 'server', conn: 'b2' });
    for (let id = c.lastId + 1; id <= c.published; id++) {
      relay(b, 'c3', 'b2', 's2c', 'ws-frame', eventFrame(id, b.t, 'hello again'));
    }
    const sent = c.published - c.lastId;
    return { lastId: c.published, tally: add(c, { relayed: sent, delivered: sent }) };
  },
  summary: (b, c) => {
    b.note('scalingSummary', {
      connections: c.tally.connections,
      relayed: c.tally.relayed,
      backplane: c.tally.backplane,
      delivered: c.tally.delivered,
    });
  },
};

const count = format(',');

const scenario: ScenarioModule<ScalingContext> = {
  spec,
  machine: scenarioMachine<ScalingContext, BaseInput & HandshakeInput>({
    spec,
    context: (input) => ({
      ...handshakeContext(input),
      tally: EMPTY,
      lastId: 0,
      published: 0,
    }),
    steps: STEPS,
  }),
  prepare: () => handshakeInput(),
  lanes,
  panels: (c, lang) => {
    const t = PLAYER[lang].panels;
    return [
      {
        kind: 'table',
        id: 'tally',
        caption: t.tally,
        columns: [t.count],
        rows: [
          { head: t.connections, cells: [count(c.tally.connections)] },
          { head: t.relayed, cells: [count(c.tally.relayed)] },
          { head: t.backplane, cells: [count(c.tally.backplane)] },
          { head: t.delivered, cells: [count(c.tally.delivered)] },
        ],
      },
    ];
  },
  needsCluster: true,
  runLive: async () => (await import('./live')).runClusterLive(),
};

export default scenario;
