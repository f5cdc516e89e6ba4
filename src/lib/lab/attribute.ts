/**
 * Who sent which bytes: walks a live trace connection by connection and gives every byte on the wire to
 * the contender whose request it carries, split into overhead (HTTP heads, WebSocket frame headers and
 * control frames, the opening handshake, chunked framing) and payload (HTTP bodies, data frame payloads,
 * the event stream). Connections are pooled by the browser, so a connection can carry several
 * contenders' requests one after another: HTTP/1.1 answers in order (RFC 9112 section 9.3), so each
 * response belongs to the oldest unanswered request on its connection.
 */
import { concatBytes } from '../protocol/bytes';
import { headLength } from '../protocol/http';
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

const latin1 = new TextDecoder('latin1');

export function partyOfRequest(bytes: Uint8Array): Party {
  const line = latin1.decode(bytes.subarray(0, Math.min(bytes.length, 2048))).split('\r\n', 1)[0] ?? '';
  const target = line.split(' ')[1] ?? '';
  const path = target.split('?')[0] ?? '';
  return PATHS[path] ?? 'control';
}

function statusOf(bytes: Uint8Array): number {
  const line = latin1.decode(bytes.subarray(0, 32));
  return Number(line.split(' ')[1]) || 0;
}

/** Size of a WebSocket frame's header (RFC 6455 section 5.2): 2, plus extended length, plus mask key. */
export function frameHeaderLength(bytes: Uint8Array): number {
  const b1 = bytes[1] ?? 0;
  const len7 = b1 & 0x7f;
  return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (b1 & 0x80 ? 4 : 0);
}

/**
 * Splits a chunked body (RFC 9112 section 7.1) into framing and data bytes; a partial chunk at the end
 * counts what arrived.
 */
export function splitChunked(bytes: Uint8Array): ByteSplit {
  let i = 0;
  let headers = 0;
  let payload = 0;
  while (i < bytes.length) {
    let j = i;
    while (j < bytes.length && bytes[j] !== 10) j++;
    const line = latin1.decode(bytes.subarray(i, j));
    const size = parseInt(line.split(';')[0] ?? '', 16);
    headers += Math.min(bytes.length, j + 1) - i;
    i = j + 1;
    if (!Number.isFinite(size) || size === 0) {
      headers += Math.max(0, bytes.length - i);
      break;
    }
    const data = Math.min(size, Math.max(0, bytes.length - i));
    payload += data;
    i += data;
    const crlf = Math.min(2, Math.max(0, bytes.length - i));
    headers += crlf;
    i += crlf;
  }
  return { headers, payload };
}

interface ConnState {
  pending: Exchange[];
  /** The contender of a connection that became a stream (SSE response, WebSocket after 101). */
  streamOf: Exchange | undefined;
  chunkedStream: boolean;
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
        chunkedStream: false,
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
        const head = headLength(event.bytes);
        bytes[party].c2s.headers += head;
        bytes[party].c2s.payload += event.bytes.length - head;
        connections[party].add(event.conn);
        const exchange: Exchange = { party, conn: event.conn, start: event.t, end: event.t, kind: 'cut' };
        s.pending.push(exchange);
        exchanges.push(exchange);
        s.last = party;
      } else if (event.kind === 'http-response') {
        const exchange = s.pending.shift();
        const party = exchange?.party ?? s.last;
        const status = statusOf(event.bytes);
        const head = headLength(event.bytes);
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
          s.chunkedStream = /transfer-encoding:\s*chunked/i.test(latin1.decode(event.bytes));
          s.streamFrom = s.covered.s2c;
        } else {
          split.headers += head;
          split.payload += event.bytes.length - head;
          if (exchange) exchange.kind = 'answered';
        }
      } else if (event.kind === 'ws-frame') {
        const party = s.streamOf?.party ?? 'ws';
        const header = frameHeaderLength(event.bytes);
        const opcode = (event.bytes[0] ?? 0) & 0x0f;
        const split = bytes[party][event.dir];
        // Control frames (close, ping, pong) carry no event: all of them is overhead.
        if (opcode >= 8) split.headers += event.bytes.length;
        else {
          split.headers += header;
          split.payload += event.bytes.length - header;
        }
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
      const body = concatBytes(s.sent).subarray(s.streamFrom);
      const split = s.chunkedStream ? splitChunked(body) : { headers: 0, payload: body.length };
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
