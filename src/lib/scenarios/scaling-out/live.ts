/**
 * The live run against a real cluster (`npm run cluster`): publish on the node that served this page,
 * watch the event arrive on a WebSocket opened on another node. The other node accepts this page's
 * Origin because every node lists its origins in the cluster's stats and accepts its peers'. Both
 * nodes' tap events reach this page's tap through the backplane, each connection id naming its node.
 */
import type { LiveOutcome } from '../../machines/scenario';
import { withTap } from '../../live/client';
import { TAPPED_REQUEST, type TapSession } from '../../live/tap';

interface NodeEntry {
  node: string;
  origins?: string[];
}

interface Stats {
  node?: string;
  cluster?: { nodes: NodeEntry[] };
}

/** The server answered, but it is not part of a cluster of two or more nodes. */
export class NoOtherNodeError extends Error {
  override name = 'NoOtherNodeError';
  constructor() {
    super('this server has no other node in its cluster: start two with npm run cluster');
  }
}

/** The other node's origin, preferring the host name this page was opened with. */
export function pickOrigin(origins: readonly string[], hostname: string): string | undefined {
  return origins.find((o) => new URL(o).hostname === hostname) ?? origins[0];
}

async function json<T>(tap: TapSession, path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(tap.withSession(path), { ...TAPPED_REQUEST, ...init });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

function firstMessage(ws: WebSocket, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the other node delivered nothing')), ms);
    ws.addEventListener(
      'message',
      (e) => {
        clearTimeout(timer);
        resolve(String(e.data));
      },
      { once: true },
    );
  });
}

export function runClusterLive(): Promise<LiveOutcome> {
  return withTap(async (tap, observe) => {
    const stats = await json<Stats>(tap, '/api/stats');
    const other = stats.cluster?.nodes.find((n) => n.node !== stats.node && (n.origins?.length ?? 0) > 0);
    const origin = other && pickOrigin(other.origins!, location.hostname);
    if (!other || !origin || !stats.node) throw new NoOtherNodeError();
    const { lastId } = await json<{ lastId: number }>(tap, '/api/stream/status');

    const url = `${origin.replace(/^http/, 'ws')}${tap.withSession(`/ws/stream?since=${lastId}`)}`;
    const ws = new WebSocket(url);
    const closed = new Promise<CloseEvent>((resolve) => ws.addEventListener('close', resolve));
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener('open', () => resolve(), { once: true });
      ws.addEventListener('error', () => reject(new Error(`could not open a WebSocket on ${origin}`)), {
        once: true,
      });
    });
    const arrived = firstMessage(ws, 8000);
    const event = await json<{ id: number }>(tap, '/api/stream/publish', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ payload: `published on ${stats.node}` }),
    });
    observe('observedPublished', { node: stats.node, id: event.id });
    const delivered = JSON.parse(await arrived) as { id: number };
    observe('observedCrossNode', { node: other.node, id: delivered.id });
    ws.close(1000);
    await closed;
  });
}
