/**
 * The inspect page's live state: a tap of every proxied connection (`/ws/tap?all=1`, only when
 * wirescope stands in front of an app), the events received so far, and pause. While paused the page
 * keeps drawing what it had; new events wait and are counted, and resume shows them all.
 *
 * A watch may run for hours, so each event is read once as it arrives: into the connection index (the
 * table's rows, where each connection's events are) and the findings checker. A redraw copies what
 * they hold, whatever the number of events before it. Events are numbered in order of arrival; the
 * index and the checker name them by that number, and the page by their place in what it draws.
 */
import { openTap, type TapSession } from '../../live/tap';
import { findingsChecker, type Finding } from '../../trace/findings';
import { TRACE_VERSION, type Direction, type Trace, type TraceEvent } from '../../trace/types';
import {
  ConnectionIndex,
  VIEW_LIMIT,
  eventBytes,
  trimEvents,
  type ConnectionRow,
  type ConnectionView,
  type TrimLimits,
} from './connections';

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
  /** What the page draws (frozen while paused): the events, the connections, and the findings. */
  events: readonly TraceEvent[] = $state.raw([]);
  rows: readonly ConnectionRow[] = $state.raw([]);
  /** Their `event` an index in `events`; undefined until first checked. */
  findings: readonly Finding[] | undefined = $state.raw();
  paused = $state(false);
  /** Events received while paused, not drawn yet. */
  waiting = $state(0);
  dropped = $state(0);
  /** Units let go to bound the page's memory (KEEP). */
  trimmed = $state(0);
  startedAt = 0;

  private tap: TapSession | undefined;
  /** Every event received and kept (the page draws a copy, frozen while paused), and their numbers. */
  private received: TraceEvent[] = [];
  private numbers: number[] = [];
  private receivedBytes = 0;
  private nextNumber = 0;
  /** The numbers of the events drawn. */
  private drawnNumbers: number[] = [];
  private readonly index = new ConnectionIndex();
  private readonly checker = findingsChecker();
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
    void this.draw(); // no connection and no finding yet, until the first events
  }

  /** Events from the tap, kept within the limits; drawn at most every REDRAW_MS unless paused. */
  add(added: readonly TraceEvent[]): void {
    for (const e of added) {
      const number = this.nextNumber++;
      this.received.push(e);
      this.numbers.push(number);
      this.receivedBytes += eventBytes(e);
      this.index.push(e, number);
      this.checker.push(e, number);
    }
    if (this.received.length > this.limits.maxEvents || this.receivedBytes > this.limits.maxBytes) {
      this.trim();
    }
    if (this.tap) this.dropped = this.tap.dropped;
    if (this.paused) {
      this.waiting += added.length;
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      if (!this.paused) void this.draw();
    }, REDRAW_MS);
  }

  private trim(): void {
    const kept = trimEvents(this.received, this.limits);
    this.numbers = kept.indices.map((i) => this.numbers[i]!);
    this.received = kept.events;
    this.receivedBytes = kept.events.reduce((sum, e) => sum + eventBytes(e), 0);
    this.trimmed += kept.droppedUnits;
    this.index.retain((number) => indexOfNumber(this.numbers, number) !== undefined);
  }

  /** Copies what is known now for the page to draw; the findings follow once checked. */
  private async draw(): Promise<void> {
    const events = (this.events = [...this.received]);
    const numbers = (this.drawnNumbers = [...this.numbers]);
    this.rows = this.index.rows();
    const found = await this.checker.findings();
    if (this.events !== events) return; // drawn again meanwhile
    // A finding about an event let go, or one after these, is not shown with them.
    this.findings = found.flatMap((f) => {
      const at = indexOfNumber(numbers, f.event);
      return at === undefined ? [] : [{ ...f, event: at }];
    });
  }

  /**
   * One connection's events as drawn: its opening, closing and notes, and its most recent `limit`
   * messages in the chosen direction(s), with their indices in `events`.
   */
  view(conn: string, dir: Direction | 'both', limit = VIEW_LIMIT): ConnectionView {
    const events = this.events;
    const numbers = this.drawnNumbers;
    const drawn = this.index.view(conn, dir, limit, (numbers.at(-1) ?? -1) + 1);
    const indices = drawn.numbers.flatMap((number) => indexOfNumber(numbers, number) ?? []);
    return { events: indices.map((i) => events[i]!), indices, hidden: drawn.hidden };
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.waiting = 0;
    void this.draw();
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

/** Where an event's number is among numbers that only grow (a binary search). */
function indexOfNumber(numbers: readonly number[], number: number): number | undefined {
  let low = 0;
  let high = numbers.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const at = numbers[mid]!;
    if (at === number) return mid;
    if (at < number) low = mid + 1;
    else high = mid - 1;
  }
  return undefined;
}
