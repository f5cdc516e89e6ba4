/**
 * Whether the demo server that served this page is a node cut off from its cluster's backplane. One
 * look at `/healthz` when the page opens; only a cluster node (`--backplane`) is asked again, every few
 * seconds, since a single process or a static build has nothing that could change.
 */
import { fetchHealth } from '../../live/health';
import type { ClusterStatus } from '../../trace/tap';

export const BACKPLANE_CHECK_MS = 3000;

export class BackplaneWatch {
  /** This node and its backplane, once `/healthz` has said it is a cluster node. */
  status: ClusterStatus | undefined = $state.raw();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #alive = true;

  constructor(private readonly everyMs = BACKPLANE_CHECK_MS) {
    void this.#check();
  }

  get lost(): boolean {
    return this.status?.backplane === 'lost';
  }

  async #check(): Promise<void> {
    const health = await fetchHealth();
    if (!this.#alive) return;
    // A node that does not answer for a moment keeps its last status; the next look decides.
    if (health) this.status = health.cluster;
    if (this.status) this.#timer = setTimeout(() => void this.#check(), this.everyMs);
  }

  dispose(): void {
    this.#alive = false;
    clearTimeout(this.#timer);
  }
}
