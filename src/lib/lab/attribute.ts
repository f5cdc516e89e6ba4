/**
 * Who sent which bytes: walks a live trace connection by connection and gives every byte on the wire to
 * the contender whose request it carries, split into overhead (HTTP heads, WebSocket frame headers and
 * control frames, the opening handshake, chunked framing) and payload (HTTP bodies, data frame payloads,
 * the event stream). Connections are pooled by the browser, so a connection can carry several
 * contenders' requests one after another: HTTP/1.1 answers in order (RFC 9112 section 9.3), so each
 * response belongs to the oldest unanswered request on its connection.
 *
 * The split reads no bytes itself: it sums the fields of the protocol's annotations (annotateHttp,
 * annotateFrame), which name every byte of a unit once.
 */
import {
  annotateFrame,
  annotateHttp,
  concatBytes,
  isControlOpcode,
  parseHead,
  parseHeader,
  type Field,
  type HttpMessage,
} from '../protocol/index.ts';
import { OWN_PREFIX } from '../trace/tap';
import type { Direction, Trace } from '../trace/types';
import type { ContenderId } from './types';

/** Requests that are not a contender: the page's stream controls and faults. */
export type Party = ContenderId | 'control';

const PATHS: Record<string, ContenderId> = {
  '/api/stream/poll': 'short',
  '/api/poll': 'long',
  '/api/stream/sse': 'sse',
  '/ws/stream': 'ws',
};

export interface ByteSplit {
  headers: number;
  payload: number;
}

/** One request and what answered it: the span during which the server held it open. */
export interface Exchange {
  party: Party;
  conn: string;
  /** Trace ms of the request and of the end of the answer (response, or connection close for streams). */
  start: number;
  end: number;
  /** 'stream' for SSE and WebSocket, which stay open; 'answered' or 'cut' for a request/response. */
  kind: 'answered' | 'stream' | 'cut';
  status?: number;
}

export interface Attribution {
  bytes: Record<Party, Record<Direction, ByteSplit>>;
  exchanges: Exchange[];
  /** Connections per party (a pooled connection counts for every party it carried). */
  connections: Record<Party, Set<string>>;
  /** Trace ms of the last event. */
  end: number;
}

const PARTIES: readonly Party[] = ['short', 'long', 'sse', 'ws', 'control'];

function emptySplit(): Record<Direction, ByteSplit> {
  return { c2s: { headers: 0, payload: 0 }, s2c: { headers: 0, payload: 0 } };
}

/** The head of an HTTP unit, parsed by the protocol; undefined for bytes that are not one. */
function headOf(bytes: Uint8Array, kind: 'request' | 'response'): HttpMessage | undefined {
  try {
    return parseHead(bytes, 0, { kind })?.message;
  } catch {
    return undefined;
  }
}

export function partyOfRequest(bytes: Uint8Array): Party {
  const head = headOf(bytes, 'request');
  const target = head?.kind === 'request' ? head.target : '';
  const path = target.split('?')[0] ?? '';
  // In front of an app the demo's paths carry the reserved prefix (src/lib/trace/tap.ts).
  const own = path.startsWith(`${OWN_PREFIX}/`) ? path.slice(OWN_PREFIX.length) : path;
  return PATHS[own] ?? 'control';
}

/**
 * Annotation fields that are payload: an HTTP body or chunk's data, a frame's application data. Every
 * other field is framing (start line, header fields, chunk sizes and CRLFs, trailers, frame headers) or
 * bytes beyond the unit ('rest', 'fault'): overhead.
 */
const PAYLOAD = /^(body|chunk-data:\d+|payload|close-code|close-reason)$/;

/**
 * Overhead and payload bytes of annotated fields, from `from` on. A unit cut short ('truncated') counts
 * what arrived: after a chunk's size line, up to that size is data; after its data, a partial CRLF is
 * framing; a body cut short is payload.
 */
export function splitFields(fields: readonly Field[], from = 0): ByteSplit {
  const split: ByteSplit = { headers: 0, payload: 0 };
  let previous: Field | undefined;
  for (const field of fields) {
    const n = field.end - Math.max(from, field.start);
    if (n > 0) {
      if (field.id === 'truncated') {
        const chunk = previous?.id.startsWith('chunk-size:') ? Number(previous.value) : undefined;
        const framing = previous?.id.startsWith('chunk-') || previous?.id === 'last-chunk';
        const data = chunk !== undefined ? Math.min(chunk, n) : framing ? 0 : n;
        split.payload += data;
        split.headers += n - data;
      } else if (PAYLOAD.test(field.id)) {
        split.payload += n;
      } else {
        split.headers += n;
      }
    }
    previous = field;
  }
  return split;
}

/** A WebSocket frame unit: control frames (close, ping, pong) carry no event, so all of them is overhead. */
function splitFrame(bytes: Uint8Array): ByteSplit {
  let control = true;
  try {
    control = isControlOpcode(parseHeader(bytes, 0)?.opcode ?? 8);
  } catch {
    // A frame the tap reported as a violation: none of it is an event.
  }
  return control ? { headers: bytes.length, payload: 0 } : splitFields(annotateFrame(bytes));
}

interface ConnState {
  pending: Exchange[];
  /** The contender of a connection that became a stream (SSE response, WebSocket after 101). */
  streamOf: Exchange | undefined;
  /** The head of the SSE response that made the connection a stream. */
  streamHead: Uint8Array | undefined;
  /** Bytes seen and bytes covered by parsed units, per direction. */
  seen: Record<Direction, number>;
  covered: Record<Direction, number>;
  /** Every byte the server sent on the connection (the SSE body is cut from it at the end). */
  sent: Uint8Array[];
  /** Offset in `sent` where an SSE body starts. */
  streamFrom: number;
  last: Party;
  /** The TCP connection has closed; until then its stream and held requests run to the trace's end. */
  closed: boolean;
}

export function attribute(trace: Trace): Attribution {
  const bytes = {} as Attribution['bytes'];
  const connections = {} as Attribution['connections'];
  for (const party of PARTIES) {
    bytes[party] = emptySplit();
    connections[party] = new Set();
  }
  const exchanges: Exchange[] = [];
  const conns = new Map<string, ConnState>();
  let end = 0;
  const state = (conn: string): ConnState => {
    let s = conns.get(conn);
    if (!s) {
      s = {
        pending: [],
        streamOf: undefined,
        streamHead: undefined,
        seen: { c2s: 0, s2c: 0 },
        covered: { c2s: 0, s2c: 0 },
        sent: [],
        streamFrom: 0,
        last: 'control',
        closed: false,
      };
      conns.set(conn, s);
    }
    return s;
  };

  for (const event of trace.events) {
    end = Math.max(end, event.t);
    if (event.type === 'bytes') {
      const s = state(event.conn);
      s.seen[event.dir] += event.bytes.length;
      if (event.dir === 's2c') s.sent.push(event.bytes);
    } else if (event.type === 'unit') {
      const s = state(event.conn);
      s.covered[event.dir] += event.bytes.length;
      if (event.kind === 'http-request') {
        const party = partyOfRequest(event.bytes);
        const split = splitFields(annotateHttp(event.bytes, { kind: 'request' }));
        bytes[party].c2s.headers += split.headers;
        bytes[party].c2s.payload += split.payload;
        connections[party].add(event.conn);
        const exchange: Exchange = { party, conn: event.conn, start: event.t, end: event.t, kind: 'cut' };
        s.pending.push(exchange);
        exchanges.push(exchange);
        s.last = party;
      } else if (event.kind === 'http-response') {
        const exchange = s.pending.shift();
        const party = exchange?.party ?? s.last;
        const head = headOf(event.bytes, 'response');
        const status = head?.kind === 'response' ? head.status : 0;
        const split = bytes[party].s2c;
        if (exchange) {
          exchange.status = status;
          exchange.end = event.t;
        }
        if (status === 101 || (party === 'sse' && status === 200)) {
          // The opening handshake is overhead (RFC 6455 section 4); so is an SSE response's head.
          split.headers += event.bytes.length;
          if (exchange) {
            exchange.kind = 'stream';
            s.streamOf = exchange;
          }
          s.streamHead = event.bytes;
          s.streamFrom = s.covered.s2c;
        } else {
          const parts = splitFields(annotateHttp(event.bytes, { kind: 'response' }));
          split.headers += parts.headers;
          split.payload += parts.payload;
          if (exchange) exchange.kind = 'answered';
        }
      } else if (event.kind === 'ws-frame') {
        const party = s.streamOf?.party ?? 'ws';
        const split = bytes[party][event.dir];
        const parts = splitFrame(event.bytes);
        split.headers += parts.headers;
        split.payload += parts.payload;
      }
    } else if (event.type === 'conn.close') {
      const s = conns.get(event.conn);
      if (!s) continue;
      s.closed = true;
      if (s.streamOf) s.streamOf.end = event.t;
      for (const exchange of s.pending) exchange.end = event.t;
      s.pending = [];
    }
  }

  for (const s of conns.values()) {
    // Bytes no unit covers: an SSE stream's body, or a response cut short.
    if (s.streamOf?.party === 'sse') {
      // The event stream's body is in no HTTP unit: annotate the response as far as it went, its head
      // (counted already) then the body, chunked (RFC 9112 section 7.1) or running until the close.
      const head = s.streamHead ?? new Uint8Array(0);
      const body = concatBytes(s.sent).subarray(s.streamFrom);
      const response = concatBytes([head, body]);
      const fields = annotateHttp(response, { kind: 'response', maxBodyBytes: Number.POSITIVE_INFINITY });
      const split = splitFields(fields, head.length);
      bytes.sse.s2c.headers += split.headers;
      bytes.sse.s2c.payload += split.payload;
    } else {
      bytes[s.last].s2c.payload += Math.max(0, s.seen.s2c - s.covered.s2c);
    }
    bytes[s.streamOf?.party ?? s.last].c2s.payload += Math.max(0, s.seen.c2s - s.covered.c2s);
    // A stream still open (a run in progress) is held up to now, not only up to its 101 or SSE head.
    if (s.streamOf && !s.closed) s.streamOf.end = end;
    for (const exchange of s.pending) if (exchange.end === exchange.start) exchange.end = end;
  }
  return { bytes, exchanges, connections, end };
}
