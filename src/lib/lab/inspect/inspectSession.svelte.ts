/**
 * The inspect page's live state: a tap of every proxied connection (`/ws/tap?all=1`, only when
 * wirescope stands in front of an app), the events received so far, and pause. While paused the page
 * keeps drawing what it had; new events wait and are counted, and resume shows them all.
 */
import { openTap, type TapSession } from '../../live/tap';
import { TRACE_VERSION, type Trace, type TraceEvent } from '../../trace/types';
import { eventBytes, trimEvents, type TrimLimits } from './connections';

export type InspectStatus = 'connecting' | 'live' | 'unavailable' | 'ended';

/** How often new events reach the page at most (the tap sends a batch every 10 ms). */
const REDRAW_MS = 250;

/**
 * What the page keeps of a watch that may run for hours: past these the oldest messages go (each
 * connection stays listed). Every byte arrives twice (a unit and its raw byte event) on two legs.
 */
export const KEEP: TrimLimits = { maxEvents: 200_000, maxBytes: 64 * 1024 * 1024 };

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
  /** Units let go to bound the page's memory (KEEP). */
  trimmed = $state(0);
  startedAt = 0;

  private tap: TapSession | undefined;
  /** Every event received and kept (the page draws a copy, frozen while paused). */
  private received: TraceEvent[] = [];
  private receivedBytes = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(private readonly limits: TrimLimits = KEEP) {}

  async start(): Promise<void> {
    try {
      this.tap = await openTap(10_000, {
        all: true,
        keep: false,
        onevents: (added) => this.add(added),
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
  }

  /** Events from the tap, kept within the limits; drawn at most every REDRAW_MS unless paused. */
  add(added: readonly TraceEvent[]): void {
    for (const e of added) {
      this.received.push(e);
      this.receivedBytes += eventBytes(e);
    }
    if (this.received.length > this.limits.maxEvents || this.receivedBytes > this.limits.maxBytes) {
      const kept = trimEvents(this.received, this.limits);
      this.received = kept.events;
      this.receivedBytes = kept.events.reduce((sum, e) => sum + eventBytes(e), 0);
      this.trimmed += kept.droppedUnits;
    }
    if (this.tap) this.dropped = this.tap.dropped;
    if (this.paused) {
      this.waiting += added.length;
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      if (!this.paused) this.events = [...this.received];
    }, REDRAW_MS);
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.waiting = 0;
    this.events = [...this.received];
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
