/**
 * The trace model: every picture in wirescope renders a trace up to a cursor, and both producers
 * (the scenario machines and the demo server's tap) emit these same types.
 */
import type { NoteParamRecord } from '../i18n/notes';

/**
 * Bumped whenever the serialised form changes shape. Version 2 carries notes as message keys with
 * parameters; importers still read version 1 (notes as English text with an optional Korean `ko`).
 */
export const TRACE_VERSION = 2;
export const READABLE_TRACE_VERSIONS: readonly number[] = [1, 2];

/** Client to server, or server to client. */
export type Direction = 'c2s' | 's2c';

export type Peer = 'client' | 'server';

/** What produced a trace. */
export type TraceSource = 'simulation' | 'live' | 'har' | 'import' | 'capture';

/** What a parsed unit of bytes is; decides which annotator explains it. */
export type UnitKind = 'http-request' | 'http-response' | 'ws-frame' | 'sse-event' | 'raw';

/** RFC 6455 section 4.1 / WebSocket API readyState, plus the HTTP-only "idle" of a plain request. */
export type ReadyState = 'CONNECTING' | 'OPEN' | 'CLOSING' | 'CLOSED';

/** The TCP states that teach something here (RFC 9293 section 3.3.2), simplified. */
export type TcpState = 'CLOSED' | 'SYN-SENT' | 'ESTABLISHED' | 'FIN-WAIT' | 'CLOSE-WAIT' | 'TIME-WAIT';

interface EventBase {
  /** Milliseconds since the trace's `startedAt`. */
  t: number;
  /**
   * The server node that saw the event, when the demo server runs as one node of a cluster
   * (`--backplane`); absent from one process and from simulations. Optional: files without it still read.
   */
  node?: string;
}

/** A TCP connection was opened (accepted by the server, or connected by the client). */
export interface ConnOpenEvent extends EventBase {
  type: 'conn.open';
  conn: string;
  /** "127.0.0.1:53412" and "127.0.0.1:8080" where known. */
  client?: string;
  server?: string;
  /**
   * In front of an app (`--target`), each proxied exchange has two legs: 'client' (the browser and
   * wirescope) and 'target' (wirescope and the app). Both carry the same bytes.
   */
  leg?: ProxyLeg;
  /** On a 'target' leg: the conn id of the 'client' leg it serves. */
  pair?: string;
}

export type ProxyLeg = 'client' | 'target';

/** Raw bytes exactly as read from or written to the socket: one event per chunk. */
export interface BytesEvent extends EventBase {
  type: 'bytes';
  conn: string;
  dir: Direction;
  bytes: Uint8Array;
}

/** A complete protocol unit parsed out of the byte stream (or built by a scenario). */
export interface UnitEvent extends EventBase {
  type: 'unit';
  conn: string;
  dir: Direction;
  kind: UnitKind;
  /** One line for an arrow label, e.g. "GET /chat HTTP/1.1" or "Text 'Hello' (masked)". */
  summary: string;
  /** Exactly the unit's bytes on the wire; annotations are computed from them on demand. */
  bytes: Uint8Array;
  /** Set when the bytes violate the protocol: a stable code and the close code / status it earns. */
  error?: { code: string; message: string; closeCode?: number; status?: number; section?: string };
  /**
   * A frame of a connection that negotiated permessage-deflate (RFC 7692): RSV1 on the first frame of
   * a data message means "per-message compressed" (section 6), and its payload is DEFLATE data.
   */
  deflate?: boolean;
  /**
   * On the frame that completes a compressed message: what the message inflated to (section 7.2.2),
   * from whoever followed the whole connection and so kept its compression context.
   */
  inflated?: Uint8Array;

  /** Set by a layer view (./layers.ts): what the label says beyond the unit's own bytes. */
  layer?: LayerView;
}

/** Which part of a unit a TCP segment carries. */
export type SegmentPart = 'whole' | 'start' | 'middle' | 'end';

/** A layer view's facts about a unit, in no language (rendered by ./label.ts). */
export type LayerView =
  /** A TCP segment (or one read/write of the tap) and the units it carries, whole or in part. */
  | {
      kind: 'segment';
      capture: boolean;
      carries: { unit: Pick<UnitEvent, 'kind' | 'bytes'>; part: SegmentPart }[];
    }
  /** A unit that spans several segments. */
  | { kind: 'spans'; segments: number }
  /** A WebSocket message joined from its frames (RFC 6455 section 5.4). */
  | { kind: 'message'; opcode: number; length: number; frames: number; complete: boolean; text?: string };

/** A TCP connection ended; `by` is who sent the first FIN, where known. */
export interface ConnCloseEvent extends EventBase {
  type: 'conn.close';
  conn: string;
  by?: Peer | 'unknown';
  /** True when the connection was cut without a closing handshake (RFC 6455 section 7.1.5: 1006). */
  abnormal?: boolean;
}

/** A peer's state changed: the lifelines of the sequence diagram show these. */
export interface StateEvent extends EventBase {
  type: 'state';
  peer: Peer;
  conn?: string;
  readyState?: ReadyState;
  tcp?: TcpState;
}

/**
 * A caption attached to the trace (the server's checks, a timer that fired, a learner's choice), as a
 * message key with parameters that src/lib/i18n renders in the page's language.
 */
export interface NoteEvent extends EventBase {
  type: 'note';
  conn?: string;
  peer?: Peer;
  key: string;
  params?: NoteParamRecord;
  /** The note rendered in English, for readers without the message table (and keys it does not know). */
  text?: string;
}

export type TraceEvent = ConnOpenEvent | BytesEvent | UnitEvent | ConnCloseEvent | StateEvent | NoteEvent;

export interface Trace {
  version: typeof TRACE_VERSION;
  source: TraceSource;
  /** Epoch milliseconds of t = 0. */
  startedAt: number;
  title?: string;
  events: TraceEvent[];
}
