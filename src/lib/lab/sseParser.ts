/**
 * The lab's view of an event stream: the protocol's parser (HTML Living Standard 9.2.6, in
 * src/lib/protocol/eventStream.ts) with its items in the shape the SSE contender uses. Bytes in; out,
 * each `retry` and each dispatched message with the last event ID a reconnect would send.
 */
import { EventStreamDecoder } from '../protocol/eventStream';

export interface SseMessage {
  id?: string;
  data?: string;
  retry?: number;
}

export class SseParser {
  private readonly decoder = new EventStreamDecoder();

  push(bytes: Uint8Array): SseMessage[] {
    const out: SseMessage[] = [];
    for (const item of this.decoder.push(bytes)) {
      if (item.kind === 'retry') out.push({ retry: item.ms });
      else if (item.kind === 'message') {
        out.push({ ...(item.lastEventId === '' ? {} : { id: item.lastEventId }), data: item.data });
      }
    }
    return out;
  }
}
