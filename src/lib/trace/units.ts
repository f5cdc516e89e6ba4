/**
 * The tap's unit parser: one connection's two byte streams in, trace 'unit' events out (HTTP requests
 * and responses, WebSocket frames, server-sent events), each carrying exactly its bytes on the wire.
 * Reading the bytes is the protocol's job: its ConnectionReader follows the conversation (HTTP, an
 * upgrade awaiting its 101, WebSocket frames, an event stream's chunks) with the protocol's own
 * incremental readers; this file turns what it reads into trace events, each labelled in English from
 * the protocol's language-free summary (summaryText, ./summary.ts).
 *
 * A protocol violation yields one unit with the error (stable code, close code or status, RFC section)
 * covering the bytes left, and that direction is parsed no further: so does a conforming peer.
 */
import {
  ConnectionReader,
  HttpError,
  summarizeEvents,
  summarizeFault,
  summarizeFrame,
  summarizeHttp,
  permessageDeflateHooks,
  type ConnectionReaderOptions,
  type WireUnit,
} from '../protocol/index.ts';
import { summaryText } from './summary.ts';
import type { Direction, UnitEvent } from './types';

export interface UnitParser {
  push(dir: Direction, bytes: Uint8Array, t: number): UnitEvent[];
}

/**
 * Limits (the largest client frame payload or inflated message is reported as 1009, RFC 6455 section
 * 10.4) and, for an extension negotiated at the 101, its frame hooks per direction (by default those of
 * permessage-deflate when the handshake agreed it).
 */
export type UnitParserOptions = ConnectionReaderOptions;

/** Follows one TCP connection in both directions. */
export function createUnitParser(conn: string, options: UnitParserOptions = {}): UnitParser {
  // permessage-deflate, when a handshake agrees it: compressed frames are read and inflated as such.
  const hooksFor: NonNullable<UnitParserOptions['webSocket']> =
    options.webSocket ??
    ((handshake) =>
      permessageDeflateHooks(handshake, {
        maxMessageSize: options.maxPayload === undefined ? {} : { c2s: options.maxPayload },
      }));
  /** The directions whose frames are read with permessage-deflate's rules (RFC 7692 section 6). */
  const deflated = new Set<Direction>();
  const reader = new ConnectionReader({
    ...options,
    webSocket: (handshake) => {
      const hooks = hooksFor(handshake);
      for (const dir of ['c2s', 's2c'] as const) if (hooks?.[dir]?.decode?.deflate) deflated.add(dir);
      return hooks;
    },
  });
  return {
    push(dir, bytes, t) {
      return reader.push(dir, bytes).map((unit) => unitEvent(conn, t, unit, deflated.has(unit.dir)));
    },
  };
}

/**
 * One unit as a trace event. Called for every frame the tap sees (several per proxied echo), so it
 * builds the event directly: no helper closure per call.
 */
function unitEvent(conn: string, t: number, unit: WireUnit, deflate: boolean): UnitEvent {
  let kind: UnitEvent['kind'];
  let summary: string;
  switch (unit.kind) {
    case 'http-request':
    case 'http-response':
      kind = unit.kind;
      summary = summaryText(summarizeHttp(unit.message));
      break;
    case 'ws-frame':
      kind = 'ws-frame';
      summary = summaryText(summarizeFrame(unit.frame, unit.decoded));
      break;
    case 'sse-event':
      kind = 'sse-event';
      summary = summaryText(summarizeEvents(unit.text));
      break;
    case 'last-chunk':
      kind = 'raw';
      summary = summaryText({ kind: 'last-chunk' });
      break;
    case 'fault':
      kind = unit.during === 'websocket' ? 'ws-frame' : 'raw';
      summary = summaryText(summarizeFault(unit.error));
      break;
  }
  const event: UnitEvent = { type: 'unit', t, conn, dir: unit.dir, kind, summary, bytes: unit.bytes };
  if (deflate && kind === 'ws-frame') {
    // The trace keeps what the tap inflated, so its reader needs no earlier frame (RFC 7692 7.2.2).
    event.deflate = true;
    if (unit.kind === 'ws-frame' && unit.decoded) event.inflated = unit.decoded;
  }
  if (unit.kind === 'fault') {
    const { error } = unit;
    event.error =
      error instanceof HttpError
        ? { code: error.code, message: error.message, status: error.status, section: error.section }
        : { code: error.code, message: error.message, closeCode: error.closeCode, section: error.section };
  }
  return event;
}
