/**
 * HAR (HTTP Archive 1.2, as saved by a browser's developer tools) to a trace. A HAR keeps no raw bytes,
 * so the bytes are rebuilt: each request and response is serialised as HTTP/1.1 with its recorded
 * headers (HTTP/2 pseudo-headers dropped; Host from :authority or the URL; the body as the HAR decoded
 * it, so Content-Encoding is dropped and Content-Length set to that body), and each WebSocket message
 * Chrome recorded in `_webSocketMessages` becomes one frame (client frames masked with a fixed key, as
 * no real key was recorded). The trace's source is 'har' so the page can say so.
 */
import {
  decodeBase64,
  encodeFrame,
  isToken,
  serializeRequest,
  serializeResponse,
  summarizeUnit,
  type HttpHeader,
} from '../protocol/index.ts';
import { TRACE_VERSION, type Trace, type TraceEvent } from '../trace/types';
import { summaryText } from '../trace/summary.ts';

/** Larger files are refused before parsing. */
export const MAX_HAR_BYTES = 20 * 1024 * 1024;
export const MAX_HAR_ENTRIES = 5000;
export const MAX_HAR_WS_MESSAGES = 20000;
/** The made-up masking key of rebuilt client frames (RFC 6455 section 5.3 needs one). */
export const HAR_MASK_KEY = new Uint8Array([0x68, 0x61, 0x72, 0x21]);

export class HarFormatError extends Error {
  override name = 'HarFormatError';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const HOP_BY_BODY = new Set(['content-encoding', 'content-length', 'transfer-encoding']);

function headers(value: unknown, where: string): HttpHeader[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new HarFormatError(`${where}: headers must be an array`);
  return value.map((h: unknown, i) => {
    if (!isRecord(h) || typeof h.name !== 'string' || typeof h.value !== 'string')
      throw new HarFormatError(`${where}: header ${i} needs a name and a value`);
    return { name: h.name, value: h.value };
  });
}

/** Header names and values as HTTP/1.1 allows them (no CR/LF that would forge lines). */
function clean(list: HttpHeader[]): HttpHeader[] {
  return list
    .filter((h) => !h.name.startsWith(':') && isToken(h.name))
    .map((h) => ({ name: h.name, value: h.value.replace(/[\r\n]+/g, ' ') }));
}

function bodyOf(text: unknown, encoding: unknown): Uint8Array {
  if (typeof text !== 'string') return new Uint8Array(0);
  if (encoding === 'base64') return decodeBase64(text) ?? new TextEncoder().encode(text);
  return new TextEncoder().encode(text);
}

/**
 * The body's framing, rebuilt: Content-Length of the body as recorded. `always` gives a response an
 * explicit 0 too, since a response with no framing would run until the connection closes (RFC 9112
 * section 6.3).
 */
function withBodyLength(list: HttpHeader[], body: Uint8Array, always: boolean): HttpHeader[] {
  const kept = list.filter((h) => !HOP_BY_BODY.has(h.name.toLowerCase()));
  return always || body.length > 0 ? [...kept, { name: 'Content-Length', value: String(body.length) }] : kept;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);

/** Parses HAR text into a trace; a malformed or foreign file throws HarFormatError and nothing else. */
export function harToTrace(text: string, title?: string): Trace {
  if (text.length > MAX_HAR_BYTES)
    throw new HarFormatError(`the file is larger than ${MAX_HAR_BYTES / 1024 / 1024} MB`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HarFormatError('the file is not JSON');
  }
  return harValueToTrace(value, title);
}

export function harValueToTrace(value: unknown, title?: string): Trace {
  if (!isRecord(value) || !isRecord(value.log) || !Array.isArray(value.log.entries))
    throw new HarFormatError('not a HAR file: no log.entries');
  const entries: unknown[] = value.log.entries;
  if (entries.length > MAX_HAR_ENTRIES) throw new HarFormatError(`more than ${MAX_HAR_ENTRIES} entries`);
  if (entries.length === 0) throw new HarFormatError('the HAR file has no entries');
  const parsed = entries.map((entry, i) => parseEntry(entry, i));
  const t0 = Math.min(...parsed.map((p) => p.start));
  const events: TraceEvent[] = [];
  const opened = new Set<string>();
  let wsCount = 0;
  parsed.forEach((p, i) => {
    const conn = p.connection ? `har-${p.connection}` : `har-e${i}`;
    const t = p.start - t0;
    if (!opened.has(conn)) {
      opened.add(conn);
      events.push({ type: 'conn.open', t, conn });
    }
    const { request, response } = p;
    const reqHeaders = clean(headers(request.headers, `entry ${i} request`));
    const url = new URL(request.url as string);
    if (!reqHeaders.some((h) => h.name.toLowerCase() === 'host'))
      reqHeaders.unshift({ name: 'Host', value: url.host });
    const postData = isRecord(request.postData) ? request.postData : {};
    const reqBody = bodyOf(postData.text, undefined);
    const method = request.method as string;
    const target = url.pathname + url.search;
    const requestBytes = serializeRequest({
      method,
      target,
      headers: withBodyLength(reqHeaders, reqBody, false),
      body: reqBody,
    });
    events.push({
      type: 'unit',
      t,
      conn,
      dir: 'c2s',
      kind: 'http-request',
      summary: summaryText(summarizeUnit('http-request', requestBytes)),
      bytes: requestBytes,
    });
    const status = response.status as number;
    if (status > 0) {
      const content = isRecord(response.content) ? response.content : {};
      const body =
        status === 101 || status === 204 || status === 304
          ? new Uint8Array(0)
          : bodyOf(content.text, content.encoding);
      const framed = status >= 200 && status !== 204 && status !== 304;
      const resHeaders = withBodyLength(
        clean(headers(response.headers, `entry ${i} response`)),
        body,
        framed,
      );
      const reason =
        typeof response.statusText === 'string' && response.statusText
          ? response.statusText.replace(/[\r\n]/g, ' ')
          : undefined;
      const bytes = serializeResponse({ status, ...(reason ? { reason } : {}), headers: resHeaders, body });
      events.push({
        type: 'unit',
        t: t + p.wait,
        conn,
        dir: 's2c',
        kind: 'http-response',
        summary: summaryText(summarizeUnit('http-response', bytes)),
        bytes,
      });
    }
    for (const m of p.messages) {
      if (++wsCount > MAX_HAR_WS_MESSAGES)
        throw new HarFormatError(`more than ${MAX_HAR_WS_MESSAGES} WebSocket messages`);
      const payload = m.opcode === 2 ? bodyOf(m.data, 'base64') : new TextEncoder().encode(m.data);
      const dir = m.type === 'send' ? 'c2s' : 's2c';
      const bytes = encodeFrame({
        opcode: m.opcode,
        payload,
        ...(dir === 'c2s' ? { mask: HAR_MASK_KEY } : {}),
      });
      events.push({
        type: 'unit',
        t: m.time * 1000 - t0,
        conn,
        dir,
        kind: 'ws-frame',
        summary: summaryText(summarizeUnit('ws-frame', bytes)),
        bytes,
      });
    }
  });
  events.sort((a, b) => a.t - b.t);
  return { version: TRACE_VERSION, source: 'har', startedAt: t0, ...(title ? { title } : {}), events };
}

interface WsMessage {
  type: 'send' | 'receive';
  time: number;
  opcode: number;
  data: string;
}

function parseEntry(entry: unknown, i: number) {
  const fail = (why: string): never => {
    throw new HarFormatError(`entry ${i}: ${why}`);
  };
  if (!isRecord(entry)) return fail('not an object');
  const start = typeof entry.startedDateTime === 'string' ? Date.parse(entry.startedDateTime) : NaN;
  if (!Number.isFinite(start)) fail('startedDateTime is missing or not a date');
  const request = entry.request;
  if (!isRecord(request)) return fail('request is missing');
  if (typeof request.method !== 'string' || !/^[A-Z]+$/.test(request.method))
    fail('request.method is missing');
  if (typeof request.url !== 'string' || !URL.canParse(request.url))
    fail('request.url is missing or not a URL');
  const response = entry.response;
  if (!isRecord(response)) return fail('response is missing');
  if (
    typeof response.status !== 'number' ||
    !Number.isInteger(response.status) ||
    response.status < 0 ||
    response.status > 999
  )
    fail('response.status is missing');
  const timings = isRecord(entry.timings) ? entry.timings : {};
  const wait = ['blocked', 'dns', 'connect', 'send', 'wait'].reduce((s, k) => s + num(timings[k]), 0);
  const raw = entry._webSocketMessages;
  if (raw !== undefined && !Array.isArray(raw)) fail('_webSocketMessages must be an array');
  const messages = ((raw as unknown[] | undefined) ?? []).map((m, k): WsMessage => {
    if (
      !isRecord(m) ||
      (m.type !== 'send' && m.type !== 'receive') ||
      typeof m.time !== 'number' ||
      !Number.isFinite(m.time) ||
      typeof m.opcode !== 'number' ||
      !Number.isInteger(m.opcode) ||
      m.opcode < 0 ||
      m.opcode > 15 ||
      typeof m.data !== 'string'
    )
      return fail(`WebSocket message ${k} needs type, time, opcode and data`);
    return { type: m.type, time: m.time, opcode: m.opcode, data: m.data };
  });
  return {
    start,
    wait,
    connection: typeof entry.connection === 'string' ? entry.connection : undefined,
    request,
    response,
    messages,
  };
}
