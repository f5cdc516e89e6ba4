/** Is the demo server there? A static build has no /healthz: live runs then say they need `npm start`. */
import type { ClusterStatus } from '../trace/tap';
import { endpoint } from './endpoint';

export interface Health {
  ok: boolean;
  /** Present when the server is one node of a cluster (`--backplane`). */
  cluster?: ClusterStatus;
}

/**
 * Reads `/healthz` text: `ok` on the first line; a cluster node adds `node: NAME` and
 * `backplane: connected|lost` (lost: the node serves alone until it reaches the others again).
 */
export function readHealth(text: string): Health {
  const [first, ...rest] = text.split('\n');
  const fields = new Map(
    rest.flatMap((line) => {
      const at = line.indexOf(': ');
      return at > 0 ? [[line.slice(0, at), line.slice(at + 2).trim()] as const] : [];
    }),
  );
  const node = fields.get('node');
  const backplane = fields.get('backplane');
  const ok = first?.trim() === 'ok';
  if (!ok || node === undefined || (backplane !== 'connected' && backplane !== 'lost')) return { ok };
  return { ok, cluster: { node, backplane } };
}

/** `/healthz` read, or undefined when no demo server answers (a static build, a server gone). */
export async function fetchHealth(timeoutMs = 1500): Promise<Health | undefined> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(endpoint('/healthz'), { signal: controller.signal, cache: 'no-store' });
    if (!response.ok) return undefined;
    const health = readHealth(await response.text());
    return health.ok ? health : undefined;
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

export async function liveAvailable(timeoutMs = 1500): Promise<boolean> {
  return (await fetchHealth(timeoutMs)) !== undefined;
}
