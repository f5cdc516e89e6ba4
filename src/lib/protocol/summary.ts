/**
 * What a unit says, as data in no language: the facts a one-line label of an HTTP message, a WebSocket
 * frame or a piece of an event stream is made of. The simulated scenarios and the live tap label the
 * same bytes from the same facts; each page renders them in its own language (src/lib/trace has the
 * English renderer).
 *
 * `summarizeUnit(kind, bytes)` reads the bytes with the protocol's own parsers; `summarizeHttp`,
 * `summarizeFrame`, `summarizeEvents` and `summarizeFault` take what a reader has parsed already, so
 * nothing is parsed twice.
 */
import { Opcode } from './constants.ts';
import { HttpError, ProtocolError } from './errors.ts';
import { decodeFrame, opcodeName, type Frame } from './frame.ts';
import { parseCloseBody } from './close.ts';
import { isValidUtf8 } from './utf8.ts';
import { concatBytes } from './bytes.ts';
import { parseStreamEvents } from './eventStream.ts';
import {
  parseHead,
  parseHttpMessage,
  readChunkEnd,
  readChunkSize,
  readTrailer,
  type HttpMessage,
} from './http/index.ts';

/** Longest text preview, in characters. */
export const PREVIEW_CHARS = 32;

/** The start of a text: at most PREVIEW_CHARS characters, and whether it goes on. */
export interface TextPreview {
  text: string;
  more: boolean;
}

export interface StreamEventSummary {
  id?: string;
  /** The event type (the `event` field). */
  event?: string;
  data?: TextPreview;
  retry?: string;
  comment?: string;
}

/** The kinds of unit a trace carries (the same names as the trace's UnitKind). */
export type SummaryUnitKind = 'http-request' | 'http-response' | 'ws-frame' | 'sse-event' | 'raw';

export type UnitSummary =
  | { kind: 'http-request'; method: string; target: string; version: string; bodyLength: number }
  | {
      kind: 'http-response';
      version: string;
      status: number;
      reason: string;
      bodyLength: number;
      /** The body's start, when it is UTF-8 text. */
      body?: TextPreview;
    }
  | {
      kind: 'ws-frame';
      opcode: number;
      /** RFC 6455 section 5.2's name: 'text', 'binary', 'close', 'ping', 'pong', 'continuation'. */
      opcodeName: string;
      fin: boolean;
      rsv: number;
      masked: boolean;
      payloadLength: number;
      /**
       * The payload's start as text (not for binary or close frames, nor an empty payload); for the
       * frame that completes a message an extension decoded (permessage-deflate), the message's start.
       */
      text?: TextPreview;
      /** The length of the message an extension decoded, on the frame that completed it. */
      decodedLength?: number;
      /** A close frame's status code and reason; no code is "no status" (1005, section 7.1.5). */
      close?: { code: number | undefined; reason: string };
    }
  /** One or more events of an event stream (HTML Living Standard 9.2.6). */
  | { kind: 'sse-event'; events: StreamEventSummary[] }
  /** The last chunk and trailer section that end a chunked body (RFC 9112 section 7.1). */
  | { kind: 'last-chunk' }
  /** Bytes that break the protocol: the error's stable code and what a conforming peer answers. */
  | {
      kind: 'fault';
      protocol: 'http' | 'websocket';
      code: string;
      section: string;
      status?: number;
      closeCode?: number;
    }
  /** Bytes that are none of the above, or not all there yet. */
  | { kind: 'raw'; length: number };

const decoder = new TextDecoder('utf-8', { fatal: false });

/** The start of `text` as a preview. */
export function previewText(text: string): TextPreview {
  return text.length > PREVIEW_CHARS
    ? { text: text.slice(0, PREVIEW_CHARS), more: true }
    : { text, more: false };
}

/** The start of UTF-8 bytes as a preview (only as many bytes as the preview can need are decoded). */
function previewBytes(bytes: Uint8Array): TextPreview {
  const text = decoder.decode(bytes.subarray(0, PREVIEW_CHARS * 4));
  const preview = previewText(text);
  return bytes.length > PREVIEW_CHARS * 4 ? { text: preview.text, more: true } : preview;
}

export function summarizeHttp(message: HttpMessage): UnitSummary {
  if (message.kind === 'request') {
    const { method, target, version } = message;
    return { kind: 'http-request', method, target, version, bodyLength: message.body.length };
  }
  const { version, status, reason, body } = message;
  const summary: UnitSummary = { kind: 'http-response', version, status, reason, bodyLength: body.length };
  if (body.length > 0 && isValidUtf8(body)) summary.body = previewBytes(body);
  return summary;
}

/** A frame, with the message an extension decoded when this frame completed it. */
export function summarizeFrame(frame: Frame, decoded?: Uint8Array): UnitSummary {
  const summary: UnitSummary = {
    kind: 'ws-frame',
    opcode: frame.opcode,
    opcodeName: opcodeName(frame.opcode),
    fin: frame.fin,
    rsv: frame.rsv,
    masked: frame.masked,
    payloadLength: frame.payloadLength,
  };
  if (frame.opcode === Opcode.Close) {
    const body = parseCloseBody(frame.payload);
    summary.close = body.ok ? { code: body.code, reason: body.reason } : { code: undefined, reason: '' };
  } else if (decoded !== undefined) {
    summary.decodedLength = decoded.length;
    if (frame.opcode !== Opcode.Binary && decoded.length > 0) summary.text = previewBytes(decoded);
  } else if (frame.opcode !== Opcode.Binary && frame.payloadLength > 0 && frame.rsv === 0) {
    // With an RSV bit set the payload is an extension's (RFC 6455 section 5.2), such as DEFLATE data
    // (RFC 7692): not text until the extension has decoded it.
    summary.text = previewBytes(frame.payload);
  }
  return summary;
}

/** Event-stream text (the data of the chunks that carried it) as events. */
export function summarizeEvents(text: string): UnitSummary {
  return {
    kind: 'sse-event',
    events: parseStreamEvents(text).map(({ data, ...fields }) =>
      data === undefined ? fields : { ...fields, data: previewText(data) },
    ),
  };
}

export function summarizeFault(error: HttpError | ProtocolError): UnitSummary {
  return error instanceof HttpError
    ? { kind: 'fault', protocol: 'http', code: error.code, section: error.section, status: error.status }
    : {
        kind: 'fault',
        protocol: 'websocket',
        code: error.code,
        section: error.section,
        closeCode: error.closeCode,
      };
}

/**
 * The data of a run of whole chunks (RFC 9112 section 7.1) that fill `bytes`, with `last` when they end
 * with the last chunk and its trailer section; null when the bytes are not exactly that.
 */
function chunksOf(bytes: Uint8Array): { data: Uint8Array[]; last: boolean } | null {
  const data: Uint8Array[] = [];
  let pos = 0;
  try {
    while (pos < bytes.length) {
      const line = readChunkSize(bytes, pos, bytes.length);
      if (!line) return null;
      pos = line.next;
      if (line.size === 0) {
        for (;;) {
          const trailer = readTrailer(bytes, pos, bytes.length);
          if (!trailer) return null;
          pos = trailer.next;
          if (!trailer.field) return pos === bytes.length ? { data, last: true } : null;
        }
      }
      if (bytes.length - pos < line.size) return null;
      data.push(bytes.subarray(pos, pos + line.size));
      pos += line.size;
      const crlf = readChunkEnd(bytes, pos);
      if (crlf === 0) return null;
      pos += crlf;
    }
  } catch (error) {
    if (error instanceof HttpError) return null;
    throw error;
  }
  return { data, last: false };
}

function summarizeHttpBytes(kind: 'request' | 'response', bytes: Uint8Array): UnitSummary {
  try {
    const whole = parseHttpMessage(bytes, 0, { kind, eof: true, maxBodyBytes: bytes.length });
    if (whole) return summarizeHttp(whole.message);
    // A head whose body is not here (a streamed event stream's head, an answer to HEAD).
    const head = parseHead(bytes, 0, { kind });
    return head ? summarizeHttp(head.message) : { kind: 'raw', length: bytes.length };
  } catch (error) {
    if (error instanceof HttpError) return summarizeFault(error);
    throw error;
  }
}

function summarizeFrameBytes(bytes: Uint8Array, decoded?: Uint8Array): UnitSummary {
  try {
    // A summary names what is there: RSV bits an extension may define are shown, not judged.
    const result = decodeFrame(bytes, 0, { allowRsv: true });
    return result ? summarizeFrame(result.frame, decoded) : { kind: 'raw', length: bytes.length };
  } catch (error) {
    if (error instanceof ProtocolError) return summarizeFault(error);
    throw error;
  }
}

/**
 * What the unit of this kind with these bytes says, read with the protocol's parsers; `decoded` is what
 * an extension made of a frame's message (permessage-deflate's inflated data), where it is known.
 */
export function summarizeUnit(kind: SummaryUnitKind, bytes: Uint8Array, decoded?: Uint8Array): UnitSummary {
  switch (kind) {
    case 'http-request':
      return summarizeHttpBytes('request', bytes);
    case 'http-response':
      return summarizeHttpBytes('response', bytes);
    case 'ws-frame':
      return summarizeFrameBytes(bytes, decoded);
    case 'sse-event': {
      // The chunk(s) that carried the events; or, outside a chunked response, the event text itself.
      const chunks = chunksOf(bytes);
      return summarizeEvents(decoder.decode(chunks ? concatBytes(chunks.data) : bytes));
    }
    case 'raw': {
      const chunks = chunksOf(bytes);
      return chunks?.last && chunks.data.length === 0
        ? { kind: 'last-chunk' }
        : { kind: 'raw', length: bytes.length };
    }
  }
}
