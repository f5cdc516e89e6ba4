/**
 * Sequence diagram layout: a pure function of (trace events, cursor, width). Lifelines for the client
 * side(s) and the server, one row per message, connection change, note or burst of state changes,
 * and each lane's readyState/TCP state at the cursor. The component only draws what this returns.
 */
import { scalePoint } from 'd3-scale';
import { format } from 'd3-format';
import type { Peer, ReadyState, TcpState, TraceEvent, UnitKind, Direction, NoteEvent } from '../trace/types';
import { textWidth, wrapText } from './textFit';
import { unitLabel } from '../trace/label';
import { PLAYER, type Lang } from '../i18n';
import { renderNote } from '../i18n/notes';
import type { Lane } from '../machines/scenario';

export type { Lane };

export interface SequenceOptions {
  lanes?: readonly Lane[];
  /** Which client lane a connection belongs to, given the trace (default: the first client lane). */
  laneOf?: (conn: string | undefined, events: readonly TraceEvent[]) => string;
  /**
   * Which lane the server end of a connection is on (default: the one server lane). A picture with a
   * proxy or several servers in it (a balancer, nodes, a shared Redis) gives each connection both ends.
   */
  serverOf?: (conn: string | undefined, events: readonly TraceEvent[]) => string;
  /** Events from this index on belong to the current step: drawn as new. */
  currentFrom?: number;
  /** The page's language: of the diagram's own text and of the notes (message keys). */
  lang?: Lang;
}

export interface LaneView extends Lane {
  x: number;
  readyState?: ReadyState;
  tcp?: TcpState;
  /** The lane's name wrapped to its header box, and that box's width (centred on x). */
  labelLines: string[];
  headerWidth: number;
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
  /** Where the arrow starts and ends, under the label. */
  arrowY: number;
  dir: Direction;
  label: string;
  /** The label wrapped to the arrow's length; the time stamp shares the first line. */
  lines: string[];
  unitKind: UnitKind;
  error: boolean;
  conn: string;
  time: string;
  /** Scenario time the unit was sent (ms since the trace began). */
  t: number;
  bytes: number;
}

export interface ConnRow extends RowBase {
  kind: 'conn';
  x1: number;
  x2: number;
  /** Where the dashed line runs, under the label. */
  lineY: number;
  label: string;
  lines: string[];
  tone: 'open' | 'close' | 'abnormal';
}

export interface NoteRow extends RowBase {
  kind: 'note';
  x: number;
  width: number;
  text: string;
  lines: string[];
  peer?: Peer;
  /** Which edge carries the bar: the side of the lane the note belongs to. */
  side: 'left' | 'right';
}

export interface Badge {
  lane: string;
  /** The lifeline the badge sits beside, and the box it is laid out in. */
  x: number;
  left: number;
  width: number;
  align: 'start' | 'end';
  label: string;
  lines: string[];
}

export interface StateRow extends RowBase {
  kind: 'state';
  badges: Badge[];
}

export type Row = MessageRow | ConnRow | NoteRow | StateRow;

export interface SequenceLayout {
  width: number;
  height: number;
  /** Height of the lane header; rows start at `top`. */
  header: number;
  top: number;
  lanes: LaneView[];
  rows: Row[];
}

/** One client and the server, named in `lang`. */
export function defaultLanes(lang: Lang = 'en'): readonly Lane[] {
  const t = PLAYER[lang].lanes;
  return [
    { id: 'client', label: t.client, peer: 'client' },
    { id: 'server', label: t.server, peer: 'server' },
  ];
}

/** A note's text in `lang`, rendered from its message key and parameters. */
export function noteText(note: NoteEvent, lang: Lang = 'en'): string {
  return renderNote(note, lang);
}

/**
 * Type sizes (px, at a 16 px root) and line heights the component sets, so text laid out here fits
 * what is drawn. Keep in step with SequenceDiagram's styles.
 */
export const TEXT = {
  laneLabel: { size: 14.5, line: 17 },
  laneState: { size: 12, line: 14 },
  time: { size: 11.2 },
  summary: { size: 12.8, line: 16 },
  conn: { size: 12.5, line: 15 },
  note: { size: 12.5, line: 17 },
  badge: { size: 11.5, line: 14 },
} as const;
/** Horizontal padding inside a message label and a note (left + right), and a note's bar. */
const LABEL_PAD = 10;
const NOTE_PAD = 16;
/** Space from the lane header's rule to the first row. */
const HEADER_GAP = 8;
/** Lifelines sit this far in from the edges: room for a header and a note's edge. */
const marginFor = (width: number): number => Math.round(Math.min(Math.max(width * 0.14, 52), 96));
/** Messages longer than this many lines end in '…' (the option's accessible name has all of it). */
const MAX_LABEL_LINES = 4;
/** Below this width between the outer lifelines, a note uses the whole diagram width instead. */
const MIN_NOTE_SPAN = 200;

const READY_STATES: readonly ReadyState[] = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'];
const TCP_STATES: readonly TcpState[] = [
  'CLOSED',
  'SYN-SENT',
  'ESTABLISHED',
  'FIN-WAIT',
  'CLOSE-WAIT',
  'TIME-WAIT',
];

const ms = format(',.0f');

function describeState(change: { readyState?: ReadyState; tcp?: TcpState }): string {
  return [change.readyState, change.tcp && `TCP ${change.tcp}`].filter(Boolean).join(' · ');
}

const wrapped = (texts: readonly string[], width: number, size: number): number =>
  Math.max(...texts.map((t) => wrapText(t, width, { size }).length));

/**
 * Lays the lane headers out: each header box is centred on its lifeline and no wider than the room
 * to its neighbours (or the edge), so names and states wrap instead of running into each other. The
 * height allows for the longest state any lane can reach, so it does not jump from step to step.
 */
function layoutHeader(views: LaneView[], width: number): number {
  let labelLines = 1;
  let stateLines = 0;
  views.forEach((v, i) => {
    const left = i === 0 ? 2 * (v.x - 4) : v.x - views[i - 1]!.x - 8;
    const right = i === views.length - 1 ? 2 * (width - 4 - v.x) : views[i + 1]!.x - v.x - 8;
    v.headerWidth = Math.max(Math.min(left, right), 40);
    v.labelLines = wrapText(v.label, v.headerWidth, { size: TEXT.laneLabel.size });
    labelLines = Math.max(labelLines, v.labelLines.length);
    const ready = wrapped(['—', ...READY_STATES], v.headerWidth, TEXT.laneState.size);
    const tcp = wrapped(
      TCP_STATES.map((s) => `TCP ${s}`),
      v.headerWidth,
      TEXT.laneState.size,
    );
    stateLines = Math.max(stateLines, ready + tcp);
  });
  return 12 + labelLines * TEXT.laneLabel.line + stateLines * TEXT.laneState.line;
}

/**
 * Places one state row's badges beside their lifelines: the outer lanes face inwards, a middle lane
 * faces the side nobody else in the row needs, and two badges facing into one gap share it.
 */
function placeBadges(badges: { lane: string; label: string }[], views: LaneView[], width: number): Badge[] {
  const index = new Map(views.map((v, i) => [v.id, i]));
  const present = new Set(badges.map((b) => index.get(b.lane)));
  const last = views.length - 1;
  const facing = new Map<number, 'start' | 'end'>();
  for (const i of [...present].filter((i): i is number => i !== undefined).sort((a, b) => a - b)) {
    if (i === 0) facing.set(i, 'start');
    else if (i === last) facing.set(i, 'end');
    else facing.set(i, present.has(i + 1) && !present.has(i - 1) ? 'end' : 'start');
  }
  // 'start' text begins right of the lifeline and runs right; 'end' text ends left of it.
  const gapOwners = (gap: number): number =>
    (facing.get(gap) === 'start' ? 1 : 0) + (facing.get(gap + 1) === 'end' ? 1 : 0);
  return badges.map((b) => {
    const i = index.get(b.lane) ?? 0;
    const view = views[i]!;
    const align = facing.get(i) ?? 'start';
    const gap = align === 'start' ? i : i - 1;
    const span = gap < 0 ? view.x - 4 : gap >= last ? width - 4 - view.x : views[gap + 1]!.x - views[gap]!.x;
    const room = Math.max((gap < 0 || gap >= last ? span : span / gapOwners(gap)) - 12, 40);
    const left = align === 'start' ? view.x + 6 : view.x - 6 - room;
    return {
      lane: b.lane,
      x: view.x,
      left,
      width: room,
      align,
      label: b.label,
      lines: wrapText(b.label, room, { size: TEXT.badge.size }),
    };
  });
}

function messageLines(label: string, time: string, span: number): string[] {
  const room = Math.max(span - 20 - LABEL_PAD, 24);
  const timeWidth = textWidth(time, TEXT.time.size) + 6;
  return wrapText(label, room, {
    size: TEXT.summary.size,
    face: 'mono',
    firstWidth: room - timeWidth,
    maxLines: MAX_LABEL_LINES,
  });
}

export function layoutSequence(
  events: readonly TraceEvent[],
  cursor: number,
  width: number,
  options: SequenceOptions = {},
): SequenceLayout {
  const lang = options.lang ?? 'en';
  const words = PLAYER[lang].sequence;
  const lanes = options.lanes ?? defaultLanes(lang);
  const firstClient = lanes.find((l) => l.peer === 'client')?.id ?? 'client';
  const serverLane = lanes.find((l) => l.peer === 'server')?.id ?? 'server';
  const laneFor = options.laneOf;
  const laneOf = (conn: string | undefined) => (laneFor ? laneFor(conn, events) : firstClient);
  const serverFor = options.serverOf;
  const serverOf = (conn: string | undefined) => (serverFor ? serverFor(conn, events) : serverLane);
  const margin = marginFor(width);
  const x = scalePoint<string>()
    .domain(lanes.map((l) => l.id))
    .range([margin, Math.max(width - margin, margin + 1)]);
  const views: LaneView[] = lanes.map((l) => ({
    ...l,
    x: x(l.id) ?? margin,
    labelLines: [l.label],
    headerWidth: 0,
  }));
  const header = layoutHeader(views, width);
  const top = header + HEADER_GAP;
  const byId = new Map(views.map((v) => [v.id, v]));
  const laneX = (id: string): number => byId.get(id)?.x ?? margin;
  const currentFrom = options.currentFrom ?? cursor;
  const outer = [views[0]!.x, views.at(-1)!.x];
  const noteBox =
    outer[1]! - outer[0]! - 12 >= MIN_NOTE_SPAN
      ? { x: outer[0]! + 6, width: outer[1]! - outer[0]! - 12 }
      : { x: 8, width: Math.max(width - 16, 40) };
  const rows: Row[] = [];
  let y = top;
  let pending: { row: StateRow; labels: { lane: string; label: string }[] } | undefined;
  const end = Math.min(cursor, events.length);
  const settle = (): void => {
    if (!pending) return;
    const badges = placeBadges(pending.labels, views, width);
    const lines = Math.max(1, ...badges.map((b) => b.lines.length));
    pending.row.badges = badges;
    pending.row.height = 10 + lines * TEXT.badge.line;
    y = pending.row.y + pending.row.height;
    pending = undefined;
  };

  for (let i = 0; i < end; i++) {
    const e = events[i]!;
    const current = i >= currentFrom;
    if (e.type === 'state') {
      const lane = e.peer === 'server' ? serverOf(e.conn) : laneOf(e.conn);
      const view = byId.get(lane);
      if (view) {
        if (e.readyState) view.readyState = e.readyState;
        if (e.tcp) view.tcp = e.tcp;
      }
      if (!pending) {
        const row: StateRow = { kind: 'state', index: i, y, height: 0, current, badges: [] };
        pending = { row, labels: [] };
        rows.push(row);
      }
      const label = describeState(e);
      const known = pending.labels.find((b) => b.lane === lane);
      if (known) known.label = label;
      else pending.labels.push({ lane, label });
      continue;
    }
    settle();
    if (e.type === 'unit') {
      const client = laneX(laneOf(e.conn));
      const server = laneX(serverOf(e.conn));
      const time = `${ms(e.t)} ms`;
      const label = unitLabel(e, lang);
      const lines = messageLines(label, time, Math.abs(server - client));
      const height = 28 + lines.length * TEXT.summary.line;
      rows.push({
        kind: 'message',
        index: i,
        y,
        height,
        current,
        x1: e.dir === 'c2s' ? client : server,
        x2: e.dir === 'c2s' ? server : client,
        arrowY: y + 10 + lines.length * TEXT.summary.line,
        dir: e.dir,
        label,
        lines,
        unitKind: e.kind,
        error: e.error !== undefined,
        conn: e.conn,
        time,
        t: e.t,
        bytes: e.bytes.length,
      });
      y += height;
    } else if (e.type === 'conn.open' || e.type === 'conn.close') {
      const client = laneX(laneOf(e.conn));
      const tone = e.type === 'conn.open' ? 'open' : e.abnormal ? 'abnormal' : 'close';
      const label =
        tone === 'open'
          ? words.connected
          : tone === 'abnormal'
            ? words.cut
            : words.closed((e.type === 'conn.close' && e.by) || 'unknown');
      const server = laneX(serverOf(e.conn));
      const x1 = Math.min(client, server);
      const x2 = Math.max(client, server);
      const lines = wrapText(label, Math.max(x2 - x1 - 8, 40), { size: TEXT.conn.size });
      const height = 15 + lines.length * TEXT.conn.line;
      rows.push({
        kind: 'conn',
        index: i,
        y,
        height,
        current,
        x1,
        x2,
        lineY: y + 9 + lines.length * TEXT.conn.line,
        label,
        lines,
        tone,
      });
      y += height;
    } else if (e.type === 'note') {
      const text = noteText(e, lang);
      const lines = wrapText(text, noteBox.width - NOTE_PAD, { size: TEXT.note.size });
      const anchor =
        e.peer === 'server'
          ? laneX(serverOf(e.conn))
          : e.peer === 'client'
            ? laneX(laneOf(e.conn))
            : (outer[0]! + outer[1]!) / 2;
      const height = 12 + lines.length * TEXT.note.line;
      rows.push({
        kind: 'note',
        index: i,
        y,
        height,
        current,
        x: noteBox.x,
        width: noteBox.width,
        text,
        lines,
        side: anchor > (outer[0]! + outer[1]!) / 2 ? 'right' : 'left',
        ...(e.peer ? { peer: e.peer } : {}),
      });
      y += height;
    }
  }
  settle();
  return { width, height: y + 16, header, top, lanes: views, rows };
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
