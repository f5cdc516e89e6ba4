/**
 * The inspect page's view of a live trace of proxied traffic, as pure functions: one row per
 * connection to the app (a target leg; or a client leg nothing served, such as one answered 502), what
 * kind of traffic it carries, and the events to draw for one of them.
 */
import { parseHead, type HttpMessage } from '../../protocol/index.ts';
import { servedLeg } from '../../trace/legs';
import type { Direction, TraceEvent, UnitEvent } from '../../trace/types';

export type ConnKind = 'http' | 'sse' | 'websocket' | 'other';
export const CONN_KINDS: readonly ConnKind[] = ['http', 'sse', 'websocket', 'other'];

export interface ConnectionRow {
  /** The connection shown: the target leg (what the app saw), else the only leg there is. */
  id: string;
  /** The client leg it serves (what the browser saw), when there is one. */
  client: string | undefined;
  kind: ConnKind;
  /** Method and target of the first request, and every target requested on it. */
  method: string | undefined;
  path: string | undefined;
  targets: string[];
  /** Status of the last final response. */
  status: number | undefined;
  requests: number;
  messages: number;
  bytes: Record<Direction, number>;
  /** Units a parser found broken. */
  errors: number;
  openedAt: number;
  closedAt: number | undefined;
}

/** The head of an HTTP unit (only the head: a body may be cut short or streamed in later units). */
function headOf(unit: UnitEvent): HttpMessage | undefined {
  const kind = unit.kind === 'http-request' ? 'request' : 'response';
  try {
    return parseHead(unit.bytes, 0, { kind, maxHeaderBytes: unit.bytes.length + 1 })?.message;
  } catch {
    return undefined; // bytes that are not an HTTP head: the unit carries the parser's error
  }
}

/** One connection as the index knows it: its row, and where its events are (by their numbers). */
interface Entry {
  row: ConnectionRow;
  /** Its conn.open was read (a row may start from a later event when the opening was let go). */
  opened: boolean;
  /** The units, oldest first, with the direction of each (0: c2s, 1: s2c). */
  units: number[];
  unitDirs: number[];
  /** The other events the diagram draws: opening, closing, notes. */
  others: number[];
}

/**
 * What the inspect page knows of every connection, kept up to date one event at a time, so a watch
 * that runs for hours costs each event once: the rows of the connection table and, for any
 * connection, where its events are. Events are named by a number the caller gives each, which
 * only grows.
 */
export class ConnectionIndex {
  private readonly entries = new Map<string, Entry>();
  /** Client legs a target leg serves: not listed (the target leg's row names them). */
  private readonly served = new Set<string>();

  push(event: TraceEvent, number: number): void {
    if (!('conn' in event) || event.conn === undefined) return;
    const entry = this.entryOf(event.conn, event.t);
    switch (event.type) {
      case 'conn.open': {
        const client = servedLeg(event);
        if (client) this.served.add(client);
        if (!entry.opened) {
          entry.opened = true;
          entry.row.client = client;
          entry.row.openedAt = event.t;
        }
        entry.others.push(number);
        break;
      }
      case 'conn.close':
        entry.row.closedAt = event.t;
        entry.others.push(number);
        break;
      case 'bytes':
        entry.row.bytes[event.dir] += event.bytes.length;
        break;
      case 'unit':
        countUnit(entry.row, event);
        entry.units.push(number);
        entry.unitDirs.push(event.dir === 'c2s' ? 0 : 1);
        break;
      case 'state':
        break;
      default:
        entry.others.push(number);
    }
  }

  /** Every connection in order of first seen, with what it carried (copies: the index goes on). */
  rows(): ConnectionRow[] {
    const rows: ConnectionRow[] = [];
    for (const [id, { row }] of this.entries) {
      if (!this.served.has(id)) rows.push({ ...row, targets: [...row.targets], bytes: { ...row.bytes } });
    }
    return rows;
  }

  /**
   * Sequence numbers, in order, of one connection's events to draw: its opening, closing and notes,
   * and the most recent `limit` units in the chosen direction(s), of those numbered below `before`.
   * `hidden`: the older units in that direction left out.
   */
  view(
    conn: string,
    dir: Direction | 'both',
    limit: number,
    before = Infinity,
  ): { numbers: number[]; hidden: number } {
    const entry = this.entries.get(conn);
    if (!entry) return { numbers: [], hidden: 0 };
    const wanted = dir === 'both' ? -1 : dir === 'c2s' ? 0 : 1;
    const units: number[] = [];
    let matching = 0;
    for (let i = entry.units.length - 1; i >= 0; i--) {
      const number = entry.units[i]!;
      if (number >= before || (wanted !== -1 && entry.unitDirs[i] !== wanted)) continue;
      matching++;
      if (units.length < limit) units.push(number);
    }
    units.reverse();
    const others = entry.others.filter((number) => number < before);
    const numbers: number[] = [];
    let u = 0;
    for (const number of others) {
      while (u < units.length && units[u]! < number) numbers.push(units[u++]!);
      numbers.push(number);
    }
    numbers.push(...units.slice(u));
    return { numbers, hidden: matching - units.length };
  }

  /** After the oldest events are let go: forgets where they were (the rows keep what they counted). */
  retain(kept: (number: number) => boolean): void {
    for (const entry of this.entries.values()) {
      const units: number[] = [];
      const dirs: number[] = [];
      entry.units.forEach((number, i) => {
        if (!kept(number)) return;
        units.push(number);
        dirs.push(entry.unitDirs[i]!);
      });
      entry.units = units;
      entry.unitDirs = dirs;
      entry.others = entry.others.filter(kept);
    }
  }

  private entryOf(conn: string, t: number): Entry {
    let entry = this.entries.get(conn);
    if (!entry) {
      entry = {
        row: {
          id: conn,
          client: undefined,
          kind: 'other',
          method: undefined,
          path: undefined,
          targets: [],
          status: undefined,
          requests: 0,
          messages: 0,
          bytes: { c2s: 0, s2c: 0 },
          errors: 0,
          openedAt: t,
          closedAt: undefined,
        },
        opened: false,
        units: [],
        unitDirs: [],
        others: [],
      };
      this.entries.set(conn, entry);
    }
    return entry;
  }
}

/** Every connection in order of opening, with what it carried. */
export function listConnections(events: readonly TraceEvent[]): ConnectionRow[] {
  return indexOf(events).rows();
}

function indexOf(events: readonly TraceEvent[]): ConnectionIndex {
  const index = new ConnectionIndex();
  events.forEach((event, i) => index.push(event, i));
  return index;
}

function countUnit(row: ConnectionRow, unit: UnitEvent): void {
  if (unit.error) row.errors++;
  if (unit.kind === 'http-request') {
    const request = headOf(unit);
    row.requests++;
    if (request?.kind === 'request') {
      row.method ??= request.method;
      row.path ??= request.target;
      if (!row.targets.includes(request.target)) row.targets.push(request.target);
    }
    if (row.kind === 'other') row.kind = 'http';
  } else if (unit.kind === 'http-response') {
    const response = headOf(unit);
    const status = response?.kind === 'response' ? response.status : undefined;
    if (status !== undefined && (status >= 200 || status === 101)) row.status = status;
    if (status === 101) row.kind = 'websocket';
    else if (row.kind === 'other') row.kind = 'http';
  } else if (unit.kind === 'sse-event') {
    row.messages++;
    if (row.kind !== 'websocket') row.kind = 'sse';
  } else if (unit.kind === 'ws-frame') {
    row.messages++;
    row.kind = 'websocket';
  }
}

export interface ConnectionFilter {
  /** Text the path of some request on the connection contains (case-insensitive). */
  path: string;
  kind: ConnKind | 'all';
}

export function filterConnections(rows: readonly ConnectionRow[], filter: ConnectionFilter): ConnectionRow[] {
  const needle = filter.path.trim().toLowerCase();
  return rows.filter(
    (row) =>
      (filter.kind === 'all' || row.kind === filter.kind) &&
      (needle === '' || row.targets.some((target) => target.toLowerCase().includes(needle))),
  );
}

export interface ConnectionView {
  /** The events to draw, with their indices in the whole trace (for findings to point at). */
  events: TraceEvent[];
  indices: number[];
  /** Messages left out: only the most recent `limit` are drawn. */
  hidden: number;
}

/** Messages a connection's diagram draws at most. */
export const VIEW_LIMIT = 300;

/**
 * One connection's events for the diagram: its opening and closing, notes, and its messages in the
 * chosen direction(s). The raw byte events are left out (the units carry the same bytes); a long-lived
 * connection shows its most recent `limit` messages.
 */
export function connectionView(
  events: readonly TraceEvent[],
  conn: string,
  dir: Direction | 'both',
  limit = VIEW_LIMIT,
): ConnectionView {
  const { numbers, hidden } = indexOf(events).view(conn, dir, limit);
  return { events: numbers.map((i) => events[i]!), indices: numbers, hidden };
}

export interface TrimLimits {
  maxEvents: number;
  /** Bytes carried by the events kept (each unit and raw byte event counts its bytes). */
  maxBytes: number;
}

/** Bytes an event holds on to. */
export function eventBytes(event: TraceEvent): number {
  return 'bytes' in event ? event.bytes.length : 0;
}

/**
 * Bounds a live trace that grows for as long as the page watches: past either limit, the oldest events
 * go until both are at three quarters of it (so trimming is rare), except each connection's opening
 * and closing, which keep it listed. Returns what is kept, where it was in `events`, and how many units
 * were let go.
 */
export function trimEvents(
  events: readonly TraceEvent[],
  limits: TrimLimits,
): { events: TraceEvent[]; indices: number[]; droppedUnits: number } {
  let count = events.length;
  let bytes = 0;
  for (const e of events) bytes += eventBytes(e);
  if (count <= limits.maxEvents && bytes <= limits.maxBytes) {
    return { events: [...events], indices: events.map((_, i) => i), droppedUnits: 0 };
  }
  const targetCount = Math.floor(limits.maxEvents * 0.75);
  const targetBytes = Math.floor(limits.maxBytes * 0.75);
  const kept: TraceEvent[] = [];
  const indices: number[] = [];
  let droppedUnits = 0;
  events.forEach((e, i) => {
    const trimming = count > targetCount || bytes > targetBytes;
    if (trimming && e.type !== 'conn.open' && e.type !== 'conn.close') {
      count--;
      bytes -= eventBytes(e);
      if (e.type === 'unit') droppedUnits++;
      return;
    }
    kept.push(e);
    indices.push(i);
  });
  return { events: kept, indices, droppedUnits };
}
