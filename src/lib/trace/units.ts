/**
 * The tap's unit parser: one connection's two byte streams in, trace 'unit' events out (HTTP requests
 * and responses, WebSocket frames, server-sent events), each carrying exactly its bytes on the wire.
 * Reading the bytes is the protocol's job: its ConnectionReader follows the conversation (HTTP, an
 * upgrade awaiting its 101, WebSocket frames, an event stream's chunks) with the protocol's own
 * incremental readers; this file turns what it reads into trace events and labels each one.
 *
 * A protocol violation yields one unit with the error (stable code, close code or status, RFC section)
 * covering the bytes left, and that direction is parsed no further: so does a conforming peer.
 */
import {
  ConnectionReader,
  HttpError,
  opcodeName,
  parseCloseBody,
  parseStreamEvents,
  type ConnectionReaderOptions,
  type Frame,
  type HttpMessage,
  type WireUnit,
} from '../protocol/index.ts';
import type { Direction, UnitEvent } from './types';

export interface UnitParser {
  push(dir: Direction, bytes: Uint8Array, t: number): UnitEvent[];
}

/**
 * Limits (the largest client frame payload is reported as 1009, RFC 6455 section 10.4) and, for an
 * extension negotiated at the 101, its frame hooks per direction.
 */
export type UnitParserOptions = ConnectionReaderOptions;

/** Longest text preview in a summary. */
const PREVIEW_CHARS = 32;

const textDecoder = new TextDecoder('utf-8', { fatal: false });

function capitalised(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function preview(payload: Uint8Array): string {
  const text = textDecoder.decode(payload.subarray(0, PREVIEW_CHARS * 4));
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}…` : text;
}

/** One line for an arrow label, e.g. "Text 'Hello' (masked)" or "Close 1000 'bye'". */
export function summariseFrame(frame: Frame): string {
  const name = capitalised(opcodeName(frame.opcode));
  const flags = `${frame.fin ? '' : ', FIN=0'}${frame.masked ? ', masked' : ''}`;
  const tail = flags ? ` (${flags.slice(2)})` : '';
  if (frame.opcode === 0x8) {
    const body = parseCloseBody(frame.payload);
    if (body.ok && body.code !== undefined)
      return `Close ${body.code}${body.reason ? ` '${body.reason}'` : ''}${tail}`;
    return `Close (no status)${tail}`;
  }
  if (frame.opcode === 0x2) return `Binary ${frame.payloadLength} bytes${tail}`;
  if (frame.payloadLength === 0) return `${name}${tail}`;
  return `${name} '${preview(frame.payload)}'${tail}`;
}

export function summariseHttp(message: HttpMessage): string {
  return message.kind === 'request'
    ? `${message.method} ${message.target} ${message.version}`
    : `${message.version} ${message.status} ${message.reason}`;
}

/**
 * One line for the events in `text` (HTML Living Standard, 9.2.6 Interpreting an event stream):
 * "Event id 3 '{\"id\":3…'", "Retry 1000 ms", "Comment ': keep-alive'", with "(+N more)" when one unit
 * carries several.
 */
export function summariseEvents(text: string): string {
  const summaries = parseStreamEvents(text).map(({ id, event: type, data, retry, comment }) => {
    if (data !== undefined) {
      const shown = data.length > PREVIEW_CHARS ? `${data.slice(0, PREVIEW_CHARS)}…` : data;
      return `${type ? capitalised(type) : 'Event'}${id === undefined ? '' : ` id ${id}`} '${shown}'`;
    }
    if (retry !== undefined) return `Retry ${retry} ms`;
    if (comment !== undefined) return `Comment '${comment}'`;
    return 'Event (empty)';
  });
  if (summaries.length === 0) return 'Event (empty)';
  return summaries.length === 1 ? summaries[0]! : `${summaries[0]} (+${summaries.length - 1} more)`;
}

/** Follows one TCP connection in both directions. */
export function createUnitParser(conn: string, options: UnitParserOptions = {}): UnitParser {
  const reader = new ConnectionReader(options);
  return {
    push(dir, bytes, t) {
      return reader.push(dir, bytes).map((unit) => unitEvent(conn, t, unit));
    },
  };
}

function unitEvent(conn: string, t: number, unit: WireUnit): UnitEvent {
  const event = (kind: UnitEvent['kind'], summary: string): UnitEvent => ({
    type: 'unit',
    t,
    conn,
    dir: unit.dir,
    kind,
    summary,
    bytes: unit.bytes,
  });
  switch (unit.kind) {
    case 'http-request':
    case 'http-response':
      return event(unit.kind, summariseHttp(unit.message));
    case 'ws-frame':
      return event('ws-frame', summariseFrame(unit.frame));
    case 'sse-event':
      return event('sse-event', summariseEvents(unit.text));
    case 'last-chunk':
      return event('raw', 'Last chunk (end of the event stream)');
    case 'fault': {
      const { error } = unit;
      const http = error instanceof HttpError;
      const failed = event(
        unit.during === 'websocket' ? 'ws-frame' : 'raw',
        `${http ? 'HTTP error' : 'Protocol error'}: ${error.code}`,
      );
      failed.error = http
        ? { code: error.code, message: error.message, status: error.status, section: error.section }
        : { code: error.code, message: error.message, closeCode: error.closeCode, section: error.section };
      return failed;
    }
  }
}
