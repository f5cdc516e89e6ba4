/**
 * The tap's event batch: one WebSocket binary message carrying a batch of trace events, their bytes
 * raw instead of base64 (server/sessions.ts writes it; the page reads it here).
 *
 *   bytes 0-3    N, big-endian: the length of the index
 *   next N       the index, UTF-8 JSON: an array of events in their JSON form (json.ts), except that
 *                `bytes` and `inflated` are [offset, length] in the data that follows
 *   the rest     the data: the events' bytes back to back
 *
 * Raw bytes are a quarter smaller than base64, cost nothing to encode or decode, and can be shared: a
 * frame that arrived in one chunk is a unit whose bytes are the bytes event's own, and both name the
 * same range, so those bytes cross the tap once instead of twice.
 */
import { eventFromJson, TraceFormatError, type BytesReader, type JsonTraceEvent } from './json.ts';
import type { TraceEvent } from './types.ts';

/** Where an event's bytes lie in a batch's data. */
export type BatchRange = [offset: number, length: number];

/** An event in a batch's index. */
export type BatchIndexEvent = Omit<JsonTraceEvent, 'bytes' | 'inflated'> & {
  bytes?: BatchRange;
  inflated?: BatchRange;
};

/** Bytes before the index (its length). */
export const BATCH_INDEX_AT = 4;

export interface EventBatch {
  events: TraceEvent[];
  /** Malformed events left out (the rest of the batch still counts). */
  skipped: number;
}

/**
 * Reads one batch. A message whose index cannot be read at all throws TraceFormatError; a malformed event
 * inside a good index is skipped and counted, so one bad event does not cost the learner the batch.
 * The events' bytes are views of `message` (no copy).
 */
export function decodeEventBatch(message: Uint8Array): EventBatch {
  // A plain Uint8Array view: a Node Buffer would otherwise leak its own type into the events.
  const bytes = new Uint8Array(message.buffer, message.byteOffset, message.byteLength);
  if (bytes.length < BATCH_INDEX_AT) throw new TraceFormatError('an event batch needs at least 4 bytes');
  const indexLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0);
  const dataAt = BATCH_INDEX_AT + indexLength;
  if (dataAt > bytes.length) {
    throw new TraceFormatError(
      `the batch's index says ${indexLength} bytes, but only ${bytes.length - BATCH_INDEX_AT} follow`,
    );
  }
  let index: unknown;
  try {
    index = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(BATCH_INDEX_AT, dataAt)),
    );
  } catch {
    throw new TraceFormatError("the batch's index is not UTF-8 JSON");
  }
  if (!Array.isArray(index)) throw new TraceFormatError("the batch's index is not an array");
  const data = bytes.subarray(dataAt);
  const readRange: BytesReader = (value, field) => {
    if (
      !Array.isArray(value) ||
      value.length !== 2 ||
      !value.every((n) => Number.isSafeInteger(n) && (n as number) >= 0)
    ) {
      return `${field} must be [offset, length]`;
    }
    const [offset, length] = value as BatchRange;
    if (offset + length > data.length) return `${field} lies past the batch's data (${data.length} bytes)`;
    return data.subarray(offset, offset + length);
  };
  const events: TraceEvent[] = [];
  let skipped = 0;
  for (const [i, value] of index.entries()) {
    try {
      events.push(eventFromJson(value, i, undefined, readRange));
    } catch (error) {
      if (!(error instanceof TraceFormatError)) throw error;
      skipped++;
    }
  }
  return { events, skipped };
}
