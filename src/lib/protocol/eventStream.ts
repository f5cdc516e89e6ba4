/**
 * The event stream format of server-sent events (HTML Living Standard, 9.2.5 Parsing an event stream):
 * lines of `field: value`, an empty line ending each event. Here: where an event ends in the bytes,
 * and what the events in a piece of the stream say (for summaries and the inspector).
 */
import { getHeader } from './http/index.ts';
import type { HttpMessage } from './http/index.ts';

const CR = 0x0d;
const LF = 0x0a;

/** A response whose body is an event stream (Content-Type text/event-stream, 9.2.5). */
export function isEventStream(message: HttpMessage): boolean {
  if (message.kind !== 'response') return false;
  const type = getHeader(message.headers, 'content-type') ?? '';
  return type.trim().toLowerCase().startsWith('text/event-stream');
}

/**
 * Whether the stream text read so far (in `parts`, in order) ends with an empty line, i.e. at the end
 * of an event: two line ends in a row, each CRLF, LF or CR (9.2.5 end-of-line).
 */
export function endsEvent(parts: readonly Uint8Array[]): boolean {
  const tail: number[] = [];
  for (let p = parts.length - 1; p >= 0 && tail.length < 4; p--) {
    const part = parts[p]!;
    for (let i = part.length - 1; i >= 0 && tail.length < 4; i--) tail.unshift(part[i]!);
  }
  const n = tail.length;
  if (n < 2) return false;
  // Read line ends backwards from the last byte: a CRLF pair, or a lone LF or CR.
  let i = n - 1;
  let ends = 0;
  while (i >= 0 && ends < 2) {
    if (tail[i] === LF) {
      i -= i > 0 && tail[i - 1] === CR ? 2 : 1;
    } else if (tail[i] === CR) {
      i -= 1;
    } else {
      break;
    }
    ends++;
  }
  return ends === 2;
}

/** One event as dispatched (9.2.6), or a comment or retry line that dispatches nothing. */
export interface StreamEvent {
  /** The last `id` field, if any. */
  id?: string;
  /** The last `event` field (the event type), if any. */
  event?: string;
  /** The `data` fields joined by LF, if any. */
  data?: string;
  /** The last `retry` field, if any (milliseconds as sent). */
  retry?: string;
  /** The first comment line (starting with ':'), if any. */
  comment?: string;
}

/** The events in a piece of event-stream text, one per block ending in an empty line (9.2.6). */
export function parseStreamEvents(text: string): StreamEvent[] {
  const blocks = text.split(/\r\n\r\n|\n\n|\r\r|\r\n\n|\n\r\n/).filter((block) => block !== '');
  return blocks.map((block) => {
    const event: StreamEvent = {};
    const data: string[] = [];
    for (const line of block.split(/\r\n|\n|\r/)) {
      if (line.startsWith(':')) {
        event.comment ??= line;
        continue;
      }
      const colon = line.indexOf(':');
      const name = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (name === 'data') data.push(value);
      else if (name === 'id') event.id = value;
      else if (name === 'event') event.event = value;
      else if (name === 'retry') event.retry = value;
    }
    if (data.length > 0) event.data = data.join('\n');
    return event;
  });
}
