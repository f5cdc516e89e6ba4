/**
 * A trace to HAR (HTTP Archive 1.2), for tools that read what browsers save: one entry per request and
 * its response on each connection (HTTP/1.1 answers in request order, RFC 9112 section 9.3), the body
 * as the message carried it once chunked framing is removed, and after a 101 the WebSocket messages in
 * Chrome's `_webSocketMessages` (opcode, direction, time; text as text, binary as base64; a
 * permessage-deflate message as the tap inflated it with its connection's context), which the
 * lab's importer (har.ts) reads back. HAR keeps no raw bytes and no control frames: a wirescope trace
 * keeps them all.
 *
 * In front of an app both legs carry the same bytes, so a client leg that a target leg serves is left
 * out (src/lib/trace/legs.ts).
 */
import {
  concatBytes,
  decodeFrame,
  encodeBase64,
  getHeader,
  headLength,
  isValidUtf8,
  parseHttpMessage,
  type HttpMessage,
} from '../protocol/index.ts';
import { servedClientLegs } from '../trace/legs';
import type { Trace, UnitEvent } from '../trace/types';

export interface HarWsMessage {
  type: 'send' | 'receive';
  /** Epoch seconds. */
  time: number;
  opcode: number;
  data: string;
  /** A permessage-deflate message that could not be inflated, written as base64 of the bytes sent. */
  _compressed?: boolean;
}

interface HarHeader {
  name: string;
  value: string;
}

export interface HarEntry {
  startedDateTime: string;
  time: number;
  request: {
    method: string;
    url: string;
    httpVersion: string;
    headers: HarHeader[];
    queryString: HarHeader[];
    cookies: [];
    headersSize: number;
    bodySize: number;
    postData?: { mimeType: string; text: string };
  };
  response: {
    status: number;
    statusText: string;
    httpVersion: string;
    headers: HarHeader[];
    cookies: [];
    content: { size: number; mimeType: string; text?: string; encoding?: 'base64' };
    redirectURL: string;
    headersSize: number;
    bodySize: number;
  };
  cache: Record<string, never>;
  timings: { send: number; wait: number; receive: number };
  connection: string;
  _webSocketMessages?: HarWsMessage[];
}

export interface Har {
  log: {
    version: '1.2';
    creator: { name: string; version: string };
    pages: [];
    entries: HarEntry[];
  };
}

const decoder = new TextDecoder();

function parse(bytes: Uint8Array, kind: 'request' | 'response', method?: string): HttpMessage | undefined {
  try {
    const options = {
      kind,
      eof: true,
      maxBodyBytes: Number.MAX_SAFE_INTEGER,
      ...(method ? { requestMethod: method } : {}),
    };
    return parseHttpMessage(bytes, 0, options)?.message;
  } catch {
    return undefined;
  }
}

function body(bytes: Uint8Array): { text: string; encoding?: 'base64' } {
  return isValidUtf8(bytes)
    ? { text: decoder.decode(bytes) }
    : { text: encodeBase64(bytes), encoding: 'base64' };
}

interface Exchange {
  request: UnitEvent;
  /** The response head and, for a stream, the units that carried its body. */
  response: UnitEvent[];
  frames: UnitEvent[];
}

/** Requests and what answered them, connection by connection. */
function exchanges(trace: Trace): Exchange[] {
  const skip = servedClientLegs(trace.events);
  const open = new Map<string, Exchange[]>();
  const current = new Map<string, Exchange>();
  const out: Exchange[] = [];
  for (const e of trace.events) {
    if (e.type !== 'unit' || skip.has(e.conn)) continue;
    if (e.kind === 'http-request') {
      const x: Exchange = { request: e, response: [], frames: [] };
      out.push(x);
      open.set(e.conn, [...(open.get(e.conn) ?? []), x]);
    } else if (e.kind === 'http-response') {
      const status = Number(/^HTTP\/\d\.\d (\d{3})/.exec(e.summary)?.[1] ?? 0);
      if (status >= 100 && status < 200 && status !== 101) continue; // interim
      const waiting = open.get(e.conn) ?? [];
      const x = waiting.shift();
      if (!x) continue;
      x.response.push(e);
      current.set(e.conn, x);
    } else if (e.kind === 'ws-frame') {
      current.get(e.conn)?.frames.push(e);
    } else if (e.dir === 's2c') {
      current.get(e.conn)?.response.push(e); // event-stream chunks and the last chunk
    }
  }
  return out;
}

/**
 * The data messages of a WebSocket, as Chrome records them: fragments joined into their message, text
 * as text and binary as base64; control frames (ping, pong, close) are not messages and stay in the
 * wirescope trace only.
 */
function wsMessages(frames: UnitEvent[], startedAt: number): HarWsMessage[] {
  const out: HarWsMessage[] = [];
  const open: Partial<
    Record<UnitEvent['dir'], { opcode: number; compressed: boolean; parts: Uint8Array[] }>
  > = {};
  for (const unit of frames) {
    let decoded;
    try {
      decoded = decodeFrame(unit.bytes, 0, { allowRsv: true, validateClose: false });
    } catch {
      continue;
    }
    if (!decoded || decoded.frame.opcode >= 8) continue;
    const { frame } = decoded;
    const message =
      frame.opcode === 0
        ? open[unit.dir]
        : { opcode: frame.opcode, compressed: (frame.rsv & 4) !== 0, parts: [] as Uint8Array[] };
    if (!message) continue; // a continuation with nothing to continue
    message.parts.push(frame.payload);
    open[unit.dir] = frame.fin ? undefined : message;
    if (!frame.fin) continue;
    // A compressed message as its data, once inflated with the connection's context (as Chrome
    // records it); one that could not be inflated stays its bytes, marked.
    const data = message.compressed ? unit.inflated : concatBytes(message.parts);
    const payload = data ?? concatBytes(message.parts);
    const asText = data !== undefined && message.opcode === 1 && isValidUtf8(payload);
    out.push({
      type: unit.dir === 'c2s' ? 'send' : 'receive',
      time: (startedAt + unit.t) / 1000,
      opcode: message.opcode,
      data: asText ? decoder.decode(payload) : encodeBase64(payload),
      ...(data === undefined ? { _compressed: true } : {}),
    });
  }
  return out;
}

export function traceToHar(trace: Trace, creatorVersion = '1'): Har {
  const entries: HarEntry[] = [];
  for (const x of exchanges(trace)) {
    const request = parse(x.request.bytes, 'request');
    if (!request || request.kind !== 'request') continue;
    const host = getHeader(request.headers, 'host') ?? 'unknown';
    const url = /^https?:\/\//i.test(request.target) ? request.target : `http://${host}${request.target}`;
    let query: HarHeader[] = [];
    try {
      query = [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
    } catch {
      // a target that is not a URL keeps no query list
    }
    const reqHead = headLength(x.request.bytes);
    const head = x.response[0];
    const whole = head ? concatBytes(x.response.map((u) => u.bytes)) : new Uint8Array(0);
    const response = head ? parse(whole, 'response', request.method) : undefined;
    const resBody = response?.kind === 'response' ? response.body : new Uint8Array(0);
    const resHead = head ? headLength(head.bytes) : 0;
    const end = x.response.at(-1)?.t ?? x.request.t;
    const mime = (response && getHeader(response.headers, 'content-type')) ?? '';
    const entry: HarEntry = {
      startedDateTime: new Date(trace.startedAt + x.request.t).toISOString(),
      time: Math.max(0, end - x.request.t),
      request: {
        method: request.method,
        url,
        httpVersion: request.version,
        headers: request.headers.map((h) => ({ ...h })),
        queryString: query,
        cookies: [],
        headersSize: reqHead,
        bodySize: request.body.length,
        ...(request.body.length > 0
          ? {
              postData: {
                mimeType: getHeader(request.headers, 'content-type') ?? '',
                text: decoder.decode(request.body),
              },
            }
          : {}),
      },
      response: {
        status: response?.kind === 'response' ? response.status : 0,
        statusText: response?.kind === 'response' ? response.reason : '',
        httpVersion: response?.version ?? 'HTTP/1.1',
        headers: response ? response.headers.map((h) => ({ ...h })) : [],
        cookies: [],
        content: { size: resBody.length, mimeType: mime, ...(resBody.length > 0 ? body(resBody) : {}) },
        redirectURL: (response && getHeader(response.headers, 'location')) ?? '',
        headersSize: resHead,
        bodySize: head ? Math.max(0, whole.length - resHead) : -1,
      },
      cache: {},
      timings: {
        send: 0,
        wait: Math.max(0, (head?.t ?? x.request.t) - x.request.t),
        receive: Math.max(0, end - (head?.t ?? end)),
      },
      connection: x.request.conn,
    };
    const messages = wsMessages(x.frames, trace.startedAt);
    if (messages.length > 0) entry._webSocketMessages = messages;
    entries.push(entry);
  }
  return {
    log: { version: '1.2', creator: { name: 'wirescope', version: creatorVersion }, pages: [], entries },
  };
}
