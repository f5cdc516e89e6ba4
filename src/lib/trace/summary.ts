/**
 * The English line for a unit's summary (the protocol's language-free UnitSummary): what the tap puts in
 * UnitEvent.summary and what exports and the record file carry. A page in another language renders
 * the same UnitSummary its own way.
 *
 *   GET /chat HTTP/1.1            HTTP/1.1 101 Switching Protocols
 *   Text 'Hello' (masked)         Binary 300 bytes (FIN=0)       Close 1000 'bye'      Close (no status)
 *   Event id 3 '{"id":3,…'        Retry 1000 ms                  Comment ': keep-alive' (+1 more)
 *   Last chunk (end of the event stream)                         Protocol error: UNMASKED_CLIENT_FRAME
 */
import type { StreamEventSummary, TextPreview, UnitSummary } from '../protocol/index.ts';

function quoted(preview: TextPreview): string {
  return `'${preview.text}${preview.more ? '…' : ''}'`;
}

function capitalised(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function eventText({ id, event, data, retry, comment }: StreamEventSummary): string {
  if (data !== undefined) {
    return `${event ? capitalised(event) : 'Event'}${id === undefined ? '' : ` id ${id}`} ${quoted(data)}`;
  }
  if (retry !== undefined) return `Retry ${retry} ms`;
  if (comment !== undefined) return `Comment '${comment}'`;
  return 'Event (empty)';
}

/** One line of English for an arrow label. */
export function summaryText(summary: UnitSummary): string {
  switch (summary.kind) {
    case 'http-request':
      return `${summary.method} ${summary.target} ${summary.version}`;
    case 'http-response':
      return `${summary.version} ${summary.status}${summary.reason ? ` ${summary.reason}` : ''}`;
    case 'ws-frame': {
      const flags = [
        ...(summary.fin ? [] : ['FIN=0']),
        ...[4, 2, 1].flatMap((bit, i) => (summary.rsv & bit ? [`RSV${i + 1}`] : [])),
        ...(summary.masked ? ['masked'] : []),
      ];
      const tail = flags.length > 0 ? ` (${flags.join(', ')})` : '';
      const name = capitalised(summary.opcodeName);
      if (summary.close) {
        const { code, reason } = summary.close;
        return code === undefined
          ? `Close (no status)${tail}`
          : `Close ${code}${reason ? ` '${reason}'` : ''}${tail}`;
      }
      if (summary.opcodeName === 'binary') return `Binary ${summary.payloadLength} bytes${tail}`;
      return summary.text ? `${name} ${quoted(summary.text)}${tail}` : `${name}${tail}`;
    }
    case 'sse-event': {
      const [first, ...rest] = summary.events.map(eventText);
      if (first === undefined) return 'Event (empty)';
      return rest.length === 0 ? first : `${first} (+${rest.length} more)`;
    }
    case 'last-chunk':
      return 'Last chunk (end of the event stream)';
    case 'fault':
      return `${summary.protocol === 'http' ? 'HTTP error' : 'Protocol error'}: ${summary.code}`;
    case 'raw':
      return `${summary.length} bytes`;
  }
}
