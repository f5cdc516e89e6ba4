/**
 * Server-sent events: the `text/event-stream` format of the HTML Living Standard (9.2.5 Parsing an
 * event stream, 9.2.6 Interpreting an event stream). One line rule (`splitLines`: CRLF, LF or CR, in
 * pieces that may split a CRLF) and one field rule (`splitField`) serve everything here:
 * `encodeEvent` writes one event; the `EventStreamDecoder` reads a stream as a browser's EventSource
 * does (UTF-8, one leading BOM dropped, fields `event`, `data`, `id`, `retry`, comments, dispatch at a
 * blank line, last event ID kept across events); `parseStreamEvents` and `endsEvent` give the tap's
 * units and summaries the blocks of a piece of stream; `annotateEventStream` labels every byte of a
 * piece of stream, with or without the chunked framing (RFC 9112 section 7.1) it travels in.
 */
import type { Field } from './annotate.ts';
import { concatBytes } from './bytes.ts';
import { HttpError } from './errors.ts';
import { getHeader, readChunkEnd, readChunkSize, readTrailer, trailerSpan } from './http/index.ts';
import type { HttpMessage } from './http/index.ts';

/** The stream's media type (HTML 9.2.5); it is always UTF-8, whatever a charset parameter says. */
export const EVENT_STREAM_TYPE = 'text/event-stream';

const CR = 0x0d;
const LF = 0x0a;
/** U+FEFF as UTF-8: one at the very start of a stream is dropped (HTML 9.2.5). */
const BOM = [0xef, 0xbb, 0xbf] as const;

/** A response whose body is an event stream: its media type, parameters aside, is text/event-stream. */
export function isEventStream(message: HttpMessage): boolean {
  if (message.kind !== 'response') return false;
  const type = getHeader(message.headers, 'content-type') ?? '';
  return type.split(';')[0]!.trim().toLowerCase() === EVENT_STREAM_TYPE;
}

// ---------------------------------------------------------------------------------------------------
// Lines and fields (HTML 9.2.5, 9.2.6).

/** One line of a stream: its content is [start, end) and the next line starts at `next`. */
export interface StreamLine {
  start: number;
  end: number;
  next: number;
}

const codeAt = (src: Uint8Array | string, i: number): number =>
  typeof src === 'string' ? src.charCodeAt(i) : src[i]!;

/**
 * The complete lines of `src` (bytes, or text already decoded: CR and LF are the same code either way)
 * from `from`: each ends at CRLF, LF or CR (HTML 9.2.5). `rest` is where the unfinished last line
 * starts. `afterCR` says the piece before ended in CR, so an LF at `from` is that CR's pair; `endsInCR`
 * says the same of this piece for the next one. A CR at the very end ends its line at once.
 */
export function splitLines(
  src: Uint8Array | string,
  from = 0,
  afterCR = false,
): { lines: StreamLine[]; rest: number; endsInCR: boolean } {
  const length = src.length;
  if (from >= length) return { lines: [], rest: from, endsInCR: afterCR };
  let start = afterCR && codeAt(src, from) === LF ? from + 1 : from;
  const lines: StreamLine[] = [];
  for (let i = start; i < length; i++) {
    const c = codeAt(src, i);
    if (c !== LF && c !== CR) continue;
    const next = c === CR && i + 1 < length && codeAt(src, i + 1) === LF ? i + 2 : i + 1;
    lines.push({ start, end: i, next });
    start = next;
    i = next - 1;
  }
  const endsInCR = start === length && lines.length > 0 && codeAt(src, length - 1) === CR;
  return { lines, rest: start, endsInCR };
}

/** A field line: the name before the first colon, the value after it less one leading space (9.2.6). */
export function splitField(line: string): { name: string; value: string } {
  const colon = line.indexOf(':');
  if (colon < 0) return { name: line, value: '' };
  const value = line.slice(colon + 1);
  return { name: line.slice(0, colon), value: value.startsWith(' ') ? value.slice(1) : value };
}

/** A retry value the parser takes: ASCII digits only (9.2.6). */
const isRetry = (value: string): boolean => /^[0-9]+$/.test(value);
/** An id the parser takes: one without U+0000 NULL (9.2.6). */
const isId = (value: string): boolean => !value.includes('\0');

// ---------------------------------------------------------------------------------------------------
// Writing.

/** One event as a server writes it. Fields are written in this order: comment, retry, id, event, data. */
export interface EventInit {
  /** A comment line (`: text`): ignored by the parser, often sent to keep a quiet stream alive. */
  comment?: string;
  /** The reconnection time the browser should use, in ms (`retry:`). */
  retry?: number;
  /** The event's id: a reconnecting browser sends the last one back in `Last-Event-ID`. */
  id?: string;
  /** The event type: dispatched under this name instead of `message`. */
  event?: string;
  /** The data; each line becomes a `data:` line, which the parser joins again with LF. */
  data?: string;
}

const encoder = new TextEncoder();

function noLineBreak(name: string, value: string): void {
  if (/[\r\n]/.test(value)) {
    throw new RangeError(
      `An event-stream ${name} cannot contain CR or LF (HTML 9.2.5): ${JSON.stringify(value)}`,
    );
  }
}

/**
 * The bytes of one event, ended by the blank line that dispatches it. A value that could not survive the
 * trip is refused with a RangeError: an id or type with a line break, an id with U+0000 (the parser would
 * ignore it), a retry that is not a whole number of ms.
 */
export function encodeEvent(init: EventInit): Uint8Array {
  const lines: string[] = [];
  if (init.comment !== undefined) {
    noLineBreak('comment', init.comment);
    lines.push(init.comment === '' ? ':' : `: ${init.comment}`);
  }
  if (init.retry !== undefined) {
    if (!Number.isSafeInteger(init.retry) || init.retry < 0) {
      throw new RangeError(`retry must be a whole number of milliseconds (HTML 9.2.6), not ${init.retry}`);
    }
    lines.push(`retry: ${init.retry}`);
  }
  if (init.id !== undefined) {
    noLineBreak('id', init.id);
    if (!isId(init.id)) throw new RangeError('An event id containing U+0000 NULL is ignored (HTML 9.2.6)');
    lines.push(init.id === '' ? 'id' : `id: ${init.id}`);
  }
  if (init.event !== undefined) {
    noLineBreak('event type', init.event);
    lines.push(`event: ${init.event}`);
  }
  if (init.data !== undefined) {
    for (const line of init.data.split(/\r\n|\r|\n/)) lines.push(line === '' ? 'data' : `data: ${line}`);
  }
  if (lines.length === 0) throw new RangeError('An event needs at least one field or a comment');
  return encoder.encode(`${lines.join('\n')}\n\n`);
}

// ---------------------------------------------------------------------------------------------------
// Reading, as EventSource does.

/** What the parser makes of a stream, in order. */
export type EventStreamItem =
  /** A dispatched event: `type` is `message` unless an `event` field named another. */
  | { kind: 'message'; type: string; data: string; lastEventId: string }
  /** A `retry` field of ASCII digits: the new reconnection time. */
  | { kind: 'retry'; ms: number }
  /** A comment line, without its colon. */
  | { kind: 'comment'; text: string };

/** UTF-8 of one line; a BOM inside the stream is kept (only the stream's first is dropped). */
const lineText = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * The browser's event-stream parser (HTML 9.2.6), bytes in, items out. Reads may split lines, CRLF
 * pairs and UTF-8 sequences anywhere (a line is decoded once it is whole; invalid sequences become
 * U+FFFD). `lastEventId` is the event source's last event ID string: set at each dispatch (even of an
 * event with no data) and kept until an `id` field changes it, which is what a reconnecting
 * EventSource sends as `Last-Event-ID`.
 */
export class EventStreamDecoder {
  /** Bytes of a line not ended yet (and, at the start, of a BOM not known yet). */
  private pending: Uint8Array = new Uint8Array(0);
  private started = false;
  private afterCR = false;
  private data = '';
  private type = '';
  private idBuffer: string;
  private lastId: string;
  private retry: number | undefined;

  constructor(init: { lastEventId?: string; reconnectionTime?: number } = {}) {
    this.idBuffer = init.lastEventId ?? '';
    this.lastId = this.idBuffer;
    this.retry = init.reconnectionTime;
  }

  get lastEventId(): string {
    return this.lastId;
  }

  /** The reconnection time the stream last set, if any. */
  get reconnectionTime(): number | undefined {
    return this.retry;
  }

  push(bytes: Uint8Array): EventStreamItem[] {
    let buffer = this.pending.length > 0 ? concatBytes([this.pending, bytes]) : bytes;
    if (!this.started) {
      const head = Math.min(buffer.length, BOM.length);
      const bomSoFar = buffer.subarray(0, head).every((b, i) => b === BOM[i]);
      if (bomSoFar && head < BOM.length) {
        this.pending = buffer.slice();
        return [];
      }
      this.started = true;
      if (bomSoFar) buffer = buffer.subarray(BOM.length);
    }
    const { lines, rest, endsInCR } = splitLines(buffer, 0, this.afterCR);
    if (buffer.length > 0) this.afterCR = endsInCR;
    const out: EventStreamItem[] = [];
    for (const line of lines) this.line(lineText.decode(buffer.subarray(line.start, line.end)), out);
    this.pending = buffer.slice(rest);
    return out;
  }

  /**
   * The stream ended: whatever is pending is discarded (HTML 9.2.6), a line with no line ending and an
   * event with no blank line after it alike.
   */
  end(): EventStreamItem[] {
    this.pending = new Uint8Array(0);
    this.data = '';
    this.type = '';
    return [];
  }

  private line(line: string, out: EventStreamItem[]): void {
    if (line === '') return this.dispatch(out);
    if (line.startsWith(':')) {
      out.push({ kind: 'comment', text: line.slice(1).replace(/^ /, '') });
      return;
    }
    const { name, value } = splitField(line);
    if (name === 'event') this.type = value;
    else if (name === 'data') this.data += `${value}\n`;
    else if (name === 'id') {
      if (isId(value)) this.idBuffer = value;
    } else if (name === 'retry' && isRetry(value)) {
      this.retry = Number(value);
      out.push({ kind: 'retry', ms: this.retry });
    }
  }

  private dispatch(out: EventStreamItem[]): void {
    this.lastId = this.idBuffer;
    if (this.data !== '') {
      out.push({
        kind: 'message',
        type: this.type === '' ? 'message' : this.type,
        data: this.data.endsWith('\n') ? this.data.slice(0, -1) : this.data,
        lastEventId: this.lastId,
      });
    }
    this.data = '';
    this.type = '';
  }
}

/** Every dispatched event and setting of a whole stream (or of one unit's worth of it). */
export function decodeEventStream(
  bytes: Uint8Array,
  init?: { lastEventId?: string; reconnectionTime?: number },
): { items: EventStreamItem[]; lastEventId: string; reconnectionTime: number | undefined } {
  const decoder = new EventStreamDecoder(init);
  const items = [...decoder.push(bytes), ...decoder.end()];
  return { items, lastEventId: decoder.lastEventId, reconnectionTime: decoder.reconnectionTime };
}

// ---------------------------------------------------------------------------------------------------
// Blocks: what a piece of stream says, for the tap's units and their one-line summaries.

/** One block of fields up to a blank line (9.2.6), as the parser would take it. */
export interface StreamEvent {
  /** The block's `id` field (the last one), if any. */
  id?: string;
  /** The block's `event` field (the event type), if any. */
  event?: string;
  /** The `data` fields joined by LF, if any. */
  data?: string;
  /** The block's `retry` field of digits, as sent (milliseconds). */
  retry?: string;
  /** The block's first comment line, with its colon. */
  comment?: string;
}

/**
 * The blocks of a piece of event-stream text, one per run of lines ended by a blank line, the
 * unfinished last one included. Fields the parser ignores (an id with NULL, a retry that is not
 * digits, unknown names) are left out, so a summary says what the browser does with the block.
 */
export function parseStreamEvents(text: string): StreamEvent[] {
  const out: StreamEvent[] = [];
  let block: StreamEvent = {};
  let data: string[] = [];
  let open = false;
  const close = () => {
    if (data.length > 0) block.data = data.join('\n');
    if (open) out.push(block);
    block = {};
    data = [];
    open = false;
  };
  const { lines, rest } = splitLines(text);
  const all = [
    ...lines.map(({ start, end }) => text.slice(start, end)),
    ...(rest < text.length ? [text.slice(rest)] : []),
  ];
  for (const line of all) {
    if (line === '') {
      close();
      continue;
    }
    open = true;
    if (line.startsWith(':')) {
      block.comment ??= line;
      continue;
    }
    const { name, value } = splitField(line);
    if (name === 'data') data.push(value);
    else if (name === 'id' && isId(value)) block.id = value;
    else if (name === 'event') block.event = value;
    else if (name === 'retry' && isRetry(value)) block.retry = value;
  }
  close();
  return out;
}

/**
 * Whether the stream data read so far (in `parts`, in order, starting at a line's start) ends with a
 * blank line, the end of an event. Only the last five bytes matter: a blank line needs at most two
 * line endings of two bytes, after a byte that is not one.
 */
export function endsEvent(parts: readonly Uint8Array[]): boolean {
  const tail: number[] = [];
  for (let p = parts.length - 1; p >= 0 && tail.length < 5; p--) {
    const part = parts[p]!;
    for (let i = part.length - 1; i >= 0 && tail.length < 5; i--) tail.unshift(part[i]!);
  }
  const { lines, rest } = splitLines(Uint8Array.from(tail));
  const last = lines.at(-1);
  return last !== undefined && rest === tail.length && last.start === last.end;
}

// ---------------------------------------------------------------------------------------------------
// Annotation: which bytes are chunk framing, which a field line, which the blank line that dispatches.

export interface AnnotateEventStreamOptions {
  /** The bytes are the chunks of a chunked body (RFC 9112 section 7.1), as an SSE unit of the tap is. */
  chunked?: boolean;
}

/**
 * What a field of an event-stream unit is, as data, so that the page can explain it in any language:
 * a piece of chunk framing, or a line of the stream and what the parser does with it (HTML 9.2.6).
 */
export type EventStreamFacts =
  | { part: 'chunk-size'; size: number }
  | { part: 'chunk-end' | 'last-chunk' | 'trailers-end' | 'truncated' }
  | { part: 'data'; line: number; value: string }
  | { part: 'id'; value: string; ignored: boolean }
  | { part: 'event'; value: string }
  | { part: 'retry'; value: string; ignored: boolean }
  | { part: 'comment'; value: string }
  | { part: 'field'; name: string; value: string }
  | { part: 'dispatch'; type: string | undefined }
  | { part: 'partial'; value: string };

/** A run of event-stream bytes inside the input. */
interface Segment {
  start: number;
  end: number;
}

interface LineInfo {
  id: string;
  label: string;
  value: string;
  note: string;
  facts: EventStreamFacts;
  text?: string;
}

/** Longest chunk-size or trailer line read before it is called malformed (as the tap's reader). */
const MAX_CHUNK_LINE = 1024;

const textOf = new TextDecoder('utf-8');

/**
 * Fields covering every byte of `bytes` once, in order. Chunked: 'chunk-size:N', the stream's lines,
 * 'chunk-end:N', …, then 'last-chunk' for the size-0 chunk, any 'trailer:NAME' and 'trailers-end'.
 * Each line of the stream is one field named after what it is ('sse-data:N', 'sse-id:N',
 * 'sse-event:N', 'sse-retry:N', 'sse-comment:N', 'sse-field:N' for a field the parser ignores,
 * 'sse-dispatch:N' for the blank line), split into pieces ('…:N.1') where chunk framing cuts through
 * it; its line ending is part of it. A line still open at the end is 'sse-partial:N'; framing that
 * breaks RFC 9112 ends in 'fault'. Each field carries its facts in `sse`.
 */
export function annotateEventStream(bytes: Uint8Array, options: AnnotateEventStreamOptions = {}): Field[] {
  const fields: Field[] = [];
  const segments: Segment[] = [];
  if (options.chunked) {
    const pos = chunkFields(bytes, fields, segments);
    if (pos < bytes.length) {
      fields.push({
        id: 'rest',
        label: 'Bytes after the body',
        start: pos,
        end: bytes.length,
        value: bytes.length - pos,
      });
    }
  } else {
    segments.push({ start: 0, end: bytes.length });
  }
  fields.push(...lineFields(bytes, segments));
  return fields.sort((a, b) => a.start - b.start);
}

/**
 * The chunked framing of `bytes` as fields, read with the protocol's chunk steps (RFC 9112 section
 * 7.1); the data of each chunk goes to `segments`. Returns where the framing ended.
 */
function chunkFields(bytes: Uint8Array, fields: Field[], segments: Segment[]): number {
  let pos = 0;
  const cutShort = (at: number) => {
    fields.push({
      id: 'truncated',
      label: 'Incomplete chunk',
      start: at,
      end: bytes.length,
      value: bytes.length - at,
      note: 'the chunk continues beyond these bytes',
      sse: { part: 'truncated' },
    });
    return bytes.length;
  };
  try {
    for (let n = 0; pos < bytes.length; n++) {
      const line = readChunkSize(bytes, pos, MAX_CHUNK_LINE);
      if (!line) return cutShort(pos);
      if (line.size === 0) {
        fields.push({
          id: 'last-chunk',
          label: 'Last chunk (size 0)',
          start: pos,
          end: line.next,
          value: 0,
          note: 'the response body ends here: the event stream is over (RFC 9112 7.1)',
          sse: { part: 'last-chunk' },
        });
        return trailerFields(bytes, line.next, fields, cutShort);
      }
      fields.push({
        id: `chunk-size:${n}`,
        label: 'Chunk size',
        start: pos,
        end: line.next,
        value: line.size,
        note: `hex ${line.size.toString(16)} = ${line.size} bytes of event stream follow (RFC 9112 7.1)`,
        sse: { part: 'chunk-size', size: line.size },
      });
      const dataEnd = line.next + line.size;
      if (bytes.length < dataEnd) {
        segments.push({ start: line.next, end: bytes.length });
        return bytes.length;
      }
      segments.push({ start: line.next, end: dataEnd });
      const crlf = readChunkEnd(bytes, dataEnd);
      if (crlf === 0) return dataEnd === bytes.length ? dataEnd : cutShort(dataEnd);
      fields.push({
        id: `chunk-end:${n}`,
        label: 'Chunk end (CRLF)',
        start: dataEnd,
        end: dataEnd + crlf,
        value: '',
        note: 'ends the chunk; the event stream itself goes on in the next chunk',
        sse: { part: 'chunk-end' },
      });
      pos = dataEnd + crlf;
    }
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    // The fault runs from the byte that broke the rule: the size line, or the data's missing CRLF.
    const at = Math.max(pos, Math.min(error.offset ?? pos, bytes.length));
    fields.push({
      id: 'fault',
      label: 'HTTP error',
      start: at,
      end: bytes.length,
      value: error.code,
      note: `${error.message} (${error.section}; a client drops the connection)`,
      error,
    });
    return bytes.length;
  }
  return pos;
}

/** The trailer section after the last chunk (RFC 9112 section 7.1.2), up to its empty line. */
function trailerFields(
  bytes: Uint8Array,
  from: number,
  fields: Field[],
  cutShort: (at: number) => number,
): number {
  for (let pos = from; ;) {
    const line = readTrailer(bytes, pos, MAX_CHUNK_LINE);
    if (!line) return pos === bytes.length ? pos : cutShort(pos);
    const span = trailerSpan(line, pos);
    if (!line.field) {
      fields.push({ ...span, sse: { part: 'trailers-end' } });
      return line.next;
    }
    fields.push(span);
    pos = line.next;
  }
}

/** The stream's lines laid over the segments that carry them. */
function lineFields(bytes: Uint8Array, segments: readonly Segment[]): Field[] {
  // The stream's own bytes, and for each of them its offset in the input.
  const total = segments.reduce((n, s) => n + s.end - s.start, 0);
  const stream = new Uint8Array(total);
  const at = new Int32Array(total);
  let k = 0;
  for (const s of segments) {
    for (let i = s.start; i < s.end; i++, k++) {
      stream[k] = bytes[i]!;
      at[k] = i;
    }
  }
  const { lines, rest } = splitLines(stream);
  const spans = rest < total ? [...lines, { start: rest, end: total, next: total }] : lines;
  const state = { data: 0, type: '' };
  const out: Field[] = [];
  spans.forEach(({ start, end, next }, n) => {
    const text = textOf.decode(stream.subarray(start, end));
    const info = start === rest ? partialLine(n, text) : describeLine(n, text, state);
    // One field per stretch of input bytes: chunk framing may cut a line in two.
    let piece = 0;
    for (let from = start; from < next; piece++) {
      let to = from + 1;
      while (to < next && at[to] === at[to - 1]! + 1) to++;
      const field: Field = {
        id: piece === 0 ? info.id : `${info.id}.${piece}`,
        label: piece === 0 ? info.label : `${info.label} (continued)`,
        start: at[from]!,
        end: at[to - 1]! + 1,
        value: info.value,
        note: info.note,
        sse: info.facts,
      };
      if (info.text !== undefined) field.text = info.text;
      out.push(field);
      from = to;
    }
  });
  return out;
}

function partialLine(n: number, text: string): LineInfo {
  return {
    id: `sse-partial:${n}`,
    label: 'Line (not ended yet)',
    value: text,
    note: 'no line ending yet: the parser waits for the rest of this line',
    facts: { part: 'partial', value: text },
  };
}

/** What one complete line does to the parser (HTML 9.2.6), given the event read so far. */
function describeLine(n: number, line: string, state: { data: number; type: string }): LineInfo {
  if (line === '') {
    const type = state.data > 0 ? state.type || 'message' : undefined;
    const note =
      type !== undefined
        ? `blank line: dispatch the event as '${type}'${state.type ? ` (only addEventListener('${type}') sees it)` : ''}`
        : 'blank line: ends the block; no data, so no event is dispatched';
    state.data = 0;
    state.type = '';
    return {
      id: `sse-dispatch:${n}`,
      label: 'Blank line (end of event)',
      value: '',
      note,
      facts: { part: 'dispatch', type },
    };
  }
  if (line.startsWith(':')) {
    const value = line.slice(1).replace(/^ /, '');
    return {
      id: `sse-comment:${n}`,
      label: 'Comment',
      value,
      note: 'a comment: the parser ignores it; sent now and then, it keeps proxies from closing a quiet stream (HTML 9.2.7)',
      facts: { part: 'comment', value },
    };
  }
  const { name, value } = splitField(line);
  switch (name) {
    case 'data':
      state.data++;
      return {
        id: `sse-data:${n}`,
        label: 'data',
        value,
        text: value,
        note:
          state.data === 1
            ? 'appended to the data buffer: at the blank line it becomes the event’s data'
            : `data line ${state.data}: appended after a line feed, so the event’s data has ${state.data} lines`,
        facts: { part: 'data', line: state.data, value },
      };
    case 'id': {
      const ignored = !isId(value);
      return {
        id: `sse-id:${n}`,
        label: ignored ? 'id (ignored)' : 'id',
        value,
        note: ignored
          ? 'an id containing U+0000 NULL is ignored'
          : value === ''
            ? 'empty id: resets the last event ID, so a reconnect sends no Last-Event-ID'
            : `last event ID becomes "${value}": a reconnecting browser sends Last-Event-ID: ${value}`,
        facts: { part: 'id', value, ignored },
      };
    }
    case 'event':
      state.type = value;
      return {
        id: `sse-event:${n}`,
        label: 'event',
        value,
        note: `event type: dispatched as a '${value}' event, which onmessage does not see`,
        facts: { part: 'event', value },
      };
    case 'retry': {
      const ignored = !isRetry(value);
      return {
        id: `sse-retry:${n}`,
        label: ignored ? 'retry (ignored)' : 'retry',
        value,
        note: ignored
          ? 'ignored: a retry value must be ASCII digits only'
          : `reconnection time: after the stream breaks, the browser waits ${Number(value)} ms before reconnecting`,
        facts: { part: 'retry', value, ignored },
      };
    }
    default:
      return {
        id: `sse-field:${n}`,
        label: `${name} (unknown field)`,
        value,
        note: 'not a field of the event stream format: the parser ignores it',
        facts: { part: 'field', name, value },
      };
  }
}
