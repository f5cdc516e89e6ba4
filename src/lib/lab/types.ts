/**
 * The lab's shared types: the four contenders, what the page logs while they run (receipts and
 * connection log) and the run's settings. The trace itself is the one trace model (src/lib/trace).
 */

/** The ways a server can push data to a browser, raced on one event stream. */
export type ContenderId = 'short' | 'long' | 'sse' | 'ws';

export const CONTENDERS: readonly ContenderId[] = ['short', 'long', 'sse', 'ws'];

/** One event of the demo server's stream (server/stream.ts). */
export interface StreamEvent {
  id: number;
  sentAt: number;
  payload: string;
}

/** One event as a contender handed it to the page. */
export interface Receipt {
  contender: ContenderId;
  id: number;
  /** Server epoch ms when the generator made the event. */
  sentAt: number;
  /** Page epoch ms (performance.timeOrigin + performance.now()) when the contender delivered it. */
  receivedAt: number;
}

/** What happened to a contender's connection, as the page saw it. */
export type LogKind = 'open' | 'close' | 'error' | 'reconnect';

export interface LogEntry {
  contender: ContenderId;
  /** Page epoch ms. */
  at: number;
  kind: LogKind;
  /** E.g. the WebSocket close code, or "Last-Event-ID: 41". */
  detail?: string;
}

export interface RunSettings {
  rate: number;
  payloadBytes: number;
  /** Short polling's interval. */
  pollIntervalMs: number;
  durationMs: number;
}

/** Which event ids the run's generator produced (every contender should deliver all of them). */
export interface ExpectedIds {
  from: number;
  to: number;
}
