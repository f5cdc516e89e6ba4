/**
 * One trace seen at three layers, so a learner can watch how they fit: TCP segments (what the capture
 * or the socket saw, one arrow per `bytes` event, each saying which units it carries), frames (the
 * units as parsed: HTTP messages, SSE events, WebSocket frames, each saying how many segments it
 * spans) and messages (a fragmented WebSocket message joined from its frames, RFC 6455 section 5.4).
 *
 * Pure: (trace, layer) in, a new trace out; the sequence diagram draws any of them. A direction's units
 * are a contiguous run of its byte stream from the start (the unit parser takes bytes in order and
 * stops at a violation), which is what lets a unit be placed among the segments by counting bytes.
 */
import { decodeFrame, decodeUtf8 } from '../protocol/index.ts';
import { unitLabel } from './label.ts';
import type { Direction, SegmentPart, Trace, TraceEvent, UnitEvent } from './types.ts';

export type TraceLayer = 'segments' | 'frames' | 'messages';
export const TRACE_LAYERS: readonly TraceLayer[] = ['segments', 'frames', 'messages'];

interface Span {
  start: number;
  end: number;
  event: number;
}

interface Placed {
  segments: Span[];
  units: Span[];
}

const keyOf = (conn: string, dir: Direction) => `${conn} ${dir}`;

/** Where each bytes event and each unit lies in its direction's byte stream. */
function place(events: readonly TraceEvent[]): Map<string, Placed> {
  const out = new Map<string, Placed>();
  const get = (key: string) => {
    let placed = out.get(key);
    if (!placed) out.set(key, (placed = { segments: [], units: [] }));
    return placed;
  };
  events.forEach((event, index) => {
    if (event.type !== 'bytes' && event.type !== 'unit') return;
    const list = get(keyOf(event.conn, event.dir))[event.type === 'bytes' ? 'segments' : 'units'];
    const start = list.at(-1)?.end ?? 0;
    list.push({ start, end: start + event.bytes.length, event: index });
  });
  return out;
}

/** True when the trace has byte events: only then can it be shown as segments. */
export function hasSegments(trace: Trace): boolean {
  return trace.events.some((e) => e.type === 'bytes');
}

export function traceAtLayer(trace: Trace, layer: TraceLayer): Trace {
  if (layer === 'segments') return { ...trace, events: segmentsLayer(trace) };
  if (layer === 'frames') return { ...trace, events: framesLayer(trace) };
  return { ...trace, events: messagesLayer(trace.events) };
}

function overlapping(spans: readonly Span[], start: number, end: number): Span[] {
  return spans.filter((s) => s.start < end && start < s.end && s.end > s.start);
}

function segmentsLayer(trace: Trace): TraceEvent[] {
  const placed = place(trace.events);
  const capture = trace.source === 'capture';
  const out: TraceEvent[] = [];
  trace.events.forEach((event, index) => {
    if (event.type === 'unit') return;
    out.push(event);
    if (event.type !== 'bytes') return;
    const { segments, units } = placed.get(keyOf(event.conn, event.dir))!;
    const me = segments.find((s) => s.event === index)!;
    const carries = overlapping(units, me.start, me.end).map((u) => {
      const unit = trace.events[u.event] as UnitEvent;
      const part: SegmentPart =
        u.start >= me.start && u.end <= me.end
          ? 'whole'
          : u.start < me.start && u.end > me.end
            ? 'middle'
            : u.start < me.start
              ? 'end'
              : 'start';
      return { unit: { kind: unit.kind, bytes: unit.bytes }, part };
    });
    out.push(
      labelled({
        type: 'unit',
        t: event.t,
        conn: event.conn,
        dir: event.dir,
        kind: 'raw',
        bytes: event.bytes,
        layer: { kind: 'segment', capture, carries },
      }),
    );
  });
  return out;
}

/** A unit made by a view gets its English summary (what an export carries) from the page's renderer. */
function labelled(unit: Omit<UnitEvent, 'summary'>): UnitEvent {
  return { ...unit, summary: unitLabel(unit, 'en') };
}

function framesLayer(trace: Trace): TraceEvent[] {
  const placed = place(trace.events);
  return trace.events.map((event, index) => {
    if (event.type !== 'unit') return event;
    const { segments, units } = placed.get(keyOf(event.conn, event.dir))!;
    const me = units.find((u) => u.event === index)!;
    const spanned = overlapping(segments, me.start, me.end).length;
    return spanned > 1 ? labelled({ ...event, layer: { kind: 'spans', segments: spanned } }) : event;
  });
}

interface Message {
  frames: UnitEvent[];
  opcode: number;
  payloads: Uint8Array[];
}

/** RFC 6455 section 5.4: a data frame with FIN clear, then continuation frames up to one with FIN set. */
function messagesLayer(events: readonly TraceEvent[]): TraceEvent[] {
  const open = new Map<string, Message>();
  const out: TraceEvent[] = [];
  for (const event of events) {
    if (event.type !== 'unit' || event.kind !== 'ws-frame' || event.error) {
      out.push(event);
      continue;
    }
    let frame;
    try {
      frame = decodeFrame(event.bytes, 0, { allowRsv: true, validateClose: false })?.frame;
    } catch {
      frame = undefined;
    }
    const key = keyOf(event.conn, event.dir);
    const pending = open.get(key);
    if (!frame || frame.opcode >= 0x8 || (!pending && frame.opcode !== 0 && frame.fin)) {
      out.push(event); // control frames, unfragmented messages and anything undecodable stand alone
      continue;
    }
    if (frame.opcode !== 0 || !pending) {
      // A new message (a stray continuation starts one too, so no bytes are hidden).
      if (pending) out.push(joined(pending, false));
      open.set(key, { frames: [event], opcode: frame.opcode, payloads: [frame.payload] });
    } else {
      pending.frames.push(event);
      pending.payloads.push(frame.payload);
    }
    if (frame.fin) {
      out.push(joined(open.get(key)!, true));
      open.delete(key);
    }
  }
  for (const pending of open.values()) out.push(joined(pending, false));
  return out;
}

function joined(message: Message, complete: boolean): UnitEvent {
  const last = message.frames.at(-1)!;
  const size = message.payloads.reduce((n, p) => n + p.length, 0);
  const payload = new Uint8Array(size);
  let at = 0;
  for (const p of message.payloads) {
    payload.set(p, at);
    at += p.length;
  }
  const bytes = new Uint8Array(message.frames.reduce((n, f) => n + f.bytes.length, 0));
  at = 0;
  for (const f of message.frames) {
    bytes.set(f.bytes, at);
    at += f.bytes.length;
  }
  const n = message.frames.length;
  // Several frames are not one frame: the inspector shows their bytes plainly.
  return labelled({
    ...last,
    kind: n === 1 ? 'ws-frame' : 'raw',
    bytes,
    layer: {
      kind: 'message',
      opcode: message.opcode,
      length: size,
      frames: n,
      complete,
      ...(message.opcode === 0x1 ? { text: decodeUtf8(payload) } : {}),
    },
  });
}
