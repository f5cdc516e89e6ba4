/**
 * Sequence diagram layout: a pure function of (trace events, cursor, width). Lifelines for the client
 * side(s) and the server, one row per message, connection change, note or burst of state changes,
 * and each lane's readyState/TCP state at the cursor. The component only draws what this returns.
 */
import { scalePoint } from 'd3-scale';
import { format } from 'd3-format';
import type { Peer, ReadyState, TcpState, TraceEvent, UnitKind, Direction } from '../trace/types';

export interface Lane {
  id: string;
  label: string;
  /** A client lane or the server. */
  peer: Peer;
}

export interface SequenceOptions {
  lanes?: readonly Lane[];
  /** Which client lane a connection belongs to (default: the first client lane). */
  laneOf?: (conn: string | undefined) => string;
  /** Events from this index on belong to the current step: drawn as new. */
  currentFrom?: number;
}

export interface LaneView extends Lane {
  x: number;
  readyState?: ReadyState;
  tcp?: TcpState;
}

interface RowBase {
  /** Index of the trace event the row shows (the first one, for merged state rows). */
  index: number;
  y: number;
  height: number;
  current: boolean;
}

export interface MessageRow extends RowBase {
  kind: 'message';
  x1: number;
  x2: number;
  dir: Direction;
  label: string;
  unitKind: UnitKind;
  error: boolean;
  conn: string;
  time: string;
  bytes: number;
}

export interface ConnRow extends RowBase {
  kind: 'conn';
  x1: number;
  x2: number;
  label: string;
  tone: 'open' | 'close' | 'abnormal';
}

export interface NoteRow extends RowBase {
  kind: 'note';
  x: number;
  width: number;
  text: string;
  peer?: Peer;
}

export interface StateRow extends RowBase {
  kind: 'state';
  badges: { lane: string; x: number; label: string }[];
}

export type Row = MessageRow | ConnRow | NoteRow | StateRow;

export interface SequenceLayout {
  width: number;
  height: number;
  top: number;
  lanes: LaneView[];
  rows: Row[];
}

export const DEFAULT_LANES: readonly Lane[] = [
  { id: 'client', label: 'Client', peer: 'client' },
  { id: 'server', label: 'Server', peer: 'server' },
];

export const ROW = { message: 44, conn: 30, state: 24, noteLine: 17, notePad: 12 } as const;
export const HEADER = 64;
const MARGIN = 84;
/** Rough width of one character of note text (px), to estimate how many lines a note wraps to. */
const CHAR_PX = 7;

const ms = format(',.0f');

function describeState(change: { readyState?: ReadyState; tcp?: TcpState }): string {
  return [change.readyState, change.tcp && `TCP ${change.tcp}`].filter(Boolean).join(' · ');
}

export function layoutSequence(
  events: readonly TraceEvent[],
  cursor: number,
  width: number,
  options: SequenceOptions = {},
): SequenceLayout {
  const lanes = options.lanes ?? DEFAULT_LANES;
  const firstClient = lanes.find((l) => l.peer === 'client')?.id ?? 'client';
  const serverLane = lanes.find((l) => l.peer === 'server')?.id ?? 'server';
  const laneOf = options.laneOf ?? (() => firstClient);
  const x = scalePoint<string>()
    .domain(lanes.map((l) => l.id))
    .range([MARGIN, Math.max(width - MARGIN, MARGIN + 1)]);
  const views: LaneView[] = lanes.map((l) => ({ ...l, x: x(l.id) ?? MARGIN }));
  const byId = new Map(views.map((v) => [v.id, v]));
  const laneX = (id: string): number => byId.get(id)?.x ?? MARGIN;
  const currentFrom = options.currentFrom ?? cursor;
  const rows: Row[] = [];
  let y = HEADER;
  let pendingState: StateRow | undefined;
  const end = Math.min(cursor, events.length);

  for (let i = 0; i < end; i++) {
    const e = events[i]!;
    const current = i >= currentFrom;
    if (e.type === 'state') {
      const lane = e.peer === 'server' ? serverLane : laneOf(e.conn);
      const view = byId.get(lane);
      if (view) {
        if (e.readyState) view.readyState = e.readyState;
        if (e.tcp) view.tcp = e.tcp;
      }
      if (!pendingState) {
        pendingState = { kind: 'state', index: i, y, height: ROW.state, current, badges: [] };
        rows.push(pendingState);
        y += ROW.state;
      }
      const label = describeState(e);
      const badge = pendingState.badges.find((b) => b.lane === lane);
      if (badge) badge.label = label;
      else pendingState.badges.push({ lane, x: laneX(lane), label });
      continue;
    }
    pendingState = undefined;
    if (e.type === 'unit') {
      const client = laneX(laneOf(e.conn));
      const server = laneX(serverLane);
      rows.push({
        kind: 'message',
        index: i,
        y,
        height: ROW.message,
        current,
        x1: e.dir === 'c2s' ? client : server,
        x2: e.dir === 'c2s' ? server : client,
        dir: e.dir,
        label: e.summary,
        unitKind: e.kind,
        error: e.error !== undefined,
        conn: e.conn,
        time: `${ms(e.t)} ms`,
        bytes: e.bytes.length,
      });
      y += ROW.message;
    } else if (e.type === 'conn.open' || e.type === 'conn.close') {
      const client = laneX(laneOf(e.conn));
      const tone = e.type === 'conn.open' ? 'open' : e.abnormal ? 'abnormal' : 'close';
      const label =
        tone === 'open'
          ? 'TCP connected (SYN, SYN-ACK, ACK)'
          : tone === 'abnormal'
            ? 'Connection cut: no FIN, no Close'
            : `TCP closed (FIN from ${(e.type === 'conn.close' && e.by) || 'unknown'})`;
      rows.push({
        kind: 'conn',
        index: i,
        y,
        height: ROW.conn,
        current,
        x1: Math.min(client, laneX(serverLane)),
        x2: Math.max(client, laneX(serverLane)),
        label,
        tone,
      });
      y += ROW.conn;
    } else if (e.type === 'note') {
      const noteWidth = Math.max(Math.min(width - 2 * 12, 520), 120);
      const lines = Math.max(1, Math.ceil((e.text.length * CHAR_PX) / noteWidth));
      const anchor =
        e.peer === 'server'
          ? laneX(serverLane)
          : e.peer === 'client'
            ? laneX(laneOf(e.conn))
            : (views[0]!.x + views.at(-1)!.x) / 2;
      const left = Math.min(Math.max(anchor - noteWidth / 2, 12), Math.max(width - noteWidth - 12, 12));
      const height = ROW.notePad + lines * ROW.noteLine;
      rows.push({
        kind: 'note',
        index: i,
        y,
        height,
        current,
        x: left,
        width: noteWidth,
        text: e.text,
        ...(e.peer ? { peer: e.peer } : {}),
      });
      y += height;
    }
  }
  return { width, height: y + 16, top: HEADER, lanes: views, rows };
}

/** Index of the last unit event before `cursor`, at or after `from` if there is one (else any). */
export function latestUnit(events: readonly TraceEvent[], cursor: number, from = 0): number | undefined {
  let fallback: number | undefined;
  for (let i = Math.min(cursor, events.length) - 1; i >= 0; i--) {
    if (events[i]!.type !== 'unit') continue;
    if (i >= from) return i;
    fallback ??= i;
    break;
  }
  return fallback;
}
