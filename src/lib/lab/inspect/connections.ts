/**
 * The inspect page's view of a live trace of proxied traffic, as pure functions: one row per
 * connection to the app (a target leg; or a client leg nothing served, such as one answered 502), what
 * kind of traffic it carries, and the events to draw for one of them.
 */
import { parseHead, type HttpMessage } from '../../protocol/index.ts';
import { legsOf, servedClientLegs } from '../../trace/legs';
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

/**
 * The head of each HTTP unit as the protocol reads it, once per unit (the list is recomputed as events
 * arrive); only the head, since a unit may carry a body cut short or one streamed in later units.
 */
const heads = new WeakMap<UnitEvent, HttpMessage | null>();

function headOf(unit: UnitEvent): HttpMessage | undefined {
  let head = heads.get(unit);
  if (head === undefined) {
    const kind = unit.kind === 'http-request' ? 'request' : 'response';
    try {
      head = parseHead(unit.bytes, 0, { kind, maxHeaderBytes: unit.bytes.length + 1 })?.message ?? null;
    } catch {
      head = null; // bytes that are not an HTTP head: the unit carries the parser's error
    }
    heads.set(unit, head);
  }
  return head ?? undefined;
}

/** Every connection in order of opening, with what it carried. */
export function listConnections(events: readonly TraceEvent[]): ConnectionRow[] {
  const served = servedClientLegs(events);
  const legs = legsOf(events);
  const rows = new Map<string, ConnectionRow>();
  const rowOf = (conn: string, t: number): ConnectionRow | undefined => {
    if (served.has(conn)) return undefined;
    let row = rows.get(conn);
    if (!row) {
      const info = legs.get(conn);
      row = {
        id: conn,
        client: info?.leg === 'target' ? info.pair : undefined,
        kind: 'other',
        method: undefined,
        path: undefined,
        targets: [],
        status: undefined,
        requests: 0,
        messages: 0,
        bytes: { c2s: 0, s2c: 0 },
        errors: 0,
        openedAt: info?.open.t ?? t,
        closedAt: undefined,
      };
      rows.set(conn, row);
    }
    return row;
  };
  for (const e of events) {
    if (e.type === 'conn.open') rowOf(e.conn, e.t);
    else if (e.type === 'conn.close') {
      const row = rowOf(e.conn, e.t);
      if (row) row.closedAt = e.t;
    } else if (e.type === 'bytes') {
      const row = rowOf(e.conn, e.t);
      if (row) row.bytes[e.dir] += e.bytes.length;
    } else if (e.type === 'unit') {
      const row = rowOf(e.conn, e.t);
      if (row) countUnit(row, e);
    }
  }
  return [...rows.values()];
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

/**
 * One connection's events for the diagram: its opening and closing, notes, and its messages in the
 * chosen direction(s). The raw byte events are left out (the units carry the same bytes); a long-lived
 * connection shows its most recent `limit` messages.
 */
export function connectionView(
  events: readonly TraceEvent[],
  conn: string,
  dir: Direction | 'both',
  limit = 300,
): ConnectionView {
  const picked: number[] = [];
  events.forEach((e, i) => {
    if (!('conn' in e) || e.conn !== conn || e.type === 'bytes' || e.type === 'state') return;
    if (e.type === 'unit' && dir !== 'both' && e.dir !== dir) return;
    picked.push(i);
  });
  const units = picked.filter((i) => events[i]!.type === 'unit');
  const hidden = Math.max(0, units.length - limit);
  const firstKept = hidden > 0 ? units[hidden]! : -1;
  const indices = picked.filter((i) => events[i]!.type !== 'unit' || i >= firstKept);
  return { events: indices.map((i) => events[i]!), indices, hidden };
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
 * and closing, which keep it listed. Returns what is kept and how many units were let go.
 */
export function trimEvents(
  events: readonly TraceEvent[],
  limits: TrimLimits,
): { events: TraceEvent[]; droppedUnits: number } {
  let count = events.length;
  let bytes = 0;
  for (const e of events) bytes += eventBytes(e);
  if (count <= limits.maxEvents && bytes <= limits.maxBytes) return { events: [...events], droppedUnits: 0 };
  const targetCount = Math.floor(limits.maxEvents * 0.75);
  const targetBytes = Math.floor(limits.maxBytes * 0.75);
  const kept: TraceEvent[] = [];
  let droppedUnits = 0;
  for (const e of events) {
    const trimming = count > targetCount || bytes > targetBytes;
    if (trimming && e.type !== 'conn.open' && e.type !== 'conn.close') {
      count--;
      bytes -= eventBytes(e);
      if (e.type === 'unit') droppedUnits++;
      continue;
    }
    kept.push(e);
  }
  return { events: kept, droppedUnits };
}
