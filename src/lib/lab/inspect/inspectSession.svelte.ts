/**
 * The inspect page's live state: a tap of every proxied connection (`/ws/tap?all=1`, only when
 * wirescope stands in front of an app), the events received so far, and pause. While paused the page
 * keeps drawing what it had; new events wait and are counted, and resume shows them all.
 */
import { openTap, type TapSession } from '../../live/tap';
import { TRACE_VERSION, type Trace, type TraceEvent } from '../../trace/types';

export type InspectStatus = 'connecting' | 'live' | 'unavailable' | 'ended';

/** How often new events reach the page at most (the tap sends a batch every 10 ms). */
const REDRAW_MS = 250;

export class InspectSession {
  status: InspectStatus = $state('connecting');
  /** The app wirescope stands in front of. */
  target: string | undefined = $state();
  /** What the page draws (frozen while paused). */
  events: readonly TraceEvent[] = $state.raw([]);
  paused = $state(false);
  /** Events received while paused, not drawn yet. */
  waiting = $state(0);
  dropped = $state(0);
  startedAt = 0;

  private tap: TapSession | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  async start(): Promise<void> {
    try {
      this.tap = await openTap(10_000, {
        all: true,
        onevents: () => this.received(),
        onclose: () => {
          if (!this.disposed) this.status = 'ended';
        },
      });
    } catch {
      // No tap of every connection here: wirescope was not started with --target.
      if (!this.disposed) this.status = 'unavailable';
      return;
    }
    if (this.disposed) return this.tap.close();
    this.startedAt = this.tap.startedAt;
    this.target = this.tap.target;
    this.status = 'live';
    this.received();
  }

  private received(): void {
    const tap = this.tap;
    if (!tap) return;
    this.dropped = tap.dropped;
    if (this.paused) {
      this.waiting = tap.events.length - this.events.length;
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      if (!this.paused && this.tap) this.events = [...this.tap.events];
    }, REDRAW_MS);
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.waiting = 0;
    if (this.tap) this.events = [...this.tap.events];
  }

  /** What is drawn, as a trace (for export). */
  trace(events: readonly TraceEvent[] = this.events): Trace {
    return {
      version: TRACE_VERSION,
      source: 'live',
      startedAt: this.startedAt,
      title: 'inspect',
      events: [...events],
    };
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    this.tap?.close();
  }
}
